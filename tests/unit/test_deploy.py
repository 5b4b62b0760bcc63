"""deploy/ checked statically: no Docker daemon or systemd is needed (or available in CI).

Each file is parsed (Dockerfile instructions, the compose YAML through a small parser for
the subset it uses, the systemd unit's sections) and checked for what keeps a deployment
safe and working: a non-root user, the database on a volume, a health check that runs
``factdesk health``, pinned dependencies, no secrets baked in, restart policies, and every
setting documented.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.paths import PROJECT_ROOT
from bot.settings import Settings

DEPLOY = PROJECT_ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"


def setting_names() -> list[str]:
    return [f"FACTDESK_{name.upper()}" for name in Settings.model_fields]


# --- Dockerfile ---------------------------------------------------------------------------


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), " ".join(arguments.split())))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


INSTRUCTIONS = dockerfile_instructions(DOCKERFILE.read_text(encoding="utf-8"))


def only(keyword: str) -> str:
    found = [arguments for name, arguments in INSTRUCTIONS if name == keyword]
    assert len(found) == 1, f"expected exactly one {keyword}, found {found}"
    return found[0]


def dockerfile_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for name, arguments in INSTRUCTIONS:
        if name == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def test_dockerfile_parser_understands_continuations() -> None:
    parsed = dockerfile_instructions("# c\nFROM x\nRUN a \\\n    && b\nUSER 1\n")
    assert parsed == [("FROM", "x"), ("RUN", "a && b"), ("USER", "1")]


def test_dockerfile_uses_a_slim_python_311_base() -> None:
    assert INSTRUCTIONS[0] == ("FROM", "python:3.11-slim")


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = [arguments for name, arguments in INSTRUCTIONS if name == "USER"]
    assert users, "no USER: the bot would run as root"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}
    # The last USER comes before CMD: the bot itself runs as that user.
    keywords = [name for name, _ in INSTRUCTIONS]
    last_user = max(i for i, name in enumerate(keywords) if name == "USER")
    assert last_user < keywords.index("CMD")


def test_dockerfile_keeps_the_database_and_heartbeat_on_the_volume() -> None:
    volumes = json.loads(only("VOLUME"))
    assert volumes == ["/data"]
    env = dockerfile_env()
    assert env["FACTDESK_DATABASE"].startswith("/data/")
    assert env["FACTDESK_HEARTBEAT_FILE"].startswith("/data/")
    # The bundled corpus is not under site-packages: the image must say where it is.
    assert env["FACTDESK_CORPUS_DIR"] == "/app/data/claims"
    assert ("COPY", "data /app/data") in INSTRUCTIONS


def test_dockerfile_health_check_runs_factdesk_health_in_exec_form() -> None:
    options, _, command = only("HEALTHCHECK").partition(" CMD ")
    assert json.loads(command) == ["factdesk", "health"]
    assert "--interval=" in options
    assert "--start-period=" in options


def test_dockerfile_starts_the_bot_in_exec_form_and_stops_it_with_sigterm() -> None:
    # Exec form: factdesk is PID 1 and receives SIGTERM itself (no shell in between).
    assert json.loads(only("CMD")) == ["factdesk", "run"]
    assert only("STOPSIGNAL") == "SIGTERM"
    assert not any(name == "ENTRYPOINT" for name, _ in INSTRUCTIONS)


def test_dockerfile_bakes_in_no_secrets() -> None:
    assert not any(name == "ADD" for name, _ in INSTRUCTIONS), "use COPY, never ADD"
    for name, arguments in INSTRUCTIONS:
        if name == "COPY":
            sources = arguments.split()[:-1]
            assert not any(".env" in source or source in {".", "./"} for source in sources)
        if name in {"ENV", "ARG"}:
            assert "TOKEN" not in arguments.upper()
    ignore_file = DEPLOY / "Dockerfile.dockerignore"
    patterns = [
        line.strip()
        for line in ignore_file.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert patterns[0] == "*", "the build context starts from nothing"
    assert "**/.env" in patterns
    assert not any(".env" in pattern for pattern in patterns if pattern.startswith("!"))


def test_dockerfile_installs_the_pinned_requirements_without_resolving_more() -> None:
    runs = [arguments for name, arguments in INSTRUCTIONS if name == "RUN"]
    assert any("--no-deps --requirement /app/deploy/requirements.txt" in run for run in runs)
    assert any("pip install --no-deps /app" in run and "pip check" in run for run in runs)


def _pins_tool() -> Any:
    """deploy/pins.py, the script that writes (and checks) both pins files."""
    spec = importlib.util.spec_from_file_location("factdesk_pins", DEPLOY / "pins.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_pins_files_agree_with_each_other_and_with_pyproject() -> None:
    """Every declared dependency is pinned within its range; the image's pins are the dev
    install's pins. This reads only the files, so a new upstream release cannot break it."""
    assert _pins_tool().check_files() == []


