"""Date rules of the reminder engine: property tests plus the cases users hit."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journal.domain import dates
from journal.errors import ValidationError
from journal.model import CheckInState, PartialDate

FAST = settings(max_examples=150, deadline=None)
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31))


@st.composite
def partial_dates(draw: st.DrawFn, with_year: bool | None = None) -> PartialDate:
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 29 if month == 2 else calendar.monthrange(2001, month)[1]))
    has_year = draw(st.booleans()) if with_year is None else with_year
    if not has_year:
        return PartialDate(month=month, day=day)
    year = draw(st.integers(1850, 2100).filter(
        lambda y: (month, day) != (2, 29) or calendar.isleap(y)))
    return PartialDate(month=month, day=day, year=year)


@FAST
@given(date=partial_dates(), today=days)
def test_next_occurrence_is_the_first_celebration_from_today(date: PartialDate,
                                                             today: dt.date) -> None:
    on = dates.next_occurrence(date, today)
    assert today <= on
    assert (on - today).days < 366
    if (date.month, date.day) == (2, 29) and not calendar.isleap(on.year):
        assert (on.month, on.day) == (2, 28)
    else:
        assert (on.month, on.day) == (date.month, date.day)
    # Nothing earlier qualifies: last year's celebration was before today.
    assert dates.occurrence_in(on.year - 1, date.month, date.day) < today


@FAST
@given(date=partial_dates(with_year=True), today=days)
def test_age_on_counts_completed_years(date: PartialDate, today: dt.date) -> None:
    assert date.year is not None
    on = dates.next_occurrence(date, today)
    assert dates.age_on(date, on) == on.year - date.year  # they turn this on the day
    day_before = on - dt.timedelta(days=1)
    assert dates.age_on(date, day_before) == on.year - date.year - 1


@FAST
@given(date=partial_dates(with_year=False), today=days)
def test_age_is_unknown_without_a_year(date: PartialDate, today: dt.date) -> None:
    assert dates.age_on(date, today) is None


def test_leap_day_birthdays() -> None:
    leapling = PartialDate(month=2, day=29, year=2000)
    assert dates.next_occurrence(leapling, dt.date(2023, 2, 1)) == dt.date(2023, 2, 28)
    assert dates.next_occurrence(leapling, dt.date(2023, 3, 1)) == dt.date(2024, 2, 29)
    assert dates.next_occurrence(leapling, dt.date(2024, 2, 29)) == dt.date(2024, 2, 29)
    assert dates.age_on(leapling, dt.date(2023, 2, 28)) == 23
    assert dates.age_on(leapling, dt.date(2023, 2, 27)) == 22
    assert dates.age_on(leapling, dt.date(2024, 2, 28)) == 23
    assert dates.age_on(leapling, dt.date(2024, 2, 29)) == 24


_ORDER = [CheckInState.ON_TRACK, CheckInState.DUE, CheckInState.OVERDUE, CheckInState.DRIFTING]


@FAST
@given(base=days, cadence=st.integers(1, 400), offset=st.integers(-30, 1200))
def test_check_in_state_by_days_since_base(base: dt.date, cadence: int, offset: int) -> None:
    today = base + dt.timedelta(days=offset)
    state = dates.check_in_state(base, cadence, None, today)
    if offset < cadence:
        assert state is CheckInState.ON_TRACK
    elif offset == cadence:
        assert state is CheckInState.DUE
    elif offset <= 2 * cadence:
        assert state is CheckInState.OVERDUE
    else:
        assert state is CheckInState.DRIFTING
    assert dates.check_in_due(base, cadence, None) == base + dt.timedelta(days=cadence)


@FAST
@given(base=days, cadence=st.integers(1, 400), snooze=st.integers(1, 900),
       offset=st.integers(-30, 1200))
def test_snoozing_pushes_the_due_date(base: dt.date, cadence: int, snooze: int,
                                      offset: int) -> None:
    snoozed_until = base + dt.timedelta(days=snooze)
    today = base + dt.timedelta(days=offset)
    due = dates.check_in_due(base, cadence, snoozed_until)
    assert due == max(base + dt.timedelta(days=cadence), snoozed_until)
    state = dates.check_in_state(base, cadence, snoozed_until, today)
    if today < snoozed_until:
        assert state is CheckInState.ON_TRACK
    if today == due and offset <= 2 * cadence:
        assert state is CheckInState.DUE


@FAST
@given(base=days, cadence=st.integers(1, 200), snooze=st.none() | st.integers(-10, 500))
def test_states_only_move_forward_as_days_pass(base: dt.date, cadence: int,
                                               snooze: int | None) -> None:
    snoozed_until = base + dt.timedelta(days=snooze) if snooze is not None else None
    ranks = [_ORDER.index(dates.check_in_state(base, cadence, snoozed_until,
                                               base + dt.timedelta(days=n)))
             for n in range(0, 2 * cadence + 520, max(1, cadence // 7))]
    assert ranks == sorted(ranks)
    assert ranks[-1] == _ORDER.index(CheckInState.DRIFTING)


def test_no_cadence_means_no_rhythm() -> None:
    assert dates.check_in_state(dt.date(2020, 1, 1), None, None,
                                dt.date(2024, 1, 1)) is CheckInState.NO_RHYTHM


@pytest.mark.parametrize("text, expected", [
    ("1990-07-14", PartialDate(7, 14, 1990)),
    ("--07-14", PartialDate(7, 14)),
    ("--0714", PartialDate(7, 14)),
    (" --02-29 ", PartialDate(2, 29)),
    ("2024-02-29", PartialDate(2, 29, 2024)),
])
def test_parse_partial_date_accepts(text: str, expected: PartialDate) -> None:
    assert dates.parse_partial_date(text) == expected


@pytest.mark.parametrize("text", [
    "2023-02-30", "2023-02-29", "--13-01", "--02-30", "--00-10", "1990-04-31", "1849-12-31",
    "14/07/1990", "July 14", "", "--", "1990-07",
])
def test_parse_partial_date_refuses_impossible_dates(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        dates.parse_partial_date(text)
    assert f"'{text}'" in str(caught.value)  # says which input was wrong


@FAST
@given(date=partial_dates())
def test_partial_dates_round_trip_through_text(date: PartialDate) -> None:
    assert dates.parse_partial_date(date.iso()) == date


def test_parse_date_refuses_impossible_dates() -> None:
    assert dates.parse_date("2024-02-29") == dt.date(2024, 2, 29)
    with pytest.raises(ValidationError, match="not a real follow-up"):
        dates.parse_date("2023-02-29", "follow-up")


@pytest.mark.parametrize("days_, text", [
    (None, "no rhythm"), (1, "every day"), (7, "every week"), (14, "every 2 weeks"),
    (30, "every month"), (90, "every 3 months"), (365, "every year"), (10, "every 10 days"),
])
def test_describe_cadence(days_: int | None, text: str) -> None:
    assert dates.describe_cadence(days_) == text


@pytest.mark.parametrize("delta, text", [
    (0, "today"), (1, "yesterday"), (-1, "tomorrow"), (3, "3 days ago"), (-2, "in 2 days"),
    (14, "2 weeks ago"), (7, "1 week ago"), (61, "2 months ago"), (400, "1 year ago"),
])
def test_relative_day(delta: int, text: str) -> None:
    today = dt.date(2024, 3, 15)
    assert dates.relative_day(today - dt.timedelta(days=delta), today) == text
