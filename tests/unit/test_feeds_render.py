"""The /feeds list and the feed problem note: feed text (URLs, a feed's own words in a
problem) is shown escaped, statuses read plainly, and a long list fits one embed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot import i18n
from bot.core.feeds import MAX_URL_LENGTH, check_feed_url
from bot.discord_ui import feeds as render
from bot.discord_ui import limits, strings
from bot.store.feeds import Feed

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
NASTY = "https://evil.example/[free nitro](https://x.example)/@everyone/**b**"


def feed(url: str = "https://feeds.example.org/a.json", **changes: object) -> Feed:
    values: dict[str, object] = {
        "url": url,
        "added_by": 7,
        "guild_id": 10,
        "added_at": NOW,
        "etag": None,
        "last_modified": None,
        "body": None,
        "entry_count": 0,
        "last_fetch_at": None,
        "last_status": None,
        "last_error": None,
        "last_good_at": None,
        "failures": 0,
        "next_try_at": None,
    }
    values.update(changes)
    return Feed(**values)  # type: ignore[arg-type]


def test_a_feed_line_says_status_entries_and_next_try() -> None:
    ok = render.feed_line(
        1,
        feed(last_status="ok", entry_count=12, last_fetch_at=NOW, next_try_at=NOW + timedelta(1)),
        NOW,
    )
    assert "OK: last fetch <t:" in ok
    assert "12 fact-checks" in ok
    assert "added by <@7>" in ok
    fresh = render.feed_line(2, feed(added_by=None), NOW)
    assert "not fetched yet: last fetch never" in fresh
    assert "next try due now" in fresh
    assert "FACTDESK_FEEDS" in fresh


def test_feed_text_is_escaped_in_the_list_and_the_note() -> None:
    failing = feed(
        NASTY, last_status="failed", failures=3, last_error="bad `<@&123456789012345678>`"
    )
    line = render.feed_line(1, failing, NOW)
    assert "failing (3 in a row)" in line
    assert "[free nitro](" not in line
    assert "@everyone" not in line
    assert "<@&123456789012345678>" not in line
    note = render.problem_note(NASTY, ["[1].name: @here **look**"] * 12)
    assert "@here" not in note
    assert "**look**" not in note
    assert "[free nitro](" not in note
    assert "and 2 more" in note
    assert len(note) <= limits.MESSAGE_CONTENT


def test_a_long_list_fits_one_embed_and_says_how_many_are_shown() -> None:
    many = [feed(f"https://feeds.example.org/{'x' * 150}/{n}.json") for n in range(50)]
    embed = render.feeds_embed(many, NOW)
    assert embed.description is not None
    assert len(embed.description) <= limits.EMBED_DESCRIPTION
    assert embed.footer.text is not None
    shown = int(embed.footer.text.split()[0])
    assert 0 < shown < 50
    assert embed.footer.text.endswith("of 50 shown")
    assert render.feeds_embed([], NOW).description == strings.FEEDS_LIST_EMPTY


def test_the_list_and_the_note_speak_the_current_language() -> None:
    failing = feed(last_status="failed", failures=2, entry_count=1, last_error="HTTP 500")
    with i18n.speaking("es"):
        line = render.feed_line(1, failing, NOW)
        embed = render.feeds_embed([failing], NOW)
        note = render.problem_note("https://feeds.example.org/a.json", ["line 1: invalid JSON"])
    assert "con fallos (2 seguidos): última descarga nunca, 1 verificación" in line
    assert "Último problema: HTTP 500" in line
    assert embed.title == "Fuentes"
    assert embed.footer.text == "1 de 1 mostradas"
    assert note.startswith("**Problema en la fuente** ")
    # English stays the default, with its plural.
    assert "failing (2 in a row): last fetch never, 1 fact-check," in render.feed_line(
        1, failing, NOW
    )


def test_every_reason_a_url_is_refused_for_has_a_translation() -> None:
    reasons = {
        check_feed_url(url)
        for url in (
            "https://example.org/" + "x" * MAX_URL_LENGTH,
            "https://example.org/a b",
            "https://[::1/feed",
            "ftp://example.org/feed",
            "https:///feed",
            "https://user:pw@example.org/feed",
            "http://localhost/feed",
            "http://10.0.0.1/feed",
        )
    }
    refused = {reason for reason in reasons if reason is not None}
    assert refused == reasons
    assert len(refused) == 8  # one of each
    assert refused <= set(strings.english("FEEDS_URL_REASONS"))
    with i18n.speaking("es"):
        spanish = strings.FEEDS_URL_REASONS
    assert all(spanish[reason] != reason for reason in refused)
