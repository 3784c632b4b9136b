"""journal import / journal export, end to end in a temporary data folder."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from journal.cli import main
from journal.paths import JOURNAL_FILENAME

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def run(data_dir: Path, *args: str, capsys: pytest.CaptureFixture[str]
        ) -> tuple[int, str, str]:
    code = main([*args, "--data-dir", str(data_dir)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_reports_and_a_second_import_adds_nobody(data_dir, capsys):
    code, out, _ = run(data_dir, "import", str(FIXTURES / "iphone.vcf"), capsys=capsys)
    assert code == 0
    assert out.startswith("Imported iphone.vcf (vCard): 4 added, 0 updated.")
    code, out, _ = run(data_dir, "import", str(FIXTURES / "iphone.vcf"), "--on-duplicate",
                       "update", "--json", capsys=capsys)
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 4)
    assert report["on_duplicate"] == "update"
    # The choice is remembered for the next import.
    code, out, _ = run(data_dir, "import", str(FIXTURES / "iphone.vcf"), "--json",
                       capsys=capsys)
    assert json.loads(out)["on_duplicate"] == "update"
    code, out, _ = run(data_dir, "show", "Peggy", "--json", capsys=capsys)
    shown = json.loads(out)["contact"]
    assert shown["preferred_name"] == "Peggy"
    assert shown["birthday"] == {"month": 2, "day": 29, "year": None}


def test_import_csv_with_problems_lists_lines(data_dir, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("Name,Email,Notes\nAnna,anna@example.com,\n,,only a note\n"
                    "Bo,not-an-email,\n", encoding="utf-8")
    code, out, _ = run(data_dir, "import", str(path), capsys=capsys)
    assert code == 0
    assert "2 added" in out and "1 not imported" in out
    assert "line 3: this row has no name, email or phone" in out
    assert "line 4 (Bo): 'not-an-email' is not an email address and was left out" in out
    code, out, _ = run(data_dir, "import", str(path), "--json", capsys=capsys)
    assert json.loads(out)["problems"][0]["line"] == 3


@pytest.mark.parametrize(("args", "message"), [
    (("import", "missing.vcf"), "There is no file"),
    (("import", str(FIXTURES / "google.csv"), "--format", "vcard"), "not a vCard file"),
    (("import", str(FIXTURES / "google.vcf"), "--format", "csv"), "holds vCard contacts"),
    (("export", "purchases", "-o", "/nonexistent/folder/p.csv"), "does not exist"),
    (("export", "purchases", "-o", "p.csv", "--from", "2026-02-30"), "not a real start date"),
    (("export", "purchases", "-o", "p.csv", "--from", "2026-03-01", "--to", "2026-02-01"),
     "after the end date"),
    (("export", "vcard", "-o", "c.vcf", "--from", "2026-03-01"), "Dates apply"),
])
def test_errors_are_one_line_exit_2_and_change_nothing(data_dir, tmp_path, capsys, args,
                                                        message):
    run(data_dir, "add", "Anna Smith", capsys=capsys)
    journal = data_dir / JOURNAL_FILENAME
    before = hashlib.sha256(journal.read_bytes()).hexdigest()
    args = tuple(str(tmp_path / a) if a in ("missing.vcf", "p.csv", "c.vcf") else a
                 for a in args)
    code, out, err = run(data_dir, *args, capsys=capsys)
    assert code == 2 and out == ""
    assert err.startswith("journal: ") and message in err and err.count("\n") == 1
    assert hashlib.sha256(journal.read_bytes()).hexdigest() == before


def test_exports(data_dir, tmp_path, capsys):
    assert run(data_dir, "demo", "--contacts", "20", capsys=capsys)[0] == 0
    purchases = tmp_path / "purchases.csv"
    code, out, _ = run(data_dir, "export", "purchases", "-o", str(purchases), "--from",
                       "2000-01-01", "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["kind"] == "purchases" and report["rows"] > 0
    raw = purchases.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfDate,Purchase ID,")
    code, out, _ = run(data_dir, "export", "customers", "-o", str(tmp_path / "c.csv"),
                       "--delimiter", ";", "--no-bom", capsys=capsys)
    assert code == 0 and out.startswith("Exported ")
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle, delimiter=";"))
    assert header[:2] == ["Customer ID", "Name"]
    code, out, _ = run(data_dir, "export", "conversations", "-o", str(tmp_path / "t.csv"),
                       "--to", "2100-01-01", capsys=capsys)
    assert code == 0 and "up to 2100-01-01" in out
    code, out, _ = run(data_dir, "export", "vcard", "-o", str(tmp_path / "all.vcf"),
                       "--vcard-version", "4.0", capsys=capsys)
    assert code == 0 and "Exported 20 customers" in out
    assert (tmp_path / "all.vcf").read_bytes().count(b"VERSION:4.0\r\n") == 20
    # The vCard export reads back into the same journal without adding anyone.
    code, out, _ = run(data_dir, "import", str(tmp_path / "all.vcf"), "--on-duplicate",
                       "update", "--json", capsys=capsys)
    report = json.loads(out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 20)


def test_help_lists_the_commands(capsys):
    assert main(["export", "--help"]) == 0
    out = capsys.readouterr().out
    assert "customers,purchases,conversations,vcard" in out and "--no-bom" in out
