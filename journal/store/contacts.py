"""Contacts, their tags and their contact methods."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from journal.model import (
    CheckInState,
    Contact,
    ContactDraft,
    ContactMethod,
    ContactRow,
    MethodKind,
)
from journal.store.codec import (
    date_iso,
    new_uid,
    parse_date,
    parse_partial,
    parse_stamp,
    partial_iso,
    stamp,
)
from journal.store.connection import Database, Row, storage_error

_DRAFT_COLUMNS = (
    "given_name", "family_name", "display_name", "preferred_name", "pronunciation", "company",
    "job_title", "how_we_met", "notes", "cadence_days",
)

# Each list order as (term, descending) pairs ending in the id, so the order is total and
# reversing every term gives exactly the reversed list. Each has its covering index
# (migration 4), which a page of the list walks instead of sorting the journal.
_SORT_TERMS: dict[str, tuple[tuple[str, bool], ...]] = {
    "name": (("c.display_name COLLATE NOCASE", False), ("c.id", False)),
    "last_talked": (("c.last_talked_at IS NULL", False), ("c.last_talked_at", True),
                    ("c.id", False)),
    "next_check_in": (("c.next_check_in IS NULL", False), ("c.next_check_in", False),
                      ("c.display_name COLLATE NOCASE", False), ("c.id", False)),
}
_SORT_INDEXES = {"name": "contacts_list_by_name", "last_talked": "contacts_list_by_last_talked",
                 "next_check_in": "contacts_list_by_check_in"}
# A search matching at most this many contacts sorts its matches; a broader one walks the
# list's index and keeps the matches, stopping as soon as a page is full.
FEW_MATCHES = 2000


def order_by(sort: str, descending: bool = False) -> str:
    return ", ".join(f"{term} {'ASC' if desc == descending else 'DESC'}"
                     for term, desc in _SORT_TERMS[sort])


SORTS = {name: order_by(name) for name in _SORT_TERMS}


def _draft_values(draft: ContactDraft) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(draft, name) for name in _DRAFT_COLUMNS}
    values["birthday"] = partial_iso(draft.birthday)
    values["anniversary"] = partial_iso(draft.anniversary)
    values["customer_since"] = date_iso(draft.customer_since)
    return values


def insert(db: Database, draft: ContactDraft, now: dt.datetime) -> int:
    values = _draft_values(draft)
    values.update(uid=draft.uid or new_uid(), created_at=stamp(now), updated_at=stamp(now))
    names = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    with db.atomic() as conn:
        contact_id = int(conn.execute(
            f"INSERT INTO contacts ({names}) VALUES ({marks})", values).lastrowid or 0)
        set_tags(db, contact_id, draft.tags, now)
        replace_methods(db, contact_id, draft.methods, now)
    return contact_id


def update(db: Database, contact_id: int, draft: ContactDraft, now: dt.datetime) -> None:
    values = _draft_values(draft)
    values.update(updated_at=stamp(now), id=contact_id)
    assignments = ", ".join(f"{k} = :{k}" for k in values if k != "id")
    with db.atomic() as conn:
        conn.execute(f"UPDATE contacts SET {assignments} WHERE id = :id", values)
        set_tags(db, contact_id, draft.tags, now)
        replace_methods(db, contact_id, draft.methods, now)


def set_fields(db: Database, contact_id: int, now: dt.datetime, **fields: Any) -> None:
    """Set a few columns (archived, snoozed_until, cadence_days, deleted_at …)."""
    fields["updated_at"] = stamp(now)
    assignments = ", ".join(f"{k} = ?" for k in fields)
    with db.atomic() as conn:
        conn.execute(f"UPDATE contacts SET {assignments} WHERE id = ?",
                     [*fields.values(), contact_id])


def purge(db: Database, contact_id: int) -> None:
    """Delete for good, with everything attached (cascades). Only from the trash."""
    with db.atomic() as conn:
        conn.execute("DELETE FROM contacts WHERE id = ? AND deleted_at IS NOT NULL",
                     (contact_id,))


def set_tags(db: Database, contact_id: int, tags: list[str], now: dt.datetime) -> None:
    wanted = {t.strip(): None for t in tags if t.strip()}
    with db.atomic() as conn:
        conn.execute("DELETE FROM contact_tags WHERE contact_id = ?", (contact_id,))
        for name in wanted:
            conn.execute(
                "INSERT INTO tags (uid, name, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO NOTHING", (new_uid(), name, stamp(now)))
            conn.execute(
                "INSERT OR IGNORE INTO contact_tags (contact_id, tag_id) "
                "SELECT ?, id FROM tags WHERE name = ?", (contact_id, name))


def replace_methods(db: Database, contact_id: int, methods: list[ContactMethod],
                    now: dt.datetime) -> None:
    """Make the live methods exactly ``methods``; ones no longer listed are soft-deleted."""
    kept_ids = [m.id for m in methods if m.id is not None]
    with db.atomic() as conn:
        marks = ", ".join("?" * len(kept_ids))
        conn.execute(
            "UPDATE contact_methods SET deleted_at = ?, updated_at = ? "
            f"WHERE contact_id = ? AND deleted_at IS NULL AND id NOT IN ({marks})",
            (stamp(now), stamp(now), contact_id, *kept_ids))
        for position, method in enumerate(methods):
            values = (method.kind.value, method.label, method.value.strip(),
                      int(method.is_primary), position, stamp(now))
            if method.id is None:
                conn.execute(
                    "INSERT INTO contact_methods (kind, label, value, is_primary, position, "
                    "updated_at, uid, contact_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, method.uid or new_uid(), contact_id))
            else:
                conn.execute(
                    "UPDATE contact_methods SET kind = ?, label = ?, value = ?, is_primary = ?, "
                    "position = ?, updated_at = ? WHERE id = ? AND contact_id = ?",
                    (*values, method.id, contact_id))


def get(db: Database, contact_id: int) -> Contact | None:
    row = db.one("SELECT * FROM contacts WHERE id = ?", (contact_id,))
    if row is None:
        return None
    contact = _contact(row)
    contact.tags = tags_of(db, [contact_id]).get(contact_id, [])
    contact.methods = methods_of(db, contact_id)
    return contact


def _contact(row: Row) -> Contact:
    return Contact(
        id=row["id"], uid=row["uid"], display_name=row["display_name"],
        given_name=row["given_name"], family_name=row["family_name"],
        preferred_name=row["preferred_name"], pronunciation=row["pronunciation"],
        company=row["company"], job_title=row["job_title"],
        birthday=parse_partial(row["birthday"]), anniversary=parse_partial(row["anniversary"]),
        customer_since=parse_date(row["customer_since"]), how_we_met=row["how_we_met"],
        notes=row["notes"], cadence_days=row["cadence_days"],
        snoozed_until=parse_date(row["snoozed_until"]), archived=bool(row["archived"]),
        created_at=_required_stamp(row["created_at"]),
        updated_at=_required_stamp(row["updated_at"]),
        deleted_at=parse_stamp(row["deleted_at"]),
        last_talked_at=parse_stamp(row["last_talked_at"]),
    )


def _required_stamp(text: str) -> dt.datetime:
    moment = parse_stamp(text)
    assert moment is not None
    return moment


def methods_of(db: Database, contact_id: int) -> list[ContactMethod]:
    rows = db.query(
        "SELECT id, uid, kind, label, value, is_primary FROM contact_methods "
        "WHERE contact_id = ? AND deleted_at IS NULL ORDER BY position, id", (contact_id,))
    return [ContactMethod(kind=MethodKind(r["kind"]), value=r["value"], label=r["label"],
                          is_primary=bool(r["is_primary"]), id=r["id"], uid=r["uid"])
            for r in rows]


def tags_of(db: Database, contact_ids: list[int]) -> dict[int, list[str]]:
    if not contact_ids:
        return {}
    marks = ", ".join("?" * len(contact_ids))
    result: dict[int, list[str]] = {}
    for row in db.query(
            f"SELECT ct.contact_id, t.name FROM contact_tags ct JOIN tags t ON t.id = ct.tag_id "
            f"WHERE ct.contact_id IN ({marks}) ORDER BY t.name COLLATE NOCASE", contact_ids):
        result.setdefault(row["contact_id"], []).append(row["name"])
    return result


def all_tags(db: Database) -> list[str]:
    """Tags of live contacts. Each tag stops at its first live contact: a handful of index
    probes, not a join over every contact's tags."""
    return [r["name"] for r in db.query(
        "SELECT t.name FROM tags t WHERE EXISTS (SELECT 1 FROM contact_tags ct "
        "JOIN contacts c ON c.id = ct.contact_id WHERE ct.tag_id = t.id "
        "AND c.deleted_at IS NULL) ORDER BY t.name COLLATE NOCASE")]


