"""The sharded deployment files: deploy/compose.cluster.yaml and deploy/factdesk@.service,
parsed with the same readers as the single-process ones (tests/unit/test_deploy.py)."""

from __future__ import annotations

from bot.paths import PROJECT_ROOT
from bot.shards import ShardPlan, parse_shard_ids
from tests.unit.test_deploy import (
    COMMAND_RE,
    UNIT,
    command_text,
    parse_unit,
    parse_yaml_subset,
)

DEPLOY = PROJECT_ROOT / "deploy"
CLUSTER = parse_yaml_subset((DEPLOY / "compose.cluster.yaml").read_text(encoding="utf-8"))
TEMPLATE = parse_unit((DEPLOY / "factdesk@.service").read_text(encoding="utf-8"))


def bot_services() -> dict[str, dict[str, object]]:
    return {name: svc for name, svc in CLUSTER["services"].items() if name != "postgres"}


def test_the_cluster_compose_runs_every_shard_once_on_one_postgres() -> None:
    bots = bot_services()
    assert len(bots) >= 2
    plans = []
    for service in bots.values():
        command = service["command"]
        assert isinstance(command, list)
        assert command[:2] == ["factdesk", "run"]
        shards = command[command.index("--shards") + 1]
        count = int(command[command.index("--shard-count") + 1])
        plan = ShardPlan.build(shards, count)
        assert plan is not None
        plans.append(plan)
        env = service["environment"]
        assert isinstance(env, dict)
        assert env["FACTDESK_DATABASE"].startswith("postgresql://")
        assert "@postgres:" in env["FACTDESK_DATABASE"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"  # type: ignore[index]
        assert service["restart"] == "unless-stopped"
        assert service["stop_signal"] == "SIGTERM"
        volume, _, target = service["volumes"][0].partition(":")  # type: ignore[index]
        assert target == "/data"
        assert volume in CLUSTER["volumes"]
        assert env["FACTDESK_HEARTBEAT_FILE"].startswith("/data/")
    assert len({plan.shard_count for plan in plans}) == 1  # one count everywhere
    every = sorted(shard for plan in plans for shard in plan.shard_ids)
    assert every == list(range(plans[0].shard_count))  # each shard in one process
    assert sum(plan.syncs_commands for plan in plans) == 1
    # Each process its own volume (its heartbeat), the database on PostgreSQL's.
    volumes = [s["volumes"][0] for s in bots.values()]  # type: ignore[index]
    assert len(set(volumes)) == len(volumes)
    assert CLUSTER["services"]["postgres"]["volumes"][0].endswith(":/var/lib/postgresql/data")


def test_the_template_unit_runs_the_instance_range() -> None:
    service = TEMPLATE["Service"]
    (start,) = service["ExecStart"]
    assert start.endswith("factdesk run --shards %i")
    assert parse_shard_ids("0-3") == (0, 1, 2, 3)  # what an instance name like 0-3 means
    assert service["RestartPreventExitStatus"] == ["2"]
    assert service["Restart"] == ["on-failure"]
    assert "FACTDESK_HEARTBEAT_FILE=/var/lib/factdesk/heartbeat-%i.json" in service["Environment"]
    assert service["EnvironmentFile"] == ["/etc/factdesk/factdesk.env"]


def test_the_template_unit_is_hardened_as_the_single_unit_is() -> None:
    hardening = {
        key: value
        for key, value in UNIT["Service"].items()
        if key.startswith(("Protect", "Restrict", "Private", "NoNew", "SystemCall", "Capab"))
        or key in ("UMask", "LockPersonality", "RemoveIPC", "ProcSubset", "AmbientCapabilities")
    }
    assert hardening
    for key, value in hardening.items():
        assert TEMPLATE["Service"].get(key) == value, key
    assert TEMPLATE["Install"] == UNIT["Install"]


def test_the_template_unit_names_only_real_commands() -> None:
    import argparse

    from bot.cli import build_parser

    parser = build_parser()
    choices = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = COMMAND_RE.findall(command_text(DEPLOY / "factdesk@.service"))
    assert ("run", "") in found
    assert all(command in choices for command, _ in found)
