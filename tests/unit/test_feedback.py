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
