"""The SQL behind the Reports view: aggregations only.

Every query counts inside SQLite and returns a handful of rows (one a month, channel, state or
customer), never the journal's rows. Each reads one covering index made for it (migration 5,
``journal.store.migrations.REPORT_INDEXES``), so a 100,000-customer, 1,000,000-conversation
journal answers each in a fraction of a second (timings in docs/reports.md); the indexes are
partial and small. Change a query here and the test that checks its plan tells you if it no
longer uses its index.

What is counted, everywhere:

- conversations, complaints and purchases that are not in the trash, of customers who are not
  in the trash (the rule of the Conversations view and of the accountant's export);
- conversations of every kind (conversation, complaint, feedback, note), as "last talked"
  counts them;
- months are 'YYYY-MM' of the *local* time a conversation was logged at
  (``substr(occurred_at, 1, 7)``: what the owner's clock said), of ``purchased_on`` and of
  ``resolved_on``. Windows are whole months, ``first <= month <= last``.
"""

from __future__ import annotations

import datetime as dt

from journal.store import contacts as contact_store
from journal.store.connection import Database, Row
from journal.store.migrations import V4_CHECK_IN_DUE as _AGENDA_DUE
from journal.store.migrations import V4_CHECK_IN_WHERE as _WITH_RHYTHM
from journal.store.migrations import V4_DRIFTS_ON as _DRIFTS_ON

# -- relationship states ------------------------------------------------------------------------
# The states in the order the report shows them. They split the *active* customers (not in the
# trash, not archived: the Customers list's default view and the agenda's) with nobody in two.
#
# "never_contacted" (no conversation logged yet) takes precedence over every rhythm state: a
# customer never talked to has no relationship to drift from yet, and what to do is different
# (a first hello). Every other customer is in journal.domain.dates.check_in_state's state, with
# the rhythm that applies (their own, else their tags'): on track (today < due), drifting (more
# than twice the rhythm since the last conversation), due (today), overdue (otherwise), or no
# rhythm.
STATES = ("on_track", "due", "overdue", "drifting", "never_contacted", "no_rhythm")

ACTIVE = "deleted_at IS NULL AND archived = 0"

# check_in_state written on the stored columns only, so the query reads the covering index
# contacts_relationship and never the table (the generated next_check_in would force that).
# With base = the day of the last conversation (else the day the customer was added),
# rhythm = own or tags', due = max(base + rhythm, snoozed_until), since = today - base:
#   today < due             <=>  since < rhythm  OR today < snoozed_until
#   today - base > 2*rhythm <=>  since > 2 * rhythm
#   today = due (not before) <=> since = rhythm  OR today = snoozed_until
# A property test (tests/store/test_reports_store.py) holds this to check_in_state.
_RHYTHM = "coalesce(cadence_days, tag_cadence_days)"
_SINCE = "(julianday(:today) - julianday(substr(coalesce(last_talked_at, created_at), 1, 10)))"
STATE_SQL = f"""CASE
    WHEN last_talked_at IS NULL THEN 'never_contacted'
    WHEN {_RHYTHM} IS NULL THEN 'no_rhythm'
    WHEN {_SINCE} < {_RHYTHM} OR :today < snoozed_until THEN 'on_track'
    WHEN {_SINCE} > 2 * {_RHYTHM} THEN 'drifting'
    WHEN {_SINCE} = {_RHYTHM} OR :today = snoozed_until THEN 'due'
    ELSE 'overdue' END"""


# Counting reads the agenda's index (contacts_agenda_check_ins, migration 4) for the customers
# with a rhythm: its due day and drifting day are stored in it, so no date is worked out per
# customer (three times faster than STATE_SQL at 100,000). The same rule as STATE_SQL, as
# the agenda writes it (journal/store/agenda.py): on track while today < due; drifting once
# today > the drifting day (base + twice the rhythm); due on the due day; overdue otherwise.
# The property test holds these counts to the domain's rule too.
_COUNT_WITH_RHYTHM = (
    "SELECT count(*) AS n, "
    "count(*) FILTER (WHERE +last_talked_at IS NULL) AS never_contacted, "
    f"count(*) FILTER (WHERE +last_talked_at IS NOT NULL AND {_AGENDA_DUE} > :today) AS on_track, "
    f"count(*) FILTER (WHERE +last_talked_at IS NOT NULL AND {_AGENDA_DUE} <= :today "
    f"AND {_DRIFTS_ON} < :today) AS drifting, "
    f"count(*) FILTER (WHERE +last_talked_at IS NOT NULL AND {_AGENDA_DUE} = :today "
    f"AND {_DRIFTS_ON} >= :today) AS due "
    f"FROM contacts INDEXED BY contacts_agenda_check_ins WHERE {_WITH_RHYTHM}")
_COUNT_WITHOUT_RHYTHM = (
    "SELECT count(*) AS n, count(*) FILTER (WHERE last_talked_at IS NULL) AS never_contacted "
    f"FROM contacts WHERE {ACTIVE} AND {_RHYTHM} IS NULL")


