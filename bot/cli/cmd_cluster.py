"""``factdesk cluster --processes N --shard-count M``: run every shard, in N processes.

See :mod:`bot.cluster` (restarts, signals) and docs/deploy.md (when to use it: several
processes want ``FACTDESK_DATABASE=postgresql://...``).
"""

from __future__ import annotations

import argparse

from bot.cli.cmd_run import _positive


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cluster = subparsers.add_parser(
        "cluster",
        help="run all shards in N `factdesk run` processes on this host, restarting any that die",
    )
    cluster.add_argument(
        "--processes", type=_positive, required=True, metavar="N", help="how many processes"
    )
    cluster.add_argument(
        "--shard-count",
        type=_positive,
        required=True,
        metavar="M",
        help="the bot's total shard count (split into N contiguous ranges)",
    )
    cluster.set_defaults(handler=handle_cluster)


def handle_cluster(args: argparse.Namespace) -> int:
    import asyncio

    from bot.cli.common import CliError, load_settings
    from bot.cluster import Cluster
    from bot.shards import ShardSpecError

    # The children read the same settings; a bad one is one line here, before any starts.
    heartbeat_file = load_settings().heartbeat_file
    try:
        cluster_of = Cluster(args.processes, args.shard_count, heartbeat_file=heartbeat_file)
    except ShardSpecError as error:
        raise CliError(f"error: {error}") from None

    async def main() -> int:
        return await cluster_of.run()

    return asyncio.run(main())
