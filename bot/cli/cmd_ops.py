"""``factdesk health``, ``factdesk invite-url`` and ``factdesk doctor``: running factdesk.

``health`` judges the heartbeat the running bot writes (:mod:`bot.heartbeat`) and is what
Docker's HEALTHCHECK runs, so it stays quick: it never imports discord or opens the database.
``invite-url`` builds the OAuth2 link from :data:`REQUIRED_PERMISSIONS`, the one list of what
the features need. ``doctor`` checks settings, corpus, database and token before a first
``factdesk run`` and says what to fix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlencode

from bot.cli.common import CliError, load_settings

if TYPE_CHECKING:
    import discord

    from bot.settings import Settings

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
INVITE_SCOPES = ("bot", "applications.commands")

# What the bot does in a channel outside of interaction responses (those need no
# permission), as discord.Permissions flag names, with the reason. Keep it minimal: a server
# admin reads this list on the invite screen.
REQUIRED_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("view_channel", "see the channels it posts in (replies, digest, mod-log)"),
    ("send_messages", "post answers with 'Post in channel', the digest and mod-log entries"),
    ("send_messages_in_threads", "do the same when the command is used inside a thread"),
    ("embed_links", "answers, digests and mod-log entries are embeds"),
    (
        "read_message_history",
        "reply to the message being fact-checked; find a digest already posted",
    ),
)

# A Discord id (snowflake) in decimal: 17 to 20 digits for anything created since 2015.
SNOWFLAKE_DIGITS = range(17, 21)
CORPUS_PROBLEMS_SHOWN = 5

Level = Literal["ok", "warn", "FAIL"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.heartbeat import DEFAULT_MAX_AGE_SECONDS

    health = subparsers.add_parser(
        "health", help="one line and exit 0 when the running bot is healthy, else 1"
    )
    health.add_argument(
        "--heartbeat-file",
        type=Path,
        metavar="FILE",
        help="heartbeat to read (default: FACTDESK_HEARTBEAT_FILE, else var/heartbeat.json)",
    )
    health.add_argument(
        "--max-age",
        type=float,
        default=DEFAULT_MAX_AGE_SECONDS,
        metavar="SECONDS",
        help=f"an older heartbeat means stuck or stopped (default {DEFAULT_MAX_AGE_SECONDS:.0f})",
    )
    health.set_defaults(handler=handle_health)

    invite = subparsers.add_parser(
        "invite-url", help="print the link that adds the bot to a server, with its permissions"
    )
    invite.add_argument(
        "--client-id",
        required=True,
        metavar="ID",
        help="the Application ID (Developer Portal > your application > General Information)",
    )
    invite.add_argument(
        "--explain", action="store_true", help="also list each permission and why it is needed"
    )
    invite.set_defaults(handler=handle_invite_url)

    doctor = subparsers.add_parser(
        "doctor", help="check settings, corpus, database and token; say what to fix"
    )
    doctor.set_defaults(handler=handle_doctor)


# --- health -------------------------------------------------------------------------------


def handle_health(args: argparse.Namespace) -> int:
    from bot.heartbeat import HeartbeatError, assess, read_heartbeat

    path = args.heartbeat_file
    if path is None:
        # Exit 1, not 2, even for bad settings: Docker reserves a HEALTHCHECK exit of 2.
        try:
            path = load_settings().heartbeat_file
        except CliError as error:
            print(f"unhealthy: {error}")
            return 1
    try:
        state = read_heartbeat(path)
    except HeartbeatError as error:
        print(f"unhealthy: {error}")
        return 1
    health = assess(state, datetime.now(UTC), args.max_age)
    print(health.summary)
    return 0 if health.healthy else 1


# --- invite-url ---------------------------------------------------------------------------


def required_permissions() -> discord.Permissions:
    """The permissions the bot asks for when invited: exactly :data:`REQUIRED_PERMISSIONS`."""
    import discord

    return discord.Permissions(**{name: True for name, _ in REQUIRED_PERMISSIONS})


def invite_url(client_id: int, permissions: int) -> str:
    """The OAuth2 link that adds application ``client_id`` to a server with ``permissions``."""
    query = urlencode(
        {
            "client_id": str(client_id),
            "scope": " ".join(INVITE_SCOPES),
            "permissions": str(permissions),
        }
    )
    return f"{AUTHORIZE_URL}?{query}"


def parse_client_id(text: str) -> int | None:
    text = text.strip()
    if text.isdigit() and len(text) in SNOWFLAKE_DIGITS:
        return int(text)
    return None


def handle_invite_url(args: argparse.Namespace) -> int:
    client_id = parse_client_id(args.client_id)
    if client_id is None:
        print(
            f"error: {args.client_id!r} is not an application id (17-20 digits; copy it from "
            "the Developer Portal, General Information > Application ID)",
            file=sys.stderr,
        )
        return 2
    permissions = required_permissions()
    print(invite_url(client_id, permissions.value))
    if args.explain:
        for name, reason in REQUIRED_PERMISSIONS:
            print(f"  {name}: {reason}")
    return 0


# --- doctor -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report; ``FAIL`` findings stop the bot from running."""

    level: Level
    topic: str
    message: str
    fix: str | None = None

    def render(self) -> str:
        line = f"{self.level:<4}  {self.topic}: {self.message}"
        return line if self.fix is None else f"{line}\n      fix: {self.fix}"


