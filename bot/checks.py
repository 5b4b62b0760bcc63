"""Who may do what: one decorator per role, one refusal error.

A moderator command is hidden from members by ``default_permissions``, but a server's
admins can re-grant it to anyone, so the permission is checked again at run time. Both
halves come from one place here (RoboDanny's ``hybrid_permissions_check`` idea): the
decorators set ``default_permissions`` and ``guild_only`` and add the run-time check. A
failed check raises :class:`Refused`; the tree's ``on_error`` and the component bases
(:mod:`bot.interactions`) answer every refusal the same way: politely, privately, and
audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import discord
from discord import app_commands

from bot.discord_ui import strings

T = TypeVar("T")


class Refused(app_commands.CheckFailure):
    """A member may not do this here. ``message`` is what they are told."""

    def __init__(
        self, action: str, needed: str, message: str | None = None, *, audited: bool = True
    ) -> None:
        self.action = action
        self.needed = needed
        self.message = message or strings.MOD_REFUSED.format(
            permission=strings.PERMISSION_NAMES.get(needed, needed)
        )
        self.audited = audited
        super().__init__(self.message)


@dataclass(frozen=True)
class Need:
    """A role: the permission that grants it and how it is named to members."""

    label: str
    permissions: discord.Permissions
    owners_allowed: bool = False
    # Another permission that grants the role as well (e.g. managers may read settings).
    or_permissions: discord.Permissions | None = None

    def granted(self, interaction: discord.Interaction) -> bool:
        if self.owners_allowed:
            owners = getattr(getattr(interaction.client, "settings", None), "owner_ids", ())
            if interaction.user.id in owners:
                return True
        if interaction.guild_id is None:
            return False
        if self.permissions.is_subset(interaction.permissions):
            return True
        return self.or_permissions is not None and self.or_permissions.is_subset(
            interaction.permissions
        )


MODERATOR = Need("Manage Messages", discord.Permissions(manage_messages=True))
MANAGER = Need("Manage Server", discord.Permissions(manage_guild=True))
MODERATOR_OR_MANAGER = Need(
    "Manage Messages", MODERATOR.permissions, or_permissions=MANAGER.permissions
)
OWNER_OR_MANAGER = Need("owner or Manage Server", MANAGER.permissions, owners_allowed=True)


def require(
    interaction: discord.Interaction,
    need: Need,
    action: str | None = None,
    *,
    message: str | None = None,
    guild_message: str | None = None,
) -> None:
    """Raise :class:`Refused` unless the member has ``need`` here (components and forms)."""
    what = action or _action(interaction)
    if interaction.guild_id is None and not need.owners_allowed:
        raise Refused(what, "", guild_message or strings.MOD_GUILD_ONLY, audited=False)
    if not need.granted(interaction):
        raise Refused(what, need.label, message)


def in_guild(interaction: discord.Interaction, message: str | None = None) -> int:
    """The server's id, or :class:`Refused` (not audited) in a DM."""
    if interaction.guild_id is None:
        raise Refused(_action(interaction), "", message or strings.MOD_GUILD_ONLY, audited=False)
    return interaction.guild_id


def _action(interaction: discord.Interaction) -> str:
    if interaction.command is not None:
        return interaction.command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("custom_id") or interaction.type.name)


def needs(
    need: Need, *, message: str | None = None, guild_message: str | None = None
) -> Callable[[T], T]:
    """The run-time half only (for subcommands, whose group carries the visibility)."""

    def predicate(interaction: discord.Interaction) -> bool:
        require(interaction, need, message=message, guild_message=guild_message)
        return True

    return app_commands.check(predicate)


def _restricted(need: Need, message: str | None) -> Callable[[T], T]:
    def decorate(command: T) -> T:
        command = app_commands.guild_only()(command)
        command = app_commands.default_permissions(need.permissions)(command)
        return needs(need, message=message)(command)

    return decorate


def moderator_only(*, message: str | None = None) -> Callable[[T], T]:
    """A top-level command for members with Manage Messages (hidden and checked)."""
    return _restricted(MODERATOR, message)


def manager_only(*, message: str | None = None) -> Callable[[T], T]:
    """A top-level command for members with Manage Server (hidden and checked)."""
    return _restricted(MANAGER, message)


def group(name: str, description: str, shown_to: Need) -> app_commands.Group:
    """A command group shown (by default) only to ``shown_to``, in servers only. Each
    subcommand adds its run-time check with :func:`needs`."""
    return app_commands.Group(
        name=name,
        description=description,
        guild_only=True,
        default_permissions=shown_to.permissions,
    )


def restrict_menu(menu: app_commands.ContextMenu, need: Need) -> app_commands.ContextMenu:
    """The same restriction for a context menu built inside a cog."""
    menu.guild_only = True
    menu.default_permissions = need.permissions

    def predicate(interaction: discord.Interaction) -> bool:
        require(interaction, need)
        return True

    menu.add_check(predicate)
    return menu


def channel_of_this_guild(interaction: discord.Interaction, channel_id: int) -> bool:
    """Whether ``channel_id`` is a channel of the interaction's server, by the guild cache.

    Discord resolves a channel option to the invoking server's channels only, but a forged
    payload can name any id; discord.py labels resolved channels with the interaction's
    guild whatever they are, so only the cache can tell. An uncached guild is trusted.
    """
    guild = interaction.guild
    if guild is None or not guild.channels:
        return True
    return guild.get_channel_or_thread(channel_id) is not None
