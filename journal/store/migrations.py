"""Schema migrations. One function a step; ``PRAGMA user_version`` records the step reached.

Each step runs in its own transaction together with the version bump, so a journal is always
at exactly one schema version. Adding a step: append a function to ``STEPS`` and a test named
``test_migration_<n>`` in tests/store/test_migrations.py (a test fails if it is missing).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from journal.errors import SchemaTooNewError

Step = Callable[[sqlite3.Connection], None]

_SCHEMA_V1 = """
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    preferred_name TEXT NOT NULL DEFAULT '',
    pronunciation TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    birthday TEXT,            -- YYYY-MM-DD, or --MM-DD when the year is unknown
    anniversary TEXT,         -- same form
    customer_since TEXT,      -- YYYY-MM-DD
    how_we_met TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0),
    snoozed_until TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    -- kept by triggers on conversations: the local time of the latest one, as entered
    last_talked_at TEXT,
    -- derived columns, indexed so the agenda and the list never scan every contact
    next_check_in TEXT GENERATED ALWAYS AS (
        CASE WHEN cadence_days IS NULL THEN NULL ELSE max(
            date(substr(coalesce(last_talked_at, created_at), 1, 10),
                 '+' || cadence_days || ' days'),
            coalesce(snoozed_until, '')) END) VIRTUAL,
    birthday_md TEXT GENERATED ALWAYS AS (substr(birthday, -5)) VIRTUAL,
    anniversary_md TEXT GENERATED ALWAYS AS (substr(anniversary, -5)) VIRTUAL
);
CREATE INDEX contacts_next_check_in ON contacts(next_check_in)
    WHERE deleted_at IS NULL AND archived = 0;
CREATE INDEX contacts_birthday_md ON contacts(birthday_md) WHERE deleted_at IS NULL;
CREATE INDEX contacts_anniversary_md ON contacts(anniversary_md) WHERE deleted_at IS NULL;
CREATE INDEX contacts_display_name ON contacts(display_name COLLATE NOCASE);
CREATE INDEX contacts_last_talked ON contacts(last_talked_at);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    default_cadence_days INTEGER CHECK (default_cadence_days IS NULL OR default_cadence_days > 0),
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id);

CREATE TABLE contact_methods (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone', 'address', 'url')),
    label TEXT NOT NULL DEFAULT '',
    value TEXT NOT NULL CHECK (length(trim(value)) > 0),
    is_primary INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX contact_methods_contact ON contact_methods(contact_id, position);
CREATE INDEX contact_methods_value ON contact_methods(kind, value COLLATE NOCASE);

CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    occurred_at TEXT NOT NULL,   -- ISO 8601 local time with its UTC offset, as entered
    occurred_utc TEXT NOT NULL,  -- the same instant in UTC, for ordering
    channel TEXT NOT NULL CHECK (channel IN
        ('in_person', 'phone', 'email', 'text', 'video', 'social', 'letter', 'other')),
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    kind TEXT NOT NULL CHECK (kind IN ('conversation', 'complaint', 'feedback', 'note')),
    summary TEXT NOT NULL CHECK (length(trim(summary)) > 0),
    details TEXT NOT NULL DEFAULT '',
    follow_up_on TEXT,
    follow_up_done INTEGER NOT NULL DEFAULT 0,
    resolved_on TEXT,
    resolution TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX conversations_contact ON conversations(contact_id, occurred_utc);
CREATE INDEX conversations_time ON conversations(occurred_utc);
CREATE INDEX conversations_follow_up ON conversations(follow_up_on)
    WHERE follow_up_on IS NOT NULL AND follow_up_done = 0 AND deleted_at IS NULL;
CREATE INDEX conversations_open_complaints ON conversations(occurred_utc)
    WHERE kind = 'complaint' AND resolved_on IS NULL AND deleted_at IS NULL;

-- The latest live conversation decides when we last talked (and so the next check-in).
CREATE TRIGGER conversations_touch_contact_ins AFTER INSERT ON conversations BEGIN
    UPDATE contacts SET last_talked_at = (
        SELECT occurred_at FROM conversations
        WHERE contact_id = NEW.contact_id AND deleted_at IS NULL
        ORDER BY occurred_utc DESC LIMIT 1) WHERE id = NEW.contact_id;
END;
CREATE TRIGGER conversations_touch_contact_upd
AFTER UPDATE OF occurred_at, occurred_utc, deleted_at, contact_id ON conversations BEGIN
    UPDATE contacts SET last_talked_at = (
        SELECT occurred_at FROM conversations
        WHERE contact_id = contacts.id AND deleted_at IS NULL
        ORDER BY occurred_utc DESC LIMIT 1) WHERE id IN (OLD.contact_id, NEW.contact_id);
END;
CREATE TRIGGER conversations_touch_contact_del AFTER DELETE ON conversations BEGIN
    UPDATE contacts SET last_talked_at = (
        SELECT occurred_at FROM conversations
        WHERE contact_id = OLD.contact_id AND deleted_at IS NULL
        ORDER BY occurred_utc DESC LIMIT 1) WHERE id = OLD.contact_id;
END;

CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    due_on TEXT NOT NULL,
    repeat TEXT NOT NULL CHECK (repeat IN ('once', 'yearly', 'every')),
    every_days INTEGER CHECK (every_days IS NULL OR every_days > 0),
    done INTEGER NOT NULL DEFAULT 0,
    snoozed_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX reminders_due ON reminders(due_on) WHERE done = 0 AND deleted_at IS NULL;
CREATE INDEX reminders_contact ON reminders(contact_id);

CREATE TABLE purchases (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    purchased_on TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    amount_minor INTEGER NOT NULL CHECK (typeof(amount_minor) = 'integer'),
    currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)),
    reference TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX purchases_contact ON purchases(contact_id, purchased_on);
