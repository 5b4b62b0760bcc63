"""The factdesk bot: a ``commands.Bot`` that wires settings, library and database to the cogs.

Resources are made before login (see :mod:`bot.runner`) and handed in; ``setup_hook`` loads
every cog module, syncs to the development guild when one is configured, and starts the
heartbeat. The tree and the modal router hand every interaction to :mod:`bot.interactions`,
so every cog refuses, fails and logs the same way.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import interactions
from bot.discord_ui.translator import CommandTranslator
from bot.interactions import ModalForm
from bot.logs import get_logger

if TYPE_CHECKING:
    from bot.core.library import Library
    from bot.heartbeat import Heartbeat
    from bot.peers import ReloadChannel
    from bot.settings import Settings
    from bot.shards import IdentifyGate, ShardPlan
    from bot.store.database import Database

log = get_logger(__name__)

# Extensions whose failure to load stops the bot: without them it has nothing to offer.
CORE_EXTENSIONS = frozenset({"cogs.factcheck"})
HEARTBEAT_SECONDS = 30.0


class FactdeskTree(app_commands.CommandTree):
    """The command tree owns each command's life (see :mod:`bot.interactions`): context and
    clock at ``interaction_check``, refusals and errors in ``on_error``, the one log line
    at completion (``FactdeskBot.dispatch`` of ``app_command_completion``) or on error."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        interactions.begin(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await interactions.fail(interaction, original)


