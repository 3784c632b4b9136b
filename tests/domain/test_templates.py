"""Message templates: every default renders cleanly; missing fields, non-Latin names and
apostrophes never break a message, and no placeholder is ever left in braces."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.domain import templates
from journal.domain.templates import DEFAULTS, Template, render, render_text

FULL = {
    "preferred_name": "Peggy", "first_name": "Margaret", "full_name": "Margaret O'Brien",
    "business_name": "The Corner Florist", "owner_name": "Robin",
    "signature": "Warm regards,\nRobin", "last_purchase": "the spring tulips",
    "last_purchase_date": "12 March 2026", "last_visit": "the Easter market",
    "complaint_summary": "the late delivery",
}
_BRACED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


def test_the_five_kinds_of_message_are_there() -> None:
    assert templates.KEYS == ("check_in", "thank_you", "birthday", "follow_up",
                              "complaint_follow_up")
    for template in DEFAULTS:
        assert template.title and template.log_summary
        assert "{preferred_name}" in template.body, template.key
        assert templates.unknown_placeholders(template.subject + template.body) == []


@pytest.mark.parametrize("template", DEFAULTS, ids=lambda t: t.key)
def test_every_default_renders_with_everything_known(template: Template) -> None:
    subject, body = render(template, FULL)
    assert "Peggy" in subject
    assert body.splitlines()[0] in ("Hi Peggy,", "Dear Peggy,")
    assert body.endswith("Warm regards,\nRobin")
    assert not _BRACED.search(subject + body)


@pytest.mark.parametrize("template", DEFAULTS, ids=lambda t: t.key)
def test_every_default_renders_with_nothing_known(template: Template) -> None:
    """A brand-new journal: no business name, no signature, no purchases."""
    subject, body = render(template, {"preferred_name": "Peggy"})
    assert not _BRACED.search(subject + body)
    assert "  " not in body and " ," not in body and " ." not in body
    assert not body.endswith("\n") and "\n\n\n" not in body


def test_missing_values_fall_back_gently() -> None:
    _, body = render(templates.default("thank_you"), {"preferred_name": "Peggy"})
    assert "Thank you for choosing your recent purchase." in body
    _, body = render(templates.default("complaint_follow_up"), {"preferred_name": "Peggy"})
    assert "about the problem you told us about." in body
    _, body = render(templates.default("check_in"), {"preferred_name": "Peggy"})
    assert "at our shop again soon." in body


def test_a_missing_signature_signs_with_the_owner_name_or_drops_the_line() -> None:
    assert render_text("Bye\n\n{signature}", {"owner_name": "Robin"}) == "Bye\n\nRobin"
    assert render_text("Bye\n\n{signature}\n", {}) == "Bye"


def test_a_line_of_empty_placeholders_disappears_but_other_lines_stay() -> None:
    text = "Hello\n{owner_name} {signature}\nThanks from {owner_name}!"
    assert render_text(text, {}) == "Hello\nThanks from!"


def test_unknown_placeholders_vanish_and_are_reported() -> None:
    text = "Hi {nmae}, see you at {business_name}"
    assert templates.unknown_placeholders(text) == ["nmae"]
    assert render_text(text, FULL) == "Hi, see you at The Corner Florist"


def test_braces_that_are_not_placeholders_stay_as_typed() -> None:
    assert render_text("Price {in euros}: 5 :-{", FULL) == "Price {in euros}: 5 :-{"


@pytest.mark.parametrize("name", ["Zoë", "Siobhán", "Chloé-Anne", "王芳", "Владимир", "سارة",
                                  "D'Arcy", "O’Neill"])
def test_non_latin_names_and_apostrophes_are_kept_exactly(name: str) -> None:
    subject, body = render(templates.default("birthday"),
                           {**FULL, "preferred_name": name, "business_name": "Tom's & Jerry's"})
    assert subject == f"Happy birthday, {name}!"
    assert body.startswith(f"Dear {name},\n")
    assert "from all of us at Tom's & Jerry's." in body


def test_values_are_not_expanded_twice() -> None:
    """A customer literally called '{first_name}' is greeted as typed."""
    _, body = render(templates.default("check_in"), {**FULL, "preferred_name": "{first_name}"})
    assert body.startswith("Hi {first_name},")


def test_first_name_falls_back_to_the_preferred_name() -> None:
    assert render_text("Hi {first_name}", {"preferred_name": "Peggy"}) == "Hi Peggy"
    assert render_text("Hi {first_name}", {}) == "Hi there"


_NO_BRACES = st.text(alphabet=st.characters(blacklist_characters="{}"))


@given(st.text(), st.dictionaries(st.sampled_from(sorted(templates.PLACEHOLDER_NAMES)),
                                  _NO_BRACES))
def test_rendering_never_fails_and_never_leaves_a_known_placeholder(text: str,
                                                                    fields: dict[str, str]
                                                                    ) -> None:
    out = render_text(text, fields)
    for name in templates.PLACEHOLDER_NAMES:
        assert f"{{{name}}}" not in out