CREATE INDEX purchases_date ON purchases(purchased_on);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Full-text search. Contacts: one document a contact, built by the view below from the
-- contact, its tags and its contact methods. Conversations: external content on the table.
-- Both can be rebuilt from the tables at any time (journal.store.search.rebuild).
CREATE VIEW contact_search_documents AS
SELECT c.id AS id,
       trim(c.display_name || ' ' || c.given_name || ' ' || c.family_name || ' '
            || c.preferred_name) AS names,
       c.company || ' ' || c.job_title AS company,
       c.notes || ' ' || c.how_we_met AS notes,
       coalesce((SELECT group_concat(t.name, ' ') FROM contact_tags ct
                 JOIN tags t ON t.id = ct.tag_id WHERE ct.contact_id = c.id), '') AS tags,
       coalesce((SELECT group_concat(m.value, ' ') FROM contact_methods m
                 WHERE m.contact_id = c.id AND m.deleted_at IS NULL), '') AS methods
FROM contacts c;

CREATE VIRTUAL TABLE contacts_fts USING fts5(
    names, company, notes, tags, methods, prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE conversations_fts USING fts5(
    summary, details, content = 'conversations', content_rowid = 'id',
    prefix = '2 3', tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER contacts_fts_ins AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods)
    SELECT id, names, company, notes, tags, methods FROM contact_search_documents
    WHERE id = NEW.id;
END;
CREATE TRIGGER contacts_fts_upd AFTER UPDATE OF display_name, given_name, family_name,
    preferred_name, company, job_title, notes, how_we_met ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = NEW.id;
    INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods)
    SELECT id, names, company, notes, tags, methods FROM contact_search_documents
    WHERE id = NEW.id;
END;
CREATE TRIGGER contacts_fts_del AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = OLD.id;
END;
"""

# Tags and contact methods change a contact's document: refresh it from the view.
_REFRESH_CONTACT_DOC = """
    DELETE FROM contacts_fts WHERE rowid = {ref}.contact_id;
    INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods)
    SELECT id, names, company, notes, tags, methods FROM contact_search_documents
    WHERE id = {ref}.contact_id;
