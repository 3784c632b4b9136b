"""`journal backup`, `journal restore`, `journal check` and `journal backups`, end to end."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from journal.cli import main
from journal.paths import JOURNAL_FILENAME


@pytest.fixture
def data_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    folder = tmp_path / "data"
    assert main(["demo", "--contacts", "12", "--data-dir", str(folder)]) == 0
    capsys.readouterr()
    return folder


def run(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]
        ) -> tuple[int, str, str]:
    code = main([*args, "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def flip_bytes(journal: Path) -> None:
    conn = sqlite3.connect(journal)
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'contacts'")]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with journal.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size + (100 if page == 1 else 0))
            handle.write(b"\xff\x13\x37\xff" * 4)


def test_backup_into_the_backups_folder_and_to_a_file(data_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    code, out, err = run(data_dir, "backup", capsys=capsys)
    assert code == 0 and err == ""
    assert out.startswith("Backed up 12 customers and ")
    made = list((data_dir / "backups").glob("journal-*-manual.sqlite3"))
    assert len(made) == 1 and str(made[0]) in out

    target = tmp_path / "usb" / "shop.sqlite3"
    target.parent.mkdir()
    code, out, _ = run(data_dir, "backup", "-o", str(target), "--json", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert data["file"] == str(target) and data["size"] == target.stat().st_size

    code, out, err = run(data_dir, "backup", "-o", str(target), capsys=capsys)
    assert code == 2 and out == ""
    assert err == f"journal: {target} already exists; choose another name.\n"


def test_backup_to_a_folder_that_is_not_there_saves_nothing(
        data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """'-o /media/usb' with the stick not plugged in: a plain message, and no file named
    'usb' left where the stick's folder should be."""
    media = tmp_path / "media"
    media.mkdir()
    code, out, err = run(data_dir, "backup", "-o", str(media / "usb"), capsys=capsys)
    assert code == 2 and out == ""
    assert err == (f"journal: The folder {media / 'usb'} is not there (is the USB stick "
                   "plugged in?); nothing was saved. To save to a new file, give a name "
                   "ending in .sqlite3.\n")
    assert list(media.iterdir()) == []
    (media / "usb").mkdir()  # plugged in: the backup goes into it
    code, out, _ = run(data_dir, "backup", "-o", str(media / "usb"), capsys=capsys)
    assert code == 0 and len(list((media / "usb").glob("journal-backup-*.sqlite3"))) == 1


def test_check_a_sound_journal(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(data_dir, "check", capsys=capsys)
    assert code == 0
    assert out.startswith("The journal is sound: 12 customers and ")
    assert "No backups yet" in out
    run(data_dir, "backup", capsys=capsys)
    code, out, _ = run(data_dir, "check", "--json", capsys=capsys)
    data = json.loads(out)
    assert data["ok"] and data["customers"] == 12 and data["latest_backup"].endswith(
        "-manual.sqlite3")


def test_check_finds_flipped_bytes(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flip_bytes(data_dir / JOURNAL_FILENAME)
    code, out, err = run(data_dir, "check", capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith("journal: journal.sqlite3 is damaged")
    assert "Restore the latest good backup" in err
    assert err.count("\n") == 1


def test_restore_a_backup(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(data_dir, "backup", capsys=capsys)
    saved = next((data_dir / "backups").glob("journal-*-manual.sqlite3"))
    run(data_dir, "add", "Added Later", capsys=capsys)
    code, out, err = run(data_dir, "restore", str(saved), capsys=capsys)
    assert code == 0 and err == ""
    assert out.startswith("Restored 12 customers and ")
    assert "The journal as it was is kept in" in out
    code, out, _ = run(data_dir, "search", "Added", capsys=capsys)
    assert "Nothing matches" in out
    before = next((data_dir / "backups").glob("journal-*-before-restore.sqlite3"))
    code, out, _ = run(data_dir, "restore", str(before), "--json", capsys=capsys)
    assert json.loads(out)["customers"] == 13


def test_restore_refuses_a_file_that_is_not_a_journal(data_dir: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    journal = data_dir / JOURNAL_FILENAME
    before = digest(journal)
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list")
    for path, sentence in ((notes, "notes.txt is not a Relationship Journal file"),
                           (tmp_path / "missing.sqlite3", "There is no file at")):
        code, out, err = run(data_dir, "restore", str(path), capsys=capsys)
        assert code == 2 and out == ""
        assert err.startswith(f"journal: {sentence}") and err.count("\n") == 1
    assert digest(journal) == before
    assert not (data_dir / "backups").exists()


def test_backups_lists_and_sets_how_many_to_keep(data_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(data_dir, "backups", capsys=capsys)
    assert code == 0 and "No backups yet" in out
    run(data_dir, "backup", capsys=capsys)
    code, out, _ = run(data_dir, "backups", "--keep-daily", "14", "--keep-monthly", "24",
                       capsys=capsys)
    assert "the last 14 days, 4 weeks and 24 months" in out
    assert "Made by you" in out and "12 customers" in out
    code, out, _ = run(data_dir, "backups", "--json", capsys=capsys)
    data = json.loads(out)
    assert data["keep"] == {"daily": 14, "weekly": 4, "monthly": 24}
    assert data["backups"][0]["kind"] == "manual" and data["backups"][0]["customers"] == 12
    code, _, err = run(data_dir, "backups", "--keep-daily", "0", capsys=capsys)
    assert code == 2 and err == "journal: Keep at least one daily backup.\n"


def test_restore_and_check_work_without_opening_the_journal(data_dir: Path, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    """A journal whose header is destroyed cannot be opened at all; `restore` and `check`
    find it from --data-dir themselves (WITHOUT_SERVICE), so the CLI can rescue it once
    journal.cli.run_command calls them with service=None."""
    import argparse
    import io

    from journal.cli_backup import WITHOUT_SERVICE, cmd_check, cmd_restore

    assert sorted(WITHOUT_SERVICE) == ["check", "restore"]
    run(data_dir, "backup", capsys=capsys)
    saved = next((data_dir / "backups").glob("journal-*-manual.sqlite3"))
    journal = data_dir / JOURNAL_FILENAME
    with journal.open("r+b") as handle:
        handle.write(b"garbage garbage garbage")
    out = io.StringIO()
    args = argparse.Namespace(data_dir=str(data_dir), file=saved, json=False)
    assert cmd_restore(None, args, out) == 0
    assert out.getvalue().startswith("Restored 12 customers")
    assert "The damaged journal is kept as " in out.getvalue()
    assert len(list(data_dir.glob("journal.damaged-*.sqlite3"))) == 1
    out = io.StringIO()
    assert cmd_check(None, argparse.Namespace(data_dir=str(data_dir), json=False), out) == 0
    assert out.getvalue().startswith("The journal is sound: 12 customers")
