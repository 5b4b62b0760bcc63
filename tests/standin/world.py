"""The stand-in's model of Discord: snowflakes, guilds, channels, members, messages, JSON.

Only what the gateway and REST handlers need to build payloads discord.py 2.7 can parse.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1_420_070_400_000
_counter = itertools.count(1)

# Permission bits (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
ADD_REACTIONS = 1 << 6
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38

# What an ordinary member may do in an ordinary channel; also the bot's default grant.
PLAIN_MEMBER = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)


def snowflake() -> int:
    """A fresh, increasing snowflake whose timestamp is now (discord.py derives created_at)."""
    millis = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return (millis << 22) | (next(_counter) & 0x3FFFFF)


def snowflake_on_shard(shard_id: int, shard_count: int) -> int:
    """A fresh snowflake whose server would be routed to ``shard_id`` of ``shard_count``
    (``(id >> 22) % shard_count``): its timestamp moved back by under ``shard_count`` ms."""
    fresh = snowflake()
    millis, low = fresh >> 22, fresh & 0x3FFFFF
    millis -= (millis - shard_id) % shard_count
    return (millis << 22) | low


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


def as_permissions(value: Any) -> int:
    """An int from an int or a ``discord.Permissions``-like object with ``.value``."""
    return int(getattr(value, "value", value))


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class Channel:
    id: int
    guild_id: int
    name: str
    position: int = 0
    type: int = 0
    bot_allowed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclass
class User:
    id: int
    name: str
    bot: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": None if self.bot else self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }


@dataclass
class Member:
    user: User
    guild_id: int
    permissions: int
    roles: list[int] = field(default_factory=list)
    locale: str = "en-US"

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.name

    def to_json(self, *, with_permissions: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user.to_json(),
            "nick": None,
            "avatar": None,
            "roles": [str(role) for role in self.roles],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
        }
        if with_permissions:
            data["permissions"] = str(self.permissions)
        return data


@dataclass
class Guild:
    id: int
    name: str
    roles: list[Role] = field(default_factory=list)
    channels: list[Channel] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    locale: str = "en-US"
    owner_id: int = 0

    def to_json(self) -> dict[str, Any]:
        """The GUILD_CREATE payload."""
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [role.to_json() for role in self.roles],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "preferred_locale": self.locale,
            "premium_tier": 0,
            "nsfw_level": 0,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [member.to_json() for member in self.members],
            "channels": [channel.to_json() for channel in self.channels],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def member(self, user_id: int) -> Member | None:
        return next((m for m in self.members if m.id == user_id), None)


def message_json(
    *,
    channel_id: int,
    author: User,
    body: dict[str, Any],
    guild_id: int | None = None,
    member: Member | None = None,
    webhook_id: int | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    """A full message object as Discord returns it, built from a create body."""
    data: dict[str, Any] = {
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "type": 0,
        "author": author.to_json(),
        "content": body.get("content") or "",
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": bool(body.get("tts")),
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": [],
        "embeds": [_embed_out(embed) for embed in body.get("embeds") or []],
        "reactions": [],
        "pinned": False,
        "flags": int(body.get("flags") or 0),
        "components": _components_out(body.get("components") or []),
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    if member is not None:
        data["member"] = {k: v for k, v in member.to_json().items() if k != "user"}
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    return data


def apply_edit(message: dict[str, Any], body: dict[str, Any]) -> None:
    """Apply a PATCH body to a stored message in place."""
    if "content" in body:
        message["content"] = body["content"] or ""
    if "embeds" in body:
        message["embeds"] = [_embed_out(embed) for embed in body["embeds"] or []]
    if "components" in body:
        message["components"] = _components_out(body["components"] or [])
    if body.get("flags") is not None:
        # Only SUPPRESS_EMBEDS and the Components V2 flag may change; keep EPHEMERAL.
        message["flags"] = (message["flags"] & (1 << 6)) | int(body["flags"])
    message["flags"] &= ~(1 << 7)  # an edit ends the "thinking" (LOADING) state
    message["edited_timestamp"] = iso_now()


def _embed_out(embed: dict[str, Any]) -> dict[str, Any]:
    out = {key: value for key, value in embed.items() if value is not None}
    out.setdefault("type", "rich")
    return out


def _components_out(components: list[Any]) -> list[Any]:
    """Components as Discord echoes them: every component gets an ``id``."""
    counter = itertools.count(1)

    def walk(items: list[Any]) -> list[Any]:
        result = []
        for item in items:
            if not isinstance(item, dict):
                continue
            copy = dict(item)
            copy.setdefault("id", next(counter))
            if isinstance(copy.get("components"), list):
                copy["components"] = walk(copy["components"])
            result.append(copy)
        return result

    return walk(components)
