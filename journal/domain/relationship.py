"""A customer's relationship state: the one rule Today, Reports and the Customers list share.

- **never contacted**: no conversation logged yet, whatever their rhythm. Someone never talked
  to has no relationship to drift away from: what to do is a first hello. When they have a
  rhythm (their own, else their tags'), their first check-in counts from the day they were
  added, and once it comes due Today lists them under "Say hello" (never under "drifting").
- otherwise the check-in state of :func:`journal.domain.dates.check_in_state`, counted from the
  day of the last conversation with the rhythm that applies: on track (not yet due), due
  (today), overdue, drifting (more than twice the rhythm since the last conversation), or no
  rhythm.

The SQL that counts and lists the states (journal/store/reports.py ``STATE_SQL``) and the
agenda's groups (journal/store/agenda.py) are held to this rule by property tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from journal.domain import dates
from journal.model import CheckInState, ContactRow


class RelationshipState(StrEnum):
    ON_TRACK = "on_track"
    DUE = "due"
    OVERDUE = "overdue"
    DRIFTING = "drifting"
    NEVER_CONTACTED = "never_contacted"
    NO_RHYTHM = "no_rhythm"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]

    @property
    def adjective(self) -> str:
        """As in "12 drifting customers": 'drifting', 'never contacted', 'overdue' …"""
        return _ADJECTIVES[self]


_LABELS = {
    RelationshipState.ON_TRACK: "On track",
    RelationshipState.DUE: "Due today",
    RelationshipState.OVERDUE: "Overdue",
    RelationshipState.DRIFTING: "Drifting away",
    RelationshipState.NEVER_CONTACTED: "Never contacted",
    RelationshipState.NO_RHYTHM: "No rhythm",
}
_DESCRIPTIONS = {
    RelationshipState.ON_TRACK: "Their next check-in is still to come.",
    RelationshipState.DUE: "A check-in is due today.",
    RelationshipState.OVERDUE: "Their check-in is late, but not yet twice their rhythm.",
    RelationshipState.DRIFTING: "More than twice their rhythm since the last conversation.",
    RelationshipState.NEVER_CONTACTED: "No conversation logged yet, whatever their rhythm.",
    RelationshipState.NO_RHYTHM: "Talked to before, but no check-in rhythm is set.",
}
_ADJECTIVES = {
    RelationshipState.ON_TRACK: "on-track",
    RelationshipState.DUE: "due",
    RelationshipState.OVERDUE: "overdue",
    RelationshipState.DRIFTING: "drifting",
    RelationshipState.NEVER_CONTACTED: "never-contacted",
    RelationshipState.NO_RHYTHM: "no-rhythm",
}


def relationship_state(last_talked_on: dt.date | None, rhythm: int | None,
                       snoozed_until: dt.date | None, today: dt.date) -> RelationshipState:
    """The rule (see the module's docstring). ``rhythm``: the one that applies (own, else
    the tags'); ``last_talked_on``: the local day of the last live conversation, if any."""
    if last_talked_on is None:
        return RelationshipState.NEVER_CONTACTED
    return of_check_in(dates.check_in_state(last_talked_on, rhythm, snoozed_until, today))


def of_check_in(state: CheckInState) -> RelationshipState:
    """The relationship state of someone talked to before, whose check-in state is ``state``."""
    return RelationshipState(state.value)


def says_hello(last_talked_on: dt.date | None, added_on: dt.date, rhythm: int | None,
               snoozed_until: dt.date | None, today: dt.date) -> bool:
    """Never contacted, and their first check-in (``rhythm`` days after they were added, or
    later if snoozed) has come: Today asks the owner to say hello."""
    return last_talked_on is None and rhythm is not None \
        and dates.check_in_due(added_on, rhythm, snoozed_until) <= today


def _day(text: object) -> dt.date | None:
    return dt.date.fromisoformat(str(text)[:10]) if text else None


def state_of_row(row: Mapping[str, Any], today: dt.date) -> RelationshipState:
    """The state of a stored contact row (last_talked_at, snoozed_until and the rhythm that
    applies: ``effective_cadence_days``, else ``cadence_days``)."""
    rhythm = row["effective_cadence_days"] if "effective_cadence_days" in row \
        else row["cadence_days"]
    return relationship_state(_day(row["last_talked_at"]),
                              int(rhythm) if rhythm is not None else None,
                              _day(row["snoozed_until"]), today)


def state_of_list_row(row: ContactRow) -> RelationshipState:
    """The state of a Customers list row, whose ``state`` is its check-in state on the day
    it was read (JournalService.contact_rows)."""
    return RelationshipState.NEVER_CONTACTED if row.last_talked_at is None \
        else of_check_in(row.state)
