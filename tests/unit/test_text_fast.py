"""The fast fold and stem (issue 15) give exactly what the per-character implementation
they replaced gave (kept as bench/text_reference.py, the benchmark's baseline)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import text_reference
from bot.core import text

# Text the way members and corpora write it: any Unicode, weighted towards the characters
# the patterns care about (links, markup, handles, hashtags, "EE. UU.", "U.S.", quotes).
PIECES = st.sampled_from(
    [
        "https://t.co/x ",
        "www.example.org ",
        "pic.twitter.com/abc ",
        "<@123>",
        "<#9>",
        "<:smile:42>",
        "<t:1700000000:R>",
        "@someone ",
        "#JackBreuer ",
        "EE. UU.",
        "EE.UU ",
        "U.S.A. ",
        "u . s ",
        "it’s ",
        "John's ",
        "Straße ",
        "ＦＵＬＬ ",
        "México ",
        "ﬁ ",
        "İstanbul ",
        "e\u0301",
        " ",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=12).map("".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(TEXT)
def test_fold_and_terms_equal_the_reference_on_any_text(sample: str) -> None:
    assert text.fold(sample) == text_reference.fold(sample)
    assert text.terms(sample) == text_reference.terms(sample)
    assert text.terms(sample, keep_stopwords=True) == text_reference.terms(
        sample, keep_stopwords=True
    )


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", max_size=14))
def test_stem_equals_the_reference_and_its_cache_changes_nothing(word: str) -> None:
    first = text.stem(word)
    assert first == text_reference.stem(word)
    assert text.stem(word) == first  # the second call comes from the cache


def test_the_stem_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text, "_STEMS_MAX", 8)
    monkeypatch.setattr(text, "_STEMS", {})
    for number in range(50):
        assert text.stem(f"words{number}x") == text_reference.stem(f"words{number}x")
    assert 0 < len(text._STEMS) <= 8