"""

_CHILD_TRIGGERS = "".join(
    f"CREATE TRIGGER {table}_fts_{event.lower()} AFTER {event} ON {table} BEGIN"
    f"{_REFRESH_CONTACT_DOC.format(ref='OLD' if event == 'DELETE' else 'NEW')}END;\n"
    for table in ("contact_tags", "contact_methods")
    for event in ("INSERT", "UPDATE", "DELETE")
)

_CONVERSATION_FTS_TRIGGERS = """
CREATE TRIGGER conversations_fts_ins AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts(rowid, summary, details)
    VALUES (NEW.id, NEW.summary, NEW.details);
END;
CREATE TRIGGER conversations_fts_del AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_fts(conversations_fts, rowid, summary, details)
    VALUES ('delete', OLD.id, OLD.summary, OLD.details);
END;
CREATE TRIGGER conversations_fts_upd AFTER UPDATE OF summary, details ON conversations BEGIN
    INSERT INTO conversations_fts(conversations_fts, rowid, summary, details)
    VALUES ('delete', OLD.id, OLD.summary, OLD.details);
    INSERT INTO conversations_fts(rowid, summary, details)
    VALUES (NEW.id, NEW.summary, NEW.details);
END;
"""


def _v1_initial_schema(conn: sqlite3.Connection) -> None:
    for script in (_SCHEMA_V1, _CHILD_TRIGGERS, _CONVERSATION_FTS_TRIGGERS):
        for statement in _split_statements(script):
            conn.execute(statement)


def _split_statements(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole.

    ``executescript`` would commit the open transaction, so each statement runs on its own.
    """
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not current.strip():
            continue
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current!r}")
    return statements


_PHOTOS_V2 = """
CREATE TABLE photos (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    contact_id INTEGER NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE,
    mime TEXT NOT NULL CHECK (mime LIKE 'image/%'),
    data BLOB NOT NULL CHECK (length(data) > 0),
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
"""


def _v2_photos(conn: sqlite3.Connection) -> None:
    """A contact's photo (at most one), kept from imported vCards and shown in the profile."""
    for statement in _split_statements(_PHOTOS_V2):
        conn.execute(statement)


def rebuilds_tables(step: Step) -> Step:
    """Mark a step that rebuilds a table (SQLite's 12-step ALTER TABLE procedure).

    :func:`migrate` switches foreign keys off around such a step: with them on, dropping the
    old table would first delete its rows and cascade to every child table. The step itself
    must prove it kept every row.
    """
    step.rebuilds_tables = True  # type: ignore[attr-defined]
    return step


# v3: tag rhythms. A contact's effective rhythm is its own cadence_days, else the smallest
# default_cadence_days among its tags (tag_cadence_days, kept by the triggers below).
# next_check_in is a generated column, which ALTER TABLE cannot change: the table is rebuilt.
_CONTACTS_V2_COLUMNS = (
    "id", "uid", "given_name", "family_name", "display_name", "preferred_name", "pronunciation",
    "company", "job_title", "birthday", "anniversary", "customer_since", "how_we_met", "notes",
    "cadence_days", "snoozed_until", "archived", "created_at", "updated_at", "deleted_at",
    "last_talked_at", "next_check_in", "birthday_md", "anniversary_md",
)
_CONTACTS_V3 = """
CREATE TABLE contacts_v3 (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL DEFAULT '',
    family_name TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    preferred_name TEXT NOT NULL DEFAULT '',
    pronunciation TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    birthday TEXT,            -- YYYY-MM-DD, or --MM-DD when the year is unknown
    anniversary TEXT,         -- same form
    customer_since TEXT,      -- YYYY-MM-DD
    how_we_met TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    cadence_days INTEGER CHECK (cadence_days IS NULL OR cadence_days > 0),
    snoozed_until TEXT,
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    -- kept by triggers on conversations: the local time of the latest one, as entered
    last_talked_at TEXT,
    -- kept by triggers on contact_tags and tags: the smallest default rhythm of its tags
    tag_cadence_days INTEGER CHECK (tag_cadence_days IS NULL OR tag_cadence_days > 0),
    -- derived columns, indexed so the agenda and the list never scan every contact
    effective_cadence_days INTEGER GENERATED ALWAYS AS (
        coalesce(cadence_days, tag_cadence_days)) VIRTUAL,
    next_check_in TEXT GENERATED ALWAYS AS (
        CASE WHEN coalesce(cadence_days, tag_cadence_days) IS NULL THEN NULL ELSE max(
            date(substr(coalesce(last_talked_at, created_at), 1, 10),
                 '+' || coalesce(cadence_days, tag_cadence_days) || ' days'),
            coalesce(snoozed_until, '')) END) VIRTUAL,
    birthday_md TEXT GENERATED ALWAYS AS (substr(birthday, -5)) VIRTUAL,
    anniversary_md TEXT GENERATED ALWAYS AS (substr(anniversary, -5)) VIRTUAL
);
"""
_TAG_CADENCE_OF = """(SELECT min(t.default_cadence_days) FROM contact_tags ct
        JOIN tags t ON t.id = ct.tag_id
        WHERE ct.contact_id = {ref} AND t.deleted_at IS NULL)"""
