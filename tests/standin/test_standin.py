"""The stand-in's own tests: a minimal real discord.py bot (not factdesk) against it.

Each test starts the stand-in, connects a tiny ``commands.Bot`` through the same mechanism
``factdesk run`` uses (``bot.runner.point_discord_at``) and checks that valid traffic passes
and that each rule the stand-in enforces catches the request that breaks it.
"""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.runner import point_discord_at
from tests.standin import Channel, Guild, Member, StandIn, StandInViolation

pytestmark = pytest.mark.e2e

Behaviour = Callable[[discord.Interaction, str], Awaitable[None]]


async def reply_with_button(interaction: discord.Interaction, text: str) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Open form", custom_id="probe:form"))
    view.add_item(discord.ui.Button(label="Edit me", custom_id="probe:edit"))
    await interaction.response.send_message(
        embed=discord.Embed(title="Echo", description=text), view=view
    )


class FormModal(discord.ui.Modal, title="Probe form"):
    answer: discord.ui.TextInput[FormModal] = discord.ui.TextInput(
        label="Answer", custom_id="probe:answer"
    )

    def __init__(self) -> None:
        super().__init__(custom_id="probe:modal")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"got {self.answer.value}", ephemeral=True)


class ProbeBot(commands.Bot):
    """Just enough bot to exercise every interaction kind the stand-in sends."""

    def __init__(self, guild_id: int) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.behaviour: Behaviour = reply_with_button
        self.choice_count = 3
        self.errors: list[BaseException] = []

    async def setup_hook(self) -> None:
        guild = discord.Object(id=self.guild_id)

        @app_commands.command(description="Repeat the text")
        async def echo(interaction: discord.Interaction, text: str) -> None:
            try:
                await self.behaviour(interaction, text)
            except discord.HTTPException as error:
                self.errors.append(error)

        @echo.autocomplete("text")
        async def echo_choices(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=f"{current} {n}", value=f"v{n}")
                for n in range(self.choice_count)
            ]

        @app_commands.context_menu(name="Probe this message")
        async def probe(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"length {len(message.content)}", ephemeral=True)
            await interaction.channel.send(  # type: ignore[union-attr]
                "reply", reference=message, allowed_mentions=discord.AllowedMentions.none()
            )

        @app_commands.command(description="Name a member, a channel and a role")
        async def whois(
            interaction: discord.Interaction,
            member: discord.Member,
            channel: app_commands.AppCommandChannel,
            role: discord.Role,
        ) -> None:
            await interaction.response.send_message(f"{member.name} {channel.name} {role.name}")

        self.tree.add_command(whois, guild=guild)
        self.tree.add_command(echo, guild=guild)
        self.tree.add_command(probe, guild=guild)
        await self.tree.sync(guild=guild)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = interaction.data or {}  # type: ignore[assignment]
        if data.get("custom_id") == "probe:form":
            await interaction.response.send_modal(FormModal())
        elif data.get("custom_id") == "probe:edit":
            await interaction.response.defer()
            await interaction.edit_original_response(content="edited", view=None)


@dataclass
class Ground:
    standin: StandIn
    bot: ProbeBot
    guild: Guild
    channel: Channel
    alice: Member


@pytest.fixture
def deadline() -> float:
    return 3.0


@pytest.fixture
async def ground(deadline: float) -> AsyncIterator[Ground]:
    saved = (
        discord.http.Route.BASE,
        discord.webhook.async_.Route.BASE,
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
    )
    async with StandIn.start(response_deadline=deadline) as standin:
        guild = standin.add_guild("Probe Guild")
        channel = standin.add_channel(guild, "general")
        alice = standin.add_member(guild, "alice")
        point_discord_at(standin.api_base, standin.gateway_url)
        bot = ProbeBot(guild.id)
        runner = asyncio.create_task(bot.start(standin.token))
        try:
            await standin.wait_ready()
            await standin.wait_for_commands("echo", "Probe this message", guild=guild)
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            yield Ground(standin, bot, guild, channel, alice)
        finally:
            await bot.close()
            await asyncio.wait_for(runner, 10)
            (
                discord.http.Route.BASE,
                discord.webhook.async_.Route.BASE,
                discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY,
            ) = saved


def only_violation(standin: StandIn) -> str:
    assert len(standin.violations) == 1, [str(v) for v in standin.violations]
    return str(standin.violations[0])


async def slash(ground: Ground, text: str = "hello") -> Any:
    return await ground.standin.slash(
        ground.guild, ground.channel, ground.alice, "echo", {"text": text}, locale="en-US"
    )


