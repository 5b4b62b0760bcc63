"""Issue 12 §3: the command line exits quietly and in one line whatever it is given.

A closed stdout (``factdesk ask ... | head``), invalid settings, an unusable ``--out``,
hostile text echoed back: each gets one clear line (or none) and an exit code, never a
traceback. Settings come from the environment: each test clears every ``FACTDESK_``
variable and works in its own directory, so no developer's ``.env`` is read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot import __version__
from bot.cli import EXIT_BROKEN_PIPE, main
from bot.paths import PROJECT_ROOT

README_QUESTION = "did the US help the Mexican cartels?"
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in list(os.environ):
        if name.startswith("FACTDESK_"):
            monkeypatch.delenv(name)
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    return workdir


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_into_closed_pipe(workdir: Path, *argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGV`` whose stdout is a pipe nobody reads (closed before the start).

    The read end is closed before the child runs, so its first write fails with EPIPE
    whatever the machine's speed: the same as ``factdesk ... | head`` once head has gone.
    """
    read_end, write_end = os.pipe()
    os.close(read_end)
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")},
        "PYTHONPATH": str(PROJECT_ROOT),
        **env,
    }
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", *argv],
            cwd=workdir,
            env=environment,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write_end)


# --- a closed stdout ----------------------------------------------------------------------


def test_ask_into_a_closed_pipe_exits_141_without_a_traceback(clean_environment: Path) -> None:
    done = run_into_closed_pipe(clean_environment, "ask", README_QUESTION)
    assert done.returncode == EXIT_BROKEN_PIPE == 141
    assert done.stderr == ""


def test_doctor_into_a_closed_pipe_exits_141_without_a_traceback(
    clean_environment: Path, tmp_path: Path
) -> None:
    done = run_into_closed_pipe(
        clean_environment,
        "doctor",
        FACTDESK_DATABASE=str(tmp_path / "state" / "factdesk.db"),
        FACTDESK_HEARTBEAT_FILE=str(tmp_path / "state" / "heartbeat.json"),
    )
    assert done.returncode == 141
    assert done.stderr == ""


# --- --version ----------------------------------------------------------------------------


def test_version_prints_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"factdesk {__version__}\n"


def test_the_package_version_is_the_one_in_bot() -> None:
    from importlib.metadata import version

    assert version("factdesk") == __version__


# --- bad settings -------------------------------------------------------------------------


def test_doctor_diagnoses_a_comma_list_of_owner_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_OWNER_IDS", "1,2")
    code, out, err = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  settings: FACTDESK_OWNER_IDS: cannot parse the value" in out
    assert "fix: write FACTDESK_OWNER_IDS as a JSON list, e.g. [" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    "argv",
    [("run",), ("sync",), ("db", "status"), ("db", "upgrade")],
    ids=["run", "sync", "db-status", "db-upgrade"],
)
def test_commands_refuse_bad_settings_in_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    monkeypatch.setenv("FACTDESK_OWNER_IDS", "1,2")
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: bad setting FACTDESK_OWNER_IDS: cannot parse the value")
    assert "factdesk doctor" in err


def test_run_names_a_validation_error_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_LOG_FORMAT", "xml")
    code, _, err = run_cli(capsys, "run")
    assert code == 2
    assert err.count("\n") == 1
    assert "FACTDESK_LOG_FORMAT" in err
    assert "'xml'" in err


def test_health_with_bad_settings_is_one_unhealthy_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_OWNER_IDS", "1,2")
    code, out, err = run_cli(capsys, "health")
    # 1, not 2: Docker reserves exit code 2 for a HEALTHCHECK
    assert code == 1
    assert out.count("\n") == 1
    assert out.startswith("unhealthy: error: bad setting FACTDESK_OWNER_IDS")
    assert err == ""


# --- corpus import --out ------------------------------------------------------------------

CLAIMREVIEW = FIXTURES / "imports" / "claimreview-list.json"


