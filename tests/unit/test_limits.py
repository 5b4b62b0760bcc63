"""The Discord limits module: shortening, splitting, measuring and mention neutralising."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.discord_ui import limits


def test_shorten_keeps_short_text_unchanged() -> None:
    assert limits.shorten("Sources", 80) == "Sources"


def test_shorten_cuts_at_a_word_and_marks_the_cut() -> None:
    text = "How has US drug policy contributed to cartel power in Mexico and elsewhere? " * 3
    short = limits.shorten(text, 80)
    assert len(short) <= 80
    assert short.endswith(limits.ELLIPSIS)
    assert text.startswith(short[:-1])
    assert not short[:-1].endswith(" ")


@given(st.text(), st.integers(min_value=1, max_value=300))
def test_shorten_never_exceeds_the_limit(text: str, limit: int) -> None:
    short = limits.shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text


def test_split_prefers_paragraph_boundaries() -> None:
    paragraphs = ["a" * 60, "b" * 60, "c" * 60]
    assert limits.split_text("\n\n".join(paragraphs), 130) == [
        paragraphs[0] + "\n\n" + paragraphs[1],
        paragraphs[2],
    ]


def test_split_falls_back_to_sentences_inside_a_long_paragraph() -> None:
    sentences = [f"Sentence number {i} says something." for i in range(20)]
    chunks = limits.split_text(" ".join(sentences), 100)
    assert all(len(c) <= 100 for c in chunks)
    # Every chunk ends at the end of a sentence.
    assert all(c.endswith(".") for c in chunks)


def test_split_cuts_a_single_enormous_word() -> None:
    chunks = limits.split_text("x" * 250, 100)
    assert [len(c) for c in chunks] == [100, 100, 50]


def test_split_of_blank_text_is_empty() -> None:
    assert limits.split_text("  \n\n ", 10) == []


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_split_fits_and_loses_no_words(text: str, limit: int) -> None:
    chunks = limits.split_text(text, limit)
    assert all(1 <= len(c) <= limit for c in chunks)
    # Only whitespace may change: the non-space characters survive, in order.
    assert re.sub(r"\s", "", "".join(chunks)) == re.sub(r"\s", "", text)


def test_embed_size_counts_every_limited_part() -> None:
    payload = {
        "title": "t" * 10,
        "description": "d" * 20,
        "fields": [{"name": "n" * 3, "value": "v" * 4}],
        "footer": {"text": "f" * 5},
        "author": {"name": "a" * 6},
        "url": "https://example.org/not-counted",
    }
    size = limits.embed_size(payload)
    assert size.total == 10 + 20 + 3 + 4 + 5 + 6
    assert size.problems() == []


def test_problems_name_each_broken_limit() -> None:
    payload = {"title": "t" * 257, "description": "d" * 4097}
    assert limits.embed_size(payload).problems() == [
        "title 257 > 256",
        "description 4097 > 4096",
    ]


def test_message_total_counts_across_embeds() -> None:
    embed = {"description": "d" * 3000}
    assert limits.message_embed_problems([embed, embed]) == []
    assert limits.message_embed_problems([embed, embed, {"title": "x"}]) == [
        "embeds total 6001 > 6000"
    ]
    assert "11 embeds > 10" in limits.message_embed_problems([{"title": "x"}] * 11)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("hi @here", "hi @\u200bhere"),
        ("<@123456789012345678>", "<@\u200b123456789012345678>"),
        ("<@!123456789012345678>", "<@\u200b!123456789012345678>"),
        ("<@&123456789012345678>", "<@\u200b&123456789012345678>"),
        ("mail me at a@b.org", "mail me at a@b.org"),
    ],
)
def test_mentions_are_neutralised(text: str, expected: str) -> None:
    assert limits.neutralise_mentions(text) == expected


@given(st.text())
def test_no_live_everyone_survives(text: str) -> None:
    cleaned = limits.neutralise_mentions(text)
    assert "@everyone" not in cleaned
    assert "@here" not in cleaned
