#!/usr/bin/env python3
"""Freeze a journal at a schema version, for the migration tests.

    .venv/bin/python tools/make_journal_fixture.py 1

writes ``tests/fixtures/journals/v1.sqlite3`` (a small sample shop at schema 1, made with the
demo generator and a fixed clock) and ``v1.json`` (every row of every table, as schema 1 stores
it). tests/store/test_journal_fixtures.py opens each fixture with the current app and checks
that the data survived every migration since.

Run it for the CURRENT schema version just before adding a migration step, and commit both
files: a fixture must be written by the app that had that schema, never regenerated later.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIXTURES = ROOT / "tests" / "fixtures" / "journals"
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
# The tables whose rows the fixture records (derived search indexes are rebuilt, not kept).
TABLES = ("contacts", "tags", "contact_tags", "contact_methods", "conversations", "reminders",
          "purchases", "settings")


def dump(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every stored (not generated) column of every row, in a stable order."""
    data: dict[str, Any] = {"schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
                            "tables": {}}
    for table in TABLES:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        order = ", ".join(columns[:2])
        rows = conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
        data["tables"][table] = {"columns": columns, "rows": [list(r) for r in rows]}
    return data


def make(version: int, out_dir: Path = FIXTURES) -> Path:
    from journal.domain.demo import DemoSize, fill
    from journal.store import migrations
    from journal.store.codec import new_uid, stamp
    from journal.store.connection import Database, connect

    if not 1 <= version <= migrations.SCHEMA_VERSION:
        raise SystemExit(f"schema version must be 1..{migrations.SCHEMA_VERSION}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"v{version}.sqlite3"
    target.unlink(missing_ok=True)
    conn = connect(target)
    migrations.migrate(conn, target=version)
    db = Database(conn, target)
    fill(db, NOW, DemoSize(contacts=20, seed=11))
    made = stamp(NOW)
    with db.atomic():
        # Something in the trash, a custom reminder, a purchase note: every kind of row.
        conn.execute("UPDATE contacts SET deleted_at = ? WHERE id = 20", (made,))
        conn.execute("UPDATE conversations SET deleted_at = ? WHERE id = "
                     "(SELECT min(id) FROM conversations WHERE contact_id = 1)", (made,))
        conn.execute("INSERT INTO reminders (uid, contact_id, title, due_on, repeat, "
                     "every_days, created_at, updated_at) VALUES (?, 2, ?, '2026-12-01', "
                     "'every', 90, ?, ?)", (new_uid(), "Ask about the new shop", made, made))
        conn.execute("INSERT INTO reminders (uid, contact_id, title, due_on, repeat, "
                     "created_at, updated_at) VALUES (?, 3, 'Wedding anniversary flowers', "
                     "'2027-05-04', 'yearly', ?, ?)", (new_uid(), made, made))
    conn.execute("VACUUM")
    (out_dir / f"v{version}.json").write_text(
        json.dumps(dump(conn), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    conn.close()
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", type=int, help="the schema version to freeze")
    args = parser.parse_args()
    path = make(args.version)
    print(f"Wrote {path} and {path.with_suffix('.json')}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
