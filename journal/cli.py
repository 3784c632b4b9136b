"""The command line: parse, call the services, print. No rules live here."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from journal import APP_NAME, __version__
from journal.domain import dates
from journal.domain.agenda import Agenda
from journal.domain.relationship import state_of_list_row
from journal.domain.service import JournalService
from journal.errors import JournalError, ValidationError
from journal.model import (
    Channel,
    Contact,
    ContactDraft,
    ContactMethod,
    ConversationDraft,
    Direction,
    Kind,
    MethodKind,
)
from journal.paths import JOURNAL_FILENAME, resolve_data_dir
from journal.store.search import SNIPPET_END, SNIPPET_START

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line on stderr, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def _common() -> _Parser:
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                        help="folder holding the journal (default: your data folder, "
                             "or $JOURNAL_DATA_DIR)")
    return common


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = _Parser(prog="journal", parents=[common],
                     description="Relationship Journal: your customers, your conversations, "
                                 "on your own computer. With no command, opens the app.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--minimized", action="store_true", default=argparse.SUPPRESS,
                        help="open in the tray without a window (used when starting at login)")
    parser.add_argument("--sample", action="store_true", default=argparse.SUPPRESS,
                        help="open the app on the sample shop instead of your journal")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    add = sub.add_parser("add", parents=[common], help="add a customer")
    add.add_argument("name", help="full name, e.g. 'Margaret O'Brien'")
    add.add_argument("--preferred", default="", help="what they like to be called")
    add.add_argument("--email", action="append", default=[], help="email (repeatable)")
    add.add_argument("--phone", action="append", default=[], help="phone (repeatable)")
    add.add_argument("--company", default="")
    add.add_argument("--birthday", help="YYYY-MM-DD, or --MM-DD when the year is unknown")
    add.add_argument("--every", type=int, metavar="DAYS", help="check in every DAYS days")
    add.add_argument("--tag", action="append", default=[], help="tag (repeatable)")
    add.add_argument("--notes", default="")
    _json_flag(add)

    log = sub.add_parser("log", parents=[common], help="log a conversation")
    log.add_argument("contact", metavar="CONTACT", help="id, uid, or part of a name or email")
    log.add_argument("summary", help="one line about it")
    log.add_argument("--details", default="")
    log.add_argument("--channel", choices=[c.value for c in Channel], default="in_person")
    log.add_argument("--kind", choices=[k.value for k in Kind], default="conversation")
    log.add_argument("--direction", choices=["in", "out"], default="in",
                     help="in: they reached out; out: I reached out")
    log.add_argument("--at", metavar="DATETIME", help="when (default now), e.g. 2026-11-20 14:30")
    log.add_argument("--follow-up", metavar="DATE", help="promise to follow up on DATE")
    _json_flag(log)

    due = sub.add_parser("due", parents=[common], help="the agenda: who to talk to")
    due.add_argument("--on", metavar="DATE", help="the day (default today)")
    due.add_argument("--days", type=int, default=7,
                     help="show birthdays and anniversaries this many days ahead (default 7)")
    _json_flag(due)

    lst = sub.add_parser("list", parents=[common], help="list customers")
    lst.add_argument("--tag")
    lst.add_argument("--archived", action="store_true", help="list archived customers")
    lst.add_argument("--sort", choices=["name", "last_talked", "next_check_in"], default="name")
    _json_flag(lst)

    show = sub.add_parser("show", parents=[common], help="everything about one customer")
    show.add_argument("contact", metavar="CONTACT")
    _json_flag(show)

    search = sub.add_parser("search", parents=[common], help="search names, notes, conversations")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=20)
    _json_flag(search)

    demo = sub.add_parser("demo", parents=[common],
                          help="fill an EMPTY journal with a sample shop to explore")
    demo.add_argument("--contacts", type=int, default=60)
    demo.add_argument("--conversations", type=int, default=None)
    demo.add_argument("--seed", type=int, default=7)
    _json_flag(demo)
    desktop = sub.add_parser("install-desktop", parents=[common],
                             help="add the app to your applications menu (Linux)")
    desktop.add_argument("--remove", action="store_true", help="take it out again")
    for module in _extension_modules():
        COMMANDS.update(module.add_commands(sub, common, _json_flag))
        WITHOUT_SERVICE.update(getattr(module, "WITHOUT_SERVICE", ()))
    return parser


def _extension_modules() -> list[Any]:
    """Subcommands that live in their own modules (import/export, backups …).

    Each module has ``add_commands(subparsers, common_parent, json_flag) -> {name: handler}``;
    a handler takes (service, args, out) and returns an exit code, like the ones below.
    """
    import importlib

    modules = []
    for name in CLI_EXTENSIONS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


CLI_EXTENSIONS = ("journal.cli_io", "journal.cli_backup")


# -- helpers ----------------------------------------------------------------------------------
def parse_datetime(text: str) -> dt.datetime:
    """'2026-11-20', '2026-11-20 14:30', or full ISO 8601 with an offset; naive = local."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"'{text}' is not a date and time: write e.g. 2026-11-20 14:30.") from None
    if len(text.strip()) == 10:
        moment = moment.replace(hour=12)
    return moment if moment.tzinfo else moment.astimezone()


