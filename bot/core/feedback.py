"""Ranking fact-checks by members' helpfulness votes (pure: no Discord, no database).

A raw share ranks one "not helpful" vote (0 %) below 30 of 40 (75 %) and above nothing
useful; a Bayesian average pulls every claim's share towards the server's overall share by
``PRIOR_VOTES`` imaginary votes, so a claim needs many votes before its own share
dominates: 1 vote never outranks 40.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

# The weight of the prior, in votes, and the share assumed when a server has no votes yet.
PRIOR_VOTES = 5.0
DEFAULT_PRIOR_SHARE = 0.5


class Tally(Protocol):
    @property
    def claim_id(self) -> str: ...
    @property
    def helpful(self) -> int: ...
    @property
    def not_helpful(self) -> int: ...


@dataclass(frozen=True)
class Ranked:
    """A claim's votes and its Bayesian helpfulness (0-1; lower is less helpful)."""

    claim_id: str
    helpful: int
    not_helpful: int
    score: float

    @property
    def total(self) -> int:
        return self.helpful + self.not_helpful

    @property
    def share(self) -> float:
        """The raw helpful share (what a moderator reads: "7 of 10")."""
        return self.helpful / self.total if self.total else 0.0


def prior_share(tallies: Iterable[Tally]) -> float:
    """The share of helpful votes over every claim (the prior's mean)."""
    helpful = total = 0
    for tally in tallies:
        helpful += tally.helpful
        total += tally.helpful + tally.not_helpful
    return helpful / total if total else DEFAULT_PRIOR_SHARE


def bayesian_score(
    helpful: int, total: int, *, prior: float = DEFAULT_PRIOR_SHARE, weight: float = PRIOR_VOTES
) -> float:
    """``(helpful + prior * weight) / (total + weight)``: the share, shrunk to the prior."""
    if helpful < 0 or total < helpful:
        raise ValueError(f"bad tally: {helpful} helpful of {total}")
    return (helpful + prior * weight) / (total + weight)


def least_helpful(
    tallies: Sequence[Tally], limit: int = 5, *, weight: float = PRIOR_VOTES
) -> list[Ranked]:
    """Claims with at least one "not helpful" vote, least helpful first (lowest Bayesian
    score; ties: more votes first, then claim id, so the order is stable)."""
    prior = prior_share(tallies)
    ranked = [
        Ranked(
            t.claim_id,
            t.helpful,
            t.not_helpful,
            bayesian_score(t.helpful, t.helpful + t.not_helpful, prior=prior, weight=weight),
        )
        for t in tallies
        if t.not_helpful > 0
    ]
    ranked.sort(key=lambda r: (r.score, -r.total, r.claim_id))
    return ranked[:limit]