def state_counts(db: Database, today: dt.date) -> dict[str, int]:
    """How many active customers are in each state (every state present, zeros included)."""
    params = {"today": today.isoformat()}
    with_rhythm: Row = db.one(_COUNT_WITH_RHYTHM, params) or {}
    without: Row = db.one(_COUNT_WITHOUT_RHYTHM, params) or {}

    def count(row: Row, key: str) -> int:
        return int(row.get(key) or 0)

    counts = dict.fromkeys(STATES, 0)
    counts.update(on_track=count(with_rhythm, "on_track"), due=count(with_rhythm, "due"),
                  drifting=count(with_rhythm, "drifting"),
                  never_contacted=count(with_rhythm, "never_contacted")
                  + count(without, "never_contacted"),
                  no_rhythm=count(without, "n") - count(without, "never_contacted"))
    counts["overdue"] = count(with_rhythm, "n") - sum(
        counts[s] for s in ("on_track", "due", "drifting")) - count(with_rhythm,
                                                                     "never_contacted")
    return counts


def ids_in_state(db: Database, state: str, today: dt.date) -> list[int]:
    """The active customers in ``state``, by name (the Customers list's order)."""
    if state not in STATES:
        raise ValueError(f"unknown relationship state {state!r}")
    return [int(r[0]) for r in db.conn.execute(
        f"SELECT id FROM contacts WHERE {ACTIVE} AND ({STATE_SQL}) = :state "
        "ORDER BY display_name COLLATE NOCASE, id",
        {"today": today.isoformat(), "state": state})]


def list_ids_in_state(db: Database, state: str, today: dt.date, *, tag: str | None = None,
                      sort: str = "name", descending: bool = False,
                      limit: int | None = None) -> list[int]:
    """The Customers list filtered to one state: the active customers in ``state`` (with
    ``tag``, if given), in the list's ``sort`` order (journal.store.contacts.SORTS).

    By name, a walk along contacts_relationship that stops once ``limit`` are found; the
    other orders sort the customers of the state.
    """
    if state not in STATES:
        raise ValueError(f"unknown relationship state {state!r}")
    where, params = contact_store.filters(tag, False)
    named: dict[str, object] = {f"p{i}": value for i, value in enumerate(params)}
    for i in range(len(params)):
        where = where.replace("?", f":p{i}", 1)
    named.update(today=today.isoformat(), state=state, limit=-1 if limit is None else limit)
    return [int(r[0]) for r in db.conn.execute(
        f"SELECT c.id FROM contacts c WHERE {where} AND ({STATE_SQL}) = :state "
        f"ORDER BY {contact_store.order_by(sort, descending)} LIMIT :limit", named)]


# -- conversations ------------------------------------------------------------------------------
_MONTH = "substr(occurred_at, 1, 7)"
_TRASHED_CONTACTS = "(SELECT id FROM contacts WHERE deleted_at IS NOT NULL)"


def conversations_by_month_channel(db: Database, first: str, last: str) -> list[Row]:
    """(month, channel, conversations) for the months first..last ('YYYY-MM').

    Read from conversation_months (kept by triggers, migration 6: a few dozen rows), then the
    few conversations of customers in the trash are taken off (found through their customers):
    checking every conversation's customer instead would cost more than the count itself.
    """
    return db.query(
        "SELECT month, channel, sum(n) AS conversations FROM ("
        "  SELECT month, channel, conversations AS n FROM conversation_months "
        "  WHERE month >= :first AND month <= :last "
        "  UNION ALL "
        f"  SELECT {_MONTH}, channel, -count(*) FROM conversations "
        f"  WHERE contact_id IN {_TRASHED_CONTACTS} "
        f"  AND {_MONTH} >= :first AND {_MONTH} <= :last AND deleted_at IS NULL GROUP BY 1, 2"
        ") GROUP BY month, channel HAVING sum(n) > 0 ORDER BY month, channel",
        {"first": first, "last": last})


def contact_conversations_by_month(db: Database, contact_id: int, first: str,
                                   last: str) -> list[Row]:
    """(month, conversations) of one customer in first..last (through its own index).

    The UTC bound, a day before the first local month starts (no offset is wider), lets the
    index skip the customer's older years: a long history costs only its last months.
    """
    since = (dt.date.fromisoformat(f"{first}-01") - dt.timedelta(days=1)).isoformat()
    return db.query(
        f"SELECT {_MONTH} AS month, count(*) AS conversations FROM conversations "
        "WHERE contact_id = :contact AND occurred_utc >= :since AND deleted_at IS NULL "
        f"AND {_MONTH} >= :first AND {_MONTH} <= :last GROUP BY 1 ORDER BY 1",
        {"contact": contact_id, "since": since, "first": first, "last": last})


# -- complaints ---------------------------------------------------------------------------------
# Written exactly as the partial index conversations_complaints is, so the planner uses it.
_COMPLAINT = (f"kind = 'complaint' AND deleted_at IS NULL "
              f"AND contact_id NOT IN {_TRASHED_CONTACTS}")