def _plain(text: str) -> str:
    return text.replace(SNIPPET_START, "[").replace(SNIPPET_END, "]")


def to_json(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: to_json(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if hasattr(value, "iso"):
        return value.iso()
    return value


def emit(data: Any, as_json: bool, text: Callable[[], str], out: TextIO) -> None:
    if as_json:
        json.dump(to_json(data), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(text().rstrip("\n") + "\n")


# -- commands ---------------------------------------------------------------------------------
def cmd_add(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    given, _, family = args.name.strip().partition(" ")
    draft = ContactDraft(
        given_name=given, family_name=family, display_name=args.name,
        preferred_name=args.preferred, company=args.company, notes=args.notes,
        birthday=dates.parse_partial_date(args.birthday) if args.birthday else None,
        cadence_days=args.every, tags=args.tag,
        methods=[ContactMethod(MethodKind.EMAIL, e) for e in args.email]
        + [ContactMethod(MethodKind.PHONE, p) for p in args.phone])
    if args.every is None:
        draft.cadence_days = service.settings().default_cadence_days
    contact = service.add_contact(draft)
    emit(contact, args.json, lambda: f"Added {contact.display_name} (#{contact.id}).", out)
    return 0


def cmd_log(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    contact = service.find_contact(args.contact)
    draft = ConversationDraft(
        contact_id=contact.id, summary=args.summary, details=args.details,
        channel=Channel(args.channel), kind=Kind(args.kind), direction=Direction(args.direction),
        occurred_at=parse_datetime(args.at) if args.at else None,
        follow_up_on=dates.parse_date(args.follow_up, "follow-up date")
        if args.follow_up else None)
    conversation = service.log_conversation(draft)
    refreshed = service.contact(contact.id)
    next_on = service.next_check_in(refreshed)
    after = f" Next check-in: {next_on.isoformat()}." if next_on else ""
    emit(conversation, args.json,
         lambda: f"Logged a conversation with {contact.display_name}.{after}", out)
    return 0


def format_agenda(agenda: Agenda) -> str:
    today = agenda.today
    lines: list[str] = [f"Agenda for {today.isoformat()}"]
    if agenda.is_empty():
        return lines[0] + "\nNothing due: a quiet day. Enjoy it."

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.append(f"\n{title}")
            lines.extend(f"  {item}" for item in items)

    def check_in_line(c: Any) -> str:
        last = (f"last talked {dates.relative_day(c.last_talked_on, today)}"
                if c.last_talked_on else "never talked")
        return f"{c.name_to_greet} — {last}, due {c.due_on.isoformat()}"

    section("Overdue", [check_in_line(c) for c in agenda.overdue])
    section("Due today", [check_in_line(c) for c in agenda.due_today])
    section("Say hello (never talked yet)", [check_in_line(c) for c in agenda.say_hello])
    section("Follow-ups", [f"{f.contact_name}: {f.summary} (promised for "
                           f"{f.follow_up_on.isoformat() if f.follow_up_on else ''})"
                           for f in agenda.follow_ups])
    section("Reminders", [f"{r.contact_name}: {r.title}" for r in agenda.reminders])
    section("Birthdays and anniversaries", [
        f"{e.on.isoformat()} {e.name} — {e.title} ({dates.relative_day(e.on, today)})"
        for e in agenda.dates])
    section("Open complaints", [f"{c.contact_name}: {c.summary} "
                                f"(since {c.occurred_at.date().isoformat()})"
                                for c in agenda.complaints])
    section("Drifting away", [check_in_line(c) for c in agenda.drifting])
    return "\n".join(lines)


def cmd_due(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    on = dates.parse_date(args.on) if args.on else None
    agenda = service.agenda(on, args.days)
    data = {"today": agenda.today, "overdue": agenda.overdue, "due_today": agenda.due_today,
            "say_hello": agenda.say_hello, "drifting": agenda.drifting,
            "follow_ups": agenda.follow_ups,
            "reminders": agenda.reminders, "dates": agenda.dates,
            "complaints": agenda.complaints}
    emit(data, args.json, lambda: format_agenda(agenda), out)
    return 0


def cmd_list(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    rows = service.list_contacts(tag=args.tag, archived=args.archived, sort=args.sort)
    today = service.today()

    def text() -> str:
        if not rows and (args.archived or args.tag):
            return "No archived customers." if args.archived and not args.tag \
                else "No customers match."
        if not rows:
            return "No customers yet. Add one with: journal add \"Full Name\""
        lines = []
        for r in rows:
            last = dates.relative_day(r.last_talked_at.date(), today) if r.last_talked_at \
                else "never"
            tags = f" [{', '.join(r.tags)}]" if r.tags else ""
            lines.append(f"#{r.id:<5} {r.display_name:<30} last talked {last:<14} "
                         f"{state_of_list_row(r).label}{tags}")
        return "\n".join(lines)

    emit(rows, args.json, text, out)
    return 0


def format_contact(service: JournalService, contact: Contact) -> str:
    today = service.today()
    lines = [f"{contact.display_name} (#{contact.id})", f"  Call them: {contact.call_them}"
             + (f" — say it {contact.pronunciation}" if contact.pronunciation else "")]
    if contact.company or contact.job_title:
        lines.append(f"  {' at '.join(p for p in (contact.job_title, contact.company) if p)}")
    for method in contact.methods:
        label = f" ({method.label})" if method.label else ""
        lines.append(f"  {method.kind.value}{label}: {method.value}")
    if contact.birthday:
        upcoming = dates.next_occurrence(contact.birthday, today)
        age = dates.age_on(contact.birthday, upcoming)
        turns = f", turns {age}" if age is not None else ""
        lines.append(f"  Birthday: {contact.birthday.iso()} (next {upcoming.isoformat()}{turns})")
    next_on = service.next_check_in(contact)
    rhythm = dates.describe_cadence(service.effective_cadence(contact))
    state = service.relationship_state(contact).label  # as Today and Reports say it
    lines.append(f"  Check in: {rhythm}" + (f", next {next_on.isoformat()} ({state})"
                                            if next_on else ""))
    if contact.tags:
        lines.append(f"  Tags: {', '.join(contact.tags)}")
    if contact.notes:
        lines.append(f"  Notes: {contact.notes}")
    conversations = service.conversations_with(contact.id, limit=10)
    if conversations:
        lines.append("  Conversations:")
        for c in conversations:
            lines.append(f"    {c.occurred_at.strftime('%Y-%m-%d %H:%M')} {c.channel.label}: "
                         f"{c.summary}")
    totals = service.lifetime_totals(contact.id)
    if totals:
        from journal.domain.validation import format_amount

        lines.append("  Lifetime: " + ", ".join(format_amount(v, k) for k, v in totals.items()))
    return "\n".join(lines)


def cmd_show(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    contact = service.find_contact(args.contact)
    data = {"contact": contact, "state": service.check_in_state(contact),
            "next_check_in": service.next_check_in(contact),
            "conversations": service.conversations_with(contact.id),
            "purchases": service.purchases_of(contact.id),
            "lifetime_totals": service.lifetime_totals(contact.id),
            "reminders": service.reminders_of(contact.id)}
    emit(data, args.json, lambda: format_contact(service, contact), out)
    return 0


def cmd_search(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    hits = service.search(args.query, args.limit)
    for hit in hits:
        hit.snippet = _plain(hit.snippet)

    def text() -> str:
        if not hits:
            return f"Nothing matches '{args.query}'."
        return "\n".join(f"#{h.contact_id:<5} {h.contact_name:<28} {h.source:<12} {h.snippet}"
                         for h in hits)

    emit(hits, args.json, text, out)
    return 0


def cmd_demo(service: JournalService, args: argparse.Namespace, out: TextIO) -> int:
    from journal.domain.demo import DemoSize, fill

    added = fill(service.db, service.clock(),
                 DemoSize(args.contacts, args.conversations, args.seed))
    emit({"customers": added, "journal": str(service.path)}, args.json,
         lambda: f"Added the sample shop: {added} customers in {service.path}.", out)
    return 0


def cmd_install_desktop(args: argparse.Namespace, out: TextIO) -> int:
    from journal import desktop_integration

    if args.remove:
        removed = desktop_integration.uninstall_for_current_user()
        out.write(f"Removed {len(removed)} file(s) from your applications menu.\n")
    else:
        written = desktop_integration.install_for_current_user()
        out.write("Added Relationship Journal to your applications menu:\n")
        out.writelines(f"  {path}\n" for path in written)
    return 0


# Extension commands that must work when the journal cannot be opened (restore, check):
# their handlers get ``None`` for the service and open what they need themselves.
WITHOUT_SERVICE: set[str] = set()

# Commands that do not open a journal.
STANDALONE: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "install-desktop": cmd_install_desktop,
}

COMMANDS: dict[str, Callable[[JournalService, argparse.Namespace, TextIO], int]] = {
    "add": cmd_add, "log": cmd_log, "due": cmd_due, "list": cmd_list, "show": cmd_show,
    "search": cmd_search, "demo": cmd_demo,
}


def run_command(args: argparse.Namespace, out: TextIO | None = None,
                err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    if args.command in STANDALONE:
        try:
            return STANDALONE[args.command](args, out)
        except JournalError as error:
            err.write(f"journal: {error}\n")
            return EXIT_USAGE
    data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    if args.command in WITHOUT_SERVICE:
        try:
            return COMMANDS[args.command](None, args, out)  # type: ignore[arg-type]
        except JournalError as error:
            err.write(f"journal: {error}\n")
            return EXIT_USAGE
    try:
        service = JournalService.open(Path(data_dir) / JOURNAL_FILENAME)
    except JournalError as error:
        err.write(f"journal: {error}\n")
        return EXIT_USAGE
    try:
        return COMMANDS[args.command](service, args, out)
    except JournalError as error:
        err.write(f"journal: {error}\n")
        return EXIT_USAGE
    finally:
        service.close()


_YEARLESS = re.compile(r"^--\d{2}-?\d{2}$")


def _join_yearless_dates(argv: Sequence[str]) -> list[str]:
    """Let ``--birthday --02-29`` through: argparse would take --02-29 for an option."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] == "--birthday" and _YEARLESS.match(arg):
            joined[-1] = f"--birthday={arg}"
        else:
            joined.append(arg)
    return joined


# The options of a plain ``journal`` (open the app) and whether each takes a value.
_APP_OPTIONS = {"--data-dir": True, "--minimized": False, "--sample": False}


def _opens_the_app(argv: Sequence[str]) -> bool:
    """True when ``argv`` only opens the app: no command, no --help, nothing abbreviated."""
    position = 0
    while position < len(argv):
        name, equals, _value = argv[position].partition("=")
        if name not in _APP_OPTIONS or (equals and not _APP_OPTIONS[name]):
            return False
        position += 1 if equals or not _APP_OPTIONS[name] else 2
    return position == len(argv)


def _app_parser() -> argparse.ArgumentParser:
    """The top-level options alone: opening the app need not load every command's module."""
    parser = _Parser(prog="journal", parents=[_common()])
    parser.add_argument("--minimized", action="store_true", default=argparse.SUPPRESS)
    parser.add_argument("--sample", action="store_true", default=argparse.SUPPRESS)
    parser.set_defaults(command=None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _join_yearless_dates(sys.argv[1:] if argv is None else argv)
    parser = _app_parser() if _opens_the_app(arguments) else build_parser()
    try:
        args = parser.parse_args(arguments)
    except SystemExit as stop:  # --help, --version, or a usage error already printed
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    if args.command is None:
        from journal.app import start_gui

        return start_gui(args)
    return run_command(args)