# The WHEN clauses keep bulk loads cheap: tags without a rhythm never touch contacts.
_TAG_RHYTHM_TRIGGERS = f"""
CREATE TRIGGER contact_tags_rhythm_ins AFTER INSERT ON contact_tags
WHEN (SELECT default_cadence_days FROM tags WHERE id = NEW.tag_id) IS NOT NULL BEGIN
    UPDATE contacts SET tag_cadence_days = {_TAG_CADENCE_OF.format(ref="NEW.contact_id")}
    WHERE id = NEW.contact_id;
END;
CREATE TRIGGER contact_tags_rhythm_del AFTER DELETE ON contact_tags
WHEN (SELECT tag_cadence_days FROM contacts WHERE id = OLD.contact_id) IS NOT NULL BEGIN
    UPDATE contacts SET tag_cadence_days = {_TAG_CADENCE_OF.format(ref="OLD.contact_id")}
    WHERE id = OLD.contact_id;
END;
CREATE TRIGGER contact_tags_rhythm_upd AFTER UPDATE ON contact_tags BEGIN
    UPDATE contacts SET tag_cadence_days = {_TAG_CADENCE_OF.format(ref="contacts.id")}
    WHERE id IN (OLD.contact_id, NEW.contact_id);
END;
CREATE TRIGGER tags_rhythm_upd AFTER UPDATE OF default_cadence_days, deleted_at ON tags BEGIN
    UPDATE contacts SET tag_cadence_days = {_TAG_CADENCE_OF.format(ref="contacts.id")}
    WHERE id IN (SELECT contact_id FROM contact_tags WHERE tag_id = NEW.id);
END;
"""


@rebuilds_tables
def _v3_tag_rhythms(conn: sqlite3.Connection) -> None:
    """Default rhythms per tag: contacts gain tag_cadence_days, and next_check_in uses
    coalesce(cadence_days, tag_cadence_days). Ids are kept, so search rowids still match."""
    columns = tuple(r[1] for r in conn.execute("PRAGMA table_xinfo(contacts)"))
    if columns != _CONTACTS_V2_COLUMNS:
        raise RuntimeError(f"step 3 expects the version 2 contacts table, found {columns}")
    # Views and triggers name contacts; SQLite refuses the rename while any of them points at
    # a missing table, so they are set aside and put back unchanged. Indexes on contacts go
    # with the old table and are built again on the new one.
    saved = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        "type IN ('view', 'trigger') OR (type = 'index' AND tbl_name = 'contacts')) "
        "ORDER BY CASE type WHEN 'view' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name"
    ).fetchall()
    for kind, name, _sql in saved:
        if kind in ("view", "trigger"):
            conn.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    stored = ", ".join(c for c in _CONTACTS_V2_COLUMNS
                       if c not in ("next_check_in", "birthday_md", "anniversary_md"))
    before = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM contacts").fetchone()
    conn.execute(_CONTACTS_V3)
    conn.execute(f"INSERT INTO contacts_v3 ({stored}) SELECT {stored} FROM contacts")
    conn.execute("DROP TABLE contacts")
    conn.execute("ALTER TABLE contacts_v3 RENAME TO contacts")
    after = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM contacts").fetchone()
    if after != before:
        raise RuntimeError(f"step 3 copied {after} contacts (count, max id), not {before}")
    for _kind, _name, sql in saved:
        conn.execute(sql)
    for statement in _split_statements(_TAG_RHYTHM_TRIGGERS):
        conn.execute(statement)
    conn.execute(
        f"UPDATE contacts SET tag_cadence_days = {_TAG_CADENCE_OF.format(ref='contacts.id')} "
        "WHERE id IN (SELECT ct.contact_id FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
        "WHERE t.default_cadence_days IS NOT NULL AND t.deleted_at IS NULL)")