class FactdeskBot(commands.Bot):
    """factdesk's bot. ``library`` may be replaced whole (a corpus reload)."""

    def __init__(
        self,
        *,
        settings: Settings,
        library: Library,
        database: Database,
        heartbeat: Heartbeat | None = None,
        message_content: bool | None = None,
        shard_plan: ShardPlan | None = None,
        identify_gate: IdentifyGate | None = None,
        **options: Any,
    ) -> None:
        # Interactions arrive without any intent; guilds gives the channel and role cache
        # that interaction.channel / permissions resolve against. Watch mode alone reads
        # members' messages: guild messages, plus the privileged Message Content intent the
        # operator enables (FACTDESK_MESSAGE_CONTENT); ``message_content=False`` overrides
        # it when Discord refused it (bot.runner starts again without it).
        intents = discord.Intents.none()
        intents.guilds = True
        wants_content = settings.message_content if message_content is None else message_content
        if wants_content:
            intents.guild_messages = True
            intents.message_content = True
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=FactdeskTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.library = library
        self.database = database
        self.heartbeat = heartbeat
        # Whether members' message text reaches the bot (watch mode needs it).
        self.reads_messages = wants_content
        self._modal_forms: list[type[ModalForm]] = []
        self.shard_plan = shard_plan
        self.identify_gate = identify_gate
        self._max_concurrency: int | None = None
        # PostgreSQL: corpus reloads heard from and told to the bot's other processes.
        self.peers: ReloadChannel | None = None

    @property
    def syncs_commands(self) -> bool:
        """Whether this process syncs the command tree: unsharded, or holding shard 0."""
        return self.shard_plan is None or self.shard_plan.syncs_commands

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Sharded: wait for the shard's identify bucket across processes (bot.shards)."""
        if self.identify_gate is None:
            await super().before_identify_hook(shard_id, initial=initial)
            return
        if self._max_concurrency is None:
            _, _, limit = await self.http.get_bot_gateway()
            self._max_concurrency = int(limit.get("max_concurrency") or 1)
            log.info(
                "session starts",
                remaining=limit.get("remaining"),
                total=limit.get("total"),
                max_concurrency=self._max_concurrency,
            )
        bucket = await self.identify_gate.wait_turn(shard_id or 0, self._max_concurrency)
        log.info("identifying", shard_id=shard_id, bucket=bucket)

    @property
    def library(self) -> Library:
        return self._library

    @library.setter
    def library(self, library: Library) -> None:
        # Every library the bot serves (at start, after a reload) answers at the operator's
        # FACTDESK_MATCH_THRESHOLD when one is set, else at the scorer's own default.
        if self.settings.match_threshold is not None:
            library.matcher.threshold = self.settings.match_threshold
        self._library = library

    async def setup_hook(self) -> None:
        # Synced commands carry their Spanish names and descriptions (bot/locale).
        await self.tree.set_translator(CommandTranslator())
        if isinstance(self.settings.database, str):
            from bot.peers import ReloadChannel

            self.peers = ReloadChannel(
                self.settings.database, lambda _peer: self.dispatch("peer_corpus_reload")
            )
            try:
                await self.peers.start()
            except Exception:
                log.exception("cannot listen for other processes' corpus reloads")
                self.peers = None
        for name in extension_names():
            try:
                await self.load_extension(name)
            except Exception:
                if name in CORE_EXTENSIONS:
                    raise
                log.exception("extension failed to load", extension=name)
        if self.settings.dev_guild_id is not None and self.syncs_commands:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("commands synced", guild_id=guild.id, count=len(synced))
        if self.heartbeat is not None:
            self.refresh_heartbeat.start()

    async def close(self) -> None:
        if self.refresh_heartbeat.is_running():
            self.refresh_heartbeat.cancel()
        await super().close()
        if self.peers is not None:
            await self.peers.close()
        if self.identify_gate is not None:
            await self.identify_gate.close()

    @tasks.loop(seconds=HEARTBEAT_SECONDS)
    async def refresh_heartbeat(self) -> None:
        if self.heartbeat is None:
            return
        try:
            await self.heartbeat.beat(self)
        except Exception:
            log.exception("heartbeat failed")

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected", user_id=self.user.id, guilds=len(self.guilds))
        # Say "connected" now rather than at the loop's next tick, up to 30 s later.
        await self.refresh_heartbeat()

    async def on_corpus_reloaded(self, from_peer: bool) -> None:
        """A reload here (not one that followed a peer's) is told to the other processes."""
        if from_peer or self.peers is None:
            return
        try:
            await self.peers.announce()
        except Exception:
            log.exception("cannot tell the other processes about the reload")

    async def on_resumed(self) -> None:
        log.info("gateway session resumed")
        await self.refresh_heartbeat()

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "app_command_completion" and args:
            # The command's one log line, written at once: a task for it could outlive a
            # closing client.
            interactions.finish(args[0])
        super().dispatch(event_name, *args, **kwargs)

    def add_modal_forms(self, *forms: type[ModalForm]) -> None:
        """Route modal submissions whose custom_id matches these forms' templates."""
        self._modal_forms.extend(f for f in forms if f not in self._modal_forms)

    def remove_modal_forms(self, *forms: type[ModalForm]) -> None:
        self._modal_forms[:] = [f for f in self._modal_forms if f not in forms]

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type is discord.InteractionType.modal_submit:
            await interactions.route_modal(interaction, self._modal_forms)

    @property
    def signing_key(self) -> bytes:
        """A key for custom_ids that must not be forged (stable across restarts: it is
        derived from the token, which only this bot knows)."""
        secret = self.settings.discord_token
        token = secret.get_secret_value() if secret is not None else ""
        return hashlib.sha256(b"factdesk custom_id key\0" + token.encode()).digest()


class ShardedFactdeskBot(FactdeskBot, commands.AutoShardedBot):
    """factdesk on discord.py's ``AutoShardedBot``: the shards of ``shard_plan``, each
    identifying when the :class:`~bot.shards.IdentifyGate` gives its bucket a turn."""

    def __init__(self, *, shard_plan: ShardPlan, **kwargs: Any) -> None:
        super().__init__(
            shard_plan=shard_plan,
            shard_ids=list(shard_plan.shard_ids),
            shard_count=shard_plan.shard_count,
            **kwargs,
        )


def extension_names() -> list[str]:
    """Every module of ``cogs/`` whose name does not start with an underscore."""
    package = importlib.import_module("cogs")
    return [
        f"cogs.{info.name}"
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]
