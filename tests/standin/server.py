"""The local Discord stand-in: an aiohttp gateway + REST server for the real discord.py client.

Tests drive it through :class:`StandIn` (see ``tests/standin/README.md``): build a world
(guilds, channels, members), let the bot connect, send interactions as members, and read back
what the bot answered. Every request is recorded and validated against Discord's OpenAPI spec
and the rules in :mod:`tests.standin.rules`; anything wrong lands in ``standin.violations``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import copy
import functools
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from aiohttp import WSMsgType, web

from tests.standin import rules
from tests.standin.spec import API_PREFIX, Spec, default_spec_path
from tests.standin.world import (
    PLAIN_MEMBER,
    SEND_MESSAGES,
    VIEW_CHANNEL,
    Channel,
    Guild,
    Member,
    Role,
    User,
    apply_edit,
    as_permissions,
    message_json,
    snowflake,
    snowflake_on_shard,
)

# Gateway opcodes
DISPATCH, HEARTBEAT, IDENTIFY, RESUME, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 9, 10, 11
# Gateway close codes for sharding (Discord's): an invalid shard, and sharding required
# (a shard would hold more servers than one session may).
INVALID_SHARD, SHARDING_REQUIRED, AUTHENTICATION_FAILED = 4010, 4011, 4004
# Discord's limits on session starts: one IDENTIFY per bucket per 5 s, 1,000 a day; a
# session may hold at most 2,500 servers; it recommends one shard per 1,000 servers.
IDENTIFY_WINDOW = 5.0
SESSION_START_TOTAL = 1000
GUILDS_PER_SESSION = 2500
RECOMMENDED_GUILDS_PER_SHARD = 1000

# Interaction and callback types
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CHANNEL_MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE = 4, 5, 6, 7
AUTOCOMPLETE_RESULT, MODAL = 8, 9
EPHEMERAL, LOADING = 1 << 6, 1 << 7

JSON_HEADERS = {"Content-Type": "application/json"}
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


P = ParamSpec("P")
R = TypeVar("R")


def _snapshot(value: R) -> R:
    """A deep copy taken on the stand-in's loop: the test thread never reads live state."""
    return copy.deepcopy(value)


def _on_standin_loop(
    method: Callable[Concatenate[Any, P], R],
) -> Callable[Concatenate[Any, P], R]:
    """Run a synchronous test-API method on the stand-in's loop (the caller waits for it).

    The stand-in's state is only ever touched by its own thread; from the test's thread the
    call is handed over and its result waited for (microseconds unless the stand-in is busy).
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        owner: StandIn = self if isinstance(self, StandIn) else self.standin
        return owner._call(method, self, *args, **kwargs)

    return wrapper


def _awaited_on_standin_loop(
    method: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, R]]:
    """Run a test-API coroutine on the stand-in's loop and await its result from any loop."""

    @functools.wraps(method)
    async def wrapper(self: Any, *args: P.args, **kwargs: P.kwargs) -> R:
        owner: StandIn = self if isinstance(self, StandIn) else self.standin
        return await owner._hop(method(self, *args, **kwargs))

    return wrapper


# The privileged intent watch mode needs, and the application flag saying it is granted.
MESSAGE_CONTENT_INTENT = 1 << 15
GUILD_MESSAGES_INTENT = 1 << 9
GATEWAY_MESSAGE_CONTENT = 1 << 19

# How long Discord remembers a message nonce for enforce_nonce ("the past few minutes").
NONCE_WINDOW = 300.0


def _fault_body(status: int) -> web.Response:
    """An injected error as Discord words it."""
    if status == 403:
        return _json({"code": 50001, "message": "Missing Access"}, status)
    if status == 404:
        return _json({"code": 10003, "message": "Unknown Channel"}, status)
    return _json({"code": 0, "message": f"{status}: Internal Server Error"}, status)


class OptionRefused(ValueError):
    """Discord's client would not send this value (a number outside the option's range)."""


def _check_range(option: dict[str, Any], value: Any) -> None:
    """Numbers outside ``min_value``/``max_value`` never reach a bot: the client refuses them."""
    if option["type"] not in (4, 10):  # integer, number
        return
    low, high = option.get("min_value"), option.get("max_value")
    if (low is not None and value < low) or (high is not None and value > high):
        raise OptionRefused(f"{option['name']}={value!r} is outside [{low}, {high}]")


class StandInViolation(AssertionError):
    """Raised by :meth:`StandIn.assert_no_violations`; the message lists every violation."""


@dataclass(frozen=True)
class Violation:
    method: str
    path: str
    message: str
    detail: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.method} {self.path}: {self.message}"]
        lines += [f"    {line}" for line in self.detail]
        return "\n".join(lines)


@dataclass
class RecordedRequest:
    method: str
    path: str
    route: str | None
    body: Any
    query: dict[str, str]
    time: float
    status: int = 0


@dataclass
class _Fault:
    method: str
    route: str
    status: int
    times: int
    retry_after: float
    # The request is carried out, then answered with ``status``: the response was lost.
    lost: bool = False


@dataclass
class _Bucket:
    per_second: float
    window_start: float = 0.0
    used: int = 0


class HTTPError(Exception):
    """A Discord-shaped error response, raised inside handlers."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return _json(body, status=self.status)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # discord.py compares the Content-Type to "application/json" exactly: no charset.
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={**JSON_HEADERS, **(headers or {})}
    )


class Interaction:
    """One interaction the stand-in dispatched, and what the bot answered to it."""

    def __init__(self, standin: StandIn, payload: dict[str, Any]) -> None:
        self.standin = standin
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.channel_id = int(payload["channel_id"])
        self.created = time.monotonic()
        self.callback: dict[str, Any] | None = None
        self.answered: float | None = None
        self.original_id: int | None = None
        self.followup_messages: list[dict[str, Any]] = []
        self._changed = asyncio.Condition()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    @_awaited_on_standin_loop
    async def response(self, within: float = 5.0) -> dict[str, Any]:
        """The body of the bot's (accepted) initial callback, waiting for it if needed."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: self.callback is not None), within
            )
        assert self.callback is not None
        return _snapshot(self.callback)

    @_awaited_on_standin_loop
    async def followups(self, count: int = 1, within: float = 5.0) -> list[dict[str, Any]]:
        """The first ``count`` follow-up messages (current state, after edits)."""
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.followup_messages) >= count), within
            )
        return _snapshot(self.followup_messages[:count])

    @property
    def latency(self) -> float | None:
        """Seconds from dispatch to the accepted initial callback (None before it)."""
        return None if self.answered is None else self.answered - self.created

    @_on_standin_loop
    def original(self) -> dict[str, Any] | None:
        """The original response message as it stands now (after edits), if there is one."""
        return _snapshot(self._original())

    def _original(self) -> dict[str, Any] | None:
        if self.original_id is None:
            return None
        return self.standin.messages.get(self.original_id)

    @_awaited_on_standin_loop
    async def wait_original(self, predicate: Any = None, within: float = 5.0) -> dict[str, Any]:
        """Wait until the original response exists (and satisfies ``predicate``).

        ``predicate`` runs on the stand-in's thread, on the live message: keep it a pure check.
        """

        def ready() -> bool:
            message = self._original()
            return message is not None and (predicate is None or predicate(message))

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(ready), within)
        message = self._original()
        assert message is not None
        return _snapshot(message)


def shard_for(guild_id: int | None, shard_count: int) -> int:
    """Discord's routing: a server's events go to shard ``(guild_id >> 22) % shard_count``;
    events without a server (DMs) to shard 0."""
    if guild_id is None or shard_count <= 1:
        return 0
    return (guild_id >> 22) % shard_count


def _guild_of(event: str, data: Any) -> int | None:
    """The server a dispatch event belongs to (None: a DM or no server)."""
    if not isinstance(data, dict):
        return None
    if event in ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE"):
        return int(data["id"])
    value = data.get("guild_id")
    return int(value) if value is not None else None


