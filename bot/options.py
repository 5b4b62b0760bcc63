"""Command options shared by cogs: parsed and checked once, here.

A text-channel option (the mod-log, the digest) is read as the channel's id: the settings
keep only the id, and the command never depends on the channel being cached or resolved
in full. Discord offers only the invoking server's text and announcement channels; a
forged payload naming another server's channel, or a voice channel, is refused, never
stored.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot import checks
from bot.discord_ui import strings

TEXT_CHANNEL_TYPES = (discord.ChannelType.text, discord.ChannelType.news)


def channel_type(interaction: discord.Interaction, channel: Any) -> discord.ChannelType | None:
    """The type of a channel option: from Discord's resolved data, else the guild cache;
    ``None`` when neither knows it (the option's channel_types already limited the choice)."""
    found = getattr(channel, "type", None)
    if found is None and interaction.guild is not None:
        found = getattr(interaction.guild.get_channel(channel.id), "type", None)
    return found if isinstance(found, discord.ChannelType) else None


class TextChannelIdTransformer(app_commands.Transformer):
    """A text or announcement channel of this server, as its id."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return list(TEXT_CHANNEL_TYPES)

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> int:
        channel_id = int(getattr(value, "id", value))
        action = interaction.command.qualified_name if interaction.command else "channel"
        if not checks.channel_of_this_guild(interaction, channel_id):
            raise checks.Refused(action, "", strings.SETTINGS_CHANNEL_ELSEWHERE)
        kind = channel_type(interaction, value)
        if kind is not None and kind not in TEXT_CHANNEL_TYPES:
            raise checks.Refused(action, "", strings.CHANNEL_NOT_TEXT, audited=False)
        return channel_id


TextChannelId = app_commands.Transform[int, TextChannelIdTransformer]