def test_import_out_an_existing_file_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "taken"
    target.write_text("not a directory\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "corpus", "import", str(CLAIMREVIEW), "--out", str(target))
    assert code == 2
    assert out == ""
    assert err == f"error: --out {target}: is a file, not a directory\n"
    assert target.read_text(encoding="utf-8") == "not a directory\n"


def test_import_out_under_a_file_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    target = blocker / "deeper" / "corpus"
    code, out, err = run_cli(capsys, "corpus", "import", str(CLAIMREVIEW), "--out", str(target))
    assert code == 2
    assert out == ""
    assert err == f"error: --out {target}: {blocker} is a file, not a directory\n"


# --- FACTDESK_CORPUS_DIR ------------------------------------------------------------------

GOOD = FIXTURES / "corpus" / "good"
BROKEN = FIXTURES / "corpus" / "broken"


def test_ask_honours_factdesk_corpus_dir(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(GOOD))
    code, out, _ = run_cli(capsys, "ask", "Does the Moon cause the ocean tides?")
    assert code == 0
    assert out.startswith("Does the Moon cause the ocean tides?\n")


def test_ask_reads_factdesk_corpus_dir_from_dot_env(
    capsys: pytest.CaptureFixture[str], clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text(f"FACTDESK_CORPUS_DIR={GOOD}\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "search", "tides", "--json")
    assert code == 0
    assert {m["id"] for m in json.loads(out)["matches"]} <= {"sun-and-tides", "tides-and-the-moon"}


def test_corpus_option_wins_over_factdesk_corpus_dir(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(BROKEN))
    code, out, _ = run_cli(capsys, "ask", "Does the Sun affect the tides?", "--corpus", str(GOOD))
    assert code == 0
    assert out.startswith("Does the Sun affect the tides?\n")


def test_corpus_check_honours_factdesk_corpus_dir(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(BROKEN))
    code, out, _ = run_cli(capsys, "corpus", "check")
    assert code == 1
    assert out.splitlines()[-1].startswith(f"{BROKEN}: ")


def test_ask_works_beside_an_unrelated_bad_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_OWNER_IDS", "1,2")
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(GOOD))
    code, _, _ = run_cli(capsys, "ask", "Does the Sun affect the tides?")
    assert code == 0


# --- output hygiene -----------------------------------------------------------------------

NONSENSE = "qwxzv plorbt"


def test_no_match_line_escapes_control_characters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "ask", f"{NONSENSE} \x1b[2J\x1b]0;owned\x07 \u202eevil")
    assert code == 1
    first = out.splitlines()[0]
    assert first == (
        f"No fact-check in the corpus answers: {NONSENSE} \\x1b[2J\\x1b]0;owned\\x07 \\u202eevil"
    )
    assert not any(ord(c) < 0x20 or c == "\u202e" for c in out.replace("\n", ""))


def test_a_long_no_match_question_is_shortened(capsys: pytest.CaptureFixture[str]) -> None:
    question = " ".join([NONSENSE] * 2000)  # ~26,000 characters
    code, out, _ = run_cli(capsys, "ask", question)
    assert code == 1
    echoed = out.splitlines()[0].removeprefix("No fact-check in the corpus answers: ")
    assert len(echoed) == 200
    assert echoed.endswith("…")
    assert len(out) < 2000


def test_json_answer_is_valid_utf8_with_a_lone_surrogate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "ask", f"{NONSENSE} \ud800", "--json")
    assert code == 1
    payload = json.loads(out.encode("utf-8").decode("utf-8"))
    assert payload["query"] == f"{NONSENSE} \ufffd"


def test_search_json_is_valid_utf8_with_a_lone_surrogate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "search", "Did the US help the cartels? \udcff", "--json")
    assert code == 0
    assert json.loads(out.encode("utf-8"))["query"] == "Did the US help the cartels? \ufffd"


def test_a_surrogate_from_argv_reaches_the_no_match_line_as_a_replacement(
    clean_environment: Path,
) -> None:
    # Invalid UTF-8 in argv arrives as lone surrogates (surrogateescape); printing them
    # used to raise UnicodeEncodeError.
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", os.fsencode(NONSENSE) + b" \xff"],
        cwd=clean_environment,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONIOENCODING": "utf-8"},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    assert done.stdout.decode("utf-8").startswith(
        f"No fact-check in the corpus answers: {NONSENSE} \ufffd\n"
    )