async def test_valid_traffic_passes_every_check(ground: Ground) -> None:
    standin = ground.standin
    synced = [r for r in standin.requests if r.method == "PUT"]
    assert synced, "the bot synced its commands"
    assert all(r.status == 200 for r in synced)

    interaction = await slash(ground, "hello")
    body = await interaction.response()
    assert body["type"] == 4
    assert body["data"]["embeds"][0]["description"] == "hello"
    assert interaction.latency is not None
    assert 0 < interaction.latency < 3
    message = interaction.original()
    assert message is not None
    assert standin.channel_messages(ground.channel) == [message]

    completion = await standin.autocomplete(
        ground.guild, ground.channel, ground.alice, "echo", {"text": "hel"}, focused="text"
    )
    assert [c["name"] for c in (await completion.response())["data"]["choices"]] == [
        "hel 0",
        "hel 1",
        "hel 2",
    ]

    click = await standin.click(message, "probe:form", ground.alice)
    assert (await click.response())["type"] == 9
    submitted = await standin.submit_modal(
        ground.guild, ground.channel, ground.alice, "probe:modal", {"probe:answer": "42"}
    )
    answer = await submitted.response()
    assert answer["data"]["content"] == "got 42"
    assert answer["data"]["flags"] == 64

    edit = await standin.click(message, "probe:edit", ground.alice)
    assert (await edit.response())["type"] == 6
    edited = await edit.wait_original(lambda m: m["content"] == "edited")
    assert edited["id"] == message["id"]
    assert edited["components"] == []
    with pytest.raises(LookupError):  # the edit removed the buttons
        await standin.click(message, "probe:form", ground.alice)

    target = standin.post_message(ground.channel, ground.alice, "the moon is cheese")
    menu = await standin.message_command(
        ground.guild, ground.channel, ground.alice, "Probe this message", target
    )
    assert (await menu.response())["type"] == 5
    [followup] = await menu.followups(1)
    assert followup["content"] == "length 18"
    assert followup["flags"] == 64  # ephemeral, no longer loading
    original = menu.original()
    assert original is not None
    assert followup["id"] == original["id"]  # it replaced the "thinking" message
    for _ in range(100):
        replies = [m for m in standin.channel_messages(ground.channel) if m["type"] == 19]
        if replies:
            break
        await asyncio.sleep(0.02)
    assert replies[0]["referenced_message"]["id"] == target["id"]

    assert ground.bot.errors == []
    standin.assert_no_violations()


async def test_user_channel_and_role_options_are_resolved(ground: Ground) -> None:
    standin = ground.standin
    role = standin.add_role(ground.guild, "Readers")
    bob = standin.add_member(ground.guild, "bob", roles=[role])
    interaction = await standin.slash(
        ground.guild,
        ground.channel,
        ground.alice,
        "whois",
        {"member": bob, "channel": ground.channel, "role": role},
    )
    assert (await interaction.response())["data"]["content"] == "bob general Readers"
    standin.assert_no_violations()


async def test_oversized_embed_is_rejected(ground: Ground) -> None:
    async def too_big(interaction: discord.Interaction, text: str) -> None:
        embed = discord.Embed(title="t" * 5, description="d" * 4096)
        embed.add_field(name="n", value="v" * 1024)
        embed.add_field(name="n", value="v" * (6001 - 5 - 4096 - 1024 - 2))
        assert len(embed) == 6001
        await interaction.response.send_message(embed=embed)

    ground.bot.behaviour = too_big
    await slash(ground)
    await wait_for_error(ground)
    assert "Embed size exceeds maximum size of 6000" in only_violation(ground.standin)
    assert ground.bot.errors[0].code == 50035  # type: ignore[attr-defined]
    with pytest.raises(StandInViolation, match="6000"):
        ground.standin.assert_no_violations()


async def test_duplicated_custom_id_is_rejected(ground: Ground) -> None:
    async def twins(interaction: discord.Interaction, text: str) -> None:
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="a", custom_id="same"))
        view.add_item(discord.ui.Button(label="b", custom_id="same"))
        await interaction.response.send_message("two", view=view)

    ground.bot.behaviour = twins
    await slash(ground)
    await wait_for_error(ground)
    assert "custom_id 'same' is not unique" in only_violation(ground.standin)


