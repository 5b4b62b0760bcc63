"""``factdesk run`` (start the bot) and ``factdesk sync`` (sync its commands deliberately)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = subparsers.add_parser("run", help="start the bot (needs FACTDESK_DISCORD_TOKEN)")
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
    from bot.cli.common import load_settings
    from bot.runner import run

    return run(load_settings())


def handle_sync(args: argparse.Namespace) -> int:
    from bot.cli.common import load_settings
    from bot.runner import sync

    return sync(load_settings(), args.guild)
