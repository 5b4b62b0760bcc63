"""Every application command the cogs register has a name of its own, per type.

Discord keys a command by (type, name): two slash commands, two message menus or two user
menus with one name cannot both exist, and neither can two subcommands of one group.
discord.py refuses such a duplicate when a cog adds it, but the bot's ``setup_hook`` only
logs an extension that fails to load (all but the core one), so a clash would silently
drop a whole cog in production. Here every cog is loaded strictly and the tree is walked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

from discord import AppCommandType

KINDS = (AppCommandType.chat_input, AppCommandType.user, AppCommandType.message)


def clashes(commands: Iterable[Any], kind: AppCommandType, path: str = "") -> list[str]:
    """Every name used twice among siblings: top-level commands of ``kind``, or the
    subcommands (and subcommand groups) of each group, recursively."""
    siblings = list(commands)
    counts = Counter(command.name for command in siblings)
    found = [f"{kind.name} {path}{name}" for name, count in counts.items() if count > 1]
    for command in siblings:
        children = getattr(command, "commands", None)  # a group's subcommands and groups
        if children is not None:
            found += clashes(children, kind, f"{path}{command.name} ")
    return found


async def test_every_cog_loads_and_each_command_name_is_unique_per_type(loaded_bot: Any) -> None:
    tree = loaded_bot.tree
    registered = {kind: tree.get_commands(type=kind) for kind in KINDS}
    assert registered[AppCommandType.chat_input], "no slash command registered"
    assert registered[AppCommandType.message], "no message menu registered"
    problems = [clash for kind in KINDS for clash in clashes(registered[kind], kind)]
    assert problems == []
    # Nothing a cog declares was replaced by another cog's command of the same name.
    for cog_name, cog in loaded_bot.cogs.items():
        for command in cog.get_app_commands():
            assert tree.get_command(command.name) is command, (cog_name, command.name)


def test_a_clash_is_reported_at_the_top_level_and_inside_groups() -> None:
    # discord.py's add_command refuses these, so plain stand-ins for commands show the walk.
    def command(name: str, *children: Any) -> Any:
        return (
            SimpleNamespace(name=name, commands=list(children))
            if children
            else (SimpleNamespace(name=name))
        )

    flags = command("flags", command("list"), command("show"), command("list", command("x")))
    settings = command("settings", command("modlog", command("set"), command("set")))
    top = [command("factcheck"), command("factcheck"), flags, settings, command("ok")]
    assert clashes(top, AppCommandType.chat_input) == [
        "chat_input factcheck",
        "chat_input flags list",
        "chat_input settings modlog set",
    ]
    assert clashes([flags.commands[0], command("ok")], AppCommandType.message) == []