# v4: speed at 100,000 contacts. Indexes shaped like the questions asked on every keystroke,
# frame and day, so none of them reads the contacts table row by row:
# - the customer list in each of its orders (name, last talked, next check-in), covering the
#   columns its filters read, so a page of ids is a walk along one index (not partial: without
#   statistics SQLite would take a partial one for a cheap scan in unrelated queries);
# - the agenda's check-ins: the day each is due and the day it starts drifting away (twice the
#   rhythm after the last talk), as expressions the agenda queries repeat exactly, so counting
#   and picking the first of each group never evaluates dates for every due contact; and the
#   birthdays and anniversaries of the coming days, counted and ordered from the index alone;
# - the contacts' search index gains 1- and 4- to 8-letter prefixes, so typing the first
#   letters of a word reads one doclist rather than merging those of every word they start
#   (V4_CONTACT_PREFIXES).
# The expressions below must stay exactly as the agenda queries write them
# (journal/store/agenda.py imports them).
V4_RHYTHM = "coalesce(cadence_days, tag_cadence_days)"
V4_BASE_DAY = "substr(coalesce(last_talked_at, created_at), 1, 10)"
V4_CHECK_IN_DUE = (f"max(date({V4_BASE_DAY}, '+' || {V4_RHYTHM} || ' days'), "
                   "coalesce(snoozed_until, ''))")
V4_DRIFTS_ON = f"date({V4_BASE_DAY}, '+' || (2 * {V4_RHYTHM}) || ' days')"
V4_CHECK_IN_WHERE = f"deleted_at IS NULL AND archived = 0 AND {V4_RHYTHM} IS NOT NULL"
V4_CONTACT_PREFIXES = 8  # the longest prefix contacts_fts indexes
_SPEED_V4 = f"""
CREATE INDEX contacts_list_by_name ON contacts(
    display_name COLLATE NOCASE, id, archived, deleted_at);
CREATE INDEX contacts_list_by_last_talked ON contacts(
    last_talked_at IS NULL, last_talked_at DESC, id, archived, deleted_at);
CREATE INDEX contacts_list_by_check_in ON contacts(
    next_check_in IS NULL, next_check_in, display_name COLLATE NOCASE, id, archived, deleted_at);
CREATE INDEX contacts_agenda_check_ins ON contacts(
    {V4_CHECK_IN_DUE}, display_name COLLATE NOCASE, id, {V4_DRIFTS_ON},
    cadence_days, tag_cadence_days, last_talked_at, created_at, snoozed_until, archived,
    deleted_at) WHERE {V4_CHECK_IN_WHERE};
CREATE INDEX contacts_agenda_birthdays ON contacts(
    substr(birthday, -5), birthday, display_name COLLATE NOCASE, id, archived, deleted_at)
    WHERE deleted_at IS NULL AND archived = 0 AND birthday IS NOT NULL;
CREATE INDEX contacts_agenda_anniversaries ON contacts(
    substr(anniversary, -5), anniversary, display_name COLLATE NOCASE, id, archived, deleted_at)
    WHERE deleted_at IS NULL AND archived = 0 AND anniversary IS NOT NULL;
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    names, company, notes, tags, methods, prefix = '1 2 3 4 5 6 7 8',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO contacts_fts(rowid, names, company, notes, tags, methods)
    SELECT id, names, company, notes, tags, methods FROM contact_search_documents;
"""


