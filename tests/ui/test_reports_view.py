"""The Reports view with the sample shop: every chart draws exactly the domain's numbers, a
click on a state lists exactly its customers, pictures and CSV files are saved as shown."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCharts import QChart
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette

from journal.domain import reports
from journal.domain.demo import DemoSize, fill
from journal.domain.reports import RelationshipState as State
from journal.domain.service import JournalService
from journal.model import Channel, ConversationDraft, PurchaseDraft
from journal.ui import chart_style
from journal.ui.common import JournalBridge
from journal.ui.contact_frequency import ContactFrequencyChart
from journal.ui.reports_view import ReportsView, TopCustomersModel


def make_view(qtbot, bridge: JournalBridge, **options) -> ReportsView:  # type: ignore[no-untyped-def]
    view = ReportsView(bridge, **options)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show()
    return view


def reload(qtbot, view: ReportsView) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.reload()


def values(bar_set) -> list[float]:  # type: ignore[no-untyped-def]
    return [bar_set.at(i) for i in range(bar_set.count())]


@pytest.fixture
def shop(ui_service: JournalService, clock) -> JournalService:  # type: ignore[no-untyped-def]
    """The sample shop, one customer archived and one in the trash (both left out)."""
    fill(ui_service.db, clock())
    ids = ui_service.list_contact_ids()
    ui_service.archive_contact(ids[3])
    ui_service.delete_contact(ids[4])
    return ui_service


@pytest.fixture(autouse=True)
def _finish_workers(qtbot):  # type: ignore[no-untyped-def]
    """Let every load finish before the journal closes."""
    yield
    from PySide6.QtWidgets import QApplication

    from journal.ui.customers_view import CustomersView

    for widget in QApplication.allWidgets():
        if isinstance(widget, ReportsView | ContactFrequencyChart | CustomersView):
            widget.wait_for_results()


def reference_states(service: JournalService) -> dict[int, str]:
    """Each active customer's state by the customer list's own rule (check_in_state), with
    "never contacted" first: what a click on a state must list."""
    ids = service.list_contact_ids()
    rows = service.contact_rows(ids)
    return {i: "never_contacted" if rows[i].last_talked_at is None else rows[i].state.value
            for i in ids}


# -- the charts draw the domain's numbers -------------------------------------------------------
def test_each_chart_shows_the_domains_numbers(qtbot, bridge, shop, qtmodeltester):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    expected = reports.build_reports(shop, shop.today(), 12)
    assert view.reports == expected

    # conversations a month, stacked by channel
    assert list(view.conversation_sets) == list(expected.conversations.counts)
    for channel, counts in expected.conversations.counts.items():
        assert values(view.conversation_sets[channel]) == [float(c) for c in counts], channel
    assert expected.conversations.total > 0
    axis = view.conversations_card.chart.axes(Qt.Orientation.Horizontal)[0]
    assert axis.categories() == chart_style.month_labels(expected.months)
    assert view.conversations_card.chart.series()[0].count() == len(expected.conversations.counts)

    # relationships: slices and the clickable legend
    counts = expected.states.counts
    assert expected.states.total == 58  # 60, less one archived and one in the trash
    assert {s: int(view.state_slices[s].value()) for s in view.state_slices} == {
        s: n for s, n in counts.items() if n}
    for state, count in counts.items():
        assert view.state_buttons[state].text() == f"{state.label}  {count:,}"
        assert view.state_buttons[state].isEnabled() == (count > 0)
    truth = reference_states(shop)
    assert {s.value: n for s, n in counts.items()} == {
        s.value: sum(1 for v in truth.values() if v == s.value) for s in State}

    # complaints, and the median under the chart
    assert values(view.complaint_sets["Opened"]) == [float(v) for v in expected.complaints.opened]
    assert values(view.complaint_sets["Resolved"]) == [
        float(v) for v in expected.complaints.resolved]
    assert view.median_label.text() == ReportsView.complaints_note(expected)
    assert f"{expected.complaints.still_open} still open" in view.median_label.text()

    # purchases in the shop's currency, and the top customers beside them
    assert view.currency.currentText() == "EUR" and view.currency.isHidden()
    assert values(view.purchase_set) == [
        float(reports.major_units(t, "EUR")) for t in expected.purchases.totals["EUR"]]
    top = expected.top_customers.by_currency["EUR"]
    model = view.top_model
    assert model.rowCount() == len(top) == 10
    for row, customer in enumerate(top):
        assert model.index(row, TopCustomersModel.NAME).data() == customer.name
        assert model.index(row, TopCustomersModel.VALUE).data() == customer.lifetime_value
        assert model.index(row, TopCustomersModel.LAST).data() == (
            customer.last_talked_at.date().isoformat() if customer.last_talked_at else "never")
        assert model.index(row, 0).data(Qt.ItemDataRole.UserRole) == customer.contact_id
    qtmodeltester.check(model)


def test_twenty_four_months(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.period.setCurrentIndex(view.period.findData(24))
    expected = reports.build_reports(shop, shop.today(), 24)
    assert view.reports == expected
    for channel, counts in expected.conversations.counts.items():
        assert values(view.conversation_sets[channel]) == [float(c) for c in counts]
    assert values(view.purchase_set) == [
        float(reports.major_units(t, "EUR")) for t in expected.purchases.totals["EUR"]]
    labels = view.conversations_card.chart.axes(Qt.Orientation.Horizontal)[0].categories()
    assert len(labels) == len(set(labels)) == 24


def test_a_new_conversation_redraws_the_reports(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    before = values(view.conversation_sets[Channel.PHONE])[-1]
    someone = shop.list_contact_ids()[0]
    with qtbot.waitSignal(view.loaded, timeout=10000):
        shop.log_conversation(ConversationDraft(someone, "Rang about roses",
                                                channel=Channel.PHONE))
    assert values(view.conversation_sets[Channel.PHONE])[-1] == before + 1


def test_several_currencies_get_a_selector(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    someone = shop.list_contact_ids()[0]
    shop.add_purchase(PurchaseDraft(someone, shop.today(), "Orchid", 4200, "GBP"))
    view = make_view(qtbot, bridge)
    assert not view.currency.isHidden()
    assert [view.currency.itemText(i) for i in range(view.currency.count())] == ["EUR", "GBP"]
    view.currency.setCurrentText("GBP")
    assert values(view.purchase_set)[-1] == 42.0 and sum(values(view.purchase_set)) == 42.0
    assert view.top_model.rowCount() == 1
    assert view.top_model.index(0, TopCustomersModel.VALUE).data() == "42.00 GBP"
    assert view.top_title.text().endswith("(GBP)")


# -- click-through: the Customers view, filtered to the state ------------------------------------
# Nothing here can wait for ever: no modal dialog is opened, and every wait has a timeout.
@pytest.fixture
def window(qtbot, bridge, shop, tmp_path):  # type: ignore[no-untyped-def]
    """The real main window on the sample shop, showing Reports once its charts are drawn."""
    from PySide6.QtCore import QSettings

    from journal.ui.main_window import VIEWS, MainWindow

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = MainWindow(bridge, tmp_path, settings=settings)
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.reports.loaded, timeout=10000):
        win.show_view(VIEWS.index("Reports"))
    yield win
    win.customers.wait_for_results()
    win.reports.wait_for_results()


def listed_ids(view) -> list[int]:  # type: ignore[no-untyped-def]
    return [view.model.contact_id(r) for r in range(view.model.rowCount())]


def wait_for_list(qtbot, customers) -> None:  # type: ignore[no-untyped-def]
    """Until the Customers view shows its latest request in full."""
    qtbot.waitUntil(lambda: customers.complete
                    and not customers.worker.pool.activeThreadCount(), timeout=10000)
    qtbot.wait(20)  # a result queued for the UI thread lands


def test_a_click_on_drifting_lists_exactly_the_drifting_customers(qtbot, window, shop):  # type: ignore[no-untyped-def]
    drifting = [i for i, s in reference_states(shop).items() if s == "drifting"]
    assert drifting  # the sample shop has some
    customers = window.customers
    with qtbot.waitSignal(window.reports.show_state, timeout=5000) as signal:
        window.reports.state_slices[State.DRIFTING].clicked.emit()  # the slice's own click
    assert signal.args == ["drifting"]
    assert window.pages.currentWidget() is window.customer_split
    wait_for_list(qtbot, customers)
    assert listed_ids(customers) == drifting  # by name, as the list always is
    assert not customers.filter_banner.isHidden()
    assert customers.filter_label.text() == f"Showing {len(drifting)} drifting customers"
    assert customers.filter_label.toolTip() == State.DRIFTING.description
    assert customers.count_label.text() == f"{len(drifting)} customers"
    assert customers.state_filter is State.DRIFTING
    # a double-click still opens the profile beside the list
    index = customers.model.index(1, 0)
    with qtbot.waitSignal(window.bridge.open_profile, timeout=5000) as opened:
        customers.table.doubleClicked.emit(index)
    assert opened.args == [drifting[1]]

    # Show all removes the filter: every active customer again
    qtbot.mouseClick(customers.show_all_button, Qt.MouseButton.LeftButton)
    wait_for_list(qtbot, customers)
    assert customers.filter_banner.isHidden() and customers.state_filter is None
    assert listed_ids(customers) == shop.list_contact_ids()
    assert customers.status_filter.isEnabled()


def test_every_state_button_lists_its_customers(qtbot, window, shop):  # type: ignore[no-untyped-def]
    truth = reference_states(shop)
    reports_view, customers = window.reports, window.customers
    from journal.ui.main_window import VIEWS

    for state in State:
        expected = [i for i, s in truth.items() if s == state.value]
        button = reports_view.state_buttons[state]
        if not expected:
            assert not button.isEnabled(), state
            continue
        window.show_view(VIEWS.index("Reports"))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.pages.currentWidget() is window.customer_split
        wait_for_list(qtbot, customers)
        assert listed_ids(customers) == expected, state
        noun = "customer" if len(expected) == 1 else "customers"
        assert customers.filter_label.text() == \
            f"Showing {len(expected)} {state.adjective} {noun}", state
        # the list's state column names the same state
        assert {customers.model.index(r, 3).data(Qt.ItemDataRole.ToolTipRole)
                for r in range(customers.model.rowCount())} == {state.label}, state


def test_search_and_tag_work_within_the_state_and_are_reset_by_a_new_click(qtbot, window, shop):  # type: ignore[no-untyped-def]
    customers = window.customers
    truth = reference_states(shop)
    on_track = [i for i, s in truth.items() if s == "on_track"]
    # first a search and a tag that a click must reset
    window.customers.search.setText("zzz-nobody")
    window.reports.list_customers(State.ON_TRACK)
    wait_for_list(qtbot, customers)
    assert customers.search.text() == "" and customers.tag_filter.currentIndex() == 0
    assert listed_ids(customers) == on_track
    assert not customers.status_filter.isEnabled()  # states are of active customers

    # a tag narrows the state's list
    tags = {i: shop.contact(i).tags for i in on_track}
    tag = max({t for ts in tags.values() for t in ts}, key=lambda t: sum(
        t in ts for ts in tags.values()))
    customers.tag_filter.setCurrentIndex(customers.tag_filter.findData(tag))
    wait_for_list(qtbot, customers)
    assert listed_ids(customers) == [i for i in on_track if tag in tags[i]]
    assert f"tagged {tag}" in customers.filter_label.text()

    # a search narrows it too: the first word of the first one's name
    customers.tag_filter.setCurrentIndex(0)
    name = shop.contact(on_track[0]).display_name.split()[0]
    qtbot.keyClicks(customers.search, name)
    qtbot.waitUntil(lambda: not customers.search_timer.isActive(), timeout=5000)
    wait_for_list(qtbot, customers)
    found = listed_ids(customers)
    assert on_track[0] in found and set(found) <= set(on_track)
    assert set(found) == set(shop.list_contact_ids(query=name)) & set(on_track)
    assert f"matching “{name}”" in customers.filter_label.text()

    # nothing matches: the list says so, and how to see everyone
    customers.search.setText("zzz-nobody")
    qtbot.waitUntil(lambda: not customers.search_timer.isActive(), timeout=5000)
    wait_for_list(qtbot, customers)
    assert customers.stack.currentWidget() is customers.empty_label
    assert customers.empty_label.text() == (
        "No on-track customers match “zzz-nobody”. Show all to see everyone.")


# -- pictures and numbers ---------------------------------------------------------------------
@pytest.fixture
def ui_settings(tmp_path):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)


def test_save_as_png_writes_what_the_view_shows(qtbot, bridge, shop, tmp_path, ui_settings):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge, settings=ui_settings)
    asked: list[str] = []

    def choose(parent, suggested, file_filter):  # type: ignore[no-untyped-def]
        asked.append(Path(suggested).name)
        return str(tmp_path / Path(suggested).name.removesuffix(".png"))  # the suffix is added

    view.ask_for_path = choose
    for card in (view.conversations_card, view.states_card, view.complaints_card,
                 view.purchases_card, view.top_card):
        path = view.save_png(card)
        assert path is not None and path.suffix == ".png" and path.exists()
        saved = QImage(str(path))
        widget = card.picture_widget()
        ratio = widget.devicePixelRatioF()
        assert (saved.width(), saved.height()) == (round(widget.width() * ratio),
                                                   round(widget.height() * ratio))
        shown = widget.grab().toImage().convertToFormat(saved.format())
        assert saved == shown, card.key
    assert asked[0] == "conversations-2026-11-23.png"
    assert asked[-1] == "top-customers-EUR-2026-11-23.png"
    assert view.conversations_card.view.width() > 400  # a real chart, not a stub


def test_the_next_save_starts_in_the_folder_of_the_last(qtbot, bridge, shop, tmp_path,  # type: ignore[no-untyped-def]
                                                        ui_settings):
    view = make_view(qtbot, bridge, settings=ui_settings)
    asked: list[str] = []
    chosen = tmp_path / "for the accountant"
    chosen.mkdir()
    view.ask_for_path = lambda parent, suggested, file_filter: asked.append(suggested) or str(
        chosen / Path(suggested).name)
    view.save_png(view.states_card)
    assert Path(asked[0]).parent == Path.home()  # never the folder the app was started in
    view.export_csv(view.top_card)
    assert Path(asked[1]) == chosen / "top-customers-EUR-2026-11-23.csv"
    again = make_view(qtbot, bridge, settings=ui_settings)  # remembered for next time
    again.ask_for_path = lambda parent, suggested, file_filter: asked.append(suggested) or ""
    again.save_png(again.conversations_card)
    assert Path(asked[2]).parent == chosen


def test_cancelling_the_file_dialog_saves_nothing(qtbot, bridge, shop, tmp_path):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    view.ask_for_path = lambda parent, suggested, file_filter: ""
    assert view.save_png(view.states_card) is None
    assert view.export_csv(view.states_card) is None
    assert list(tmp_path.glob("*.png")) == list(tmp_path.glob("*.csv")) == []


def test_each_card_exports_its_table_as_safe_csv(qtbot, bridge, shop, tmp_path, ui_settings):  # type: ignore[no-untyped-def]
    someone = shop.list_contact_ids()[0]
    draft = shop.contact(someone).to_draft()
    draft.display_name = "=HYPERLINK(\"http://evil\")"
    shop.update_contact(someone, draft)
    shop.add_purchase(PurchaseDraft(someone, shop.today(), "Wedding", 9_999_900, "EUR"))
    view = make_view(qtbot, bridge, settings=ui_settings)
    view.ask_for_path = lambda parent, suggested, file_filter: str(
        tmp_path / Path(suggested).name)
    for card in view.cards:
        path = view.export_csv(card)
        assert path is not None
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        header, table = view.table_of(card)
        assert rows[0] == header
        assert rows[1:] == [[reports.csv_cell(v) for v in row] for row in table], card.key
    top = (tmp_path / "top-customers-EUR-2026-11-23.csv").read_text(encoding="utf-8-sig")
    total = reports.major_units(shop.lifetime_totals(someone)["EUR"], "EUR")
    assert total > 99999  # top of the list, with a name that would run as a formula
    assert top.splitlines()[1] == f"1,{someone},\"'=HYPERLINK(\"\"http://evil\"\")\",{total},"\
        f"EUR,{len(shop.purchases_of(someone))},{shop.contact(someone).last_talked_at:%Y-%m-%d}"


# -- look and feel ------------------------------------------------------------------------------
def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#eeeeee"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#eeeeee"),
                         (QPalette.ColorRole.Mid, "#555555")):
        palette.setColor(role, QColor(colour))
    return palette


def test_charts_follow_the_palette(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    chart = view.conversations_card.chart
    assert chart.theme() == QChart.ChartTheme.ChartThemeLight
    view.setPalette(dark_palette())
    for card in (view.conversations_card, view.states_card, view.complaints_card,
                 view.purchases_card):
        assert card.chart.theme() == QChart.ChartTheme.ChartThemeDark, card.key
        assert card.chart.backgroundBrush().color() == QColor("#1e1e1e")
        assert card.chart.titleBrush().color() == QColor("#eeeeee")
    axis = chart.axes(Qt.Orientation.Vertical)[0]
    assert axis.labelsBrush().color() == QColor("#eeeeee")
    assert axis.labelsFont().pointSizeF() >= chart_style.MIN_LABEL_POINTS
    # the numbers are drawn again, unchanged
    expected = reports.build_reports(shop, shop.today(), 12)
    for channel, counts in expected.conversations.counts.items():
        assert values(view.conversation_sets[channel]) == [float(c) for c in counts]


def test_narrow_windows_stack_the_cards(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    assert view.grid.getItemPosition(view.grid.indexOf(view.states_card))[:2] == (0, 1)
    view.resize(700, 800)
    qtbot.waitUntil(lambda: view.grid.getItemPosition(
        view.grid.indexOf(view.states_card))[:2] == (1, 0))


def test_an_empty_journal_says_so(qtbot, bridge):  # type: ignore[no-untyped-def]
    view = make_view(qtbot, bridge)
    for card in view.cards:
        assert card.stack.currentWidget() is card.empty_label, card.key
        assert not card.save_png.isEnabled()
    assert view.complaints_card.empty_label.text() == "No complaints in the last 12 months."
    assert not any(button.isEnabled() for button in view.state_buttons.values())


def test_a_failed_load_is_reported(qtbot, bridge, shop, monkeypatch):  # type: ignore[no-untyped-def]
    from journal.errors import StorageError
    from journal.ui import reports_view

    shown: list[BaseException] = []
    monkeypatch.setattr(reports_view, "show_error", lambda parent, error, title="": shown.append(
        error))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise StorageError("The journal is busy in another program.")

    monkeypatch.setattr(reports_view, "report_part", broken)
    view = ReportsView(bridge)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert str(shown[0]) == "The journal is busy in another program."
    assert view.status.text() == "The reports could not be made."
    assert view.wait_for_results()
    qtbot.wait(50)  # the other parts' failures arrive: still one message
    assert len(shown) == 1


def test_each_chart_appears_as_soon_as_its_numbers_are_in(qtbot, bridge, shop, monkeypatch):  # type: ignore[no-untyped-def]
    """The conversations are slow to count in a big journal: the other charts do not wait."""
    import threading

    from journal.ui import reports_view

    release = threading.Event()
    real = reports_view.report_part

    def slow_conversations(source, name, today, months):  # type: ignore[no-untyped-def]
        if name == "conversations":
            release.wait(10)  # bounded: the test cannot hang here
        return real(source, name, today, months)

    monkeypatch.setattr(reports_view, "report_part", slow_conversations)
    view = ReportsView(bridge)
    qtbot.addWidget(view)
    view.resize(1200, 900)
    try:
        view.show()
        qtbot.waitUntil(lambda: view.top_model.rowCount() == 10
                        and view.states_card.stack.currentWidget() is view.states_card.body,
                        timeout=10000)
        expected = reports.build_reports(shop, shop.today(), 12)
        assert {s: int(view.state_slices[s].value()) for s in view.state_slices} == {
            s: n for s, n in expected.states.counts.items() if n}
        assert view.median_label.text() == ReportsView.complaints_note(expected)
        card = view.conversations_card
        assert card.stack.currentWidget() is card.empty_label
        assert card.empty_label.text() == "Loading…"
        assert view.status.text() == "Updating…" and view.reports is None
    finally:
        release.set()
    qtbot.waitUntil(lambda: view.reports is not None, timeout=10000)
    assert view.reports == expected
    assert view.conversations_card.stack.currentWidget() is view.conversations_card.body
    assert view.status.text() == "As of Monday 23 November 2026"


# -- the profile's small chart --------------------------------------------------------------------
def test_contact_frequency_chart(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    busiest = shop.db.scalar(
        "SELECT contact_id FROM conversations GROUP BY contact_id ORDER BY count(*) DESC, "
        "contact_id LIMIT 1")
    chart = ContactFrequencyChart(shop, bridge=bridge)
    qtbot.addWidget(chart)
    chart.resize(360, 160)
    chart.show()
    with qtbot.waitSignal(chart.loaded, timeout=5000):
        chart.show_contact(busiest)
    expected = reports.contact_frequency(shop, busiest, shop.today())
    assert expected.total > 0
    assert values(chart.bar_set) == [float(c) for c in expected.counts]
    assert chart.toolTip().startswith(f"{expected.total} conversation")
    labels = chart.chart().axes(Qt.Orientation.Horizontal)[0].categories()
    assert len(labels) == len(set(labels)) == 12
    with qtbot.waitSignal(chart.loaded, timeout=5000):  # logging one redraws it
        shop.log_conversation(ConversationDraft(busiest, "Popped in"))
    assert values(chart.bar_set)[-1] == expected.counts[-1] + 1
    chart.show_contact(None)
    assert chart.chart().series() == []


def test_month_labels_are_short_and_unique() -> None:
    year = [f"2025-{m:02d}" for m in range(12, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]
    assert chart_style.month_labels(year) == [
        "Dec<br>2025", "Jan<br>2026", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov"]
    two = reports.months_ending(dt.date(2026, 11, 23), 24)
    labels = chart_style.month_labels(two)
    assert len(set(labels)) == 24
    assert [label.replace(chart_style.ZERO_WIDTH_SPACE, "") for label in labels[:3]] == [
        "D", "<b>J</b>", "F"]
    assert chart_style.month_span(two) == "Dec 2024 – Nov 2026"
    assert chart_style.nice_scale(0) == (1.0, 2)
    assert chart_style.nice_scale(37) == (40, 5)
    assert chart_style.nice_scale(3) == (3, 4)
    assert chart_style.nice_scale(847.5, integer=False) == (1000, 5)


def test_the_sample_shop_at_a_small_size(qtbot, bridge, ui_service, clock):  # type: ignore[no-untyped-def]
    """A few customers: the view still draws, nothing divides by zero."""
    fill(ui_service.db, clock(), DemoSize(contacts=3))
    view = make_view(qtbot, bridge)
    assert view.reports is not None and view.reports.states.total == 3


def test_opening_someone_outside_the_state_from_elsewhere_shows_everyone(qtbot, window, shop):  # type: ignore[no-untyped-def]
    """After a click on "drifting", a customer opened from Today (or the top customers) who is
    not drifting is shown in the whole list, selected beside their profile; one who is
    drifting is selected within the filtered list."""
    truth = reference_states(shop)
    drifting = [i for i, s in truth.items() if s == "drifting"]
    on_track = [i for i, s in truth.items() if s == "on_track"]
    customers = window.customers
    window.reports.list_customers(State.DRIFTING)
    wait_for_list(qtbot, customers)

    window.bridge.open_profile.emit(drifting[-1])  # as Today does
    wait_for_list(qtbot, customers)
    assert customers.state_filter is State.DRIFTING
    assert customers.selected_contact_id() == drifting[-1]

    window.bridge.open_profile.emit(on_track[-1])
    wait_for_list(qtbot, customers)
    assert customers.state_filter is None and customers.filter_banner.isHidden()
    assert listed_ids(customers) == shop.list_contact_ids()
    assert customers.selected_contact_id() == on_track[-1]
    assert window.profile.contact_id == on_track[-1]


def test_a_clicked_slice_is_not_left_pulled_out(qtbot, window):  # type: ignore[no-untyped-def]
    """Hovering pulls a slice out; the click takes the owner to Customers, where no hover
    ends: back on Reports the pie is whole again (and so is a PNG saved from it)."""
    from journal.ui.main_window import VIEWS

    drifting = window.reports.state_slices[State.DRIFTING]
    drifting.hovered.emit(True)
    assert drifting.isExploded()
    drifting.clicked.emit()
    assert window.pages.currentWidget() is window.customer_split
    window.show_view(VIEWS.index("Reports"))
    assert not any(s.isExploded() for s in window.reports.state_slices.values())


def test_the_bar_charts_legends_are_big_enough_to_tell_the_colours_apart(qtbot, bridge, shop):  # type: ignore[no-untyped-def]
    """Qt's own legend markers are about 5 pixels at laptop font sizes; each bar chart has a
    legend of 12-pixel squares in its series' colours instead, inside its saved picture."""
    from PySide6.QtWidgets import QLabel

    view = make_view(qtbot, bridge)
    for card, legend, sets in (
            (view.conversations_card, view.channel_legend, view.conversation_sets.values()),
            (view.complaints_card, view.complaint_legend, view.complaint_sets.values())):
        assert not card.chart.legend().isVisible()
        assert legend.names == [s.label() for s in sets]
        assert card.picture_widget().isAncestorOf(legend)
        swatches = [label.pixmap() for label in legend.findChildren(QLabel)
                    if not label.pixmap().isNull()]
        assert [p.toImage().pixelColor(6, 6).name() for p in swatches] == \
            [s.color().name() for s in sets]
        assert all(p.width() >= 12 for p in swatches)