def check_settings() -> tuple[Settings | None, list[Finding]]:
    """Build the settings the way ``factdesk run`` does; each invalid value is a finding."""
    from bot.cli.common import settings_errors, settings_problems
    from bot.settings import Settings

    try:
        settings = Settings()
    except settings_errors() as error:
        findings = [
            Finding("FAIL", "settings", f"{p.variable}: {p.problem}", p.fix)
            for p in settings_problems(error)
        ]
        return None, findings
    source = "environment and ./.env" if Path(".env").is_file() else "environment (no ./.env)"
    return settings, [Finding("ok", "settings", f"loaded from the {source}")]


def dotenv_names(path: Path) -> list[str]:
    """The variable names a ``.env`` file sets (``NAME=value`` / ``export NAME=value``)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    names = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name = line.split("=", 1)[0].strip().removeprefix("export ").strip()
        if name:
            names.append(name)
    return names


def check_unknown_variables(environ: Mapping[str, str], env_file: Path | None) -> list[Finding]:
    """A warning for each ``FACTDESK_*`` name that no setting reads: most often a typo.

    The settings ignore unknown names, so ``FACTDESK_CORPUS=...`` would silently serve the
    bundled corpus; the doctor names it and the closest real variable.
    """
    import difflib

    from bot.cli.common import env_name, shown
    from bot.settings import Settings

    known = sorted(env_name(field) for field in Settings.model_fields)
    sources: dict[str, str] = {}
    for name in environ:
        sources.setdefault(name, "the environment")
    if env_file is not None and env_file.is_file():
        for name in dotenv_names(env_file):
            sources.setdefault(name, str(env_file))
    findings = []
    for name, source in sorted(sources.items()):
        if not name.upper().startswith("FACTDESK_") or name.upper() in known:
            continue
        close = difflib.get_close_matches(name.upper(), known, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else "no setting reads it"
        fix = (
            f"rename it to {close[0]}"
            if close
            else "remove it (docs/configuration.md lists them all)"
        )
        message = f"unknown variable {shown(name, 80)} (in {shown(source, 80)}): {hint}"
        findings.append(Finding("warn", "settings", message, fix))
    return findings


def check_token(settings: Settings) -> Finding:
    token = settings.discord_token
    if token is None or not token.get_secret_value().strip():
        return Finding(
            "FAIL",
            "token",
            "FACTDESK_DISCORD_TOKEN is not set; `factdesk run` cannot log in",
            "Developer Portal > your application > Bot > Reset Token, then put "
            "FACTDESK_DISCORD_TOKEN=... in .env (docs/discord-setup.md)",
        )
    # A bot token is three dot-separated parts; anything else was mis-pasted.
    if token.get_secret_value().strip().count(".") != 2:
        return Finding(
            "warn",
            "token",
            "FACTDESK_DISCORD_TOKEN does not look like a bot token (three parts with dots)",
            "copy the token again from the Bot tab (Reset Token)",
        )
    return Finding("ok", "token", "set (Discord checks it at `factdesk run`)")


def check_corpus(path: Path) -> list[Finding]:
    from bot.core.corpus import load_corpus

    fix = "set FACTDESK_CORPUS_DIR to a directory of fact-check .md files (or unset it)"
    if not path.exists():
        return [Finding("FAIL", "corpus", f"{path} does not exist", fix)]
    try:
        report = load_corpus(path)
    except OSError as error:
        return [Finding("FAIL", "corpus", f"cannot read {path}: {error}", fix)]
    count, problems = len(report.corpus), report.problems
    if count == 0:
        return [
            Finding("FAIL", "corpus", f"{path} holds no usable fact-check", fix),
            *(Finding("warn", "corpus", str(p)) for p in problems[:CORPUS_PROBLEMS_SHOWN]),
        ]
    findings = [Finding("ok", "corpus", f"{count} fact-checks loaded from {path}")]
    if problems:
        findings.append(
            Finding(
                "warn",
                "corpus",
                f"{len(problems)} problems (broken files are skipped, broken links dropped)",
                f"`factdesk corpus check {path}` lists them all",
            )
        )
        findings.extend(Finding("warn", "corpus", str(p)) for p in problems[:CORPUS_PROBLEMS_SHOWN])
    return findings


async def check_database(target: Path | str) -> list[Finding]:
    """Open (creating and migrating, as ``factdesk run`` would) and probe the database."""
    from bot.heartbeat import database_write_problem
    from bot.store.backends import describe_target
    from bot.store.database import Database, DatabaseUnusable

    path = describe_target(target)

    fix = "point FACTDESK_DATABASE at a file in a directory this user can write"
    try:
        database = await Database.open(target)
    except DatabaseUnusable as error:
        # Read-only, damaged or newer than the code: the message names the file already.
        fix = "restore a backup (`factdesk db restore`), fix the file's mode, or upgrade factdesk"
        return [Finding("FAIL", "database", str(error), fix)]
    except Exception as error:
        return [Finding("FAIL", "database", f"cannot open {path}: {error}", fix)]
    try:
        version = await database.version()
        problem = await database_write_problem(database)
    finally:
        await database.close()
    if problem is not None:
        return [Finding("FAIL", "database", f"{path} is not writable: {problem}", fix)]
    return [Finding("ok", "database", f"{path} opens, schema version {version}, writable")]


def check_heartbeat_file(path: Path) -> Finding:
    from bot.heartbeat import filesystem_write_problem

    directory = path.parent
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    problem = (
        f"{existing} is not a directory"
        if not existing.is_dir()
        else filesystem_write_problem(existing / "probe")
    )
    if problem is not None:
        return Finding(
            "warn",
            "heartbeat",
            f"{path} cannot be written ({problem}); `factdesk health` will report unhealthy",
            "point FACTDESK_HEARTBEAT_FILE at a writable place, e.g. beside the database",
        )
    return Finding("ok", "heartbeat", f"{path} can be written")


def run_doctor() -> list[Finding]:
    import asyncio
    import os

    from bot.settings import Settings

    settings, findings = check_settings()
    env_file = Settings.model_config.get("env_file")
    findings.extend(check_unknown_variables(os.environ, Path(str(env_file)) if env_file else None))
    if settings is None:
        return findings
    findings.append(check_token(settings))
    findings.extend(check_corpus(settings.corpus_dir))
    findings.extend(asyncio.run(check_database(settings.database)))
    findings.append(check_heartbeat_file(settings.heartbeat_file))
    if settings.dev_guild_id is not None:
        findings.append(
            Finding("ok", "commands", f"synced to guild {settings.dev_guild_id} at every start")
        )
    else:
        findings.append(
            Finding(
                "ok",
                "commands",
                "global (FACTDESK_DEV_GUILD_ID unset): run `factdesk sync` once; for a first "
                "try, FACTDESK_DEV_GUILD_ID=<server id> shows them in that server at once",
            )
        )
    return findings


def handle_doctor(args: argparse.Namespace) -> int:
    findings = run_doctor()
    for finding in findings:
        print(finding.render())
    failures = sum(1 for f in findings if f.level == "FAIL")
    if failures:
        print(f"doctor: {failures} problem(s) to fix before `factdesk run`")
        return 1
    print("doctor: ready for `factdesk run`")
    return 0
