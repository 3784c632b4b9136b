"""`journal backup`, `journal restore`, `journal check`, `journal backups`: thin over
journal.domain.backups. Registered through ``journal.cli.CLI_EXTENSIONS``."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from journal.domain import backups
from journal.domain.backups import human_size
from journal.domain.service import JournalService, local_now
from journal.errors import StorageError
from journal.paths import JOURNAL_FILENAME, resolve_data_dir

Handler = Callable[[JournalService, argparse.Namespace, TextIO], int]
# These must work when the journal cannot be opened at all (its header destroyed): their
# handlers accept service=None and find the journal from --data-dir themselves.
# journal.cli.run_command opens the journal first today, so it needs to skip that for them.
WITHOUT_SERVICE = frozenset({"restore", "check"})


def add_commands(subparsers: Any, common: argparse.ArgumentParser,
                 json_flag: Callable[[argparse.ArgumentParser], None]) -> dict[str, Handler]:
    backup = subparsers.add_parser(
        "backup", parents=[common], help="save a verified copy of the journal",
        description="Save a verified copy of the journal: into the backups folder of your "
                    "data folder, or with -o to a new file or into a folder (a USB stick).")
    backup.add_argument("-o", "--output", metavar="FILE", type=Path,
                        help="a new file, or a folder to put the backup in")
    json_flag(backup)

    restore = subparsers.add_parser(
        "restore", parents=[common], help="replace the journal with a backup",
        description="Check FILE (is it a sound journal this app can open?), back up the "
                    "journal as it is now, then replace it with FILE.")
    restore.add_argument("file", metavar="FILE", type=Path, help="a backup or journal file")
    json_flag(restore)

    check = subparsers.add_parser("check", parents=[common],
                                  help="check the journal file for damage")
    json_flag(check)

    listing = subparsers.add_parser(
        "backups", parents=[common], help="list the automatic backups, or set how many to keep")
    for period, default in (("daily", 7), ("weekly", 4), ("monthly", 12)):
        listing.add_argument(f"--keep-{period}", type=int, metavar="N",
                             help=f"keep the newest backup of each of the last N "
                                  f"{'days' if period == 'daily' else period[:-2] + 's'} "
                                  f"(default {default})")
    json_flag(listing)
    return {"backup": cmd_backup, "restore": cmd_restore, "check": cmd_check,
            "backups": cmd_backups}


def _journal(service: JournalService | None, args: argparse.Namespace | None = None) -> Path:
    if service is None:
        return resolve_data_dir(getattr(args, "data_dir", None)) / JOURNAL_FILENAME
    if service.path is None:
        raise StorageError("This journal lives in memory only; there is nothing to back up.")
    return service.path


def _now(service: JournalService | None) -> dt.datetime:
    return service.clock() if service is not None else local_now()


def _emit(data: Any, as_json: bool, text: Callable[[], str], out: TextIO) -> None:
    from journal.cli import emit

    emit(data, as_json, text, out)


def cmd_backup(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    journal = _journal(service)
    if args.output is None:
        entry = backups.make_backup(journal, backups.MANUAL, service.clock())
        path, size, what = entry.path, entry.size, f"{entry.customers} customers and " \
            f"{entry.conversations} conversations"
    else:
        facts = backups.backup_to(journal, args.output, service.clock())
        path, size, what = facts.path, facts.size, facts.describe()
    data = {"file": str(path), "size": size, "description": what}
    _emit(data, args.json, lambda: f"Backed up {what} to {path} ({human_size(size)}).", out)
    return 0


def cmd_restore(service: JournalService | None, args: argparse.Namespace, out: TextIO
                ) -> int:
    result = backups.restore(_journal(service, args), args.file, _now(service))

    def text() -> str:
        lines = [f"Restored {result.facts.describe()} from {result.source}."]
        if result.safety_backup:
            lines.append(f"The journal as it was is kept in {result.safety_backup}.")
        if result.set_aside:
            lines.append(f"The damaged journal is kept as {result.set_aside}.")
        return "\n".join(lines)

    data = {"restored_from": str(result.source), "customers": result.facts.customers,
            "conversations": result.facts.conversations,
            "previous_journal_backup": str(result.safety_backup or "") or None,
            "damaged_journal_kept_as": str(result.set_aside or "") or None}
    _emit(data, args.json, text, out)
    return 0


def cmd_check(service: JournalService | None, args: argparse.Namespace, out: TextIO) -> int:
    journal = _journal(service, args)
    facts = backups.check(journal)
    latest = backups.list_backups(journal.parent, with_counts=False)
    newest = latest[0] if latest else None

    def text() -> str:
        line = (f"The journal is sound: {facts.describe()} (schema {facts.schema_version}, "
                f"{human_size(facts.size)}).")
        if newest:
            line += (f"\nLatest backup: {newest.made_at:%Y-%m-%d %H:%M} "
                     f"({newest.label.lower()}), {newest.path}.")
        else:
            line += "\nNo backups yet; the app makes one each day it is opened."
        return line

    data = {"ok": True, "customers": facts.customers, "conversations": facts.conversations,
            "schema_version": facts.schema_version, "size": facts.size,
            "latest_backup": str(newest.path) if newest else None}
    _emit(data, args.json, text, out)
    return 0


def cmd_backups(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    journal = _journal(service)
    policy = backups.load_policy(service.db)
    changes = {name: value for name, value in (("daily", args.keep_daily),
                                               ("weekly", args.keep_weekly),
                                               ("monthly", args.keep_monthly))
               if value is not None}
    if changes:
        from dataclasses import replace

        policy = backups.check_policy(replace(policy, **changes))
        backups.save_policy(service.db, policy, service.clock())
        backups.rotate(journal.parent, policy)
    entries = backups.list_backups(journal.parent)

    def text() -> str:
        lines = [f"Backups in {backups.backups_dir(journal.parent)}; keeping "
                 f"{policy.describe()}."]
        if not entries:
            lines.append("No backups yet; the app makes one each day it is opened.")
        for e in entries:
            counts = (f"{e.customers} customers, {e.conversations} conversations"
                      if e.readable else "cannot be read")
            lines.append(f"  {e.made_at:%Y-%m-%d %H:%M}  {e.label:<22} {counts:<40} "
                         f"{human_size(e.size):>9}  {e.path.name}")
        return "\n".join(lines)

    data = {"folder": str(backups.backups_dir(journal.parent)),
            "keep": {"daily": policy.daily, "weekly": policy.weekly,
                     "monthly": policy.monthly},
            "backups": [{"file": str(e.path), "made_at": e.made_at.isoformat(),
                         "kind": e.reason, "size": e.size, "customers": e.customers,
                         "conversations": e.conversations} for e in entries]}
    _emit(data, args.json, text, out)
    return 0
