"""``factdesk corpus check`` and ``factdesk corpus import``, run through the real parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_check_clean_directory_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "check", str(FIXTURES / "corpus" / "good")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1
    assert "2 fact-checks loaded, 0 problems in 0 files" in out[0]


def test_check_prints_every_problem_and_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    broken = FIXTURES / "corpus" / "broken"
    assert main(["corpus", "check", str(broken)]) == 1
    lines = capsys.readouterr().out.splitlines()
    problems, summary = lines[:-1], lines[-1]
    assert f"{broken}/bad-date.md:4: checked_on: " in "\n".join(problems)
    assert any(line.startswith(f"{broken}/unknown-citation.md:16: ") for line in problems)
    assert any(line.startswith(f"{broken}/duplicate-b.md:3: id: duplicate") for line in problems)
    assert any(line == f"{broken}/empty.md: file is empty" for line in problems)
    assert len(problems) == 11
    assert "2 fact-checks loaded, 11 problems in 11 files" in summary


def test_import_writes_files_that_check_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = FIXTURES / "imports" / "claimreview-list.json"
    out = tmp_path / "claims"
    code = main(["corpus", "import", str(source), "--format", "claimreview", "--out", str(out)])
    assert code == 1  # the list holds one record that is not a ClaimReview
    printed = capsys.readouterr().out
    assert "[2]: not a ClaimReview" in printed
    assert "2 files written" in printed
    assert sorted(p.name for p in out.glob("*.md")) == [
        "2023-bridge-1b49066c.md",
        "es-agua-feb88e77.md",
    ]
    assert main(["corpus", "check", str(out)]) == 0


def test_import_jsonl_guesses_the_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = FIXTURES / "imports" / "vclaims-sample.jsonl"
    assert main(["corpus", "import", str(source), "--out", str(tmp_path)]) == 1
    assert len(list(tmp_path.glob("*.md"))) == 5
    assert "5 files written" in capsys.readouterr().out


def test_import_of_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "import", str(tmp_path / "nope.json"), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
