"""Text folding: what members paste reduces to the plain words the matcher compares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import text


def test_fold_lowercases_and_keeps_only_plain_words() -> None:
    assert text.fold("Did the US help, the CARTELS?!") == "did the us help the cartels"


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("¿Ayudó a los cárteles?", "ayudo a los carteles"),
        ("México", "mexico"),
        ("pingüino Ñandú", "pinguino nandu"),
        ("São Paulo", "sao paulo"),
        ("Straße", "strasse"),
    ],
)
def test_fold_drops_accents(accented: str, plain: str) -> None:
    assert text.fold(accented) == plain


@pytest.mark.parametrize(
    "spelling", ["EE. UU.", "EE.UU.", "ee uu", "EEUU", "U.S.", "U.S.A.", "USA"]
)
def test_spellings_of_the_us_meet_on_one_term(spelling: str) -> None:
    assert text.terms(f"¿Ayudó {spelling} a los cárteles?") == text.terms("ayudo US carteles")


def test_spanish_question_shares_the_english_terms() -> None:
    spanish = set(text.terms("¿Ayudó EE. UU. a los cárteles mexicanos?"))
    english = set(text.terms("Did the US help the Mexican cartels?"))
    assert {"us", text.stem("cartels"), text.stem("mexico")} <= spanish & english


def test_emoji_and_symbols_vanish() -> None:
    assert text.fold("🔥🔥 Cartels 🇲🇽 are ✅ winning 💯") == "cartels are winning"
    assert text.terms("😂😂😂") == []


@pytest.mark.parametrize(
    "link",
    [
        "https://t.co/yoEOL6vXBm",
        "http://example.com/a/b?c=d#frag",
        "www.example.org/news",
        "pic.twitter.com/AbC123",
    ],
)
def test_urls_are_removed_whole(link: str) -> None:
    assert text.fold(f"cartels {link} mexico") == "cartels mexico"


@pytest.mark.parametrize(
    "markup", ["<@123456789012345678>", "<@!42>", "<@&99>", "<#1234>", "<:kappa:555>", "<t:1700:R>"]
)
def test_discord_mentions_and_markup_are_removed(markup: str) -> None:
    assert text.fold(f"hey {markup} did the cartels win") == "hey did the cartels win"


def test_handles_are_removed_but_email_like_text_is_not_a_handle() -> None:
    assert text.fold("@PaulWilczynski says cartels") == "says cartels"
    assert "cartels" in text.fold("(@morgfair) cartels")
    assert "morgfair" not in text.fold("(@morgfair) cartels")


@pytest.mark.parametrize(
    ("tagged", "words"),
    [
        ("#cartels", ["cartels"]),
        ("#Mexico #cartels", ["mexico", "cartels"]),
        ("#JackBreuer", ["jack", "breuer"]),
    ],
)
def test_hashtags_keep_their_words(tagged: str, words: list[str]) -> None:
    assert text.fold(tagged).split() == words


def test_full_width_letters_and_digits_become_ascii() -> None:
    assert text.fold("ＣＡＲＴＥＬＳ ｉｎ ２０１４") == "cartels in 2014"


def test_stem_merges_english_and_spanish_plurals() -> None:
    assert text.stem("cartels") == text.stem("cartel") == text.stem("carteles")
    assert text.stem("policies") == text.stem("policy")


def test_terms_drop_stopwords_but_keep_us_as_the_country() -> None:
    words = text.terms("What did the US do for the cartels in Mexico?")
    assert "us" in words
    assert not {"what", "did", "the", "do", "for", "in"} & set(words)
    assert text.terms("the of and", keep_stopwords=True)


def test_unique_keeps_first_occurrence_order() -> None:
    assert text.unique(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


@given(st.text())
def test_fold_output_is_plain_lowercase_ascii_words(anything: str) -> None:
    folded = text.fold(anything)
    assert folded == folded.strip()
    assert "  " not in folded
    assert all(
        word.isascii() and word.isalnum() and word == word.lower() for word in folded.split()
    )


@given(st.text())
def test_terms_are_never_empty_strings(anything: str) -> None:
    assert all(term for term in text.terms(anything))