def complaints_by_month(db: Database, first: str, last: str) -> list[Row]:
    """(month, opened, resolved): complaints logged, and complaints resolved, each month.

    A complaint counts as opened in the month it was logged and as resolved in the month of
    its ``resolved_on``: one logged in March and resolved in May counts in both.
    """
    return db.query(
        "SELECT month, sum(opened) AS opened, sum(resolved) AS resolved FROM ("
        f"  SELECT {_MONTH} AS month, 1 AS opened, 0 AS resolved FROM conversations "
        f"  WHERE {_COMPLAINT} AND occurred_at >= :first AND {_MONTH} <= :last "
        "  UNION ALL "
        "  SELECT substr(resolved_on, 1, 7), 0, 1 FROM conversations "
        f"  WHERE {_COMPLAINT} AND resolved_on >= :first AND substr(resolved_on, 1, 7) <= :last"
        ") GROUP BY month ORDER BY month", {"first": first, "last": last})


def resolution_days(db: Database, first: str, last: str) -> Row:
    """Complaints resolved in the months first..last: how many, and the median days it took.

    Days run from the local day the complaint was logged to the day it was resolved (0: the
    same day). The median of an even count is the mean of the middle two; None when none.
    """
    row = db.one(
        "WITH resolved AS ("
        "  SELECT julianday(resolved_on) - julianday(substr(occurred_at, 1, 10)) AS days "
        f"  FROM conversations WHERE {_COMPLAINT} "
        "  AND resolved_on >= :first AND substr(resolved_on, 1, 7) <= :last), "
        "counted AS (SELECT count(*) AS n FROM resolved) "
        "SELECT (SELECT n FROM counted) AS resolved, "
        "  (SELECT avg(days) FROM (SELECT days FROM resolved ORDER BY days "
        "   LIMIT 2 - (SELECT n FROM counted) % 2 "
        "   OFFSET ((SELECT n FROM counted) - 1) / 2)) AS median_days",
        {"first": first, "last": last})
    assert row is not None
    return row


def open_complaints(db: Database) -> int:
    """Complaints not resolved yet, whenever they were logged."""
    return int(db.scalar(
        f"SELECT count(*) FROM conversations WHERE {_COMPLAINT} AND resolved_on IS NULL"))


# -- purchases ----------------------------------------------------------------------------------
_PURCHASE_MONTH = "substr(purchased_on, 1, 7)"


def purchases_by_month(db: Database, first: str, last: str) -> list[Row]:
    """(month, currency, purchases, total_minor) for purchases made in first..last."""
    return db.query(
        f"SELECT {_PURCHASE_MONTH} AS month, currency, count(*) AS purchases, "
        "sum(amount_minor) AS total_minor FROM purchases "
        f"WHERE {_PURCHASE_MONTH} >= :first AND {_PURCHASE_MONTH} <= :last "
        f"AND deleted_at IS NULL AND contact_id NOT IN {_TRASHED_CONTACTS} "
        "GROUP BY 1, 2 ORDER BY 1, 2", {"first": first, "last": last})


def currencies(db: Database) -> list[str]:
    """Every currency anything was bought in (live purchases), alphabetical."""
    # One index seek a currency (DISTINCT would read every purchase's entry).
    return [str(r[0]) for r in db.conn.execute(
        "WITH RECURSIVE found(currency) AS ("
        "  SELECT min(currency) FROM purchases WHERE deleted_at IS NULL "
        "  UNION ALL SELECT (SELECT min(currency) FROM purchases "
        "    WHERE deleted_at IS NULL AND currency > found.currency) "
        "  FROM found WHERE found.currency IS NOT NULL) "
        "SELECT currency FROM found WHERE currency IS NOT NULL")]


def top_customers(db: Database, currency: str, limit: int) -> list[Row]:
    """The ``limit`` customers with the highest lifetime value in ``currency``.

    (contact_id, display_name, total_minor, purchases, last_talked_at), highest first; equal
    totals go to the customer added first. Customers in the trash are left out; archived ones
    stay (what they bought still counts).
    """
    return db.query(
        # Customers in the trash are taken off once a customer, after the grouping.
        "WITH totals AS (SELECT * FROM ("
        "  SELECT contact_id, sum(amount_minor) AS total_minor, count(*) AS purchases "
        "  FROM purchases WHERE currency = :currency AND deleted_at IS NULL "
        "  GROUP BY contact_id) "
        f"  WHERE contact_id NOT IN {_TRASHED_CONTACTS} "
        "  ORDER BY total_minor DESC, contact_id LIMIT :limit) "
        "SELECT t.contact_id, c.display_name, t.total_minor, t.purchases, c.last_talked_at "
        "FROM totals t JOIN contacts c ON c.id = t.contact_id "
        "ORDER BY t.total_minor DESC, t.contact_id", {"currency": currency, "limit": limit})
