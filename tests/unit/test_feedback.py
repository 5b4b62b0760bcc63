"""Ranking by helpfulness: the Bayesian average keeps one vote from outranking forty."""

from __future__ import annotations

import pytest

from bot.core.feedback import bayesian_score, least_helpful, prior_share
from bot.store.rows import VoteTally


def test_one_not_helpful_vote_does_not_outrank_forty_votes_mostly_not_helpful() -> None:
    tallies = [
        VoteTally("one-vote", helpful=0, not_helpful=1),  # raw share 0 %
        VoteTally("forty-votes", helpful=10, not_helpful=30),  # raw share 25 %
        VoteTally("liked", helpful=18, not_helpful=2),
    ]
    # Prior: 28 helpful of 61 votes; weight 5 votes.
    prior = prior_share(tallies)
    assert prior == pytest.approx(28 / 61)
    ranked = least_helpful(tallies)
    assert [r.claim_id for r in ranked] == ["forty-votes", "one-vote", "liked"]
    assert ranked[0].score == pytest.approx((10 + prior * 5) / 45)  # 0.273
    assert ranked[1].score == pytest.approx((0 + prior * 5) / 6)  # 0.383
    assert ranked[0].share == pytest.approx(0.25)
    assert ranked[1].share == 0.0


def test_with_enough_votes_the_claims_own_share_dominates() -> None:
    assert bayesian_score(0, 0, prior=0.5) == 0.5
    assert bayesian_score(0, 1, prior=0.5) == pytest.approx(2.5 / 6)
    assert bayesian_score(0, 1000, prior=0.5) < 0.01
    with pytest.raises(ValueError, match="bad tally"):
        bayesian_score(3, 2)


def test_only_claims_with_a_not_helpful_vote_are_listed_and_ties_are_stable() -> None:
    tallies = [
        VoteTally("b", 1, 1),
        VoteTally("a", 1, 1),
        VoteTally("all-good", 9, 0),
        VoteTally("c", 2, 2),
    ]
    ranked = least_helpful(tallies, limit=2)
    assert [r.claim_id for r in ranked] == ["c", "a"]
    assert least_helpful([]) == []
    assert prior_share([]) == 0.5


def test_the_most_buttons_an_answer_can_carry_fit_five_rows_with_the_votes() -> None:
    """Post, Sources, Full analysis, 15 follow-ups (three full rows), Helpful, Not helpful
    and Flag: every one is there, on at most five rows of at most five."""
    from bot.discord_ui import embeds, views
    from tests.unit.test_render import assert_message_fits, huge_fact_check, post_id

    fc = huge_fact_check()
    assert len(fc.follow_ups) >= views.MAX_FOLLOW_UP_BUTTONS
    specs = views.answer_buttons(fc, post_id=post_id(fc, 7), flag=True, vote=True)
    assert_message_fits([embeds.answer_embed(fc)], specs)
    kinds = [s.custom_id.split(":")[1] for s in specs]
    assert kinds.count("fu") == views.MAX_FOLLOW_UP_BUTTONS
    assert kinds[:3] == ["src", "full", "post"]
    assert kinds[-3:] == ["hv", "hv", "flag"]
    assert {s.row for s in specs[-3:]} == {4}


def test_the_digest_lists_the_least_helpful_of_the_period_and_renders_them_as_text() -> None:
    from datetime import date

    from bot.core.digest import build_digest
    from bot.discord_ui import strings
    from bot.discord_ui.digest import render_digest
    from tests.unit.test_digest import CORPUS, window_input

    votes = [
        VoteTally("vaccines-autism", 0, 1),
        VoteTally("moon-landing", 10, 30),
        VoteTally("five-g", 5, 0),
        VoteTally("gone-from-the-corpus", 0, 2),
    ]
    digest = build_digest(window_input(votes=votes), CORPUS)
    # Prior 15 of 48 (0.3125), weight 5: 0/2 -> 0.223, 10/40 -> 0.257, 0/1 -> 0.260.
    assert [(u.claim_id, u.helpful, u.total) for u in digest.least_helpful] == [
        ("gone-from-the-corpus", 0, 2),
        ("moon-landing", 10, 40),
        ("vaccines-autism", 0, 1),
    ]
    assert not digest.is_quiet, "a period's unhelpful votes are worth a digest"
    assert "moon-landing" in digest.claim_ids
    assert digest.local_date == date(2026, 11, 23)
    questions = {fc.id: fc.question for fc in CORPUS}
    (message,) = render_digest(digest, questions, "note")
    fields = {f.name: f.value for f in message.embeds[0].fields}
    assert fields[strings.DIGEST_LEAST_HELPFUL].splitlines() == [
        "• gone-from-the-corpus: 0 of 2 helpful",
        "• Was the moon landing staged?: 10 of 40 helpful",
        "• Do vaccines cause autism?: 0 of 1 helpful",
    ]
    only_helpful = build_digest(window_input(votes=[VoteTally("five-g", 3, 0)]), CORPUS)
    assert only_helpful.least_helpful == ()


def test_follow_ups_beyond_the_buttons_are_marked_and_counted_not_dropped() -> None:
    from bot.core.models import FollowUp
    from bot.discord_ui import embeds, strings, views
    from tests.unit.test_render import make_fact_check

    linked = tuple(FollowUp(question=f"Linked {i}?", claim="other") for i in range(25))
    fc = make_fact_check(follow_ups=linked)
    assert embeds.FOLLOW_UP_BUTTONS == views.MAX_FOLLOW_UP_BUTTONS
    field = next(
        f.value for f in embeds.answer_embed(fc).fields if f.name == strings.FOLLOW_UPS_FIELD
    )
    lines = field.splitlines()
    assert lines[14] == "15. Linked 14?"
    assert lines[15] == "16. Linked 15?" + strings.FOLLOW_UP_NO_BUTTON
    assert lines[-1] == strings.FOLLOW_UPS_MORE.format(count=5)
