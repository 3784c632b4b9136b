"""The merge dialog with real widgets: side by side, a choice a field, one merge."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from journal.domain.merge import Side
from journal.domain.photos import set_photo
from journal.model import (
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    MethodKind,
    PartialDate,
    PurchaseDraft,
)
from journal.ui.merge_dialog import MergeDialog

SHOTS = Path("/tmp/ui-shots")


def jpeg() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(32, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("#c2185b"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG")
    return bytes(data.data())


def two(service) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    keep = service.add_contact(ContactDraft(
        display_name="Peggy O'Brien", notes="Dog: Biscuit",
        methods=[ContactMethod(MethodKind.PHONE, "+44 7700 900123")]))
    other = service.add_contact(ContactDraft(
        display_name="Margaret <b>O'Brien</b> & Co", company="Bloom & Wild",
        birthday=PartialDate(2, 29, None), notes="Prefers tulips\nnever lilies",
        methods=[ContactMethod(MethodKind.EMAIL, "peggy@example.com")]))
    service.log_conversation(ConversationDraft(other.id, "Asked about peonies"))
    service.add_purchase(PurchaseDraft(other.id, dt.date(2026, 1, 5), "Bouquet", 4250, "EUR"))
    set_photo(service, other.id, jpeg())
    return keep.id, other.id


def test_merge_side_by_side(qtbot, bridge, ui_service):
    keep_id, other_id = two(ui_service)
    changes: list[str] = []
    bridge.changed.connect(changes.append)
    dialog = MergeDialog(bridge, keep_id, other_id)
    qtbot.addWidget(dialog)
    dialog.resize(820, 560)
    dialog.show()
    assert list(dialog.groups) == ["display_name", "company", "birthday", "notes", "photo"]
    assert dialog.choices() == {"display_name": Side.KEEP, "company": Side.OTHER,
                                "birthday": Side.OTHER, "notes": Side.BOTH,
                                "photo": Side.OTHER}
    texts = [b.text() for b in dialog.groups["display_name"].buttons()]
    # Plain text; "&&" is how a button shows a literal "&".
    assert texts == ["Peggy O'Brien", "Margaret <b>O'Brien</b> && Co"]
    assert "1 conversation, 1 purchase" in dialog.summary.text()
    SHOTS.mkdir(exist_ok=True)
    dialog.grab().save(str(SHOTS / "merge.png"))
    dialog.choose("display_name", Side.OTHER)
    with qtbot.waitSignal(dialog.merged) as merged:
        dialog.merge_button.click()
    assert merged.args == [keep_id]
    kept = ui_service.contact(keep_id)
    assert kept.display_name == "Margaret <b>O'Brien</b> & Co"
    assert kept.notes == "Dog: Biscuit\n\nPrefers tulips\nnever lilies"
    assert [m.value for m in kept.methods] == ["+44 7700 900123", "peggy@example.com"]
    assert [c.summary for c in ui_service.conversations_with(keep_id)] == ["Asked about peonies"]
    assert other_id in [t.id for t in ui_service.trash()]
    assert "contacts" in changes
    assert dialog.result_message.startswith("Merged Margaret")


def test_pickers_swap_and_refuse_the_same_customer(qtbot, bridge, ui_service):
    keep_id, other_id = two(ui_service)
    dialog = MergeDialog(bridge)
    qtbot.addWidget(dialog)
    assert not dialog.merge_button.isEnabled()
    assert dialog.summary.text() == "Choose the two customers that are the same person."
    dialog.keep_picker.select(keep_id)
    dialog.other_picker.select(keep_id)
    assert not dialog.merge_button.isEnabled()
    assert dialog.summary.text() == "Choose two different customers."
    dialog.other_picker.select(other_id)
    assert dialog.merge_button.isEnabled()
    dialog.swap()
    assert (dialog.keep_picker.contact_id(), dialog.other_picker.contact_id()) == \
        (other_id, keep_id)
    # Kept Margaret lacks the phone only; the rest of Peggy's differing fields are listed.
    assert list(dialog.groups) == ["display_name", "notes"]
