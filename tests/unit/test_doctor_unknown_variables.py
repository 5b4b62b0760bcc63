"""Issue 12: ``factdesk doctor`` warns about ``FACTDESK_*`` names that no setting reads.

The settings ignore unknown names, so a typo such as ``FACTDESK_CORPUS`` silently served
the bundled corpus. Each test clears every ``FACTDESK_`` variable and works in its own
directory, so no developer's ``.env`` is read.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.cmd_ops import check_unknown_variables


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("FACTDESK_"):
            monkeypatch.delenv(name)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    monkeypatch.setenv("FACTDESK_DATABASE", str(tmp_path / "state" / "factdesk.db"))
    monkeypatch.setenv("FACTDESK_HEARTBEAT_FILE", str(tmp_path / "state" / "heartbeat.json"))
    return workdir


def test_a_typo_in_the_environment_names_the_variable_it_meant(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_CORPUS", "/srv/claims")
    main(["doctor"])
    out = capsys.readouterr().out
    assert (
        "warn  settings: unknown variable FACTDESK_CORPUS (in the environment): "
        "did you mean FACTDESK_CORPUS_DIR?\n      fix: rename it to FACTDESK_CORPUS_DIR"
    ) in out


def test_a_typo_in_the_dotenv_file_is_named_with_the_file(
    capsys: pytest.CaptureFixture[str], clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text(
        "# local settings\nexport FACTDESK_LOG_FORMATT=json\nFACTDESK_LOG_LEVEL=INFO\n",
        encoding="utf-8",
    )
    main(["doctor"])
    out = capsys.readouterr().out
    assert (
        "unknown variable FACTDESK_LOG_FORMATT (in .env): did you mean FACTDESK_LOG_FORMAT?" in out
    )
    assert "FACTDESK_LOG_LEVEL (" not in out


def test_known_and_foreign_names_are_not_reported() -> None:
    environ = {"FACTDESK_OWNER_IDS": "[1]", "PATH": "/bin", "FACTDESK_DATABASE": "x.db"}
    assert check_unknown_variables(environ, None) == []


def test_a_name_like_no_setting_says_so_and_is_echoed_safely() -> None:
    (finding,) = check_unknown_variables({"FACTDESK_\x1b[31mZZZZZZZZZZZZZZZZ": "1"}, None)
    assert finding.level == "warn"
    assert "\x1b" not in finding.message
    assert finding.message.endswith("no setting reads it")


def test_unknown_variables_are_reported_even_when_the_settings_fail(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_OWNER_IDS", "1,2")
    monkeypatch.setenv("FACTDESK_OWNERS", "[1]")
    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  settings: FACTDESK_OWNER_IDS" in out
    assert "unknown variable FACTDESK_OWNERS (in the environment): did you mean" in out
