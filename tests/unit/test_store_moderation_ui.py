"""The pure parts of the moderation cogs: input checks, renderers, custom ids, limits.

(Named ``test_store_*`` because the moderation engineer owns that pattern; it tests the
renderers of ``bot/discord_ui/moderation.py`` that turn stored rows into Discord messages.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import discord
import pytest

from bot.core.models import FactCheck, Source
from bot.discord_ui import limits, strings
from bot.discord_ui.custom_ids import FLAG as FLAG_BUTTON_ID
from bot.discord_ui.custom_ids import MOD as MOD_BUTTON_ID
from bot.discord_ui.custom_ids import flag_id as flag_button_id
from bot.discord_ui.custom_ids import mod_id as mod_button_id
from bot.discord_ui.moderation import (
    REASON_MAX_CHARS,
    add_dispute_notice,
    check_note,
    check_reason,
    context_card,
    flag_embed,
    flag_line,
    history_lines,
    list_embed,
    one_line_summary,
    request_embed,
    visible_length,
)
from bot.store.rows import AuditEntry, Dispute, Flag, Request

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
MENTION = "<@123456789012345678> @everyone"


def flag(**changes: object) -> Flag:
    values: dict[str, object] = {
        "id": 7,
        "guild_id": 1,
        "kind": "answer",
        "claim_id": "moon-cheese",
        "flagger_id": 42,
        "reason": "The second source was retracted last week.",
        "channel_id": 5,
        "message_id": 9,
        "message_link": "https://discord.com/channels/1/5/9",
        "message_text": None,
        "status": "open",
        "created_at": NOW,
        "resolved_at": None,
        "resolved_by": None,
        "resolution_note": None,
        "modlog_message_id": None,
    }
    values.update(changes)
    return Flag(**values)  # type: ignore[arg-type]


def fact_check(summary: str = "The moon is rock [1]. It has no cheese at all.") -> FactCheck:
    return FactCheck(
        id="moon-cheese",
        question="Is the moon made of cheese?",
        checked_on=date(2026, 11, 1),
        verdict="False",
        summary=summary,
        sources=(Source(number=1, title="Lunar geology"),),
    )


def fits(embed: discord.Embed) -> list[str]:
    return limits.message_embed_problems([embed.to_dict()])


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("", False),
        ("   \n  ", False),
        ("too short", False),
        ("\u200b" * 50 + "short", False),  # zero-width padding does not count
        ("\u202e" * 20 + "abc", False),  # nor do direction marks
        ("exactly10!", True),
        ("  The source is wrong.  ", True),
        ("x" * REASON_MAX_CHARS, True),
        ("x" * (REASON_MAX_CHARS + 1), False),
        ("x" * 10_000, False),
        ("**bold** and <@123456789012345678> mention", True),
    ],
)
def test_reason_rules(text: str, accepted: bool) -> None:
    reason, problem = check_reason(text)
    assert (reason is not None) is accepted
    assert (problem is None) is accepted
    if reason is not None:
        assert reason == text.strip()


def test_refusals_say_what_to_do() -> None:
    assert "at least 10" in (check_reason("short")[1] or "")
    assert "10000" in (check_reason("y" * 10_000)[1] or "")
    assert check_note("  ")[1] == strings.MOD_NOTE_EMPTY
    assert check_note("ok")[0] == "ok"


def test_visible_length_ignores_invisible_characters() -> None:
    assert visible_length("a\u200bb\u202ec d") == 4


def test_custom_ids_round_trip_and_fit() -> None:
    long_id = "a" * 80
    custom_id = flag_button_id(long_id)
    assert limits.fits_custom_id(custom_id)
    match = FLAG_BUTTON_ID.fullmatch(custom_id)
    assert match is not None
    assert match["claim"] == long_id
    # The flag modal's id is not a button id, so a submit is never taken for a click.
    assert FLAG_BUTTON_ID.fullmatch(f"{custom_id}:reason") is None
    mod = MOD_BUTTON_ID.fullmatch(mod_button_id("close", 9_223_372_036_854_775_807))
    assert mod is not None
    assert (mod["action"], mod["id"]) == ("close", "9223372036854775807")
    assert MOD_BUTTON_ID.fullmatch("fd:mod:drop:1") is None


def test_one_line_summary_is_the_first_sentence_without_citations() -> None:
    assert one_line_summary("The moon is rock [1] [2]. More here.") == "The moon is rock."
    long = one_line_summary("word " * 200)
    assert len(long) <= 280
    assert long.endswith(limits.ELLIPSIS)
    assert "@\u200beveryone" in one_line_summary("Ping @everyone now.")


def test_flag_embed_neutralises_and_fits_whatever_members_wrote() -> None:
    hostile = flag(
        reason=MENTION + " " + "ﷺ" * 3000,
        message_text="```" + "z" * 5000,
        status="upheld",
        resolved_at=NOW,
        resolved_by=3,
        resolution_note="n" * 2000,
    )
    embed = flag_embed(hostile, "q" * 1000)
    assert fits(embed) == []
    text = str(embed.to_dict())
    assert "@everyone" not in text
    assert "<@123456789012345678>" not in text
    assert "#7" in (embed.title or "")


def test_list_lines_and_history_fit() -> None:
    lines = [flag_line(flag(id=i, reason=MENTION * 50)) for i in range(10)]
    assert fits(list_embed("Flags: open", lines, 1234)) == []
    entries = [AuditEntry(i, 1, 3, "upheld", "flag", "7", "note " * 100, NOW) for i in range(40)]
    history = history_lines(flag(), entries)
    assert history[0].endswith("<@42>")
    assert "upheld" in history[1]
    assert len(history) == 41


def test_request_embed_fits() -> None:
    request = Request(
        3,
        1,
        MENTION + "q" * 5000,
        "command",
        5,
        "closed",
        NOW,
        4,
        NOW,
        4,
        "x" * 900,
        None,
        None,
        12,
    )
    embed = request_embed(request)
    assert fits(embed) == []
    assert "12" in str(embed.to_dict())


def test_context_card_is_compact_and_carries_the_dispute() -> None:
    card = context_card(fact_check(), None)
    assert fits(card) == []
    assert card.description == "**Verdict:** False\nThe moon is rock."
    assert [f.name for f in card.fields] == [strings.CHECKED_ON_FIELD]
    dispute = Dispute(1, 1, "moon-cheese", 7, "Source 1 retracted " + MENTION, 3, NOW, None, None)
    disputed = context_card(fact_check(), dispute)
    assert disputed.fields[0].name == strings.MOD_DISPUTED_NOTICE
    assert "Source 1 retracted" in (disputed.fields[0].value or "")
    assert "@everyone" not in (disputed.fields[0].value or "")


def test_dispute_notice_goes_first_on_any_embed() -> None:
    embed = discord.Embed(title="answer")
    embed.add_field(name="Checked on", value="2026-11-01")
    add_dispute_notice(embed, None)
    assert [f.name for f in embed.fields] == ["Checked on"]
    dispute = Dispute(1, 1, "c", None, "note", 3, NOW, None, None)
    add_dispute_notice(embed, dispute)
    assert [f.name for f in embed.fields] == [strings.MOD_DISPUTED_NOTICE, "Checked on"]
