"""``factdesk health``, ``invite-url`` and ``doctor`` through the real command line.

Settings come from the environment exactly as in production: each test clears every
``FACTDESK_`` variable, works in its own directory (so no developer's ``.env`` is read) and
sets what it needs.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.cli import main
from bot.heartbeat import HeartbeatState, write_heartbeat
from bot.paths import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures" / "corpus"
CLIENT_ID = "123456789012345678"

# Discord's documented permission bits (developer docs, "Permissions"), written out here
# rather than taken from discord.py so the test checks the integer the invite carries.
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
READ_MESSAGE_HISTORY = 1 << 16
SEND_MESSAGES_IN_THREADS = 1 << 38


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


# --- health -------------------------------------------------------------------------------


def beat(path: Path, age_seconds: float, *, connected: bool = True, writable: bool = True) -> None:
    written_at = datetime.now(UTC) - timedelta(seconds=age_seconds)
    write_heartbeat(path, HeartbeatState(written_at, connected, writable, latency_ms=40.0))


def test_health_fresh_heartbeat_exits_0_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "heartbeat.json"
    beat(path, age_seconds=5)
    code, out, _ = run_cli(capsys, "health", "--heartbeat-file", str(path))
    assert code == 0
    assert out.startswith("healthy:")
    assert out.count("\n") == 1


def test_health_reads_the_heartbeat_file_setting(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "elsewhere" / "hb.json"
    beat(path, age_seconds=5)
    monkeypatch.setenv("FACTDESK_HEARTBEAT_FILE", str(path))
    assert run_cli(capsys, "health")[0] == 0
    path.unlink()
    code, out, _ = run_cli(capsys, "health")
    assert code == 1
    assert str(path) in out


def test_health_stale_heartbeat_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "heartbeat.json"
    beat(path, age_seconds=200)
    code, out, _ = run_cli(capsys, "health", "--heartbeat-file", str(path))
    assert code == 1
    assert out.startswith("unhealthy:")
    assert out.count("\n") == 1
    # A looser limit accepts the same file.
    assert run_cli(capsys, "health", "--heartbeat-file", str(path), "--max-age", "300")[0] == 0


def test_health_missing_heartbeat_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run_cli(capsys, "health", "--heartbeat-file", str(tmp_path / "none.json"))
    assert code == 1
    assert out.startswith("unhealthy: no heartbeat file")


@pytest.mark.parametrize(("connected", "writable"), [(False, True), (True, False)])
def test_health_disconnected_or_unwritable_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, connected: bool, writable: bool
) -> None:
    path = tmp_path / "heartbeat.json"
    beat(path, age_seconds=1, connected=connected, writable=writable)
    code, out, _ = run_cli(capsys, "health", "--heartbeat-file", str(path))
    assert code == 1
    assert out.startswith("unhealthy:")


def test_health_with_broken_settings_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_LOG_LEVEL", "LOUD")
    code, out, _ = run_cli(capsys, "health")
    assert code == 1
    assert out.startswith("unhealthy:")


# --- invite-url ---------------------------------------------------------------------------


def test_invite_url_has_both_scopes_and_exactly_the_needed_permissions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "invite-url", "--client-id", CLIENT_ID)
    assert code == 0
    url = urlsplit(out.strip())
    assert (url.scheme, url.netloc, url.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(url.query, strict_parsing=True)
    assert query["client_id"] == [CLIENT_ID]
    assert sorted(query["scope"][0].split(" ")) == ["applications.commands", "bot"]
    expected = (
        VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | READ_MESSAGE_HISTORY | SEND_MESSAGES_IN_THREADS
    )
    assert int(query["permissions"][0]) == expected


def test_invite_url_permissions_come_from_the_declared_list() -> None:
    import discord

    from bot.cli.cmd_ops import REQUIRED_PERMISSIONS, required_permissions

    permissions = required_permissions()
    declared = 0
    for name, _ in REQUIRED_PERMISSIONS:
        assert getattr(permissions, name) is True, name
        declared |= discord.Permissions(**{name: True}).value
    assert permissions.value == declared  # nothing beyond the declared list
    # Nothing that lets the bot moderate or ping: it only posts, replies and reads back.
    dangerous = discord.Permissions(
        administrator=True, manage_messages=True, manage_guild=True, mention_everyone=True
    )
    assert permissions.value & dangerous.value == 0


def test_invite_url_explain_lists_each_permission_with_a_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli.cmd_ops import REQUIRED_PERMISSIONS

    code, out, _ = run_cli(capsys, "invite-url", "--client-id", CLIENT_ID, "--explain")
    assert code == 0
    for name, reason in REQUIRED_PERMISSIONS:
        assert f"{name}: {reason}" in out


@pytest.mark.parametrize("client_id", ["abc", "12345", "1234567890123456789012", " "])
def test_invite_url_rejects_a_bad_client_id(
    capsys: pytest.CaptureFixture[str], client_id: str
) -> None:
    code, out, err = run_cli(capsys, "invite-url", "--client-id", client_id)
    assert code == 2
    assert out == ""
    assert "application id" in err


# --- doctor -------------------------------------------------------------------------------


@pytest.fixture
def good_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A complete, valid configuration; returns the database path."""
    database = tmp_path / "state" / "factdesk.db"
    monkeypatch.setenv("FACTDESK_DISCORD_TOKEN", "MTIz.abc.def")
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(FIXTURES / "good"))
    monkeypatch.setenv("FACTDESK_DATABASE", str(database))
    monkeypatch.setenv("FACTDESK_HEARTBEAT_FILE", str(tmp_path / "state" / "heartbeat.json"))
    return database


