"""Command line import and export (loaded by journal.cli through CLI_EXTENSIONS).

    journal import FILE [--format vcard|csv] [--on-duplicate update|skip] [--json]
    journal export customers|purchases|conversations|vcard -o FILE
                   [--from DATE] [--to DATE] [--delimiter ,|;] [--no-bom]
                   [--vcard-version 3.0|4.0] [--json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from journal.domain import dates
from journal.domain.csv_export import CsvKind, CsvOptions
from journal.domain.exporter import EXPORT_KINDS, export_csv, export_vcard
from journal.domain.importer import DuplicatePolicy, import_file, remember_policy
from journal.domain.service import JournalService

Handler = Callable[[JournalService, argparse.Namespace, TextIO], int]
DELIMITERS = {",": ",", "comma": ",", ";": ";", "semicolon": ";"}


def _print(data: dict[str, Any], as_json: bool, text: str, out: TextIO) -> None:
    if as_json:
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(text.rstrip("\n") + "\n")


def cmd_import(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    policy = DuplicatePolicy(args.on_duplicate) if args.on_duplicate else None
    report = import_file(service, Path(args.file).expanduser(), args.format, policy)
    if policy is not None:
        remember_policy(service, policy)
    _print(report.as_dict(), args.json, report.text(), out)
    return 0


def cmd_export(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    start = dates.parse_date(args.start, "start date") if args.start else None
    end = dates.parse_date(args.end, "end date") if args.end else None
    path = Path(args.output).expanduser()
    if args.what == "vcard":
        if start or end:
            from journal.errors import ValidationError

            raise ValidationError("Dates apply to the purchases and conversations exports; "
                                  "a vCard export holds every customer.")
        report = export_vcard(service, path, version=args.vcard_version)
    else:
        options = CsvOptions(delimiter=DELIMITERS[args.delimiter], bom=not args.no_bom)
        report = export_csv(service, CsvKind(args.what), path, options, start, end)
    _print(report.as_dict(), args.json, report.summary(), out)
    return 0


def add_commands(subparsers: Any, common: argparse.ArgumentParser,
                 json_flag: Callable[[argparse.ArgumentParser], None]) -> dict[str, Handler]:
    imp = subparsers.add_parser(
        "import", parents=[common], help="import contacts from a vCard or CSV file",
        description="Import contacts from a vCard (.vcf) or CSV file. A contact already in "
                    "the journal (same UID, email or phone) is updated or skipped; the whole "
                    "import is saved at once or not at all.")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--format", choices=["vcard", "csv"],
                     help="the file's format (default: from its name and content)")
    imp.add_argument("--on-duplicate", choices=[p.value for p in DuplicatePolicy],
                     help="what to do with a contact already in the journal (default: the "
                          "last choice, at first skip); the choice is remembered")
    json_flag(imp)

    exp = subparsers.add_parser(
        "export", parents=[common], help="export customers, purchases or conversations",
        description="Export for your accountant (CSV) or your address book (vCard).")
    exp.add_argument("what", choices=list(EXPORT_KINDS),
                     help="customers (with purchase totals), purchases, conversations, or "
                          "vcard (every customer as a .vcf file)")
    exp.add_argument("-o", "--output", required=True, metavar="FILE", help="file to write")
    exp.add_argument("--from", dest="start", metavar="DATE",
                     help="first day to include, YYYY-MM-DD (purchases, conversations)")
    exp.add_argument("--to", dest="end", metavar="DATE",
                     help="last day to include, YYYY-MM-DD (purchases, conversations)")
    exp.add_argument("--delimiter", choices=list(DELIMITERS), default=",",
                     help="between fields: ',' (default) or ';' (decimal comma then)")
    exp.add_argument("--no-bom", action="store_true",
                     help="UTF-8 without the byte-order mark (Excel needs the mark to show "
                          "accents right)")
    exp.add_argument("--vcard-version", choices=["3.0", "4.0"], default="3.0",
                     help="vCard version to write (default 3.0, read by every address book)")
    json_flag(exp)
    return {"import": cmd_import, "export": cmd_export}