def filters(tag: str | None, archived: bool | None) -> tuple[str, list[Any]]:
    """The list's filters as SQL on contacts ``c``: live, archived or not, with a tag."""
    clauses: list[str] = ["c.deleted_at IS NULL"]
    params: list[Any] = []
    if archived is not None:
        clauses.append("c.archived = ?")
        params.append(int(archived))
    if tag:
        clauses.append("c.id IN (SELECT ct.contact_id FROM contact_tags ct "
                       "JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?)")
        params.append(tag)
    return " AND ".join(clauses), params


def list_ids(db: Database, *, tag: str | None = None, archived: bool | None = False,
             sort: str = "name", only: list[int] | None = None, descending: bool = False,
             matching: str | None = None, limit: int | None = None) -> list[int]:
    """Ids of the live contacts matching the filters, in list order (cheap: no row data).

    ``matching``: an FTS query (journal.store.search.fts_query) the contact's own details
    must match. ``limit``: only the first ids, found without sorting the whole journal.
    """
    where, params = filters(tag, archived)
    # The planner cannot know how many contacts a search or a list of ids keeps, and other
    # indexes on contacts tempt it, so it is told: few, look each up and sort them; many (or
    # everyone), walk the order's index, which stops as soon as a page is full.
    few = False
    if only is not None:
        where += f" AND c.id IN ({', '.join('?' * len(only))})"
        params.extend(only)
        few = len(only) <= FEW_MATCHES
    if matching is not None:
        from journal.store.search import sample_contact_matches

        counted, largest = (0, 0) if few else sample_contact_matches(db, matching,
                                                                        FEW_MATCHES + 1)
        few = few or counted <= FEW_MATCHES
        if not few and limit is not None:
            # Many match, perhaps most: first look up the contacts at the head of the list;
            # when they hold the page, that was a few hundred lookups instead of collecting
            # tens of thousands of matches first.
            page = _page_by_lookups(db, matching, where, params, sort, descending, limit,
                                    counted / max(1, largest))
            if page is not None:
                return page
        where += " AND c.id IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)"
        params.append(matching)
    table = "contacts c NOT INDEXED" if few else f"contacts c INDEXED BY {_SORT_INDEXES[sort]}"
    sql = f"SELECT c.id FROM {table} WHERE {where} ORDER BY {order_by(sort, descending)}"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [r[0] for r in db.conn.execute(sql, params)]


