"""Schema migrations: one test a step (``test_migration_<n>``), refusal of newer journals, and
each step applied atomically with its version bump."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

import pytest

from journal.errors import SchemaTooNewError
from journal.model import Channel, ContactDraft, ConversationDraft, PartialDate
from journal.store import contacts as contact_store
from journal.store import conversations as conversation_store
from journal.store import migrations
from journal.store.connection import Database, connect

NOW = dt.datetime(2024, 3, 15, 12, 0, tzinfo=dt.UTC)


def _objects(conn: sqlite3.Connection) -> dict[str, str]:
    return {name: kind for name, kind in conn.execute(
        "SELECT name, type FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")}


def test_every_migration_step_has_its_own_test() -> None:
    """Adding a step to STEPS without a ``test_migration_<n>`` here fails the suite."""
    module = sys.modules[__name__]
    missing = [n for n in range(1, len(migrations.STEPS) + 1)
               if not callable(getattr(module, f"test_migration_{n}", None))]
    assert not missing, f"write test_migration_<n> for steps {missing}"
    assert len(migrations.STEPS) == migrations.SCHEMA_VERSION


def test_migration_1(tmp_path: Path) -> None:
    """Step 1 creates the whole journal: tables, search index, triggers, at version 1."""
    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.schema_version(conn) == 0
        assert migrations.migrate(conn, target=1) == [1]
        assert migrations.schema_version(conn) == 1
        objects = _objects(conn)
        for table in ("contacts", "tags", "contact_tags", "contact_methods", "conversations",
                      "reminders", "purchases", "settings", "contacts_fts",
                      "conversations_fts"):
            assert objects.get(table) == "table", table
        assert objects["contact_search_documents"] == "view"
        for trigger in ("conversations_touch_contact_ins", "conversations_touch_contact_upd",
                        "conversations_touch_contact_del", "contacts_fts_ins",
                        "contacts_fts_upd", "contacts_fts_del", "contact_tags_fts_insert",
                        "contact_methods_fts_update", "conversations_fts_upd"):
            assert objects.get(trigger) == "trigger", trigger
        assert "contacts_next_check_in" in objects
        # The schema works: a contact and a conversation go in and the triggers fire.
        db = Database(conn)
        contact_id = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        conversation_store.insert(db, ConversationDraft(contact_id, "Hello"), NOW, NOW)
        assert db.scalar("SELECT last_talked_at FROM contacts") is not None
        assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'anna'") == 1
    finally:
        conn.close()


def test_migrating_an_up_to_date_journal_does_nothing(journal_path: Path) -> None:
    Database.open(journal_path).close()
    before = journal_path.read_bytes()
    conn = connect(journal_path)
    try:
        assert migrations.pending_steps(conn) == []
        assert migrations.migrate(conn) == []
    finally:
        conn.close()
    assert journal_path.read_bytes() == before


def _journal_at_version(path: Path, version: int, *, wal: bool = False) -> bytes:
    raw = sqlite3.connect(path)
    if wal:
        raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("CREATE TABLE things (x)")
    raw.execute("INSERT INTO things VALUES ('kept')")
    raw.commit()
    raw.execute(f"PRAGMA user_version = {version}")
    raw.close()
    return path.read_bytes()


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_a_journal_from_a_newer_app_is_refused_and_left_unchanged(tmp_path: Path, wal: bool
                                                                   ) -> None:
    path = tmp_path / "journal.sqlite3"
    before = _journal_at_version(path, migrations.SCHEMA_VERSION + 1, wal=wal)
    for migrate in (True, False):
        with pytest.raises(SchemaTooNewError, match="newer version"):
            Database.open(path, migrate=migrate)
    assert path.read_bytes() == before
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION + 1
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == ("wal" if wal else "delete")
    finally:
        raw.close()


def _make_failing_step(tmp_state: dict[str, bool], error: BaseException
                       ) -> migrations.Step:
    def failing_step(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        conn.execute("UPDATE contacts SET display_name = 'overwritten'")
        conn.execute("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 'now')")
        tmp_state["ran"] = True
        raise error

    return failing_step


@pytest.mark.parametrize("error", [RuntimeError("step bug"),
                                   sqlite3.OperationalError("no such column: nope")])
def test_a_failing_step_rolls_back_and_keeps_the_version(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    db = Database.open(journal_path)
    contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
    db.close()
    state: dict[str, bool] = {}
    current = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "STEPS",
                        [*migrations.STEPS, _make_failing_step(state, error)])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.STEPS))

    conn = connect(journal_path)
    try:
        with pytest.raises(type(error)):
            migrations.migrate(conn, target=migrations.SCHEMA_VERSION)
        assert state["ran"]
        assert not conn.in_transaction
        assert migrations.schema_version(conn) == current
        assert "half_done" not in _objects(conn)
        assert conn.execute("SELECT display_name FROM contacts").fetchall() == [("Anna",)]
        assert conn.execute("SELECT count(*) FROM settings").fetchone()[0] == 0
    finally:
        conn.close()

    monkeypatch.undo()
    db = Database.open(journal_path)  # still a good journal at the current version
    try:
        assert db.scalar("PRAGMA user_version") == current
        assert db.scalar("PRAGMA integrity_check") == "ok"
    finally:
        db.close()


def test_a_failing_first_step_leaves_an_empty_journal_at_version_0(
        journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_step = migrations.STEPS[0]

    def breaks_after_creating(conn: sqlite3.Connection) -> None:
        real_step(conn)
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrations, "STEPS", [breaks_after_creating])
    with pytest.raises(RuntimeError):
        Database.open(journal_path)
    conn = connect(journal_path)
    try:
        assert migrations.schema_version(conn) == 0
        assert _objects(conn) == {}
    finally:
        conn.close()
    monkeypatch.undo()
    db = Database.open(journal_path)
    try:
        assert db.scalar("PRAGMA user_version") == migrations.SCHEMA_VERSION
    finally:
        db.close()


def test_steps_apply_one_at_a_time_in_order(journal_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []

    def step_two(conn: sqlite3.Connection) -> None:
        seen.append(migrations.schema_version(conn))
        conn.execute("ALTER TABLE contacts ADD COLUMN nickname TEXT NOT NULL DEFAULT ''")

    Database.open(journal_path).close()
    new = len(migrations.STEPS) + 1
    monkeypatch.setattr(migrations, "STEPS", [*migrations.STEPS, step_two])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", new)
    conn = connect(journal_path)
    try:
        assert migrations.pending_steps(conn) == [new]
        assert migrations.migrate(conn, target=new) == [new]
        assert seen == [new - 1]
        assert migrations.schema_version(conn) == new
        columns = [r[1] for r in conn.execute("PRAGMA table_info(contacts)")]
        assert "nickname" in columns
    finally:
        conn.close()


def test_migration_2(tmp_path: Path) -> None:
    """Step 2 adds the photos table: one photo a contact, removed with the contact."""
    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=1) == [1]
        db = Database(conn)
        contact_id = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        assert migrations.migrate(conn, target=2) == [2]
        assert migrations.schema_version(conn) == 2
        assert _objects(conn).get("photos") == "table"
        # The contact written at version 1 is untouched and can now have a photo.
        assert conn.execute("SELECT display_name FROM contacts").fetchall() == [("Anna",)]
        conn.execute("INSERT INTO photos (uid, contact_id, mime, data, updated_at) "
                     "VALUES ('p1', ?, 'image/png', x'89504e47', 'now')", (contact_id,))
        with pytest.raises(sqlite3.IntegrityError):  # at most one photo a contact
            conn.execute("INSERT INTO photos (uid, contact_id, mime, data, updated_at) "
                         "VALUES ('p2', ?, 'image/png', x'89504e47', 'now')", (contact_id,))
        with pytest.raises(sqlite3.IntegrityError):  # only pictures
            conn.execute("UPDATE photos SET mime = 'text/html'")
        conn.execute("DELETE FROM contacts WHERE id = ?", (contact_id,))
        assert conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    finally:
        conn.close()


def test_migration_3(tmp_path: Path) -> None:
    """Step 3 rebuilds contacts with tag_cadence_days: next_check_in follows the contact's own
    rhythm, else the smallest rhythm of its tags. Every row, id, child row and search entry
    survives the rebuild; foreign keys are back on afterwards."""
    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=2) == [1, 2]
        db = Database(conn)
        anna = contact_store.insert(db, ContactDraft(display_name="Anna Zoë Smith",
                                                     tags=["regulars", "vip"]), NOW)
        bob = contact_store.insert(db, ContactDraft(display_name="Bob Jones", cadence_days=7,
                                                    tags=["regulars"]), NOW)
        conn.execute("DELETE FROM contacts WHERE id = ?",
                     (contact_store.insert(db, ContactDraft(display_name="Gone"), NOW),))
        cleo = contact_store.insert(db, ContactDraft(display_name="Cleo"), NOW)
        conversation_store.insert(db, ConversationDraft(anna, "Tulips for her mother"), NOW,
                                  NOW)
        conn.execute("INSERT INTO photos (uid, contact_id, mime, data, updated_at) "
                     "VALUES ('p1', ?, 'image/png', x'89504e47', 'now')", (cleo,))
        # A rhythm set on a tag before the step (the column exists since version 1).
        conn.execute("UPDATE tags SET default_cadence_days = 14 WHERE name = 'regulars'")
        conn.commit()
        tables = ("conversations", "contact_tags", "photos", "contacts_fts", "contact_methods")
        before = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
        ids_before = conn.execute("SELECT id, uid, display_name FROM contacts ORDER BY id"
                                  ).fetchall()

        assert migrations.migrate(conn, target=3) == [3]
        assert migrations.schema_version(conn) == 3
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT id, uid, display_name FROM contacts ORDER BY id"
                            ).fetchall() == ids_before
        assert {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in tables} == before
        objects = _objects(conn)
        for name in ("contacts_next_check_in", "contacts_birthday_md", "contacts_display_name",
                     "contacts_fts_ins", "contacts_fts_upd", "contacts_fts_del",
                     "conversations_touch_contact_ins", "contact_search_documents",
                     "contact_tags_rhythm_ins", "contact_tags_rhythm_del", "tags_rhythm_upd"):
            assert name in objects, name
        assert "contacts_v3" not in objects
        # Search rowids are still contact ids, and the triggers on contacts still fire.
        assert conn.execute("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH 'zoe'"
                            ).fetchall() == [(anna,)]
        conn.execute("UPDATE contacts SET display_name = 'Anna Smythe' WHERE id = ?", (anna,))
        assert conn.execute("SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH "
                            "'smythe'").fetchall() == [(anna,)]

        def rhythm(contact_id: int) -> tuple[int | None, int | None, str | None]:
            row = conn.execute("SELECT tag_cadence_days, effective_cadence_days, "
                               "next_check_in FROM contacts WHERE id = ?", (contact_id,)
                               ).fetchone()
            return row[0], row[1], row[2]

        assert rhythm(anna) == (14, 14, "2024-03-29")  # from the tag, set before the step
        assert rhythm(bob) == (14, 7, "2024-03-22")  # her own rhythm wins
        assert rhythm(cleo) == (None, None, None)
        # The triggers keep the tags' rhythm: the smallest of the tags, on every change.
        conn.execute("UPDATE tags SET default_cadence_days = 10 WHERE name = 'vip'")
        assert rhythm(anna)[:2] == (10, 10)
        contact_store.set_tags(db, anna, ["regulars"], NOW)
        assert rhythm(anna)[:2] == (14, 14)
        contact_store.set_tags(db, cleo, ["vip"], NOW)
        assert rhythm(cleo) == (10, 10, "2024-03-25")
        conn.execute("DELETE FROM tags WHERE name = 'vip'")  # cascades to contact_tags
        assert rhythm(cleo) == (None, None, None)
        # The agenda's index is still used for the check-in query.
        plan = " ".join(r[-1] for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE next_check_in <= '2030-01-01' "
            "AND deleted_at IS NULL AND archived = 0"))
        assert "contacts_next_check_in" in plan
        # Deleting a contact still cascades to what is attached to it.
        conn.execute("DELETE FROM contacts WHERE id = ?", (cleo,))
        assert conn.execute("SELECT count(*) FROM photos").fetchone()[0] == 0
    finally:
        conn.close()


def test_migration_3_refuses_an_unexpected_contacts_table(tmp_path: Path) -> None:
    """A contacts table changed by some other step is never silently rebuilt without it."""
    conn = connect(tmp_path / "journal.sqlite3")
    try:
        migrations.migrate(conn, target=2)
        conn.execute("ALTER TABLE contacts ADD COLUMN nickname TEXT")
        with pytest.raises(RuntimeError, match="step 3 expects"):
            migrations.migrate(conn, target=3)
        assert migrations.schema_version(conn) == 2
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert "nickname" in [r[1] for r in conn.execute("PRAGMA table_info(contacts)")]
    finally:
        conn.close()


def test_migration_4(tmp_path: Path) -> None:
    """Step 4 adds the list's and the agenda's indexes and rebuilds the contacts' search index
    with more prefixes: every contact is still found, the triggers still keep it, and the list
    and agenda queries read their indexes instead of sorting or scanning contacts."""
    from journal.store import agenda as agenda_store

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=3) == [1, 2, 3]
        db = Database(conn)
        anna = contact_store.insert(db, ContactDraft(display_name="Anna Zoë Smith",
                                                     notes="Loves peonies", cadence_days=7,
                                                     tags=["regulars"]), NOW)
        bob = contact_store.insert(db, ContactDraft(display_name="Bob Jones"), NOW)
        documents = conn.execute("SELECT count(*) FROM contacts_fts").fetchone()[0]

        assert migrations.migrate(conn, target=4) == [4]
        assert migrations.schema_version(conn) == 4
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        objects = _objects(conn)
        for index in ("contacts_list_by_name", "contacts_list_by_last_talked",
                      "contacts_list_by_check_in", "contacts_agenda_check_ins"):
            assert objects.get(index) == "index", index
        assert conn.execute("SELECT count(*) FROM contacts_fts").fetchone()[0] == documents

        def found(query: str) -> list[int]:
            return [r[0] for r in conn.execute(
                "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rowid",
                (query,))]

        assert found('"z"*') == [anna]  # one letter, accents folded
        assert found('"peon"*') == [anna]  # four letters
        assert found('"regulars"*') == [anna]  # tags
        # The triggers that keep the index still work on the new table.
        contact_store.set_fields(db, bob, NOW, notes="Peonies too")
        assert found('"peoni"*') == [anna, bob]
        contact_store.set_tags(db, bob, ["regulars"], NOW)
        assert found('"regulars"*') == [anna, bob]

        def plan(sql: str, params: list[object]) -> str:
            return " | ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))

        for sort in contact_store.SORTS:
            for descending in (False, True):
                where, params = contact_store.filters(None, False)
                steps = plan(f"SELECT c.id FROM contacts c WHERE {where} ORDER BY "
                             f"{contact_store.order_by(sort, descending)} LIMIT 50", params)
                assert "COVERING INDEX contacts_list_by" in steps or (
                    sort == "next_check_in" and "INDEX contacts_list_by_check_in" in steps), \
                    (sort, steps)
                assert "TEMP B-TREE" not in steps, (sort, descending, steps)
        # The agenda counts from the index alone and reads each group in the index's order.
        today = NOW.date().isoformat()
        (count_sql, params), *group_queries = agenda_store.check_in_queries(today, 10)
        assert "COVERING INDEX contacts_agenda_check_ins" in plan(count_sql, params)
        for sql, params in group_queries:
            steps = plan(sql, params)
            assert "INDEX contacts_agenda_check_ins" in steps and "TEMP B-TREE" not in steps, \
                steps
    finally:
        conn.close()


def test_migration_5(tmp_path: Path) -> None:
    """Step 5 adds the Reports view's covering indexes; what was written before is untouched
    and the reports count it (their query plans are checked in test_reports_store.py)."""
    from journal.store import reports

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=4) == [1, 2, 3, 4]
        db = Database(conn)
        anna = contact_store.insert(db, ContactDraft(display_name="Anna", cadence_days=7), NOW)
        conversation_store.insert(db, ConversationDraft(anna, "Hello"), NOW, NOW)

        assert migrations.migrate(conn, target=5) == [5]
        assert migrations.schema_version(conn) == 5
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        objects = _objects(conn)
        for index in ("contacts_in_trash", "contacts_relationship",
                      "conversations_month_channel", "conversations_complaints",
                      "purchases_month_currency", "purchases_currency_customer"):
            assert objects.get(index) == "index", index
        assert conn.execute("SELECT display_name FROM contacts").fetchall() == [("Anna",)]
        # (the conversations a month are counted from step 6 on: test_migration_6)
        assert reports.state_counts(db, NOW.date())["on_track"] == 1
    finally:
        conn.close()


def test_migration_6(tmp_path: Path) -> None:
    """Step 6 counts the live conversations a local month and channel, from what was written
    before and then as they are written, changed, trashed, restored and deleted."""
    from journal.store import reports

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=5) == [1, 2, 3, 4, 5]
        db = Database(conn)
        anna = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        shop = dt.timezone(dt.timedelta(hours=1))

        def talk(when: dt.datetime, channel: Channel = Channel.PHONE) -> int:
            return conversation_store.insert(
                db, ConversationDraft(anna, "Hello", channel=channel), when, NOW)

        talk(dt.datetime(2024, 2, 29, 23, 30, tzinfo=shop))  # local February, UTC too
        talk(dt.datetime(2024, 3, 1, 0, 30, tzinfo=shop))  # local March, UTC February
        trashed = talk(dt.datetime(2024, 3, 2, 9, 0, tzinfo=shop))
        conversation_store.set_fields(db, trashed, NOW, deleted_at="2024-03-03T10:00:00Z")

        def counted() -> dict[tuple[str, str], int]:
            return {(r["month"], r["channel"]): r["conversations"] for r in
                    reports.conversations_by_month_channel(db, "2024-01", "2024-12")}

        assert migrations.migrate(conn, target=6) == [6]
        assert migrations.schema_version(conn) == 6
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        objects = _objects(conn)
        assert objects.get("conversation_months") == "table"
        assert "conversations_month_channel" not in objects  # its only use is gone
        assert counted() == {("2024-02", "phone"): 1, ("2024-03", "phone"): 1}

        later = talk(dt.datetime(2024, 3, 5, 12, 0, tzinfo=shop), Channel.EMAIL)
        assert counted()[("2024-03", "email")] == 1
        conversation_store.set_fields(db, later, NOW, channel="text",
                                      occurred_at="2024-04-01T09:00:00+01:00")
        assert ("2024-03", "email") not in counted() and counted()[("2024-04", "text")] == 1
        conversation_store.set_fields(db, trashed, NOW, deleted_at=None)  # restored
        assert counted()[("2024-03", "phone")] == 2
        conversation_store.set_fields(db, later, NOW, deleted_at="2024-04-02T10:00:00Z")
        assert ("2024-04", "text") not in counted()
        conversation_store.purge(db, later)  # a trashed one deleted for good: no change
        assert counted() == {("2024-02", "phone"): 1, ("2024-03", "phone"): 2}
        # the customer deleted for good takes their live conversations along (a cascade)
        contact_store.set_fields(db, anna, NOW, deleted_at="2024-04-03T10:00:00Z")
        assert counted() == {}  # in the trash: not counted
        contact_store.purge(db, anna)
        assert conn.execute("SELECT count(*) FROM conversations").fetchone()[0] == 0
        assert conn.execute(
            "SELECT count(*) FROM conversation_months WHERE conversations != 0").fetchone() \
            == (0,)
    finally:
        conn.close()


def _segments(conn: sqlite3.Connection, table: str) -> int:
    """How many segments an FTS5 index holds (each has its pages in the ``_idx`` table)."""
    return int(conn.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx").fetchone()[0])


def test_migration_7(tmp_path: Path) -> None:
    """Step 7 merges each search index into one segment: what a search finds is unchanged,
    the indexes agree with their tables, and later writes are found as before."""
    from journal.store import search as search_store

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=6) == [1, 2, 3, 4, 5, 6]
        db = Database(conn)
        people = [contact_store.insert(db, ContactDraft(display_name=f"Anna {name}",
                                                        notes=f"likes {flower}"), NOW)
                  for name, flower in (("Byrne", "tulips"), ("Cole", "peonies"),
                                       ("Doyle", "tulips and roses"))]
        for number, contact_id in enumerate(people * 2):  # each write: a segment of its own
            conversation_store.insert(db, ConversationDraft(
                contact_id, f"Visit {number}", details="bought a bouquet" if number % 2
                else "asked about wreaths"), NOW, NOW)
        contact_store.set_fields(db, people[1], NOW, notes="likes tulips now")
        queries = ("anna", "tulip", "peonies", "bouq", "wreath", "visit 3", "ro")

        def found() -> dict[str, tuple[list[int], list[int]]]:
            return {text: ([r["contact_id"] for r in search_store.search_contacts(
                                db, search_store.fts_query(text) or "", 50, ranked=False)],
                           [r["conversation_id"] for r in search_store.search_conversations(
                               db, search_store.fts_query(text) or "", 50, ranked=False)])
                    for text in queries}

        before = found()
        assert all(_segments(conn, table) > 1 for table in migrations.SEARCH_INDEXES)
        assert migrations.migrate(conn, target=7) == [7]
        assert migrations.schema_version(conn) == 7
        assert all(_segments(conn, table) == 1 for table in migrations.SEARCH_INDEXES)
        for table in migrations.SEARCH_INDEXES:
            conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
        assert found() == before
        assert before["tulip"][0] == [people[0], people[1], people[2]]
        later = conversation_store.insert(db, ConversationDraft(people[0], "Lilies"), NOW, NOW)
        assert [r["conversation_id"] for r in search_store.search_conversations(
            db, search_store.fts_query("lilies") or "", 50)] == [later]
    finally:
        conn.close()


def test_migration_8(tmp_path: Path) -> None:
    """Step 8 records the day a yearly reminder is set for ('MM-DD'), from its date; other
    reminders have none. The reminders read as before, and new ones record theirs."""
    from journal.model import ReminderDraft, ReminderRepeat
    from journal.store import reminders as reminder_store

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=7) == [1, 2, 3, 4, 5, 6, 7]
        db = Database(conn)
        anna = contact_store.insert(db, ContactDraft(display_name="Anna"), NOW)
        for number, (due, repeat, every) in enumerate((
                ("2028-02-29", "yearly", None), ("2027-06-01", "yearly", None),
                ("2027-01-01", "once", None), ("2027-01-05", "every", 10))):
            conn.execute("INSERT INTO reminders (uid, contact_id, title, due_on, repeat, "
                         "every_days, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         (f"r{number}", anna, f"Reminder {number}", due, repeat, every,
                          "2024-03-15T12:00:00Z", "2024-03-15T12:00:00Z"))
        if conn.in_transaction:
            conn.commit()

        assert migrations.migrate(conn, target=8) == [8]
        assert migrations.schema_version(conn) == 8
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        days = [r[0] for r in conn.execute("SELECT yearly_on FROM reminders ORDER BY uid")]
        assert days == ["02-29", "06-01", None, None]
        read = reminder_store.for_contact(db, anna)
        assert [(r.title, r.due_on.isoformat(), r.yearly_on) for r in read] == [
            ("Reminder 2", "2027-01-01", None), ("Reminder 3", "2027-01-05", None),
            ("Reminder 1", "2027-06-01", (6, 1)), ("Reminder 0", "2028-02-29", (2, 29))]
        added = reminder_store.insert(db, ReminderDraft(
            anna, "Leap day", dt.date(2032, 2, 29), ReminderRepeat.YEARLY), NOW)
        assert reminder_store.get(db, added).yearly_on == (2, 29)  # type: ignore[union-attr]
    finally:
        conn.close()


def test_migration_9(tmp_path: Path) -> None:
    """Step 9 drops four version-1 indexes on contacts that no query uses. The list in name
    order, the agenda's birthdays, anniversaries and check-ins and the count read the same
    as before, each still from an index rather than the whole table."""
    from journal.store import agenda as agenda_store

    conn = connect(tmp_path / "journal.sqlite3")
    try:
        assert migrations.migrate(conn, target=8) == [1, 2, 3, 4, 5, 6, 7, 8]
        db = Database(conn)
        for number, name in enumerate(("zoe Byrne", "Anna Cole", "anna Adams", "Ben Doyle",
                                       "Élan Ek", "bea Fox")):
            contact_store.insert(db, ContactDraft(
                display_name=name, cadence_days=7 * (number % 3) or None,
                birthday=PartialDate(3, 16 + number, 1980 + number),
                anniversary=PartialDate(3, 20 - number) if number % 2 else None), NOW)
        if conn.in_transaction:
            conn.commit()
        day = dt.date(2024, 3, 20)

        def read() -> list[object]:
            return [contact_store.list_ids(db, sort="name"),
                    contact_store.list_ids(db, sort="name", descending=True),
                    contact_store.list_ids(db, sort="next_check_in"),
                    agenda_store.dates_ahead(db, "birthday", day, day + dt.timedelta(30)),
                    agenda_store.dates_ahead(db, "anniversary", day, day + dt.timedelta(30)),
                    agenda_store.check_ins(db, day), contact_store.count(db)]

        before = read()
        assert migrations.migrate(conn) == [9]
        assert migrations.schema_version(conn) == 9
        assert not set(migrations.UNUSED_V1_INDEXES) & set(_objects(conn))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert read() == before
        assert before[0] == [3, 2, 6, 4, 1, 5]  # names without case; É after the ASCII letters
        for query in ("SELECT id FROM contacts WHERE deleted_at IS NULL AND archived = 0 "
                      "ORDER BY display_name COLLATE NOCASE, id",
                      "SELECT display_name FROM contacts",
                      "SELECT count(*) FROM contacts WHERE deleted_at IS NULL"):
            plan = " ".join(r[-1] for r in conn.execute(f"EXPLAIN QUERY PLAN {query}"))
            assert "INDEX" in plan, (query, plan)
    finally:
        conn.close()