def test_this_environment_runs_the_pinned_versions_and_they_cover_every_dependency() -> None:
    """Installed as the README says (``-c deploy/constraints.txt``), this environment runs
    exactly the pinned versions, and the runtime pins include every dependency of theirs."""
    assert _pins_tool().closure_problems() == []


def test_the_pins_tool_rejects_an_inexact_or_repeated_pin(tmp_path: Path) -> None:
    tool = _pins_tool()
    loose = tmp_path / "loose.txt"
    loose.write_text("# header\npydantic>=2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"loose\.txt:2: not an exact pin"):
        tool.read_pins(loose)
    twice = tmp_path / "twice.txt"
    twice.write_text("Pydantic==2.0\npydantic==2.1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="pinned twice"):
        tool.read_pins(twice)


def test_installs_use_the_constraints_file() -> None:
    """The README's commands and CI install with the constraints, so dev and image agree."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    ci = (PROJECT_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    installs = [line for line in (readme + ci).splitlines() if "pip install" in line]
    assert installs
    for line in installs:
        assert "-c deploy/constraints.txt" in line, line


# --- compose.yaml -------------------------------------------------------------------------


def parse_yaml_subset(text: str) -> Any:
    """Block mappings and sequences of plain or quoted scalars: the YAML compose.yaml uses.

    Anything else (flow style, anchors, multi-line strings) raises, so a change to the file
    that this parser cannot read fails loudly instead of being half-checked.
    """
    lines = []
    for raw in text.splitlines():
        stripped = raw.split(" #")[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if stripped.strip():
            if re.search(r"[{}&*|>]|^\s*\[", stripped):
                raise ValueError(f"outside the supported YAML subset: {raw!r}")
            lines.append((len(stripped) - len(stripped.lstrip()), stripped.strip()))

    def scalar(text: str) -> str:
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            return text[1:-1]
        return text

    def block(index: int, indent: int) -> tuple[Any, int]:
        if lines[index][1].startswith("- "):
            items: list[Any] = []
            while index < len(lines) and lines[index][0] == indent:
                if not lines[index][1].startswith("- "):
                    raise ValueError(f"mixed list and mapping: {lines[index][1]!r}")
                items.append(scalar(lines[index][1][2:].strip()))
                index += 1
            return items, index
        mapping: dict[str, Any] = {}
        while index < len(lines) and lines[index][0] == indent:
            key, separator, value = lines[index][1].partition(":")
            if not separator:
                raise ValueError(f"not a mapping entry: {lines[index][1]!r}")
            index += 1
            if value.strip():
                mapping[key.strip()] = scalar(value.strip())
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key.strip()], index = block(index, lines[index][0])
            else:
                mapping[key.strip()] = None
        return mapping, index

    parsed, end = block(0, lines[0][0])
    if end != len(lines):
        raise ValueError(f"unexpected indentation at {lines[end][1]!r}")
    return parsed


def test_yaml_subset_parser() -> None:
    text = "a: 1\nb:\n  - x  # note\n  - 'y z'\nc:\n  d:\n    e: \"f\"\ng:\n"
    assert parse_yaml_subset(text) == {
        "a": "1",
        "b": ["x", "y z"],
        "c": {"d": {"e": "f"}},
        "g": None,
    }
    with pytest.raises(ValueError, match="subset"):
        parse_yaml_subset("a: {b: 1}\n")


COMPOSE = parse_yaml_subset((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_builds_the_dockerfile_from_the_repository_root() -> None:
    build = COMPOSE["services"]["bot"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert context == PROJECT_ROOT
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE


def test_compose_reads_the_env_file_and_restarts_unless_stopped() -> None:
    bot = COMPOSE["services"]["bot"]
    assert [(DEPLOY / path).resolve() for path in bot["env_file"]] == [PROJECT_ROOT / ".env"]
    assert bot["restart"] == "unless-stopped"
    assert bot["stop_signal"] == "SIGTERM"


def test_compose_keeps_the_data_on_a_named_volume() -> None:
    bot = COMPOSE["services"]["bot"]
    volume, _, target = bot["volumes"][0].partition(":")
    assert target == "/data"
    assert volume in COMPOSE["volumes"]
    # The container's paths win over whatever a local .env says for running outside Docker.
    assert bot["environment"]["FACTDESK_DATABASE"].startswith("/data/")
    assert bot["environment"]["FACTDESK_HEARTBEAT_FILE"].startswith("/data/")


# --- factdesk.service ---------------------------------------------------------------------


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """systemd's ini dialect: keys may repeat, so each key maps to its list of values."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, separator, value = line.partition("=")
        if current is None or not separator:
            raise AssertionError(f"not a unit line: {raw!r}")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


UNIT = parse_unit((DEPLOY / "factdesk.service").read_text(encoding="utf-8"))


def unit_value(section: str, key: str) -> str:
    return UNIT[section][key][-1]


def test_unit_has_the_three_sections() -> None:
    assert set(UNIT) == {"Unit", "Service", "Install"}
    assert unit_value("Install", "WantedBy") == "multi-user.target"
    assert "network-online.target" in unit_value("Unit", "After")


def test_unit_runs_factdesk_as_a_dedicated_user_with_the_env_file() -> None:
    assert unit_value("Service", "User") == "factdesk"
    assert unit_value("Service", "ExecStart").endswith("/bin/factdesk run")
    assert unit_value("Service", "EnvironmentFile").startswith("/etc/factdesk/")
    environment = dict(value.split("=", 1) for value in UNIT["Service"]["Environment"])
    state = "/var/lib/" + unit_value("Service", "StateDirectory")
    assert environment["FACTDESK_DATABASE"].startswith(state + "/")
    assert environment["FACTDESK_HEARTBEAT_FILE"].startswith(state + "/")


def test_unit_restarts_on_failure_but_not_without_a_token() -> None:
    assert unit_value("Service", "Restart") == "on-failure"
    assert unit_value("Service", "RestartPreventExitStatus") == "2"  # `factdesk run`: no token
    assert unit_value("Service", "KillSignal") == "SIGTERM"
    # Start limits are [Unit] settings; in [Service] systemd would ignore them.
    assert "StartLimitBurst" in UNIT["Unit"]
    assert "StartLimitBurst" not in UNIT["Service"]


def test_unit_is_hardened() -> None:
    expected = {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "PrivateDevices": "yes",
        "RestrictSUIDSGID": "yes",
        "CapabilityBoundingSet": "",
    }
    for key, value in expected.items():
        assert unit_value("Service", key) == value, key
    assert set(unit_value("Service", "RestrictAddressFamilies").split()) == {
        "AF_INET",
        "AF_INET6",
        "AF_UNIX",
    }


# --- .env.example and the settings reference ----------------------------------------------

ENV_EXAMPLE = (DEPLOY / ".env.example").read_text(encoding="utf-8")
SETTING_LINE = re.compile(r"^(?:# )?(FACTDESK_[A-Z_]+)=(.*)$", re.M)


@pytest.mark.parametrize("page", [DEPLOY / ".env.example", PROJECT_ROOT / "docs/configuration.md"])
def test_every_setting_is_documented(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = [name for name in setting_names() if name not in text]
    assert not missing, f"{page.relative_to(PROJECT_ROOT)} does not document {missing}"


def test_env_example_names_only_real_settings_once_each() -> None:
    names = [name for name, _ in SETTING_LINE.findall(ENV_EXAMPLE)]
    assert sorted(names) == sorted(setting_names())


def test_env_example_values_load_and_commented_ones_are_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("FACTDESK_"):
            monkeypatch.delenv(name)
    uncommented = tmp_path / ".env"
    uncommented.write_text(SETTING_LINE.sub(r"\1=\2", ENV_EXAMPLE), encoding="utf-8")
    example = Settings(_env_file=uncommented)  # every example value is valid
    defaults = Settings(_env_file=None)
    for field, default in defaults.model_dump().items():
        if default is None:  # no default to show: the line holds an example (guild id)
            continue
        value = getattr(example, field)
        if field == "corpus_dir":  # shown relative to the checkout
            value = PROJECT_ROOT / value
        assert value == default, f"FACTDESK_{field.upper()}: example {value!r} != {default!r}"
    assert example.discord_token is not None
    assert example.discord_token.get_secret_value() == ""  # left for the user to fill in


# --- the commands the operator docs tell people to type -----------------------------------

OPERATOR_PAGES = [
    PROJECT_ROOT / "docs" / "deploy.md",
    PROJECT_ROOT / "docs" / "discord-setup.md",
    DEPLOY / "Dockerfile",
    DEPLOY / "compose.yaml",
    DEPLOY / "factdesk.service",
]
# `factdesk run`, `.venv/bin/factdesk db status`, `["factdesk", "health"]`, and in
# `docker exec factdesk factdesk health` the second one (the first names the container).
COMMAND_RE = re.compile(
    r"""(?<![\w.-])factdesk"?,? "?(?!factdesk\b)([a-z][a-z-]*)"?(?: ([a-z][a-z-]*))?"""
)


def command_text(page: Path) -> str:
    """Where commands are written: code in Markdown, non-comment lines in deploy files."""
    text = page.read_text(encoding="utf-8")
    if page.suffix != ".md":
        return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M)
    prose = re.sub(r"^```[a-z]*\n.*?^```", "", text, flags=re.S | re.M)
    spans = re.findall(r"`([^`\n]+)`", prose.replace("\n", " "))
    return "\n".join(blocks + spans)


@pytest.mark.parametrize("page", OPERATOR_PAGES, ids=lambda p: p.name)
def test_every_factdesk_command_in_the_operator_docs_exists(page: Path) -> None:
    import argparse

    from bot.cli import build_parser

    def actions(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                return dict(action.choices)
        return {}

    commands = actions(build_parser())
    found = COMMAND_RE.findall(command_text(page))
    if page.suffix != ".yaml":
        assert found, f"no factdesk command found in {page.name}"
    for command, action in found:
        assert command in commands, f"{page.name}: `factdesk {command}` is not a command"
        sub = actions(commands[command])
        if sub and action:
            assert action in sub, f"{page.name}: `factdesk {command} {action}` does not exist"


def test_command_pattern_finds_the_usual_spellings() -> None:
    text = (
        '`factdesk run`, .venv/bin/factdesk db status, CMD ["factdesk", "health"], '
        "docker exec factdesk factdesk doctor, factdesk.service, OWNER/factdesk.git"
    )
    assert COMMAND_RE.findall(text) == [
        ("run", ""),
        ("db", "status"),
        ("health", ""),
        ("doctor", ""),
    ]


def test_the_image_ships_the_bundled_corpus_index_the_bot_opens(tmp_path: Path) -> None:
    env = dockerfile_env()
    (build,) = [
        shlex.split(arguments)
        for name, arguments in INSTRUCTIONS
        if name == "RUN" and "corpus build" in arguments
    ]
    assert build[:3] == ["factdesk", "corpus", "build"]
    corpus = build[build.index("--corpus") + 1]
    index_dir = build[build.index("--index-dir") + 1]
    # built for the corpus the bot serves, where the bot looks for it
    assert corpus == env["FACTDESK_CORPUS_DIR"]
    assert index_dir == env["FACTDESK_INDEX_DIR"]
    # and an index built from the same files elsewhere is the one a start then reuses
    from bot.core.library import Library

    copy = tmp_path / "claims"
    shutil.copytree(PROJECT_ROOT / "data" / "claims", copy)
    Library.open(copy, tmp_path / "index")
    _, _, outcome = Library.open(PROJECT_ROOT / "data" / "claims", tmp_path / "index")
    assert outcome.reused, outcome.reason