_QUOTED = re.compile(r'"([^"]*)"')
LOOKUP_BUDGET = 2.0  # the head of the list looked at: this many times what should hold a page
LOOKUP_BATCH = 1.2  # looked up at once: this many times what should fill the rest of the page
# A lookup in the search index costs about as much as collecting this many matches (~10 µs
# against ~0.2 µs at 100,000 contacts): the head is looked up only when that is cheaper. A
# page of 100 where two thirds match is ~2 ms of lookups; collecting 67,000 matches ~13 ms.
LOOKUP_COST = 50


def _page_by_lookups(db: Database, matching: str, where: str, params: list[Any], sort: str,
                     descending: bool, limit: int, density: float = 1.0) -> list[int] | None:
    """The first ``limit`` matches if they are among the head of the list, its contacts
    looked up in the search index; None if they are not, or if collecting every match
    would be cheaper.

    ``density``: about the share of contacts that match (search.sample_contact_matches). The
    head is LOOKUP_BUDGET times the contacts that should hold a page at that share; they are
    looked up a batch at a time in one query, stopping once the page is full. Only tried when
    each word is short enough to be a prefix the index keeps: a longer one would make every
    lookup merge the doclists of all the words it starts.
    """
    from journal.store.migrations import V4_CONTACT_PREFIXES

    if any(len(word) > V4_CONTACT_PREFIXES for word in _QUOTED.findall(matching)):
        return None
    density = min(1.0, max(density, 1e-6))
    budget = max(limit, math.ceil(LOOKUP_BUDGET * limit / density))
    largest = int(db.scalar("SELECT coalesce(max(id), 0) FROM contacts"))
    if budget * LOOKUP_COST > density * largest:
        return None  # fewer match than that: collecting them is cheaper
    head = [r[0] for r in db.conn.execute(
        f"SELECT c.id FROM contacts c INDEXED BY {_SORT_INDEXES[sort]} WHERE {where} "
        f"ORDER BY {order_by(sort, descending)} LIMIT ?", [*params, budget])]
    page: list[int] = []
    looked = 0
    while looked < len(head) and len(page) < limit:
        batch = head[looked:looked + math.ceil(LOOKUP_BATCH * (limit - len(page)) / density)]
        looked += len(batch)
        matched = {r[0] for r in db.conn.execute(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? "
            "AND rowid IN (SELECT value FROM json_each(?))", (matching, json.dumps(batch)))}
        page.extend(contact_id for contact_id in batch if contact_id in matched)
    if len(page) >= limit:
        return page[:limit]
    # The head ran out without a page: all of it, if that was the whole list.
    return page if len(head) < budget else None