async def test_schema_violation_is_caught_by_the_spec(ground: Ground) -> None:
    async def long_title(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(embed=discord.Embed(title="x" * 257))

    ground.bot.behaviour = long_title
    await slash(ground)
    await wait_for_error(ground)
    violation = only_violation(ground.standin)
    assert "does not match the spec" in violation
    assert "title" in violation


async def test_a_message_that_could_ping_is_rejected(ground: Ground) -> None:
    async def pings(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message(
            "@everyone", allowed_mentions=discord.AllowedMentions.all()
        )

    ground.bot.behaviour = pings
    await slash(ground)
    await wait_for_error(ground)
    assert "allowed_mentions.parse must be []" in only_violation(ground.standin)


@pytest.mark.parametrize("deadline", [0.3])
async def test_late_first_response_is_unknown_interaction(ground: Ground) -> None:
    async def slow(interaction: discord.Interaction, text: str) -> None:
        await asyncio.sleep(0.5)
        await interaction.response.send_message("too late")

    ground.bot.behaviour = slow
    await slash(ground)
    await wait_for_error(ground)
    assert "first response after" in only_violation(ground.standin)
    assert isinstance(ground.bot.errors[0], discord.NotFound)
    assert ground.bot.errors[0].code == 10062


async def test_second_initial_response_is_rejected(ground: Ground) -> None:
    async def twice(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.send_message("once")
        # discord.py refuses a second response locally; a fresh responder gets it onto the wire.
        await discord.InteractionResponse(interaction).send_message("twice")

    ground.bot.behaviour = twice
    interaction = await slash(ground)
    await wait_for_error(ground)
    assert (await interaction.response())["data"]["content"] == "once"
    assert "second initial response" in only_violation(ground.standin)
    assert ground.bot.errors[0].code == 40060  # type: ignore[attr-defined]


async def test_twenty_six_autocomplete_choices_are_rejected(ground: Ground) -> None:
    ground.bot.choice_count = 26
    await ground.standin.autocomplete(
        ground.guild, ground.channel, ground.alice, "echo", {"text": "x"}, focused="text"
    )
    for _ in range(200):
        if ground.standin.violations:
            break
        await asyncio.sleep(0.02)
    violation = only_violation(ground.standin)
    assert "['data']['choices']" in violation
    assert "fails maxItems 25" in violation
    callbacks = [r for r in ground.standin.requests if r.path.endswith("/callback")]
    assert [r.status for r in callbacks] == [400]


async def test_rate_limited_callback_is_retried(ground: Ground) -> None:
    route = "/interactions/{interaction_id}/{interaction_token}/callback"
    ground.standin.inject("POST", route, status=429, times=1, retry_after=0.05)
    interaction = await slash(ground, "patience")
    body = await interaction.response()
    assert body["data"]["embeds"][0]["description"] == "patience"
    statuses = [r.status for r in ground.standin.requests if r.route == route]
    assert statuses == [429, 200]
    ground.standin.assert_no_violations()


async def test_unknown_and_forbidden_channels(ground: Ground) -> None:
    ground.standin.set_bot_permissions(ground.channel, allowed=False)
    with pytest.raises(discord.Forbidden) as forbidden:
        await ground.bot.http.send_message(ground.channel.id, params=_plain("hi"))
    assert forbidden.value.code == 50013
    with pytest.raises(discord.NotFound) as unknown:
        await ground.bot.http.send_message(123, params=_plain("hi"))
    assert unknown.value.code == 10003


async def test_server_error_and_rate_limit_are_survived(ground: Ground) -> None:
    route = "/channels/{channel_id}/messages"
    standin = ground.standin
    standin.inject("POST", route, status=500, times=1)
    standin.rate_limit("POST", route, per_second=2)
    channel_id = ground.channel.id
    sent = await asyncio.gather(
        *(ground.bot.http.send_message(channel_id, params=_plain(f"m{n}")) for n in range(3))
    )
    assert sorted(message["content"] for message in sent) == ["m0", "m1", "m2"]
    statuses = [r.status for r in standin.requests if r.route == route]
    assert statuses[0] == 500
    assert statuses.count(200) == 3
    assert [m["content"] for m in standin.channel_messages(ground.channel)] == [
        m["content"] for m in sent
    ]
    standin.assert_no_violations()


async def test_multipart_payload_json_is_validated(ground: Ground) -> None:
    channel = ground.bot.get_channel(ground.channel.id)
    assert isinstance(channel, discord.TextChannel)
    await channel.send("with a file", file=discord.File(io.BytesIO(b"data"), "a.txt"))
    with pytest.raises(discord.HTTPException) as rejected:
        await channel.send(
            embed=discord.Embed(description="x" * 4097), file=discord.File(io.BytesIO(b"d"), "b")
        )
    assert rejected.value.code == 50035
    [request, _] = [r for r in ground.standin.requests if r.method == "POST"][-2:]
    assert request.body["content"] == "with a file"
    assert "description" in only_violation(ground.standin)


def _plain(text: str) -> Any:
    return discord.http.handle_message_parameters(
        content=text, allowed_mentions=discord.AllowedMentions.none()
    )


async def test_dropped_websocket_is_resumed(ground: Ground) -> None:
    standin = ground.standin
    await standin.drop_gateway(code=4000)
    # Sent while the socket is down: replayed after RESUME, as Discord does.
    interaction = await slash(ground, "still here")
    await standin.wait_resumed()
    body = await interaction.response()
    assert body["data"]["embeds"][0]["description"] == "still here"
    assert (standin.identify_count, standin.resume_count) == (1, 1)
    standin.assert_no_violations()


async def test_cut_connection_is_resumed(ground: Ground) -> None:
    await ground.standin.drop_gateway(code=None)
    await ground.standin.wait_resumed()
    interaction = await slash(ground, "back")
    assert (await interaction.response())["type"] == 4
    assert ground.standin.identify_count == 1


async def test_world_changes_after_ready_reach_the_bot(ground: Ground) -> None:
    channel = ground.standin.add_channel(ground.guild, "late")
    role = ground.standin.add_role(ground.guild, "Moderators", permissions=8192)
    for _ in range(100):
        guild = ground.bot.get_guild(ground.guild.id)
        if guild and guild.get_channel(channel.id) and guild.get_role(role.id):
            break
        await asyncio.sleep(0.02)
    else:
        raise AssertionError("CHANNEL_CREATE / GUILD_ROLE_CREATE never reached the bot")


async def test_unmodelled_route_is_a_violation(ground: Ground) -> None:
    with pytest.raises(discord.NotFound):
        await ground.bot.http.get_guild(ground.guild.id)
    assert "is not modelled by the stand-in" in only_violation(ground.standin)


async def wait_for_error(ground: Ground) -> None:
    """Poll (the bot's error list has no event to wait on) until the handler has failed."""
    for _ in range(250):
        if ground.bot.errors:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the bot's handler never failed")


async def test_the_standin_works_on_its_own_thread_while_the_test_loop_runs(
    ground: Ground, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Schema validation holds the stand-in until the test's loop lets it go: on one shared
    # loop that would wait for itself until the timeout; on its own thread it just waits.
    standin = ground.standin
    entered, release = threading.Event(), threading.Event()
    released: list[bool] = []
    validate = standin.spec.validate

    def held_validate(operation: Any, body: Any) -> list[str]:
        entered.set()
        released.append(release.wait(timeout=5))
        return validate(operation, body)

    monkeypatch.setattr(standin.spec, "validate", held_validate)
    async with aiohttp.ClientSession() as session:
        posting = asyncio.create_task(
            session.post(
                f"{standin.api_base}/channels/{ground.channel.id}/messages",
                json={"content": "held", "allowed_mentions": {"parse": []}},
                headers={"Authorization": f"Bot {standin.token}"},
            )
        )
        assert await asyncio.to_thread(entered.wait, 5)
        release.set()
        response = await posting
        assert response.status == 200
    assert released == [True]
    assert [m["content"] for m in standin.channel_messages(ground.channel)] == ["held"]


async def test_latency_runs_to_the_callbacks_arrival_not_past_the_standins_checks(
    ground: Ground,
) -> None:
    interaction = await slash(ground, "hello")
    await interaction.response()
    [callback] = [r for r in ground.standin.requests if r.path.endswith("/callback")]
    # The stand-in reads and validates the body after the request arrived: that work is
    # the stand-in's, not the bot's, and neither the latency nor the 3 s deadline count it.
    assert interaction.latency == callback.time - interaction.created


async def test_what_the_test_reads_is_a_snapshot(ground: Ground) -> None:
    interaction = await slash(ground, "hello")
    body = await interaction.response()
    message = interaction.original()
    assert message is not None
    body["data"]["content"] = message["content"] = "changed by the test"
    assert (await interaction.response())["data"].get("content") != "changed by the test"
    again = interaction.original()
    assert again is not None
    assert again["content"] != "changed by the test"


async def test_a_driver_runs_on_the_standins_thread_and_its_cpu_is_the_standins(
    ground: Ground,
) -> None:
    standin = ground.standin
    test_thread = threading.current_thread()
    seen: list[threading.Thread] = []

    async def driver() -> str:
        # The members' side of a benchmark: sends and waits without hopping.
        seen.append(threading.current_thread())
        interaction = await slash(ground, "driven")
        body = await interaction.response()
        return str(body["data"]["embeds"][0]["description"])

    before = standin.cpu_seconds()
    assert before is not None
    assert await standin.drive(driver()) == "driven"
    assert seen
    assert seen[0] is not test_thread
    assert seen[0].name == "discord-standin"

    def spin() -> None:
        deadline = time.thread_time() + 0.05
        while time.thread_time() < deadline:
            pass

    async def busy() -> None:
        spin()

    await standin.drive(busy())
    after = standin.cpu_seconds()
    assert after is not None
    assert after - before >= 0.05


async def test_served_inline_a_driver_runs_on_the_callers_loop() -> None:
    async with StandIn.start(own_thread=False) as standin:
        assert standin.cpu_seconds() is None

        async def here() -> threading.Thread:
            return threading.current_thread()

        assert await standin.drive(here()) is threading.current_thread()
