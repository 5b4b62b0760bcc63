"""``factdesk run`` (start the bot) and ``factdesk sync`` (sync its commands deliberately).

``run --shards 0-3 --shard-count 8`` runs some of the bot's gateway shards in this process
(they override ``FACTDESK_SHARD_IDS`` / ``FACTDESK_SHARD_COUNT``; see :mod:`bot.shards`).
"""

from __future__ import annotations

import argparse


def _shard_list(text: str) -> str:
    """argparse type for ``--shards``: checked now, kept as text (as the setting is)."""
    from bot.shards import ShardSpecError, parse_shard_ids

    try:
        parse_shard_ids(text)
    except ShardSpecError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more (got {value})")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser("run", help="start the bot (needs FACTDESK_DISCORD_TOKEN)")
    run.add_argument(
        "--shards",
        type=_shard_list,
        metavar="IDS",
        help="the gateway shards to run here, e.g. 0-3 or 0,2 (needs --shard-count)",
    )
    run.add_argument(
        "--shard-count",
        type=_positive,
        metavar="N",
        help="the bot's total shard count, the same in every process",
    )
    run.set_defaults(handler=handle_run)
    sync = subparsers.add_parser("sync", help="sync the slash commands with Discord and exit")
    sync.add_argument(
        "--guild",
        type=int,
        metavar="ID",
        help="sync to this guild only (instant) instead of globally",
    )
    sync.set_defaults(handler=handle_sync)


def handle_run(args: argparse.Namespace) -> int:
    from bot import hangup

    # Before importing discord (a second or so): SIGHUP must not stop a starting bot.
    hangup.install()
    from bot.cli.common import CliError, load_settings
    from bot.runner import run
    from bot.shards import ShardPlan, ShardSpecError

    settings = load_settings()
    update = {
        name: value
        for name, value in (("shard_ids", args.shards), ("shard_count", args.shard_count))
        if value is not None
    }
    if update:
        settings = settings.model_copy(update=update)
    try:
        ShardPlan.build(settings.shard_ids, settings.shard_count)
    except ShardSpecError as error:
        raise CliError(f"error: {error}") from None
    return run(settings)


def handle_sync(args: argparse.Namespace) -> int:
    from bot.cli.common import load_settings
    from bot.runner import sync

    return sync(load_settings(), args.guild)
