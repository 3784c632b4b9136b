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


# STEPS[n - 1] takes a journal from version n - 1 to version n.
STEPS: list[Step] = [_v1_initial_schema]
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
        conn.execute("BEGIN IMMEDIATE")
        try:
            STEPS[version - 1](conn)
            conn.execute(f"PRAGMA user_version = {version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(version)
    return applied