def rows_for(db: Database, ids: list[int],
             state_of: Callable[[str | None, str, int | None, str | None], CheckInState]
             ) -> dict[int, ContactRow]:
    """List rows for ``ids`` in one query (and one for their tags). ``state_of(last_talked_at,
    created_at, rhythm, snoozed_until)``, as stored, gives the check-in state."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    tags = tags_of(db, ids)
    result = {}
    # The check-in state follows the rhythm that applies, the tags' when the contact has none
    # of its own: effective_cadence_days. Rows as tuples: a page is read on every scroll.
    try:
        rows = db.conn.execute(
            "SELECT id, display_name, preferred_name, company, last_talked_at, next_check_in, "
            "effective_cadence_days, created_at, snoozed_until, archived "
            f"FROM contacts WHERE id IN ({marks})", ids).fetchall()
    except sqlite3.Error as error:
        raise storage_error(error, db.path) from error
    for (contact_id, display_name, preferred_name, company, last_talked_at, next_check_in,
         rhythm, created_at, snoozed_until, archived) in rows:
        result[contact_id] = ContactRow(
            id=contact_id, display_name=display_name, preferred_name=preferred_name,
            company=company, last_talked_at=parse_stamp(last_talked_at),
            next_check_in=parse_date(next_check_in),
            state=state_of(last_talked_at, created_at, rhythm, snoozed_until),
            tags=tags.get(contact_id, []), archived=bool(archived))
    return result


def candidates(db: Database, ref: str, limit: int = 20) -> list[Row]:
    """Live contacts whose name or email contains ``ref`` (case-insensitive)."""
    pattern = "%" + ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return db.query(
        "SELECT id, display_name FROM contacts c WHERE c.deleted_at IS NULL AND ("
        " c.display_name LIKE :p ESCAPE '\\' OR c.preferred_name LIKE :p ESCAPE '\\'"
        " OR (c.given_name || ' ' || c.family_name) LIKE :p ESCAPE '\\'"
        " OR c.id IN (SELECT contact_id FROM contact_methods WHERE kind = 'email'"
        "   AND deleted_at IS NULL AND value LIKE :p ESCAPE '\\'))"
        " ORDER BY c.display_name COLLATE NOCASE LIMIT :limit", {"p": pattern, "limit": limit})


def by_uid(db: Database, uid: str) -> int | None:
    value = db.scalar("SELECT id FROM contacts WHERE uid = ?", (uid,))
    return int(value) if value is not None else None


def ids_with_method(db: Database, kind: MethodKind, value: str) -> list[int]:
    return [r["contact_id"] for r in db.query(
        "SELECT DISTINCT m.contact_id FROM contact_methods m JOIN contacts c "
        "ON c.id = m.contact_id WHERE m.kind = ? AND m.value = ? COLLATE NOCASE "
        "AND m.deleted_at IS NULL AND c.deleted_at IS NULL", (kind.value, value))]


def count(db: Database) -> int:
    return int(db.scalar("SELECT count(*) FROM contacts WHERE deleted_at IS NULL"))


def any_live(db: Database) -> bool:
    return bool(db.scalar(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE deleted_at IS NULL)"))


# -- tag rhythms --------------------------------------------------------------------------------
def tag_rhythms(db: Database) -> list[Row]:
    """Every tag in use by a live contact, with its default rhythm and how many use it."""
    return db.query(
        "SELECT t.name, t.default_cadence_days, count(c.id) AS contacts FROM tags t "
        "JOIN contact_tags ct ON ct.tag_id = t.id JOIN contacts c ON c.id = ct.contact_id "
        "WHERE c.deleted_at IS NULL AND t.deleted_at IS NULL "
        "GROUP BY t.id ORDER BY t.name COLLATE NOCASE")


def set_tag_rhythm(db: Database, name: str, days: int | None, now: dt.datetime) -> bool:
    """Set a tag's default rhythm; the triggers update its contacts. False: no such tag."""
    with db.atomic() as conn:
        cursor = conn.execute(
            "UPDATE tags SET default_cadence_days = ?, updated_at = ? "
            "WHERE name = ? AND deleted_at IS NULL", (days, stamp(now), name.strip()))
    return cursor.rowcount > 0


def tag_cadence(db: Database, contact_id: int) -> int | None:
    """The rhythm a contact gets from its tags (the smallest), whatever its own."""
    value = db.scalar("SELECT tag_cadence_days FROM contacts WHERE id = ?", (contact_id,))
    return int(value) if value is not None else None


# -- names ----------------------------------------------------------------------------------------
_WORD = re.compile(r"\w+", re.UNICODE)


def with_name_words(db: Database, name: str, limit: int = 50) -> list[Row]:
    """Live contacts whose names contain every word of ``name`` (whole words, through the
    search index, ignoring case and accents): id and every name. The caller compares exactly.
    """
    words = _WORD.findall(name)
    if not words:
        return []
    query = "names : (" + " ".join(f'"{word}"' for word in words) + ")"
    return db.query(
        "SELECT c.id, c.display_name, c.given_name, c.family_name, c.preferred_name "
        "FROM contacts_fts f JOIN contacts c ON c.id = f.rowid "
        "WHERE contacts_fts MATCH ? AND c.deleted_at IS NULL LIMIT ?", (query, limit))
