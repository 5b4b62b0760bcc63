"""100 simultaneous flag submissions through the real bot, 10 rounds in a row.

Each round: 100 members (new ones each round) press the Flag button on the public answer
card and submit the flag form, all at once. Reported per round: the worst first response
(INTERACTION_CREATE -> the bot's callback, on the stand-in's clock) over the 200 interactions
(button + form), how many members were told their flag is recorded, and the stand-in's
violations. Discord's deadline is 3 s. The stand-in runs on its own thread (``--standin
inline``: on the bot's loop, the old set-up).

    .venv/bin/python bench/speed_flags.py --rounds 10 --members 100
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.discord_ui import strings  # noqa: E402
from bot.logs import configure_logging, reset_logging  # noqa: E402
from tests.e2e import harness  # noqa: E402
from tests.standin import PLAIN_MEMBER, StandIn  # noqa: E402

MODAL = 9
MODERATOR = PLAIN_MEMBER | (1 << 13)
CLAIM = """+++
id = "moon-cheese"
question = "Is the moon made of cheese?"
language = "en"
checked_on = 2026-11-01
verdict = "False"

[[sources]]
number = 1
title = "A source"
+++
No: the moon is rock and dust. Samples brought back prove it. [1]
"""


async def reply_text(ix: Any) -> str:
    body = await ix.response(within=30)
    if body["type"] == 4:
        return str(body["data"].get("content") or "")
    (message,) = await ix.followups(1, within=30)
    return str(message.get("content") or "")


async def flag(standin: StandIn, world: harness.World, card: Any, member: Any) -> tuple[Any, ...]:
    button = await standin.click(card, "fd:flag:moon-cheese", member)
    body = await button.response(within=30)
    if body["type"] != MODAL:
        return (button, None, str(body["data"].get("content")))
    form = await standin.submit_modal(
        world.guild,
        world.channel,
        member,
        body["data"]["custom_id"],
        {"reason": "The samples disagree."},
    )
    return (button, form, await reply_text(form))


async def round_of(
    standin: StandIn, world: harness.World, card: Any, members: list[Any]
) -> list[tuple[Any, ...]]:
    """One round, on the stand-in's loop: every member flags at once."""
    return list(await asyncio.gather(*(flag(standin, world, card, m) for m in members)))


async def bench(args: argparse.Namespace) -> int:
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="factdesk-speed-flags-") as directory:
        folder = Path(directory)
        corpus = folder / "claims"
        corpus.mkdir()
        (corpus / "moon-cheese.md").write_text(CLAIM, encoding="utf-8")
        async with StandIn.start(own_thread=args.standin == "thread") as standin:
            guild = standin.add_guild("Flags")
            world = harness.World(
                standin=standin,
                guild=guild,
                channel=standin.add_channel(guild, "general"),
                modlog=standin.add_channel(guild, "mod-log"),
                member=standin.add_member(guild, "member"),
                moderator=standin.add_member(guild, "moderator", permissions=MODERATOR),
                manager=standin.add_member(guild, "manager", permissions=MODERATOR | (1 << 5)),
                corpus=corpus,
                database=folder / "state" / "factdesk.db",
            )
            crowd = [
                [standin.add_member(guild, f"r{r}m{m}") for m in range(args.members)]
                for r in range(args.rounds)
            ]
            with (folder / "bot.log").open("w", encoding="utf-8") as log_stream:
                configure_logging(log_format="json", level="INFO", stream=log_stream)
                try:
                    async with harness.world_bot(world, ("Flag disputed claim",)):
                        target = standin.post_message(world.channel, world.member, "moon cheese")
                        before = len(standin.channel_messages(world.channel))
                        ix = await standin.message_command(
                            guild,
                            world.channel,
                            world.moderator,
                            strings.MOD_FLAG_MENU_NAME,
                            target,
                        )
                        await reply_text(ix)
                        card = standin.channel_messages(world.channel)[before:][-1]
                        print(
                            f"{'round':>5} {'worst first response ms':>24} {'recorded':>9}"
                            f" {'late':>5} {'violations':>10} {'wall s':>7} {'load':>5}"
                        )
                        for number, members in enumerate(crowd, start=1):
                            seen = len(standin.violations)
                            started = time.perf_counter()
                            results = await standin.drive(round_of(standin, world, card, members))
                            wall = time.perf_counter() - started
                            latencies = [
                                ix.latency for r in results for ix in r[:2] if ix is not None
                            ]
                            worst = max(
                                (x for x in latencies if x is not None), default=float("inf")
                            )
                            late = sum(1 for x in latencies if x is None or x > 3.0)
                            recorded = sum(1 for r in results if "is recorded" in r[2])
                            violations = len(standin.violations) - seen
                            failed |= bool(late or violations or recorded != len(members))
                            print(
                                f"{number:>5} {1000 * worst:>24.1f} {recorded:>9} {late:>5}"
                                f" {violations:>10} {wall:>7.2f} {os.getloadavg()[0]:>5.2f}"
                            )
                except BaseException:
                    traceback.print_exc()
                    raise
                finally:
                    reset_logging()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--standin", choices=("thread", "inline"), default="thread")
    return asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
