"""The matcher: ranking, "no match", autocomplete and thread safety.

Most tests use a small corpus built here, so they say exactly what they rely on; a few run
against the bundled ``data/claims`` to prove the README's promise on the real entries.
Assertions are about behaviour (which fact-check wins, whether it clears the threshold),
never about the tuned score values.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import matching
from bot.core.corpus import Corpus, load_corpus
from bot.core.matching import (
    EmptyQuestionError,
    Match,
    MatchEntry,
    Matcher,
    MatchResult,
    Suggestion,
)
from bot.core.models import FactCheck
from bot.paths import BUNDLED_CORPUS_DIR

CARTELS = "us-aid-to-cartels"
SEED_QUESTION = "Did the US help the cartels in Mexico?"


def fact_check(claim_id: str, question: str, summary: str, *aliases: str) -> FactCheck:
    return FactCheck(
        id=claim_id,
        question=question,
        checked_on=date(2025, 11, 11),
        summary=summary,
        aliases=aliases,
    )


SMALL_CORPUS = Corpus(
    [
        fact_check(
            CARTELS,
            SEED_QUESTION,
            "No record shows US agencies setting out to help the cartels; the aid went to "
            "fighting them.",
            "Is the US secretly helping Mexican cartels?",
        ),
        fact_check("sun-and-tides", "Does the Sun affect the tides?", "Yes, less than the Moon."),
        fact_check(
            "coffee-heart",
            "Is drinking coffee bad for your heart?",
            "Moderate coffee drinking is not linked to heart disease in large studies.",
        ),
        fact_check(
            "moon-landing-hoax",
            "Did NASA fake the Moon landing in 1969?",
            "No. The Apollo 11 landing is among the best documented events of its century.",
        ),
        fact_check(
            "vaccines-autism",
            "Do vaccines cause autism?",
            "No. Large studies of millions of children found no link.",
            "Are childhood vaccines linked to autism?",
        ),
        fact_check("5g-viruses", "Does 5G spread viruses?", "No. Radio waves cannot carry one."),
        fact_check(
            "great-wall-space",
            "Is the Great Wall of China visible from space with the naked eye?",
            "Not from orbit without optical aid.",
        ),
        fact_check(
            "eiffel-fair",
            "Was the Eiffel Tower built for the 1889 World's Fair?",
            "Yes, as the entrance arch of the 1889 Exposition Universelle.",
        ),
    ]
)

# A post of about 2,000 characters that asks the seed question in passing.
LONG_POST = (
    "OK so I have been reading about this all week and I need to get it off my chest. "
    "My neighbour drives a truck across the border twice a month and he says the checkpoints "
    "are slower than ever, lines of trucks for hours, everybody nervous. Then last night my "
    "uncle forwarded me a video at two in the morning, one of those clips with dramatic music "
    "and red arrows, and the caption asked one thing: {claim} The video had maybe four "
    "hundred thousand views and the comments were a war zone. Half the people were sure "
    "it was obvious, the other half were calling everyone paranoid. Nobody posted a single "
    "link to anything real. I tried to look it up myself but every search gave me opinion "
    "blogs, a podcast transcript and a forum thread from years ago that never ended. "
    "Meanwhile my aunt keeps sharing recipes in the same family group as if nothing is "
    "happening, which honestly is the healthiest reaction. I am not saying I believe it, "
    "I am saying I want somebody with actual documents to tell me what is known and what "
    "is just noise. If you have followed this story for a long time, please answer in the "
    "replies with sources, not vibes. And please, no screenshots of screenshots of tweets. "
    "I teach middle school history, my students ask me about this stuff, and I would rather "
    "give them something solid than shrug. Thanks to whoever reads this far, you are a "
    "saint. Also if anyone knows a decent mechanic near the old train station, my car is "
    "making a noise like a grinder full of gravel and I am out of ideas. Sorry for the "
    "long post, it has been a strange month and the weather has not been kind, rain every "
    "single afternoon since the festival ended and the river is high again. Anyway. Stay "
    "safe, drink water, check your sources, and be kind in the comments. Edit: fixed a "
    "typo. Edit 2: no, I will not be sharing my uncle's phone number. Edit 3: the video is "
    "gone now, of course, which proves nothing either way. https://t.co/x1Y2z3"
)


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_corpus(SMALL_CORPUS)


@pytest.fixture(scope="module")
def bundled() -> Matcher:
    report = load_corpus(BUNDLED_CORPUS_DIR)
    assert CARTELS in report.corpus
    return Matcher.from_corpus(report.corpus)


def top_id(result: MatchResult) -> str | None:
    return result.matches[0].claim_id if result.matches else None


def assert_answers(result: MatchResult, claim_id: str) -> None:
    assert top_id(result) == claim_id, result.matches
    assert result.best is not None, f"{claim_id} ranks first but is under the threshold"
    assert result.best.claim_id == claim_id


# --- ranking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "claim_id"),
    [
        (SEED_QUESTION, CARTELS),
        ("Does the Sun affect the tides?", "sun-and-tides"),
        ("Do vaccines cause autism?", "vaccines-autism"),
        ("Was the Eiffel Tower built for the 1889 World's Fair?", "eiffel-fair"),
        ("Are childhood vaccines linked to autism?", "vaccines-autism"),  # an alias
    ],
)
def test_each_question_finds_its_own_fact_check(
    matcher: Matcher, question: str, claim_id: str
) -> None:
    assert_answers(matcher.match(question), claim_id)


@pytest.mark.parametrize(
    "variant",
    [
        "DID THE US HELP THE CARTELS IN MEXICO?",
        "did the us help the cartels in mexico",
        "Did the US help the cartels in México?",
        "Did the US... help the cartels, in Mexico?!?",
        "🔥🔥 Did the US help the cartels in Mexico? 🇲🇽🤔",
        "Did the US help the cartels in Mexico? https://t.co/AbCdEf123",
        "<@123456789012345678> Did the US help the cartels in Mexico?",
        "@newsbot Did the US help the cartels in Mexico? via @someone",
    ],
)
def test_case_accents_punctuation_emoji_links_and_mentions_change_nothing(
    matcher: Matcher, variant: str
) -> None:
    plain = matcher.match(SEED_QUESTION)
    assert matcher.match(variant).matches == plain.matches


def test_hashtags_count_as_words(matcher: Matcher) -> None:
    assert_answers(matcher.match("Did the US help the #cartels in #Mexico?"), CARTELS)


def test_spanish_question_finds_the_fact_check(matcher: Matcher) -> None:
    assert_answers(matcher.match("¿EE.UU. ayudó a los cárteles mexicanos?"), CARTELS)
    # Without "Mexico" it holds three of the fact-check's four words: the right one ranks
    # first, offered as the nearest (0.77, under the default 0.79). The embedding model is
    # English-only, so Spanish leans on the shared words (docs/quality.md).
    result = matcher.match("¿Ayudó EE. UU. a los cárteles?")
    assert result.matches[0].claim_id == CARTELS
    assert result.matches[0].probability > 0.5


@pytest.mark.parametrize(
    ("question", "claim_id"),
    [
        ("did the us help the cartles in mexico", CARTELS),
        ("Does the sun afect the tides?", "sun-and-tides"),
        ("Do vacines cause autism?", "vaccines-autism"),
    ],
)
def test_typos_are_forgiven(matcher: Matcher, question: str, claim_id: str) -> None:
    assert_answers(matcher.match(question), claim_id)


def test_word_order_does_not_matter(matcher: Matcher) -> None:
    assert_answers(matcher.match("cartels in Mexico: did the US help them?"), CARTELS)
    assert_answers(matcher.match("Mexico cartels US help"), CARTELS)


def test_a_long_pasted_post_that_asks_the_question_is_answered(matcher: Matcher) -> None:
    post = LONG_POST.format(claim="Did the US help the cartels in Mexico?")
    assert 1_900 <= len(post) <= 2_100
    assert_answers(matcher.match(post), CARTELS)


@pytest.mark.parametrize("blank", ["", " ", "   \n\t  ", "\u3000"])
def test_empty_or_whitespace_question_is_a_clear_error(matcher: Matcher, blank: str) -> None:
    with pytest.raises(EmptyQuestionError):
        matcher.match(blank)
    assert issubclass(EmptyQuestionError, ValueError)


def test_question_of_only_noise_matches_nothing_without_raising(matcher: Matcher) -> None:
    for noise in ("😂😂😂", "https://t.co/abc", "<@123>", "?!?"):
        result = matcher.match(noise)
        assert result.matches == ()
        assert result.best is None


def test_unrelated_question_is_no_match_but_nearest_is_offered(matcher: Matcher) -> None:
    result = matcher.match("What is the price of coffee in Paris?")
    assert result.best is None
    assert result.nearest()
    assert result.nearest()[0].claim_id == "coffee-heart"
    assert all(m.score < result.threshold for m in result.nearest())


def test_question_sharing_no_word_has_no_nearest(matcher: Matcher) -> None:
    result = matcher.match("How tall is Mount Everest?")
    assert result.best is None
    assert result.nearest() == ()


def test_scores_are_in_unit_range_and_sorted(matcher: Matcher) -> None:
    for question in (SEED_QUESTION, "the moon and the sun", "Is the US in space?", "coffee"):
        scores = [m.score for m in matcher.match(question, k=10).matches]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)


def test_k_limits_the_number_of_matches(matcher: Matcher) -> None:
    question = "Did NASA, coffee, vaccines, the Sun or the US help the cartels?"
    assert len(matcher.match(question, k=100).matches) > 3
    for k in (1, 2, 3):
        assert len(matcher.match(question, k=k).matches) == k
    assert len(matcher.match(question, k=100).matches) <= len(SMALL_CORPUS)


def test_match_carries_the_query_threshold_and_question_text(matcher: Matcher) -> None:
    result = matcher.match("did the us help the cartels")
    assert result.query == "did the us help the cartels"
    assert 0 < result.threshold < 1
    assert result.matches[0] == Match(CARTELS, SEED_QUESTION, result.matches[0].score)


def test_threshold_decides_best() -> None:
    strict = Matcher.from_corpus(SMALL_CORPUS, threshold=1.01)
    lenient = Matcher.from_corpus(SMALL_CORPUS, threshold=0.0)
    assert strict.match(SEED_QUESTION).best is None
    assert strict.match(SEED_QUESTION).nearest(1)[0].claim_id == CARTELS
    assert lenient.match("coffee in Paris").best is not None


def test_matcher_from_plain_entries() -> None:
    entries = [
        MatchEntry("a-1", "Is the river water safe to drink?"),
        MatchEntry("b-2", "Did the mayor cancel the parade?", ("parade cancelled by mayor",)),
    ]
    plain = Matcher(entries)
    assert len(plain) == 2
    assert_answers(plain.match("was the parade cancelled by the mayor"), "b-2")
    assert_answers(plain.match("river water safe?"), "a-1")


def test_rebuilding_gives_the_same_results() -> None:
    first, second = Matcher.from_corpus(SMALL_CORPUS), Matcher.from_corpus(SMALL_CORPUS)
    for question in (SEED_QUESTION, "moon landing", "coffee heart"):
        assert first.match(question) == second.match(question)


# --- the bundled corpus ---------------------------------------------------------------------


def test_bundled_readme_question_is_answered_by_the_seed_entry(bundled: Matcher) -> None:
    assert_answers(bundled.match("did the US help the Mexican cartels?"), CARTELS)


@pytest.mark.parametrize(
    "variant",
    [
        "DID THE US HELP THE MEXICAN CARTELS",
        "did the U.S. help the mexican cartels?? 🤔 https://t.co/xyz <@42> @someone",
        "did the US help the mexican cartles?",  # typo
        "Mexican cartels: did the US help them?",  # word order
    ],
)
def test_bundled_variants_of_the_readme_question(bundled: Matcher, variant: str) -> None:
    assert_answers(bundled.match(variant), CARTELS)


def test_bundled_typo_in_a_follow_up_question(bundled: Matcher) -> None:
    result = bundled.match("How has US drug polcy contributed to cartel power in Mexico?")
    assert_answers(result, "us-drug-policy-cartel-power")


def test_bundled_spanish_question_ranks_the_seed_entry_first(bundled: Matcher) -> None:
    assert top_id(bundled.match("¿Ayudó EE. UU. a los cárteles?")) == CARTELS


def test_bundled_unrelated_question_is_no_match(bundled: Matcher) -> None:
    for question in ("What is the boiling point of water?", "Is the Moon made of cheese?"):
        assert bundled.match(question).best is None


# --- autocomplete ---------------------------------------------------------------------------


def assert_valid(suggestions: list[Suggestion], limit: int) -> None:
    assert len(suggestions) <= limit
    for suggestion in suggestions:
        assert 1 <= len(suggestion.label) <= 100
    ids = [s.claim_id for s in suggestions]
    assert len(ids) == len(set(ids)), "a fact-check is suggested twice"


def test_empty_prefix_suggests_questions_up_to_the_limit(matcher: Matcher) -> None:
    suggestions = matcher.autocomplete("")
    assert_valid(suggestions, 25)
    assert len(suggestions) == len(SMALL_CORPUS)
    assert len(matcher.autocomplete("   ", limit=3)) == 3
    assert matcher.autocomplete("", limit=0) == []


@pytest.mark.parametrize(
    ("typed", "claim_id"),
    [
        ("Did the US help the car", CARTELS),  # half a word
        ("carte", CARTELS),
        ("eiff", "eiffel-fair"),
        ("Does the Sun aff", "sun-and-tides"),
        ("vaccin", "vaccines-autism"),
        ("did the us help the cartles", CARTELS),  # typo in a finished word
        ("DID THE US HELP", CARTELS),
    ],
)
def test_prefix_suggests_the_fact_check_first(matcher: Matcher, typed: str, claim_id: str) -> None:
    suggestions = matcher.autocomplete(typed)
    assert_valid(suggestions, 25)
    assert suggestions[0].claim_id == claim_id
    assert suggestions[0].label == SMALL_CORPUS.get(claim_id).question  # type: ignore[union-attr]


def test_autocomplete_respects_the_limit(matcher: Matcher) -> None:
    for limit in (1, 2, 5):
        assert_valid(matcher.autocomplete("the", limit=limit), limit)


def test_long_questions_are_cut_to_a_100_character_label() -> None:
    long_question = "Did the council " + "really " * 40 + "approve the new bridge toll?"
    assert len(long_question) > 290
    plain = Matcher([MatchEntry("long-one", long_question), MatchEntry("short", "Is it raining?")])
    for typed in ("", "Did the council", "council really", "bridge"):
        suggestions = plain.autocomplete(typed)
        assert_valid(suggestions, 25)
        long_labels = [s.label for s in suggestions if s.claim_id == "long-one"]
        assert long_labels, typed
        assert len(long_labels[0]) == 100
        assert long_question.startswith(long_labels[0].rstrip("…").rstrip())


def test_labels_have_no_line_breaks_or_doubled_spaces() -> None:
    plain = Matcher([MatchEntry("messy", "  Is the\nbridge   really\tclosed?  ")])
    (suggestion,) = plain.autocomplete("bridge")
    assert suggestion.label == "Is the bridge really closed?"


def test_autocomplete_is_the_same_when_big_corpora_fold_per_keystroke(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    entries = [
        MatchEntry(f"c{n}", f"Did the {colour} bridge in town {n} close in {1990 + n}?")
        for n, colour in enumerate(["red", "Old", "Íron", "stone"] * 700)
    ]
    kept = Matcher(entries)
    monkeypatch.setattr(matching, "FOLDED_QUESTIONS_KEPT", 10)
    folded_per_keystroke = Matcher(entries)
    for prefix in ("iron bri", "did the old", "stone bridge in town 12", "Bridge"):
        expected = kept.autocomplete(prefix)
        assert expected
        assert folded_per_keystroke.autocomplete(prefix) == expected


@pytest.mark.parametrize(
    ("question", "claim_ids"),
    [
        ("the US helped the Mexican cartels, look it up @everyone", {CARTELS}),
        # "aid" is "help" to the matcher (the synonyms), so both aid entries answer it
        ("US aid to Mexico", {"us-security-aid-mexico", CARTELS}),
        ("how many guns come from the us", {"us-guns-mexican-cartels"}),
    ],
)
def test_topic_words_count_in_a_small_corpus_on_one_topic(
    bundled: Matcher, question: str, claim_ids: set[str]
) -> None:
    # Every bundled entry is about US-Mexico cartels; with word rarity taken from 13
    # entries alone, "cartels" or "Mexico" weighed nothing and these ranked by filler words
    # with probabilities near 0. (How confident a three-word question may be is the
    # calibration's business: "how many guns come from the us" gets 0.62, under the 0.79
    # default, and is offered as the nearest fact-check.)
    top = bundled.match(question).matches[0]
    assert top.claim_id in claim_ids
    assert top.probability >= 0.5


def test_a_repeated_question_is_answered_from_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matcher = Matcher([MatchEntry(CARTELS, "Did the US help the cartels in Mexico?")])
    computed: list[str] = []
    real_match = Matcher._match

    def counting(self: Matcher, question: str, *args: Any) -> MatchResult:
        computed.append(question)
        return real_match(self, question, *args)

    monkeypatch.setattr(Matcher, "_match", counting)
    monkeypatch.setattr(matching, "RECENT_ANSWERS", 2)
    first = matcher.match("Did the US help the cartels in Mexico?")
    # (capitals count: "HELP" or "Mexico" written otherwise may be names, so a repeat is
    # the same words with the same capitals, whatever the spacing and punctuation)
    again = matcher.match("Did  the US help the cartels in Mexico ?!!")
    assert computed == ["Did the US help the cartels in Mexico?"]
    assert again.matches == first.matches
    assert again.query == "Did  the US help the cartels in Mexico ?!!"  # the words asked now
    matcher.match("moon landing")
    matcher.match("coffee and the heart")  # pushes the cartels question out (limit 2)
    matcher.match("Did the US help the cartels in Mexico?")
    assert len(computed) == 4
    matcher.forget_recent()
    matcher.match("coffee and the heart")
    assert len(computed) == 5


def test_bundled_autocomplete(bundled: Matcher) -> None:
    assert bundled.autocomplete("did the US help the")[0].claim_id == CARTELS
    assert_valid(bundled.autocomplete(""), 25)
    assert CARTELS in {s.claim_id for s in bundled.autocomplete("cartel")}


# --- threads --------------------------------------------------------------------------------


def test_concurrent_calls_give_the_same_answers_as_sequential_ones(matcher: Matcher) -> None:
    calls: list[tuple[Callable[..., object], str]] = []
    for question in (SEED_QUESTION, "moon landing 1969", "coffee heart", "¿Ayudó EE. UU.?"):
        calls.append((matcher.match, question))
    for typed in ("car", "Did the", "vacc", "eiffel tow", ""):
        calls.append((matcher.autocomplete, typed))
    work = calls * 40
    expected = [call(argument) for call, argument in work]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda item: item[0](item[1]), work))
    assert got == expected


# --- any input ------------------------------------------------------------------------------


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=st.text(), k=st.integers(min_value=1, max_value=10))
def test_any_text_is_matched_or_reported_empty(matcher: Matcher, question: str, k: int) -> None:
    if not question.strip():
        with pytest.raises(EmptyQuestionError):
            matcher.match(question, k=k)
        return
    result = matcher.match(question, k=k)
    assert len(result.matches) <= k
    scores = [m.score for m in result.matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert result.best is None or result.best == result.matches[0]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(prefix=st.text(), limit=st.integers(min_value=0, max_value=30))
def test_any_prefix_gives_valid_suggestions(matcher: Matcher, prefix: str, limit: int) -> None:
    assert_valid(matcher.autocomplete(prefix, limit=limit), limit)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=3_000))
def test_any_long_text_matches_within_bounds(matcher: Matcher, text: str) -> None:
    if text.strip():
        for match in matcher.match(text + " cartels").matches:
            assert 0.0 <= match.score <= 1.0
