"""The command line end to end, in a temporary data folder."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from journal.cli import main
from journal.paths import JOURNAL_FILENAME


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]
        ) -> tuple[int, str, str]:
    code = main([*args, "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_add_log_show_and_search(data_dir, capsys):
    code, out, _ = run(data_dir, "add", "Margaret O'Brien", "--preferred", "Peggy",
                       "--email", "peggy@example.com", "--phone", "+353 87 123 4567",
                       "--birthday", "--02-29", "--every", "14", "--tag", "regulars",
                       capsys=capsys)
    assert code == 0 and "Added Margaret O'Brien" in out
    code, out, _ = run(data_dir, "log", "peggy", "Bought tulips", "--details",
                       "Her spaniel Biscuit is unwell", "--channel", "phone", capsys=capsys)
    assert code == 0 and "Next check-in" in out
    code, out, _ = run(data_dir, "show", "O'Brien", "--json", capsys=capsys)
    shown = json.loads(out)
    assert shown["contact"]["preferred_name"] == "Peggy"
    assert shown["contact"]["birthday"] == {"month": 2, "day": 29, "year": None}
    assert shown["conversations"][0]["channel"] == "phone"
    code, out, _ = run(data_dir, "search", "biscuit", "--json", capsys=capsys)
    hits = json.loads(out)
    assert [h["contact_name"] for h in hits] == ["Margaret O'Brien"]
    assert hits[0]["source"] == "conversation"


def test_logging_a_conversation_removes_a_due_contact_from_the_agenda(data_dir, capsys):
    assert run(data_dir, "demo", capsys=capsys)[0] == 0
    code, out, _ = run(data_dir, "due", "--json", capsys=capsys)
    agenda = json.loads(out)
    assert agenda["overdue"] or agenda["due_today"]
    assert agenda["dates"], "the sample shop has birthdays this week"
    due = (agenda["overdue"] + agenda["due_today"])[0]
    code, _, _ = run(data_dir, "log", str(due["contact_id"]), "Caught up", capsys=capsys)
    assert code == 0
    after = json.loads(run(data_dir, "due", "--json", capsys=capsys)[1])
    ids = [c["contact_id"] for c in after["overdue"] + after["due_today"] + after["drifting"]]
    assert due["contact_id"] not in ids


def test_demo_refuses_a_journal_with_customers(data_dir, capsys):
    run(data_dir, "add", "Real Customer", capsys=capsys)
    before = digest(data_dir / JOURNAL_FILENAME)
    code, _, err = run(data_dir, "demo", capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and "already holds customers" in err
    assert digest(data_dir / JOURNAL_FILENAME) == before


@pytest.mark.parametrize("args", [
    ("add", ""),
    ("add", "X", "--birthday", "2023-02-30"),
    ("add", "X", "--birthday", "--13-01"),
    ("add", "X", "--every", "-3"),
    ("add", "X", "--every", "0"),
    ("add", "X", "--email", "not-an-email"),
    ("add", "X", "--every", "many"),
    ("log", "nobody", "Hello"),
    ("log", "Ann", "Hello"),  # ambiguous: Ann Lee and Anna Berg
    ("log", "Ann Lee", "   "),
    ("log", "Ann Lee", "Hi", "--at", "yesterday"),
    ("log", "Ann Lee", "Hi", "--follow-up", "2026-13-01"),
    ("log", "Ann Lee", "Hi", "--channel", "pigeon"),
    ("due", "--on", "2026-02-30"),
    ("due", "--days", "-1"),
    ("show", "999"),
    ("list", "--sort", "shoe-size"),
])
def test_bad_input_exits_2_with_one_line_and_changes_nothing(data_dir, capsys, args):
    run(data_dir, "add", "Ann Lee", capsys=capsys)
    run(data_dir, "add", "Anna Berg", capsys=capsys)
    before = digest(data_dir / JOURNAL_FILENAME)
    code, out, err = run(data_dir, *args, capsys=capsys)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert digest(data_dir / JOURNAL_FILENAME) == before


def test_ambiguous_fragment_lists_the_candidates(data_dir, capsys):
    run(data_dir, "add", "Ann Lee", capsys=capsys)
    run(data_dir, "add", "Anna Berg", capsys=capsys)
    _, _, err = run(data_dir, "log", "ann", "Hi", capsys=capsys)
    assert "Ann Lee (#1)" in err and "Anna Berg (#2)" in err


def test_contact_by_email_fragment_uid_and_id(data_dir, capsys):
    run(data_dir, "add", "Ann Lee", "--email", "ann@shop.example", capsys=capsys)
    uid = json.loads(run(data_dir, "show", "1", "--json", capsys=capsys)[1])["contact"]["uid"]
    for ref in ("shop.example", uid, "1"):
        code, out, _ = run(data_dir, "show", ref, "--json", capsys=capsys)
        assert code == 0 and json.loads(out)["contact"]["display_name"] == "Ann Lee"


def test_list_filters_by_tag_and_archived(data_dir, capsys):
    run(data_dir, "add", "Ann Lee", "--tag", "vip", capsys=capsys)
    run(data_dir, "add", "Bo Chen", capsys=capsys)
    out = run(data_dir, "list", "--tag", "vip", "--json", capsys=capsys)[1]
    assert [r["display_name"] for r in json.loads(out)] == ["Ann Lee"]
    out = run(data_dir, "list", "--archived", "--json", capsys=capsys)[1]
    assert json.loads(out) == []
    # in words: none archived is not "no customers yet"
    assert run(data_dir, "list", "--archived", capsys=capsys)[1] == "No archived customers.\n"
    assert run(data_dir, "list", "--tag", "nobody", capsys=capsys)[1] == "No customers match.\n"


def test_due_says_how_to_greet_only_when_the_name_does_not(data_dir, capsys):
    run(data_dir, "add", "Aoife Murphy", "--every", "7", capsys=capsys)
    run(data_dir, "add", "Catherine Dubois", "--preferred", "Cathy", "--every", "7",
        capsys=capsys)
    for who in ("aoife", "catherine"):
        assert run(data_dir, "log", who, "Hello", "--at", "2026-01-05 10:00",
                   capsys=capsys)[0] == 0
    out = run(data_dir, "due", "--on", "2026-01-13", capsys=capsys)[1]
    assert "  Aoife Murphy — last talked" in out
    assert "  Catherine Dubois (call them Cathy) — last talked" in out


def test_journal_file_is_private(data_dir, capsys):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    old = os.umask(0)
    try:
        run(data_dir, "add", "Ann Lee", capsys=capsys)
    finally:
        os.umask(old)
    assert (data_dir.stat().st_mode & 0o777) == 0o700
    assert ((data_dir / JOURNAL_FILENAME).stat().st_mode & 0o777) == 0o600


def test_every_subcommand_has_help():
    for command in ("add", "log", "due", "list", "show", "search", "demo"):
        result = subprocess.run([sys.executable, "-m", "journal", command, "--help"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0
        assert "--data-dir" in result.stdout


def test_environment_variable_chooses_the_data_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("JOURNAL_DATA_DIR", str(tmp_path / "env-data"))
    assert main(["add", "Env Person"]) == 0
    assert (tmp_path / "env-data" / JOURNAL_FILENAME).exists()


def test_no_display_prints_one_helpful_line(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["JOURNAL_DATA_DIR"] = str(tmp_path)
    if not sys.platform.startswith("linux"):
        pytest.skip("display detection is Linux-specific")
    result = subprocess.run([sys.executable, "-m", "journal"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "no display" in result.stderr


def test_install_desktop_adds_and_removes_the_menu_entry(tmp_path, capsys, monkeypatch):
    if not sys.platform.startswith("linux"):
        pytest.skip("desktop entries are a Linux feature")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main(["install-desktop"]) == 0
    entry = tmp_path / "share" / "applications" / "relationship-journal.desktop"
    assert "Name=Relationship Journal" in entry.read_text()
    assert main(["install-desktop", "--remove"]) == 0
    assert not entry.exists()
    assert "Removed 3 file(s)" in capsys.readouterr().out


def test_show_uses_the_tags_rhythm_when_the_customer_has_none(data_dir, capsys):
    from journal.domain import rhythms
    from journal.domain.service import JournalService

    run(data_dir, "add", "Ann Lee", "--tag", "regulars", capsys=capsys)
    service = JournalService.open(data_dir / JOURNAL_FILENAME)
    contact = service.find_contact("Ann Lee")
    service.set_cadence(contact.id, None)
    rhythms.set_tag_rhythm(service, "regulars", 14)
    service.close()
    shown = json.loads(run(data_dir, "show", "Ann Lee", "--json", capsys=capsys)[1])
    assert shown["next_check_in"] is not None
    assert "every 2 weeks" in run(data_dir, "show", "Ann Lee", capsys=capsys)[1]


def test_exports_are_private_even_under_a_permissive_umask(data_dir, tmp_path, capsys):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    run(data_dir, "add", "Ann Lee", capsys=capsys)
    target = tmp_path / "customers.csv"
    old = os.umask(0)
    try:
        code, _, err = run(data_dir, "export", "customers", "-o", str(target), capsys=capsys)
    finally:
        os.umask(old)
    assert code == 0, err
    assert (target.stat().st_mode & 0o777) == 0o600


def test_show_and_list_name_the_relationship_state_as_the_window_does(data_dir, capsys):
    """Someone never talked to is "Never contacted", not on track or drifting."""
    run(data_dir, "add", "Nina New", "--every", "7", capsys=capsys)
    code, out, _ = run(data_dir, "show", "Nina", capsys=capsys)
    assert code == 0 and "(Never contacted)" in out
    assert "Never contacted" in run(data_dir, "list", capsys=capsys)[1]
    run(data_dir, "log", "Nina", "Said hello", capsys=capsys)
    assert "(On track)" in run(data_dir, "show", "Nina", capsys=capsys)[1]


def test_opening_the_app_takes_only_the_app_options(tmp_path, monkeypatch):
    """`journal` with only --data-dir, --sample or --minimized opens the app; anything else
    is a command, --help or a mistake, for the full parser."""
    import journal.app

    opened: list[dict[str, object]] = []
    monkeypatch.setattr(journal.app, "start_gui",
                        lambda args: opened.append(vars(args)) or 0)
    folder = str(tmp_path / "data")
    assert main(["--data-dir", folder, "--sample"]) == 0
    assert main([f"--data-dir={folder}", "--minimized"]) == 0
    assert opened == [{"data_dir": folder, "sample": True, "command": None},
                      {"data_dir": folder, "minimized": True, "command": None}]
    assert main(["--data-dir", folder, "due"]) == 0 and len(opened) == 2


def test_app_option_mistakes_get_the_usual_one_line_error(tmp_path, capsys):
    assert main(["--data-dir"]) == 2
    assert "expected one argument" in capsys.readouterr().err
    assert main(["--sample=yes"]) == 2
    assert "ignored explicit argument" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "install-desktop" in capsys.readouterr().out


def test_version_names_the_app(capsys):
    from journal import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"Relationship Journal {__version__}\n"
