"""Per-entry translations in the corpus format ("+++ es" blocks): parsed, validated with
file, line and field, written back, shown in the chosen language (issue 16)."""

from __future__ import annotations

import pytest

from bot import i18n
from bot.core.corpus import load_corpus, parse_fact_check
from bot.core.corpus_file import render_fact_check
from bot.discord_ui import embeds
from bot.paths import PROJECT_ROOT

ENTRY = """+++
id = "moon"
question = "Is the moon made of cheese?"
checked_on = 2026-01-01
verdict = "False"

[[sources]]
number = 1
title = "NASA"

[[follow_ups]]
question = "Is the sun hot?"
+++

No, it is rock [1].

## Why

Samples [1].
"""
SPANISH = """
+++ es
question = "¿La Luna está hecha de queso?"
verdict = "Falso"
aliases = ["luna de queso"]
follow_ups = ["¿El Sol está caliente?"]
+++

No, es roca [1].

## Por qué

Muestras [1].
"""


def problems_of(text: str) -> list[str]:
    fc, problems = parse_fact_check(text, "moon.md")
    assert (fc is None) == bool(problems)
    return [str(p) for p in problems]


def test_a_translation_is_parsed_and_written_back() -> None:
    fc, problems = parse_fact_check(ENTRY + SPANISH, "moon.md")
    assert problems == []
    assert fc is not None
    spanish = fc.translations["es"]
    assert spanish.question == "¿La Luna está hecha de queso?"
    assert spanish.sections[0].heading == "Por qué"
    again, problems = parse_fact_check(render_fact_check(fc), "again.md")
    assert problems == []
    assert again == fc


def test_in_language_swaps_the_words_and_keeps_sources_and_links() -> None:
    fc, _ = parse_fact_check(ENTRY + SPANISH, "moon.md")
    assert fc is not None
    shown = fc.in_language("es")
    assert (shown.question, shown.verdict, shown.language) == (
        "¿La Luna está hecha de queso?",
        "Falso",
        "es",
    )
    assert shown.sources == fc.sources
    assert shown.follow_ups[0].question == "¿El Sol está caliente?"
    assert shown.follow_ups[0].claim == fc.follow_ups[0].claim
    assert fc.in_language("fr") is fc
    assert fc.in_language("en") is fc
    # The matcher indexes the Spanish question and aliases too.
    assert "luna de queso" in fc.phrasings()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("Muestras [1]", "Muestras [3]"),
            "moon.md:32: translations.es.sections[0].body: cites [3]",
        ),
        (("No, es roca [1]", "No, es roca [2]"), "moon.md:28: translations.es.summary: cites [2]"),
        (
            ('follow_ups = ["¿El Sol está caliente?"]', 'follow_ups = ["a", "b"]'),
            "moon.md:25: translations.es.follow_ups: 2 questions for the entry's 1 follow-ups",
        ),
        (('question = "¿La', 'questio = "¿La'), "moon.md:21: translations.es.question: missing"),
        (("\nNo, es roca [1].\n", "\n"), "moon.md:29: translations.es.summary: missing"),
        (('verdict = "Falso"', "verdict = "), "moon.md:23: translations.es: invalid TOML"),
        (("+++ es", "+++ en"), "moon.md:21: translations.en: the entry is already in 'en'"),
        (
            ('question = "¿La Luna está hecha de queso?"', 'question = "' + "q" * 257 + '"'),
            "moon.md:22: translations.es.question: is 257 characters; Discord shows at most 256",
        ),
    ],
)
def test_corpus_check_names_file_line_and_field(change: tuple[str, str], expected: str) -> None:
    found = problems_of(ENTRY + SPANISH.replace(*change))
    assert any(p.startswith(expected) for p in found), found


def test_a_translation_block_without_its_closing_fence_is_a_problem() -> None:
    text = ENTRY + '\n+++ es\nquestion = "¿Luna?"\n'
    assert problems_of(text) == [
        "moon.md:21: translations.es: the translation opened here has no closing '+++' line"
    ]


def test_every_bundled_entry_has_spanish_text() -> None:
    report = load_corpus(PROJECT_ROOT / "data" / "claims")
    assert report.problems == []
    missing = [fc.id for fc in report.corpus if "es" not in fc.translations]
    assert missing == []
    for fc in report.corpus:
        spanish = fc.translations["es"]
        assert len(spanish.follow_ups) == len(fc.follow_ups), fc.id
        assert len(spanish.sections) == len(fc.sections), fc.id


def test_the_answer_is_shown_in_the_chosen_language_or_says_it_is_not() -> None:
    fc, _ = parse_fact_check(ENTRY + SPANISH, "moon.md")
    english_only, _ = parse_fact_check(ENTRY, "moon.md")
    assert fc is not None
    assert english_only is not None
    with i18n.speaking("es-419"):
        embed = embeds.answer_embed(fc)
        assert embed.title == "¿La Luna está hecha de queso?"
        assert embed.description is not None
        assert embed.description.startswith("**Veredicto:** Falso")
        embed = embeds.answer_embed(english_only)
        assert embed.title == "Is the moon made of cheese?"
        assert embed.description is not None
        assert embed.description.startswith(
            "*Esta verificación todavía no está disponible en español: se muestra en inglés.*"
        )
    embed = embeds.answer_embed(fc)  # English: the entry's own words, no note
    assert embed.title == "Is the moon made of cheese?"
    assert embed.description is not None
    assert embed.description.startswith("**Verdict:** False")