def _v4_speed(conn: sqlite3.Connection) -> None:
    """Indexes for the customer list's orders and the agenda, and more search prefixes."""
    for statement in _split_statements(_SPEED_V4):
        conn.execute(statement)


# v5: the Reports view (journal/store/reports.py). One covering index for each aggregation, so
# none reads a table row by row at 100,000 customers and 1,000,000 conversations. Each lists
# every column its query reads, the partial WHERE's columns too (SQLite 3.40 only covers a query
# from an index holding all of them), and is partial, so it holds only the rows counted.
REPORT_INDEXES = """
CREATE INDEX contacts_in_trash ON contacts(id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_relationship ON contacts(
    display_name COLLATE NOCASE, id, last_talked_at, cadence_days, tag_cadence_days, created_at,
    snoozed_until, archived, deleted_at) WHERE deleted_at IS NULL AND archived = 0;
CREATE INDEX conversations_month_channel ON conversations(
    substr(occurred_at, 1, 7), channel, deleted_at) WHERE deleted_at IS NULL;
CREATE INDEX conversations_complaints ON conversations(
    occurred_at, resolved_on, contact_id, kind, deleted_at)
    WHERE kind = 'complaint' AND deleted_at IS NULL;
CREATE INDEX purchases_month_currency ON purchases(
    substr(purchased_on, 1, 7), currency, amount_minor, contact_id, deleted_at)
    WHERE deleted_at IS NULL;
CREATE INDEX purchases_currency_customer ON purchases(
    currency, contact_id, amount_minor, deleted_at) WHERE deleted_at IS NULL;
"""


def _v5_report_indexes(conn: sqlite3.Connection) -> None:
    """Covering indexes for the Reports view's aggregations (journal/store/reports.py)."""
    for statement in _split_statements(REPORT_INDEXES):
        conn.execute(statement)


# v6: the Reports view's conversations a month, by channel, counted as they are written. Counting
# them at the view's load read every conversation of the window (at 1,000,000 conversations,
# 200 ms of the view's 300-600 ms); conversation_months keeps the live conversations' count for
# each local month ('YYYY-MM' of occurred_at) and channel, kept by the triggers below (one
# small upsert a write, bulk loads included). Rows at zero are kept. A later step that rebuilds
# the conversations table must put these triggers back. The month-and-channel index of step 5
# served only that count: it goes (25 MB at 1,000,000 conversations).
CONVERSATION_MONTHS = """
DROP INDEX conversations_month_channel;
CREATE TABLE conversation_months (
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    conversations INTEGER NOT NULL,
    PRIMARY KEY (month, channel)
) WITHOUT ROWID;
INSERT INTO conversation_months (month, channel, conversations)
    SELECT substr(occurred_at, 1, 7), channel, count(*) FROM conversations
    WHERE deleted_at IS NULL GROUP BY 1, 2;
CREATE TRIGGER conversation_months_ins AFTER INSERT ON conversations
WHEN NEW.deleted_at IS NULL BEGIN
    INSERT INTO conversation_months (month, channel, conversations)
    VALUES (substr(NEW.occurred_at, 1, 7), NEW.channel, 1)
    ON CONFLICT (month, channel) DO UPDATE SET conversations = conversations + 1;
END;
CREATE TRIGGER conversation_months_del AFTER DELETE ON conversations
WHEN OLD.deleted_at IS NULL BEGIN
    UPDATE conversation_months SET conversations = conversations - 1
    WHERE month = substr(OLD.occurred_at, 1, 7) AND channel = OLD.channel;
END;
CREATE TRIGGER conversation_months_upd AFTER UPDATE OF occurred_at, channel, deleted_at
ON conversations BEGIN
    UPDATE conversation_months SET conversations = conversations - 1
    WHERE OLD.deleted_at IS NULL AND month = substr(OLD.occurred_at, 1, 7)
    AND channel = OLD.channel;
    INSERT INTO conversation_months (month, channel, conversations)
    SELECT substr(NEW.occurred_at, 1, 7), NEW.channel, 1 WHERE NEW.deleted_at IS NULL
    ON CONFLICT (month, channel) DO UPDATE SET conversations = conversations + 1;
END;
"""