@dataclass(frozen=True)
class Identify:
    """One IDENTIFY the stand-in received (on its clock), and what became of it."""

    time: float
    shard_id: int
    shard_count: int
    outcome: str  # "ready", or why it was refused: "rate", "invalid shard", ...


class _Session:
    def __init__(self, shard_id: int = 0, shard_count: int = 1) -> None:
        self.id = secrets.token_hex(16)
        self.sequence = 0
        self.events: list[dict[str, Any]] = []
        self.intents = 0
        self.shard_id = shard_id
        self.shard_count = shard_count
        # The socket dispatches go to: set once IDENTIFY or RESUME is handled on it. Before
        # that a new socket gets nothing live (RESUME replays what it missed), as Discord
        # does; sending on it too would deliver a missed event twice.
        self.streaming: web.WebSocketResponse | None = None
        # READY and every GUILD_CREATE of its shard sent: live events may follow.
        self.ready = False


class StandIn:
    """The stand-in server. Create it with ``async with StandIn.start() as standin``."""

    def __init__(
        self,
        spec: Spec,
        *,
        response_deadline: float = 3.0,
        followup_window: float = 900.0,
        heartbeat_interval_ms: int = 41_250,
        schema_validation: bool = True,
        max_concurrency: int = 1,
        identify_window: float = IDENTIFY_WINDOW,
        session_start_total: int = SESSION_START_TOTAL,
        guilds_per_session: int = GUILDS_PER_SESSION,
    ) -> None:
        self.spec = spec
        # Session starts (GET /gateway/bot's session_start_limit, and the checks on them).
        self.max_concurrency = max_concurrency
        self.identify_window = identify_window
        self.session_start_total = session_start_total
        self.session_start_remaining = session_start_total
        self.guilds_per_session = guilds_per_session
        # None: recommend one shard per 1,000 servers, as Discord does.
        self.recommended_shards: int | None = None
        self._identifies: list[Identify] = []
        self.schema_validation = schema_validation
        self.response_deadline = response_deadline
        self.followup_window = followup_window
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.application_id = snowflake()
        self.bot_user = User(self.application_id, "factdesk-standin", bot=True)
        self.bot_user_id = self.bot_user.id
        self.token = "standin-token"
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        # The bot's DM channel with each user (POST /users/@me/channels), by user id.
        self.dm_channels: dict[int, Channel] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self._requests: list[RecordedRequest] = []
        self._violations: list[Violation] = []
        self.interactions: dict[int, Interaction] = {}
        self._by_token: dict[str, Interaction] = {}
        self._commands: dict[int | None, list[dict[str, Any]]] = {}
        self._faults: list[_Fault] = []
        # (channel id, nonce) -> (message id, when): Discord's enforce_nonce window.
        self._nonces: dict[tuple[int, str], tuple[int, float]] = {}
        # Whether the application has the Message Content intent switched on in the portal;
        # an IDENTIFY asking for it without is closed with 4014, as Discord does.
        self.message_content_granted = False
        self.refused_identifies = 0
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        # The live session of each shard (by shard id; one unsharded session is shard 0).
        self._sessions: dict[int, _Session] = {}
        # Every open gateway socket, newest last (identified or not).
        self._sockets: list[web.WebSocketResponse] = []
        # Set when every shard of the shard count has a session that is ready.
        self._ready = asyncio.Event()
        self._resumed = asyncio.Event()
        self._state_changed = asyncio.Condition()
        self.identify_count = 0
        self.resume_count = 0
        self._runner: web.AppRunner | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0
        # The stand-in's own thread and event loop (see ``start``); None until started.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- its own thread

    def _on_own_thread(self) -> bool:
        return self._thread is None or threading.current_thread() is self._thread

    def _call(self, function: Callable[..., R], *args: Any, **kwargs: Any) -> R:
        """``function(*args, **kwargs)`` on the stand-in's loop; the calling thread waits."""
        if self._on_own_thread():
            return function(*args, **kwargs)
        assert self._loop is not None
        done: concurrent.futures.Future[R] = concurrent.futures.Future()

        def run() -> None:
            try:
                done.set_result(function(*args, **kwargs))
            except BaseException as error:
                done.set_exception(error)

        self._loop.call_soon_threadsafe(run)
        return done.result(timeout=30)

    async def _hop(self, coroutine: Coroutine[Any, Any, R]) -> R:
        """Await ``coroutine`` on the stand-in's loop from whichever loop the caller is on."""
        if self._on_own_thread():
            return await coroutine
        assert self._loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def _start_thread(self) -> None:
        loop = asyncio.new_event_loop()
        started = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.call_soon(started.set)
            loop.run_forever()

        self._loop = loop
        self._thread = threading.Thread(target=run, name="discord-standin", daemon=True)
        self._thread.start()
        started.wait(10)

    async def _stop_thread(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def leftovers() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            await self._hop(leftovers())
        loop.call_soon_threadsafe(loop.stop)
        await asyncio.to_thread(thread.join, 10)
        if not thread.is_alive():
            loop.close()

    async def drive(self, coroutine: Coroutine[Any, Any, R]) -> R:
        """Run ``coroutine`` (a load driver: members sending interactions and waiting for the
        answers) on the stand-in's own loop and return its result to the caller's loop.

        The driver's tasks then run where the members' side of Discord runs, not on the bot's
        loop; inside it the test API is called directly, with no hop. Served inline
        (``own_thread=False``), it simply awaits ``coroutine``.
        """
        return await self._hop(coroutine)

    def cpu_seconds(self) -> float | None:
        """CPU time the stand-in's own thread has used so far (None when served inline on the
        caller's loop): a benchmark subtracts it from the process's to get the bot's own."""
        thread = self._thread
        if thread is None or thread.ident is None or not thread.is_alive():
            return None
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request so far (a snapshot of the list, oldest first)."""
        return self._call(list, self._requests)

    @property
    def violations(self) -> list[Violation]:
        """Every violation so far (a snapshot of the list)."""
        return self._call(list, self._violations)

    # ----------------------------------------------------------------- start / stop

    @classmethod
    @contextlib.asynccontextmanager
    async def start(
        cls,
        spec_path: Path | None = None,
        *,
        response_deadline: float = 3.0,
        followup_window: float = 900.0,
        heartbeat_interval_ms: int = 41_250,
        schema_validation: bool = True,
        own_thread: bool = True,
        max_concurrency: int = 1,
        identify_window: float = IDENTIFY_WINDOW,
        session_start_total: int = SESSION_START_TOTAL,
        guilds_per_session: int = GUILDS_PER_SESSION,
    ) -> AsyncIterator[StandIn]:
        """Serve on 127.0.0.1 until the block ends.

        ``own_thread``: run the server on its own thread and event loop (the default), so
        nothing it does runs on the caller's loop; ``False`` serves on the caller's loop (for
        a measurement that compares the two; see docs/testing.md).
        """
        spec = Spec.load(spec_path or default_spec_path())
        standin = cls(
            spec,
            response_deadline=response_deadline,
            followup_window=followup_window,
            heartbeat_interval_ms=heartbeat_interval_ms,
            schema_validation=schema_validation,
            max_concurrency=max_concurrency,
            identify_window=identify_window,
            session_start_total=session_start_total,
            guilds_per_session=guilds_per_session,
        )
        # The server runs on its own thread and loop, so its work (schema validation above
        # all) never holds up the bot's loop; the test API hops over (see _on_standin_loop).
        if own_thread:
            standin._start_thread()
        try:
            await standin._hop(standin._serve())
            yield standin
        finally:
            with contextlib.suppress(Exception):
                await standin._hop(standin._stop())
            await standin._stop_thread()

    async def _serve(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def _stop(self) -> None:
        for socket in list(self._sockets):
            if not socket.closed:
                await socket.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """For ``FACTDESK_DISCORD_API_BASE``."""
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """For ``FACTDESK_DISCORD_GATEWAY_URL``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ----------------------------------------------------------------- the world

    @_on_standin_loop
    def add_guild(
        self,
        name: str = "Test Guild",
        *,
        locale: str = "en-US",
        on_shard: tuple[int, int] | None = None,
    ) -> Guild:
        """A new server; ``on_shard=(shard_id, shard_count)`` picks its id so that Discord's
        routing sends it to that shard under that count."""
        guild_id = snowflake() if on_shard is None else snowflake_on_shard(*on_shard)
        everyone = Role(guild_id, "@everyone", PLAIN_MEMBER)
        bot_role = Role(snowflake(), self.bot_user.name, PLAIN_MEMBER, position=1)
        owner = User(snowflake(), "owner")
        guild = Guild(guild_id, name, roles=[everyone, bot_role], locale=locale, owner_id=owner.id)
        guild.members.append(Member(self.bot_user, guild_id, PLAIN_MEMBER, [bot_role.id]))
        guild.members.append(Member(owner, guild_id, as_permissions(1 << 3)))
        self.guilds[guild_id] = guild
        self._dispatch_later("GUILD_CREATE", guild)
        return guild

    @_on_standin_loop
    def add_role(self, guild: Guild, name: str, *, permissions: Any = 0) -> Role:
        role = Role(snowflake(), name, as_permissions(permissions), position=len(guild.roles))
        guild.roles.append(role)
        self._dispatch_later(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.to_json()}
        )
        return role

    @_on_standin_loop
    def add_channel(self, guild: Guild, name: str = "general") -> Channel:
        channel = Channel(snowflake(), guild.id, name, position=len(guild.channels))
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        self._dispatch_later("CHANNEL_CREATE", channel.to_json())
        return channel

    @_on_standin_loop
    def add_member(
        self,
        guild: Guild,
        name: str = "member",
        *,
        permissions: Any = PLAIN_MEMBER,
        roles: list[Any] | None = None,
        locale: str = "en-US",
    ) -> Member:
        role_ids = [int(getattr(role, "id", role)) for role in roles or []]
        member = Member(
            User(snowflake(), name), guild.id, as_permissions(permissions), role_ids, locale
        )
        guild.members.append(member)
        return member

    @_on_standin_loop
    def remove_member(self, guild: Guild, member: Member) -> None:
        """``member`` leaves ``guild`` (GET /guilds/{id}/members/{id} then answers 404)."""
        guild.members[:] = [m for m in guild.members if m.id != member.id]

    @_on_standin_loop
    def dm_messages(self, member: Member) -> list[dict[str, Any]]:
        """The messages the bot sent ``member`` by DM, oldest first (a snapshot)."""
        channel = self.dm_channels.get(member.id)
        return _snapshot(self._channel_messages(channel)) if channel is not None else []

    @_on_standin_loop
    def set_bot_permissions(self, channel: Channel | int, *, allowed: bool) -> None:
        """``allowed=False``: the bot may not post in the channel (403, code 50013)."""
        self._channel(channel).bot_allowed = allowed

    def _channel(self, channel: Channel | int) -> Channel:
        return self.channels[channel.id if isinstance(channel, Channel) else int(channel)]

    @_on_standin_loop
    def channel_messages(self, channel: Channel | int) -> list[dict[str, Any]]:
        """Messages visible in a channel (not ephemeral), oldest first (a snapshot)."""
        return _snapshot(self._channel_messages(channel))

    def _channel_messages(self, channel: Channel | int) -> list[dict[str, Any]]:
        channel_id = self._channel(channel).id
        return [
            message
            for message in self.messages.values()
            if int(message["channel_id"]) == channel_id and not message["flags"] & EPHEMERAL
        ]

    @_on_standin_loop
    def message(self, message_id: int | str) -> dict[str, Any] | None:
        """A stored message (a snapshot), or None."""
        return _snapshot(self.messages.get(int(message_id)))

    @_on_standin_loop
    def post_message(self, channel: Channel | int, member: Member, content: str) -> dict[str, Any]:
        """A message a member wrote in a channel (a target for message commands)."""
        target = self._channel(channel)
        message = message_json(
            channel_id=target.id,
            author=member.user,
            body={"content": content},
            guild_id=target.guild_id,
            member=member,
        )
        self.messages[int(message["id"])] = message
        event = _snapshot(message)
        session = self._session_for(target.guild_id)
        intents = session.intents if session else 0
        if not intents & MESSAGE_CONTENT_INTENT:
            event["content"] = ""  # no MESSAGE_CONTENT intent: Discord blanks the content
        if intents & GUILD_MESSAGES_INTENT:  # without it, no guild message event at all
            self._dispatch_later("MESSAGE_CREATE", event)
        return _snapshot(message)

    @_on_standin_loop
    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """The registered command dicts, globally or in ``guild`` (a snapshot)."""
        return _snapshot(self._registered(guild))

    def _registered(self, guild: Guild | int | None) -> list[dict[str, Any]]:
        key = None if guild is None else guild.id if isinstance(guild, Guild) else int(guild)
        return list(self._commands.get(key, []))

    @_awaited_on_standin_loop
    async def wait_for_commands(
        self, *names: str, guild: Guild | int | None = None, within: float = 10.0
    ) -> None:
        """Wait until every named command is registered (globally, or in ``guild``)."""

        def present() -> bool:
            known = {command["name"] for command in self._registered(guild)}
            return all(name in known for name in names)

        async with self._state_changed:
            await asyncio.wait_for(self._state_changed.wait_for(present), within)

    async def _changed(self) -> None:
        async with self._state_changed:
            self._state_changed.notify_all()

    # ----------------------------------------------------------------- faults

    @_on_standin_loop
    def inject(
        self,
        method: str,
        route: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: float = 0.05,
        lost: bool = False,
    ) -> None:
        """The next ``times`` requests to ``route`` (a spec path template) get ``status``.

        ``lost=True``: each is carried out first (a message is created...) and only then
        answered with ``status``, as when Discord did the work but the response was lost."""
        self._faults.append(_Fault(method.upper(), route, status, times, retry_after, lost))

    @_on_standin_loop
    def rate_limit(self, method: str, route: str, *, per_second: float) -> None:
        """Allow ``per_second`` requests per second on a route; the excess gets 429."""
        self._buckets[(method.upper(), route)] = _Bucket(per_second)

    @_awaited_on_standin_loop
    async def drop_gateway(self, code: int | None = 4000, *, shard: int | None = None) -> None:
        """Close the bot's websocket (``code=None``: drop it without a close frame).

        ``shard``: only that shard's session socket; None: the newest socket (unsharded:
        the only one)."""
        self._resumed.clear()
        if shard is None:
            socket = self._sockets[-1] if self._sockets else None
        else:
            session = self._sessions.get(shard)
            socket = session.streaming if session is not None else None
        if socket is None:
            return
        if code is None:
            transport = socket._req.transport if socket._req else None
            if transport is not None:
                transport.close()
        else:
            await socket.close(code=code)

    @_awaited_on_standin_loop
    async def wait_ready(self, within: float = 10.0) -> None:
        """Wait until the bot has identified and every GUILD_CREATE was sent (sharded:
        every shard of the shard count has, whichever process holds it)."""
        await asyncio.wait_for(self._ready.wait(), within)

    # ----------------------------------------------------------------- shards

    @property
    def shard_count(self) -> int:
        """The shard count the live sessions identified with (1 before any)."""
        counts = {session.shard_count for session in self._sessions.values()}
        return max(counts) if counts else 1

    def shard_of(self, guild: Guild | int | None) -> int:
        """The shard ``guild``'s events go to under the current shard count."""
        guild_id = guild.id if isinstance(guild, Guild) else guild
        return shard_for(guild_id, self.shard_count)

    @_on_standin_loop
    def sessions(self) -> dict[int, int]:
        """Shard id -> how many servers its live session was given (a snapshot)."""
        return {
            shard: sum(
                1 for guild_id in self.guilds if shard_for(guild_id, session.shard_count) == shard
            )
            for shard, session in sorted(self._sessions.items())
        }

    @_awaited_on_standin_loop
    async def wait_identified(self, count: int, within: float = 30.0) -> None:
        """Wait until ``count`` IDENTIFYs in all have been accepted (READY and its servers
        sent), e.g. a restarted process's shards after the first start's."""

        def enough() -> bool:
            return sum(1 for i in self._identifies if i.outcome == "ready") >= count

        async with self._state_changed:
            await asyncio.wait_for(self._state_changed.wait_for(enough), within)

    @property
    def identifies(self) -> list[Identify]:
        """Every IDENTIFY so far, oldest first (a snapshot)."""
        return self._call(list, self._identifies)

    def _session_for(self, guild_id: int | None) -> _Session | None:
        return self._sessions.get(shard_for(guild_id, self.shard_count))

    @property
    def _session(self) -> _Session | None:
        """The unsharded session (shard 0's)."""
        return self._sessions.get(0)

    def _check_ready(self) -> None:
        count = self.shard_count
        if all(
            (session := self._sessions.get(shard)) is not None and session.ready
            for shard in range(count)
        ):
            self._ready.set()

    @_awaited_on_standin_loop
    async def wait_resumed(self, within: float = 10.0) -> None:
        await asyncio.wait_for(self._resumed.wait(), within)

    @_on_standin_loop
    def assert_no_violations(self) -> None:
        if self._violations:
            listing = "\n".join(str(violation) for violation in self._violations)
            raise StandInViolation(
                f"{len(self._violations)} request(s) broke Discord's contract:\n{listing}"
            )

    # ----------------------------------------------------------------- gateway

    def _dispatch_later(self, event: str, data: Any) -> None:
        """Send an event if its shard is connected (world changes before READY are in READY)."""
        payload = data.to_json() if isinstance(data, Guild) else data
        session = self._session_for(_guild_of(event, payload))
        if session is None or not session.ready:
            return
        task = asyncio.get_running_loop().create_task(self._send_event(session, event, payload))
        self._tasks.add(task)  # keep a reference until it has run
        task.add_done_callback(self._tasks.discard)

    @_awaited_on_standin_loop
    async def dispatch(self, event: str, data: Any) -> None:
        """Send a dispatch event to the shard of its server (DMs: shard 0), kept for
        RESUME replay when the socket is down."""
        session = self._session_for(_guild_of(event, data))
        if session is None:
            raise RuntimeError("the bot has not identified yet (that shard has no session)")
        await self._send_event(session, event, data)

    async def _send_event(self, session: _Session, event: str, data: Any) -> None:
        session.sequence += 1
        frame = {"op": DISPATCH, "t": event, "s": session.sequence, "d": data}
        session.events.append(frame)
        socket = session.streaming
        if socket is not None and not socket.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await socket.send_str(json.dumps(frame))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(heartbeat=None, autoping=True)
        await socket.prepare(request)
        self._sockets.append(socket)
        await socket.send_json(
            {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
        )
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            message = json.loads(frame.data)
            op = message.get("op")
            if op == HEARTBEAT:
                await socket.send_json({"op": HEARTBEAT_ACK})
            elif op == IDENTIFY:
                await self._identify(socket, message["d"])
            elif op == RESUME:
                await self._resume(socket, message["d"])
        self._sockets.remove(socket)
        for session in self._sessions.values():
            if session.streaming is socket:
                session.streaming = None
        return socket

    def _refuse_shard(self, shard_id: int, shard_count: int) -> tuple[int, bytes] | None:
        """The close code and reason Discord gives a bad ``shard`` field, or None."""
        if shard_count < 1 or not 0 <= shard_id < shard_count:
            return INVALID_SHARD, b"Invalid shard."
        held = sum(1 for g in self.guilds if shard_for(g, shard_count) == shard_id)
        if held > self.guilds_per_session:
            return SHARDING_REQUIRED, b"Sharding required."
        return None

    def _rate_refusal(self, shard_id: int, shard_count: int, now: float) -> bool:
        """True when this shard's bucket (``shard_id % max_concurrency``) already had an
        accepted sharded IDENTIFY within the identify window: Discord answers op 9.

        Checked between sharded sessions only (``shard_count > 1``): the unsharded tests
        start a bot again within a second on purpose, which real Discord would delay.
        """
        if shard_count <= 1:
            return False
        bucket = shard_id % self.max_concurrency
        return any(
            earlier.outcome == "ready"
            and earlier.shard_count > 1
            and earlier.shard_id % self.max_concurrency == bucket
            and now - earlier.time < self.identify_window
            for earlier in self._identifies
        )

    async def _identify(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        self.identify_count += 1
        now = time.monotonic()
        shard = data.get("shard") or [0, 1]
        shard_id, shard_count = int(shard[0]), int(shard[1])

        def record(outcome: str) -> None:
            self._identifies.append(Identify(now, shard_id, shard_count, outcome))

        if (
            int(data.get("intents", 0)) & MESSAGE_CONTENT_INTENT
            and not self.message_content_granted
        ):
            self.refused_identifies += 1
            record("disallowed intents")
            await socket.close(code=4014, message=b"Disallowed intent(s).")
            return
        refusal = self._refuse_shard(shard_id, shard_count)
        if refusal is not None:
            self.refused_identifies += 1
            record(refusal[1].decode().rstrip(".").lower())
            self._violate("GATEWAY", "IDENTIFY", f"shard {shard} refused: {refusal[1].decode()}")
            await socket.close(code=refusal[0], message=refusal[1])
            return
        if self._rate_refusal(shard_id, shard_count, now):
            self.refused_identifies += 1
            record("rate")
            self._violate(
                "GATEWAY",
                "IDENTIFY",
                f"shard {shard_id}: a second IDENTIFY in bucket"
                f" {shard_id % self.max_concurrency} within {self.identify_window} s"
                f" (max_concurrency {self.max_concurrency})",
            )
            await socket.send_json({"op": INVALID_SESSION, "d": False})
            return
        if self.session_start_remaining <= 0:
            self.refused_identifies += 1
            record("daily limit")
            self._violate("GATEWAY", "IDENTIFY", "the daily session start limit is used up")
            await socket.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return
        self.session_start_remaining -= 1
        record("ready")
        self._ready.clear()
        for other in self._sessions.values():
            if other.shard_count != shard_count:
                self._violate(
                    "GATEWAY",
                    "IDENTIFY",
                    f"shard {shard} while shard {other.shard_id} runs with count"
                    f" {other.shard_count}",
                )
        earlier = self._sessions.get(shard_id)
        if earlier is not None and earlier.streaming is not None and not earlier.streaming.closed:
            # Two live sessions for one shard: two processes were given overlapping ranges.
            self._violate(
                "GATEWAY", "IDENTIFY", f"shard {shard_id} identified while its session is live"
            )
        session = _Session(shard_id, shard_count)
        self._sessions[shard_id] = session
        session.intents = int(data.get("intents", 0))
        session.streaming = socket
        mine = [g for g in self.guilds.values() if shard_for(g.id, shard_count) == shard_id]
        ready = {
            "v": 10,
            "user": {**self.bot_user.to_json(), "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": str(guild.id), "unavailable": True} for guild in mine],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "shard": [shard_id, shard_count],
            "application": {
                "id": str(self.application_id),
                "flags": GATEWAY_MESSAGE_CONTENT if self.message_content_granted else 0,
            },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth_session_id_hash": "",
        }
        await self._send_event(session, "READY", ready)
        for guild in mine:
            await self._send_event(session, "GUILD_CREATE", guild.to_json())
        session.ready = True
        self._check_ready()
        await self._changed()

    async def _resume(self, socket: web.WebSocketResponse, data: dict[str, Any]) -> None:
        session = next((s for s in self._sessions.values() if s.id == data.get("session_id")), None)
        if session is None:
            await socket.send_json({"op": INVALID_SESSION, "d": False})
            return
        self.resume_count += 1
        seen = int(data.get("seq") or 0)
        for frame in session.events:  # also what is dispatched while this replays
            if frame["s"] > seen:
                await socket.send_str(json.dumps(frame))
        session.streaming = socket
        await self._send_event(session, "RESUMED", {})
        self._resumed.set()

    # ----------------------------------------------------------------- interactions

    def _base_interaction(
        self, kind: int, guild: Guild, channel: Channel, member: Member, locale: str | None
    ) -> dict[str, Any]:
        bot_member = guild.member(self.bot_user_id)
        app_permissions = bot_member.permissions if bot_member else PLAIN_MEMBER
        if not channel.bot_allowed:
            app_permissions &= ~(SEND_MESSAGES | VIEW_CHANNEL)
        interaction_id = snowflake()
        return {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": kind,
            "token": f"ix-{interaction_id}-{secrets.token_urlsafe(24)}",
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": guild.locale, "features": []},
            "guild_locale": guild.locale,
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
            "member": member.to_json(with_permissions=True),
            "locale": locale or member.locale,
            "app_permissions": str(app_permissions),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }

    async def _send_interaction(self, payload: dict[str, Any]) -> Interaction:
        interaction = Interaction(self, payload)
        self.interactions[interaction.id] = interaction
        self._by_token[interaction.token] = interaction
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction

    def _find_command(self, guild: Guild, name: str, kind: int) -> dict[str, Any]:
        for command in self._registered(guild) + self._registered(None):
            if command["name"] == name and command.get("type", 1) == kind:
                return command
        raise LookupError(f"command {name!r} (type {kind}) is not registered; sync first")

    @staticmethod
    def _command_data(command: dict[str, Any], **extra: Any) -> dict[str, Any]:
        data = {"id": command["id"], "name": command["name"], "type": command["type"], **extra}
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]  # discord.py looks guild commands up by it
        return data

    def _options(
        self,
        declared: list[dict[str, Any]],
        values: dict[str, Any],
        resolved: dict[str, dict[str, Any]],
    ) -> list[Any]:
        """Option payloads by name; members, channels and roles also go into ``resolved``."""
        by_name = {option["name"]: option for option in declared}
        options = []
        for name, value in values.items():
            if name not in by_name:
                raise LookupError(f"option {name!r} is not declared (have {sorted(by_name)})")
            kind = by_name[name]["type"]
            if kind in (1, 2):  # subcommand (group): nested options
                nested = self._options(by_name[name].get("options") or [], value or {}, resolved)
                options.append({"name": name, "type": kind, "options": nested})
            else:
                _check_range(by_name[name], value)
                options.append(
                    {"name": name, "type": kind, "value": self._resolve(value, resolved)}
                )
        return options

    def _resolve(self, value: Any, resolved: dict[str, dict[str, Any]]) -> Any:
        """A user/channel/role option value as its id, with its object in ``resolved``."""
        if isinstance(value, Member):
            resolved.setdefault("users", {})[str(value.id)] = value.user.to_json()
            member = value.to_json(with_permissions=True)
            del member["user"]
            resolved.setdefault("members", {})[str(value.id)] = member
        elif isinstance(value, Channel):
            bot_permissions = PLAIN_MEMBER if value.bot_allowed else 0
            resolved.setdefault("channels", {})[str(value.id)] = {
                **value.to_json(),
                "permissions": str(bot_permissions),
            }
        elif isinstance(value, Role):
            resolved.setdefault("roles", {})[str(value.id)] = value.to_json()
        else:
            return value
        return str(value.id)

    def _command_options(self, command: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, dict[str, Any]] = {}
        options = self._options(command.get("options") or [], values, resolved)
        return {"options": options, **({"resolved": resolved} if resolved else {})}

    @_awaited_on_standin_loop
    async def slash(
        self,
        guild: Guild,
        channel: Channel,
        member: Member,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str | None = None,
    ) -> Interaction:
        """Run a chat-input command as ``member`` (options by name; subcommands nest)."""
        command = self._find_command(guild, name, 1)
        payload = self._base_interaction(APPLICATION_COMMAND, guild, channel, member, locale)
        payload["data"] = self._command_data(
            command, **self._command_options(command, options or {})
        )
        return await self._send_interaction(payload)

    @_awaited_on_standin_loop
    async def autocomplete(
        self,
        guild: Guild,
        channel: Channel,
        member: Member,
        name: str,
        options: dict[str, Any],
        *,
        focused: str,
        locale: str | None = None,
    ) -> Interaction:
        """Ask for autocomplete choices while ``focused`` is being typed."""
        command = self._find_command(guild, name, 1)
        payload = self._base_interaction(AUTOCOMPLETE, guild, channel, member, locale)
        data = self._command_options(command, options)
        built = data["options"]

        def mark(items: list[dict[str, Any]]) -> None:
            for item in items:
                if item["name"] == focused and "value" in item:
                    item["focused"] = True
                mark(item.get("options", []))

        mark(built)
        payload["data"] = self._command_data(command, **data)
        return await self._send_interaction(payload)

    @_awaited_on_standin_loop
    async def click(
        self,
        message: dict[str, Any],
        custom_id: str,
        member: Member,
        *,
        values: list[str] | None = None,
        locale: str | None = None,
        in_dm: bool = False,
    ) -> Interaction:
        """Press a button (or choose ``values`` in a string select) on a message.

        ``in_dm``: the member presses it in their DM with the bot (the message is taken as
        a copy in that DM): the payload carries ``user`` and no guild, as Discord sends.
        """
        current = self.messages.get(int(message["id"]), message)
        found = [
            component
            for component in rules.iter_components(current.get("components"))
            if component.get("custom_id") == custom_id
        ]
        if not found:
            raise LookupError(f"no component with custom_id {custom_id!r} on the message")
        channel = self._channel(int(current["channel_id"]))
        guild = self.guilds[channel.guild_id]
        payload = self._base_interaction(MESSAGE_COMPONENT, guild, channel, member, locale)
        payload["message"] = current
        payload["data"] = {"custom_id": custom_id, "component_type": found[0]["type"]}
        if values is not None:
            payload["data"]["values"] = values
        if in_dm:
            for key in ("guild_id", "guild", "guild_locale", "member"):
                payload.pop(key, None)
            dm_id = str(snowflake())
            payload["user"] = member.user.to_json()
            payload["context"] = 1  # BOT_DM
            payload["channel_id"] = dm_id
            payload["channel"] = {"id": dm_id, "type": 1}
            payload["message"] = {**current, "channel_id": dm_id}
            payload["message"].pop("guild_id", None)
        return await self._send_interaction(payload)

    @_awaited_on_standin_loop
    async def submit_modal(
        self,
        guild: Guild,
        channel: Channel,
        member: Member,
        custom_id: str,
        fields: dict[str, str],
        *,
        message: dict[str, Any] | None = None,
        locale: str | None = None,
    ) -> Interaction:
        """Submit a modal: ``fields`` maps each text input's custom_id to its value.

        ``message``: the message whose button opened the modal (Discord sends it then).
        """
        payload = self._base_interaction(MODAL_SUBMIT, guild, channel, member, locale)
        if message is not None:
            payload["message"] = self.messages.get(int(message["id"]), message)
        rows = [
            {
                "type": 1,
                "id": index * 2 + 1,
                "components": [
                    {"type": 4, "id": index * 2 + 2, "custom_id": field_id, "value": value}
                ],
            }
            for index, (field_id, value) in enumerate(fields.items())
        ]
        payload["data"] = {"custom_id": custom_id, "components": rows}
        return await self._send_interaction(payload)

    @_awaited_on_standin_loop
    async def message_command(
        self,
        guild: Guild,
        channel: Channel,
        member: Member,
        name: str,
        target: dict[str, Any],
        *,
        locale: str | None = None,
    ) -> Interaction:
        """Run a message context-menu command on ``target`` (a message dict)."""
        command = self._find_command(guild, name, 3)
        payload = self._base_interaction(APPLICATION_COMMAND, guild, channel, member, locale)
        payload["data"] = self._command_data(
            command, target_id=target["id"], resolved={"messages": {target["id"]: target}}
        )
        return await self._send_interaction(payload)

    # ----------------------------------------------------------------- REST

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        found = self.spec.find(request.method, path)
        route = found[0].template if found else None
        params = found[1] if found else {}
        record = RecordedRequest(
            request.method, path, route, None, dict(request.query), time.monotonic()
        )
        self._requests.append(record)
        try:
            record.body = await self._read_body(request)
            lost = self._lost_response(request.method, route)
            response = self._fault(request.method, route)
            if response is None:
                response = await self._handle(request, record, route, params)
            if lost is not None:
                response = lost
        except HTTPError as error:
            response = error.response()
        except Exception as error:
            # A 400, not a 500: discord.py would retry a 500 for half a minute.
            self._violate(request.method, path, f"stand-in could not handle it: {error!r}")
            response = _json({"code": 0, "message": "stand-in error"}, status=400)
        record.status = response.status
        response.headers.update(self._rate_headers(request.method, route))
        return response

    async def _read_body(self, request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        content_type = request.content_type
        if content_type == "multipart/form-data":
            reader = await request.multipart()
            payload: Any = None
            async for part in reader:
                name = getattr(part, "name", None)
                if name == "payload_json":
                    payload = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    await part.read()  # type: ignore[union-attr]
            return payload
        raw = await request.read()
        if not raw:
            return None
        return json.loads(raw)

    def _take_fault(self, method: str, route: str | None, *, lost: bool) -> _Fault | None:
        """The next injected fault for this request (used up once), if any."""
        for fault in self._faults:
            if (
                fault.lost == lost
                and fault.times > 0
                and (fault.method, fault.route)
                == (
                    method,
                    route,
                )
            ):
                fault.times -= 1
                return fault
        return None

    def _lost_response(self, method: str, route: str | None) -> web.Response | None:
        fault = self._take_fault(method, route, lost=True)
        return None if fault is None else _fault_body(fault.status)

    def _fault(self, method: str, route: str | None) -> web.Response | None:
        fault = self._take_fault(method, route, lost=False)
        if fault is not None:
            if fault.status == 429:
                return self._too_many(fault.retry_after, bucket=f"standin-{method}-{route}")
            return _fault_body(fault.status)
        if route is not None and (bucket := self._buckets.get((method, route))):
            now = time.monotonic()
            if now - bucket.window_start >= 1.0:
                bucket.window_start, bucket.used = now, 0
            if bucket.used >= bucket.per_second:
                wait = max(0.001, 1.0 - (now - bucket.window_start))
                return self._too_many(wait, bucket=f"standin-{method}-{route}")
            bucket.used += 1
        return None

    def _too_many(self, retry_after: float, *, bucket: str) -> web.Response:
        headers = {
            "Via": "1.1 google",
            "Retry-After": str(max(1, round(retry_after))),
            "X-RateLimit-Limit": "1",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": bucket,
            "X-RateLimit-Scope": "user",
        }
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": False,
        }
        return _json(body, status=429, headers=headers)

    def _rate_headers(self, method: str, route: str | None) -> dict[str, str]:
        bucket = self._buckets.get((method, route or ""))
        if bucket is None:
            return {}
        left = max(0.0, 1.0 - (time.monotonic() - bucket.window_start))
        return {
            "X-RateLimit-Limit": str(int(bucket.per_second)),
            "X-RateLimit-Remaining": str(max(0, int(bucket.per_second) - bucket.used)),
            "X-RateLimit-Reset-After": f"{left:.3f}",
            "X-RateLimit-Bucket": f"standin-{method}-{route}",
        }

    def _violate(
        self, method: str, path: str, message: str, detail: list[str] | None = None
    ) -> None:
        self._violations.append(Violation(method, path, message, detail or []))

    def _invalid(self, record: RecordedRequest, message: str, detail: list[str]) -> HTTPError:
        self._violate(record.method, record.path, message, detail)
        return HTTPError(
            400,
            50035,
            "Invalid Form Body",
            {"_errors": [{"code": "BASE_TYPE_INVALID", "message": line} for line in detail]},
        )

    async def _handle(
        self,
        request: web.Request,
        record: RecordedRequest,
        route: str | None,
        params: dict[str, str],
    ) -> web.Response:
        method = request.method
        if route is None:
            self._violate(method, record.path, "no such route in Discord's API spec")
            raise HTTPError(404, 0, "404: Not Found")
        found = self.spec.find(method, record.path)
        assert found is not None  # route came from the same lookup
        operation = found[0]
        if not request.headers.get("Authorization") and not route.startswith(
            ("/interactions/", "/webhooks/")
        ):
            raise HTTPError(401, 0, "401: Unauthorized")
        if self.schema_validation and (record.body is not None or self.spec.has_body(operation)):
            errors = self.spec.validate(operation, record.body)
            if errors:
                raise self._invalid(record, "request body does not match the spec", errors)
        handler = _ROUTES.get((method, route))
        if handler is None:
            self._violate(method, record.path, f"route {route} is not modelled by the stand-in")
            raise HTTPError(404, 0, "404: Not Found (not modelled by the stand-in)")
        return await handler(self, request, record, params)

    # --- identity

    async def _get_me(
        self, request: web.Request, record: RecordedRequest, params: Any
    ) -> web.Response:
        return _json(
            {
                **self.bot_user.to_json(),
                "verified": True,
                "mfa_enabled": False,
                "flags": 0,
                "locale": "en-US",
            }
        )

    async def _get_application(
        self, request: web.Request, record: RecordedRequest, params: Any
    ) -> web.Response:
        owner = User(
            snowflake() if not self.guilds else next(iter(self.guilds.values())).owner_id, "owner"
        )
        return _json(
            {
                "id": str(self.application_id),
                "name": self.bot_user.name,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "bot": self.bot_user.to_json(),
                "bot_public": True,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": owner.to_json(),
                "team": None,
                "flags": 0,
                "rpc_origins": [],
                "tags": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "approximate_guild_count": len(self.guilds),
            }
        )

    async def _get_gateway(
        self, request: web.Request, record: RecordedRequest, params: Any
    ) -> web.Response:
        return _json({"url": self.gateway_url})

    async def _get_gateway_bot(
        self, request: web.Request, record: RecordedRequest, params: Any
    ) -> web.Response:
        recommended = self.recommended_shards or max(
            1, -(-len(self.guilds) // RECOMMENDED_GUILDS_PER_SHARD)
        )
        return _json(
            {
                "url": self.gateway_url,
                "shards": recommended,
                "session_start_limit": {
                    "total": self.session_start_total,
                    "remaining": self.session_start_remaining,
                    "reset_after": 86_400_000,
                    "max_concurrency": self.max_concurrency,
                },
            }
        )

    # --- application commands

    def _command_key(self, params: dict[str, str]) -> int | None:
        if int(params["application_id"]) != self.application_id:
            raise HTTPError(403, 50001, "Missing Access")
        return int(params["guild_id"]) if "guild_id" in params else None

    def _store_command(self, key: int | None, body: dict[str, Any]) -> dict[str, Any]:
        existing = self._commands.setdefault(key, [])
        kind = body.get("type") or 1
        old = next(
            (c for c in existing if c["name"] == body["name"] and c.get("type", 1) == kind), None
        )
        command = {
            "id": old["id"] if old else str(snowflake()),
            "application_id": str(self.application_id),
            "version": str(snowflake()),
            "type": kind,
            "name": body["name"],
            "description": body.get("description") or "",
            "options": body.get("options") or [],
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "nsfw": bool(body.get("nsfw")),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "name_localizations": body.get("name_localizations"),
            "description_localizations": body.get("description_localizations"),
        }
        if key is not None:
            command["guild_id"] = str(key)
        if old:
            existing[existing.index(old)] = command
        else:
            existing.append(command)
        return command

    async def _put_commands(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        key = self._command_key(params)
        body = record.body or []
        problems = [problem for command in body for problem in rules.command_problems(command)]
        names = [(command["name"], command.get("type") or 1) for command in body]
        if len(names) != len(set(names)):
            problems.append("two commands share a name and type")
        problems.extend(rules.localised_name_clashes(body))
        if problems:
            raise self._invalid(record, "application commands break Discord's rules", problems)
        self._commands[key] = []
        stored = [self._store_command(key, command) for command in body]
        await self._changed()
        return _json(stored)

    async def _post_command(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        key = self._command_key(params)
        problems = rules.command_problems(record.body)
        if problems:
            raise self._invalid(record, "application command breaks Discord's rules", problems)
        stored = self._store_command(key, record.body)
        await self._changed()
        return _json(stored, status=201)

    async def _get_commands(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        return _json(self._registered(self._command_key(params)))

    async def _delete_command(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        key = self._command_key(params)
        existing = self._commands.get(key, [])
        self._commands[key] = [c for c in existing if c["id"] != params["command_id"]]
        if len(self._commands[key]) == len(existing):
            raise HTTPError(404, 10063, "Unknown application command")
        await self._changed()
        return web.Response(status=204)

    # --- interaction callback and webhooks

    def _check_message(
        self, record: RecordedRequest, body: dict[str, Any], *, creates: bool
    ) -> None:
        problems = rules.message_problems(body, creates=creates)
        if problems:
            raise self._invalid(record, "message breaks Discord's rules", problems)

    def _bot_message(
        self, interaction: Interaction, body: dict[str, Any], *, flags: int = 0
    ) -> dict[str, Any]:
        channel = self.channels.get(interaction.channel_id)
        guild_id = channel.guild_id if channel else None
        message = message_json(
            channel_id=interaction.channel_id,
            author=self.bot_user,
            body={**body, "flags": int(body.get("flags") or 0) | flags},
            guild_id=guild_id,
            webhook_id=self.application_id,
        )
        message["application_id"] = str(self.application_id)
        user = (interaction.payload.get("member") or {}).get("user") or interaction.payload["user"]
        message["interaction_metadata"] = {
            "id": str(interaction.id),
            "type": interaction.payload["type"],
            "user": user,
            "authorizing_integration_owners": interaction.payload["authorizing_integration_owners"],
        }
        self.messages[int(message["id"])] = message
        return message

    async def _callback(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        interaction = self.interactions.get(int(params["interaction_id"]))
        if interaction is None or interaction.token != params["interaction_token"]:
            self._violate("POST", record.path, "callback for an unknown interaction")
            raise HTTPError(404, 10062, "Unknown interaction")
        # Discord's 3 s run until the callback arrives: measure to the request's arrival
        # (record.time, taken before the body is read or validated), so the stand-in's own
        # work on the request never counts against the bot.
        elapsed = record.time - interaction.created
        if interaction.callback is not None:
            self._violate("POST", record.path, "a second initial response (40060)")
            raise HTTPError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > self.response_deadline:
            self._violate(
                "POST",
                record.path,
                f"first response after {elapsed:.2f} s (deadline {self.response_deadline} s)",
            )
            raise HTTPError(404, 10062, "Unknown interaction")
        body = record.body
        kind = body["type"]
        data = body.get("data") or {}
        message: dict[str, Any] | None = None
        if kind == CHANNEL_MESSAGE:
            self._check_message(record, data, creates=True)
            message = self._bot_message(interaction, data)
            interaction.original_id = int(message["id"])
        elif kind == DEFERRED_MESSAGE:
            message = self._bot_message(interaction, {}, flags=(data.get("flags") or 0) | LOADING)
            interaction.original_id = int(message["id"])
        elif kind in (DEFERRED_UPDATE, UPDATE_MESSAGE):
            if interaction.payload["type"] not in (MESSAGE_COMPONENT, MODAL_SUBMIT):
                raise self._invalid(
                    record,
                    "update callback for a non-component interaction",
                    [f"callback type {kind} needs a component interaction"],
                )
            target = interaction.payload.get("message")
            if target is not None:
                # For a component interaction, "@original" is the message the component is on.
                interaction.original_id = int(target["id"])
                self.messages.setdefault(int(target["id"]), target)
            if kind == UPDATE_MESSAGE:
                self._check_message(record, data, creates=False)
                if target is not None:
                    message = self.messages[int(target["id"])]
                    apply_edit(message, data)
        elif kind == AUTOCOMPLETE_RESULT:
            if interaction.payload["type"] != AUTOCOMPLETE:
                raise self._invalid(
                    record,
                    "autocomplete result for another interaction",
                    ["callback type 8 answers only autocomplete interactions"],
                )
            problems = rules.autocomplete_problems(data)
            if problems:
                raise self._invalid(record, "autocomplete breaks Discord's rules", problems)
        elif kind == MODAL and interaction.payload["type"] == MODAL_SUBMIT:
            raise self._invalid(record, "a modal in answer to a modal", ["not allowed"])
        interaction.callback = body
        interaction.answered = record.time
        await interaction._notify()
        result: dict[str, Any] = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.payload["type"],
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": bool(
                    message is not None and message["flags"] & EPHEMERAL
                ),
            },
            "resource": {"type": kind},
        }
        if message is not None:
            result["interaction"]["response_message_id"] = message["id"]
            result["resource"]["message"] = message
        return _json(result)

    def _webhook_interaction(self, params: dict[str, str]) -> Interaction:
        interaction = self._by_token.get(params["webhook_token"])
        path = f"/webhooks/{params['webhook_id']}/..."
        if interaction is None or int(params["webhook_id"]) != self.application_id:
            self._violate("*", path, "webhook call with an unknown interaction token")
            raise HTTPError(404, 10015, "Unknown Webhook")
        if time.monotonic() - interaction.created > self.followup_window:
            self._violate("*", path, "interaction token used after the follow-up window")
            raise HTTPError(401, 50027, "Invalid Webhook Token")
        return interaction

    async def _followup(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        interaction = self._webhook_interaction(params)
        if interaction.callback is None:
            self._violate("POST", record.path, "follow-up before the initial response")
            raise HTTPError(404, 10015, "Unknown Webhook")
        self._check_message(record, record.body, creates=True)
        original = interaction._original()
        if original is not None and original["flags"] & LOADING:
            # Discord: the first follow-up after a "thinking" deferral replaces the loading
            # message (same id; the deferral decided whether it is ephemeral).
            apply_edit(original, {k: v for k, v in record.body.items() if k != "flags"})
            message = original
        else:
            message = self._bot_message(interaction, record.body)
        interaction.followup_messages.append(message)
        await interaction._notify()
        if request.query.get("wait", "").lower() in ("true", "1"):
            return _json(message)
        return web.Response(status=204)

    def _webhook_message(self, interaction: Interaction, message_id: str) -> dict[str, Any]:
        if message_id == "@original":
            if interaction.original_id is None:
                raise HTTPError(404, 10008, "Unknown Message")
            return self.messages[interaction.original_id]
        message = self.messages.get(int(message_id))
        owned = {interaction.original_id} | {int(m["id"]) for m in interaction.followup_messages}
        if message is None or int(message_id) not in owned:
            raise HTTPError(404, 10008, "Unknown Message")
        return message

    async def _webhook_get(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        interaction = self._webhook_interaction(params)
        return _json(self._webhook_message(interaction, params.get("message_id", "@original")))

    async def _webhook_patch(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        interaction = self._webhook_interaction(params)
        message = self._webhook_message(interaction, params.get("message_id", "@original"))
        self._check_message(record, record.body, creates=False)
        apply_edit(message, record.body)
        await interaction._notify()
        return _json(message)

    async def _webhook_delete(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        interaction = self._webhook_interaction(params)
        message = self._webhook_message(interaction, params.get("message_id", "@original"))
        del self.messages[int(message["id"])]
        await interaction._notify()
        return web.Response(status=204)

    # --- channels

    def _known_channel(self, params: dict[str, str]) -> Channel:
        channel = self.channels.get(int(params["channel_id"]))
        if channel is None:
            raise HTTPError(404, 10003, "Unknown Channel")
        return channel

    def _channel_message(self, channel: Channel, message_id: str) -> dict[str, Any]:
        message = self.messages.get(int(message_id))
        if message is None or int(message["channel_id"]) != channel.id:
            raise HTTPError(404, 10008, "Unknown Message")
        return message

    async def _get_channel(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        return _json(self._known_channel(params).to_json())

    async def _post_message(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        channel = self._known_channel(params)
        if not channel.bot_allowed:
            raise HTTPError(403, 50013, "Missing Permissions")
        body = record.body
        self._check_message(record, body, creates=True)
        guild = self.guilds.get(channel.guild_id)  # None: a DM channel
        # Discord: with enforce_nonce, a nonce the same author used in the past few minutes
        # returns that message instead of creating another (a retried send stays one).
        nonce = body.get("nonce") if body.get("enforce_nonce") else None
        if nonce is not None:
            earlier = self._nonces.get((channel.id, str(nonce)))
            if earlier is not None and time.monotonic() - earlier[1] < NONCE_WINDOW:
                return _json(self.messages[earlier[0]])
        message = message_json(
            channel_id=channel.id,
            author=self.bot_user,
            body=body,
            guild_id=channel.guild_id if guild is not None else None,
            member=guild.member(self.bot_user_id) if guild is not None else None,
        )
        # Who the message pings: the users allowed_mentions names (rules allow one, when
        # the content mentions them); the member objects as Discord returns them.
        message["mentions"] = [
            user.to_json()
            for user_id in rules.pinged_users(body)
            if (user := self._user(int(user_id))) is not None
        ]
        reference = body.get("message_reference")
        if reference:
            target = self.messages.get(int(reference.get("message_id") or 0))
            if target is None or int(target["channel_id"]) != channel.id:
                if reference.get("fail_if_not_exists", True):
                    raise self._invalid(
                        record,
                        "reply to an unknown message",
                        ["message_reference: Unknown message"],
                    )
            else:
                message["type"] = 19
                message["message_reference"] = {
                    "type": 0,
                    "message_id": target["id"],
                    "channel_id": str(channel.id),
                    "guild_id": str(channel.guild_id),
                }
                message["referenced_message"] = target
        if nonce is not None:
            message["nonce"] = str(nonce)
            self._nonces[(channel.id, str(nonce))] = (int(message["id"]), time.monotonic())
        self.messages[int(message["id"])] = message
        await self._changed()
        return _json(message)

    async def _get_message(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        channel = self._known_channel(params)
        return _json(self._channel_message(channel, params["message_id"]))

    async def _list_messages(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        channel = self._known_channel(params)
        limit = int(request.query.get("limit", "50"))
        newest_first = list(reversed(self._channel_messages(channel)))
        if "after" in request.query:
            # Discord: the `limit` messages right after that id (still newest first).
            after = int(request.query["after"])
            newer = [m for m in newest_first if int(m["id"]) > after]
            return _json(newer[-limit:] if limit else newer)
        return _json(newest_first[:limit])

    async def _patch_message(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        channel = self._known_channel(params)
        message = self._channel_message(channel, params["message_id"])
        if int(message["author"]["id"]) != self.bot_user_id:
            raise HTTPError(403, 50005, "Cannot edit a message authored by another user")
        self._check_message(record, record.body, creates=False)
        apply_edit(message, record.body)
        await self._changed()
        return _json(message)

    async def _delete_message(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        channel = self._known_channel(params)
        message = self._channel_message(channel, params["message_id"])
        if int(message["author"]["id"]) != self.bot_user_id and not channel.bot_allowed:
            raise HTTPError(403, 50013, "Missing Permissions")
        del self.messages[int(message["id"])]
        await self._changed()
        return web.Response(status=204)

    def _user(self, user_id: int) -> User | None:
        for guild in self.guilds.values():
            member = guild.member(user_id)
            if member is not None:
                return member.user
        return None

    async def _get_member(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        guild = self.guilds.get(int(params["guild_id"]))
        if guild is None:
            raise HTTPError(404, 10004, "Unknown Guild")
        member = guild.member(int(params["user_id"]))
        if member is None:
            raise HTTPError(404, 10007, "Unknown Member")
        return _json(member.to_json())

    async def _create_dm(
        self, request: web.Request, record: RecordedRequest, params: dict[str, str]
    ) -> web.Response:
        user = self._user(int((record.body or {}).get("recipient_id") or 0))
        if user is None:
            raise HTTPError(400, 50007, "Cannot send messages to this user")
        channel = self.dm_channels.get(user.id)
        if channel is None:
            channel = Channel(snowflake(), 0, f"dm-{user.name}", type=1)
            self.dm_channels[user.id] = channel
            self.channels[channel.id] = channel
        return _json(
            {
                "id": str(channel.id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [user.to_json()],
            }
        )


_ROUTES: dict[tuple[str, str], Any] = {
    ("GET", "/users/@me"): StandIn._get_me,
    ("GET", "/oauth2/applications/@me"): StandIn._get_application,
    ("GET", "/applications/@me"): StandIn._get_application,
    ("GET", "/gateway"): StandIn._get_gateway,
    ("GET", "/gateway/bot"): StandIn._get_gateway_bot,
    ("PUT", "/applications/{application_id}/commands"): StandIn._put_commands,
    ("GET", "/applications/{application_id}/commands"): StandIn._get_commands,
    ("POST", "/applications/{application_id}/commands"): StandIn._post_command,
    ("DELETE", "/applications/{application_id}/commands/{command_id}"): StandIn._delete_command,
    ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands"): StandIn._put_commands,
    ("GET", "/applications/{application_id}/guilds/{guild_id}/commands"): StandIn._get_commands,
    ("POST", "/applications/{application_id}/guilds/{guild_id}/commands"): StandIn._post_command,
    (
        "DELETE",
        "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}",
    ): StandIn._delete_command,
    ("POST", "/interactions/{interaction_id}/{interaction_token}/callback"): StandIn._callback,
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"): StandIn._followup,
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): StandIn._webhook_get,
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"): StandIn._webhook_patch,
    (
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
    ): StandIn._webhook_delete,
    ("GET", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"): StandIn._webhook_get,
    (
        "PATCH",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ): StandIn._webhook_patch,
    (
        "DELETE",
        "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}",
    ): StandIn._webhook_delete,
    ("GET", "/guilds/{guild_id}/members/{user_id}"): StandIn._get_member,
    ("POST", "/users/@me/channels"): StandIn._create_dm,
    ("GET", "/channels/{channel_id}"): StandIn._get_channel,
    ("POST", "/channels/{channel_id}/messages"): StandIn._post_message,
    ("GET", "/channels/{channel_id}/messages"): StandIn._list_messages,
    ("GET", "/channels/{channel_id}/messages/{message_id}"): StandIn._get_message,
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"): StandIn._patch_message,
    ("DELETE", "/channels/{channel_id}/messages/{message_id}"): StandIn._delete_message,
}