def test_doctor_good_config_exits_0(capsys: pytest.CaptureFixture[str], good_config: Path) -> None:
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0, out
    assert "FAIL" not in out
    assert "2 fact-checks loaded" in out
    assert "schema version" in out
    assert out.rstrip().endswith("ready for `factdesk run`")
    assert good_config.is_file()  # opened and migrated, as `factdesk run` would
    assert "MTIz.abc.def" not in out  # the token is never printed


def test_doctor_reads_the_env_file_like_run_does(
    capsys: pytest.CaptureFixture[str], good_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FACTDESK_DISCORD_TOKEN")
    Path(".env").write_text("FACTDESK_DISCORD_TOKEN=MTIz.abc.def\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0, out
    assert "./.env" in out


def test_doctor_without_token_says_how_to_get_one(
    capsys: pytest.CaptureFixture[str], good_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FACTDESK_DISCORD_TOKEN")
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  token" in out
    assert "Reset Token" in out


def test_doctor_missing_corpus_dir_is_fatal(
    capsys: pytest.CaptureFixture[str],
    good_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(tmp_path / "no-such-dir"))
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  corpus" in out
    assert "does not exist" in out
    assert "FACTDESK_CORPUS_DIR" in out


def test_doctor_corpus_without_usable_entries_is_fatal(
    capsys: pytest.CaptureFixture[str],
    good_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.md").write_text("no front matter here\n", encoding="utf-8")
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(corpus))
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "no usable fact-check" in out
    assert "broken.md" in out  # the problem itself is shown


def test_doctor_broken_files_are_counted_but_not_fatal(
    capsys: pytest.CaptureFixture[str], good_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.corpus import load_corpus

    broken = FIXTURES / "broken"
    report = load_corpus(broken)
    monkeypatch.setenv("FACTDESK_CORPUS_DIR", str(broken))
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0, out
    assert f"{len(report.corpus)} fact-checks loaded" in out
    assert f"warn  corpus: {len(report.problems)} problems" in out
    assert str(report.problems[0]) in out


def test_doctor_unwritable_database_location_is_fatal(
    capsys: pytest.CaptureFixture[str],
    good_config: Path,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # A regular file where the database's directory should be: no user can create it.
    blocker = tmp_path / "blocker"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("FACTDESK_DATABASE", str(blocker / "factdesk.db"))
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  database" in out
    assert "FACTDESK_DATABASE" in out


def test_doctor_reports_a_file_that_is_not_a_database(
    capsys: pytest.CaptureFixture[str], good_config: Path
) -> None:
    good_config.parent.mkdir(parents=True)
    good_config.write_bytes(b"this is not SQLite" * 100)
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  database" in out


def test_doctor_names_the_variable_of_an_invalid_setting(
    capsys: pytest.CaptureFixture[str], good_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDESK_DEV_GUILD_ID", "my server")
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 1
    assert "FAIL  settings: FACTDESK_DEV_GUILD_ID" in out