def _v6_conversation_months(conn: sqlite3.Connection) -> None:
    """Conversations counted a month and channel as they are written (the Reports view)."""
    for statement in _split_statements(CONVERSATION_MONTHS):
        conn.execute(statement)


# v7: the search indexes merged into one segment each. FTS5 adds a segment with every write and
# with every flush of a large load, and merges them only now and then; a query reads each
# segment's part of a word's doclist, and a lookup of one contact (the first page of a broad
# search, journal/store/contacts.py) seeks into each. A journal that has been written to for
# years, or filled by imports, has several; one makes those reads and lookups 5-30% cheaper.
# About 1.5 s at 100,000 customers and 3 s at 1,000,000 conversations, once.
SEARCH_INDEXES = ("contacts_fts", "conversations_fts")


def _v7_search_indexes_merged(conn: sqlite3.Connection) -> None:
    """Each full-text index merged into a single segment (FTS5's 'optimize')."""
    for table in SEARCH_INDEXES:
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


# v8: a yearly reminder keeps the day of the year it was set for. Completing one moved its
# due_on to the next year's occurrence, and a reminder set for 29 February fell on the 28th in
# a common year and then stayed on the 28th for good. Existing yearly reminders keep the day
# they are on now (one already moved to 28 February cannot be told from one set for it).
def _v8_yearly_reminder_day(conn: sqlite3.Connection) -> None:
    """reminders.yearly_on: 'MM-DD' of a yearly reminder's own day (NULL for the others)."""
    conn.execute("ALTER TABLE reminders ADD COLUMN yearly_on TEXT")
    conn.execute("UPDATE reminders SET yearly_on = substr(due_on, 6, 5) WHERE repeat = 'yearly'")


# v9: four of version 1's indexes on contacts go. No query uses them (the query plans of every
# statement the test suite runs were checked): the list's order by name is read from
# contacts_list_by_name (v4), which begins with the same column, and the agenda's birthdays,
# anniversaries and check-ins from its own indexes (v4, v5). Every write kept them up to date,
# and a large import built them again: 0.2 s of a 100,000-row import.
UNUSED_V1_INDEXES = ("contacts_display_name", "contacts_birthday_md", "contacts_anniversary_md",
                     "contacts_next_check_in")


def _v9_unused_indexes_dropped(conn: sqlite3.Connection) -> None:
    for name in UNUSED_V1_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


# STEPS[n - 1] takes a journal from version n - 1 to version n.
STEPS: list[Step] = [_v1_initial_schema, _v2_photos, _v3_tag_rhythms, _v4_speed,
                     _v5_report_indexes, _v6_conversation_months, _v7_search_indexes_merged,
                     _v8_yearly_reminder_day, _v9_unused_indexes_dropped]
SCHEMA_VERSION = len(STEPS)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def pending_steps(conn: sqlite3.Connection) -> list[int]:
    """The version numbers still to apply; raises if the journal is newer than this app."""
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"This journal was saved by a newer version of Relationship Journal (schema "
            f"{current}, this app knows up to {SCHEMA_VERSION}); please update the app."
        )
    return list(range(current + 1, SCHEMA_VERSION + 1))


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Apply every pending step up to ``target``, each atomically. Returns the steps applied."""
    applied = []
    for version in pending_steps(conn):
        if version > target:
            break
        step = STEPS[version - 1]
        # PRAGMA foreign_keys is ignored inside a transaction: switch it off before.
        pause_keys = bool(getattr(step, "rebuilds_tables", False)) \
            and conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        if pause_keys:
            conn.execute("PRAGMA foreign_keys = OFF")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                step(conn)
                conn.execute(f"PRAGMA user_version = {version}")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            if pause_keys:
                conn.execute("PRAGMA foreign_keys = ON")
        applied.append(version)
    return applied
