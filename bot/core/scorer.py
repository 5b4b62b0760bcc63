"""The learned scorer: a logistic regression that turns a (question, fact-check) pair's
features into the probability that the fact-check answers the question.

The weights live in ``scorer_weights.json`` next to this module (package data: nothing is
downloaded), written by ``bench/train_scorer.py`` from CheckThat! 2022 2A **train** only;
the file also holds the default threshold chosen on train. Pure Python on purpose: the
model has a dozen weights, and fitting it (:func:`fit`, Newton's method with a small L2
penalty) takes seconds without numpy or sklearn.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")

# What the matcher computes for each (question, candidate) pair, in this order
# (Matcher._candidate_features).
CANDIDATE_FEATURES: tuple[str, ...] = (
    "covered",  # share of the best phrasing's word weight the question holds
    "bm25",  # BM25 relative to the best candidate's
    "context",  # share of the question's weight the summary start holds
    "lexical",  # the old matcher's final score (reports and scorer=None only)
    "missing_weight",  # share of the question's word weight absent from every phrasing+context
    "unknown_weight",  # share of the question's weight in words the corpus never uses
    "log_length",  # log(1 + number of question terms) (not used: see FEATURES)
    # The "key entity missing" signal: the share of the question's names and numbers the
    # fact-check never mentions, and their rarity weight over the question's. Split by
    # question length: in a short question a missing name changes what is asked ("Did
    # Russia help the cartels?"); a long pasted post names many people the claim does not.
    "short_missing_entities",
    "short_missing_entity_weight",
    "long_missing_entities",
    "long_missing_entity_weight",
    "cosine",  # the WordLlama cosine of the question and the closest phrasing
    "exact",  # min(covered, explained) of the best phrasing: the question *is* it
    # How far ahead of the best other candidate this one is (negative when behind).
    "cosine_margin",
    "covered_margin",
    "bm25_margin",
    "exact_margin",
    # the same four for long questions (pasted posts, tweets) only; 0 for a short one
    "long_cosine_margin",
    "long_covered_margin",
    "long_bm25_margin",
    "long_exact_margin",
    # 1 for a question of at most SHORT_QUESTION_TERMS terms: its own bias, learned from
    # CheckThat!'s claims asked as questions (answered, and with the claim held out)
    "short_question",
)
# The model's inputs by default (bench/train_scorer.py), in the order of the weight vector;
# a weights file names its own (``short:NAME`` / ``long:NAME`` select a feature for one kind
# of question only, see :func:`select`). Left out: "lexical" (a blend of the others) and
# "log_length" (CheckThat!'s queries are long tweets: on train a short question looked
# unlikely to be answered, and a member's exact question scored 0.2).
FEATURES: tuple[str, ...] = (
    "covered",
    "bm25",
    "context",
    "missing_weight",
    "unknown_weight",
    "cosine",
    "exact",
    "short_missing_entities",
    "short_missing_entity_weight",
    "long_missing_entities",
    "long_missing_entity_weight",
    "short_question",
    "long_cosine_margin",
    "long_covered_margin",
    "long_bm25_margin",
    "long_exact_margin",
)
# One regression for both kinds of question, with a bias of its own for short ones and the
# margins over the next candidate for long ones only: in CheckThat!'s large, varied corpus a
# tweet's right fact-check stands out from the rest, while in a small corpus on one topic a
# member's short question has close siblings however right the answer is. (Separate short:/
# long: copies of every feature were tried: tweets gained nothing and short paraphrases of
# the bundled corpus lost a third of their answers; docs/quality.md.)


_SHORT = CANDIDATE_FEATURES.index("short_question")


def _base(name: str) -> str:
    return name.partition(":")[2] if name.startswith(("short:", "long:")) else name


def select(candidate: Sequence[float], features: Sequence[str]) -> list[float]:
    """The values of ``features`` from a row of :data:`CANDIDATE_FEATURES` values.

    ``short:NAME`` is NAME's value for a short question and 0 for a long one, ``long:NAME``
    the reverse: one regression then holds a model for members' short questions and one for
    long posts (CheckThat!'s tweets), which differ in what a right answer looks like.
    """
    short = candidate[_SHORT] >= 0.5
    out = []
    for name in features:
        value = candidate[CANDIDATE_FEATURES.index(_base(name))]
        if name.startswith("short:"):
            value = value if short else 0.0
        elif name.startswith("long:"):
            value = 0.0 if short else value
        out.append(value)
    return out


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Scorer:
    """Weights over ``features`` (names from :data:`CANDIDATE_FEATURES`) plus a bias, and the
    threshold chosen on train.

    Features are standardised first (``(value - mean) / scale``, the means and scales of
    the training examples), so that the L2 penalty weighs every feature alike.
    """

    weights: tuple[float, ...]
    bias: float
    threshold: float
    means: tuple[float, ...] = ()
    scales: tuple[float, ...] = ()
    features: tuple[str, ...] = FEATURES
    # Per question group ("short", "long"): Platt scaling (slope, intercept) of the
    # regression's output into the probability that the top candidate is the answer,
    # fitted on train's cross-validated outcomes (bench/train_scorer.py).
    calibration: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = [f for f in self.features if _base(f) not in CANDIDATE_FEATURES]
        if unknown:
            raise ValueError(f"scorer weights name unknown features {unknown}")
        if len(self.weights) != len(self.features):
            raise ValueError("scorer weights and features differ in length")
        if self.means and not (len(self.means) == len(self.scales) == len(self.features)):
            raise ValueError("scorer means/scales and features differ in length")

    def select(self, candidate: Sequence[float]) -> list[float]:
        """This model's inputs from a row of :data:`CANDIDATE_FEATURES` values."""
        return select(candidate, self.features)

    def raw_probability(self, candidate: Sequence[float]) -> float:
        """The regression's output for one row of :data:`CANDIDATE_FEATURES` values."""
        return sigmoid(self._logit(candidate))

    def probability(self, candidate: Sequence[float]) -> float:
        """The calibrated probability for one row of :data:`CANDIDATE_FEATURES` values."""
        z = self._logit(candidate)
        group = "short" if candidate[_SHORT] >= 0.5 else "long"
        if group in self.calibration:
            slope, intercept = self.calibration[group]
            z = slope * z + intercept
        return sigmoid(z)

    def _logit(self, candidate: Sequence[float]) -> float:
        values: Sequence[float] = self.select(candidate)
        if self.means:
            values = standardise(values, self.means, self.scales)
        return self.bias + math.fsum(w * v for w, v in zip(self.weights, values, strict=True))

    def to_json(self) -> dict[str, object]:
        return {
            "model": "logistic-regression",
            "features": list(self.features),
            "weights": [round(w, 8) for w in self.weights],
            "bias": round(self.bias, 8),
            "means": [round(m, 8) for m in self.means],
            "scales": [round(s, 8) for s in self.scales],
            "calibration": {
                g: [round(a, 8), round(b, 8)] for g, (a, b) in self.calibration.items()
            },
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Scorer:
        features, weights = data.get("features"), data.get("weights")
        if not isinstance(features, list) or not isinstance(weights, list):
            raise ValueError("scorer weights need lists of features and weights")
        bias, threshold = data.get("bias"), data.get("threshold")
        if not isinstance(bias, int | float) or not isinstance(threshold, int | float):
            raise ValueError("scorer weights need a numeric bias and threshold")
        means, scales = data.get("means", []), data.get("scales", [])
        if not isinstance(means, list) or not isinstance(scales, list):
            raise ValueError("scorer means and scales must be lists")
        calibration = data.get("calibration", {})
        if not isinstance(calibration, dict):
            raise ValueError("scorer calibration must map a group to (slope, intercept)")
        return cls(
            tuple(float(w) for w in weights),
            float(bias),
            float(threshold),
            tuple(float(m) for m in means),
            tuple(float(s) for s in scales),
            tuple(str(f) for f in features),
            {str(g): (float(a), float(b)) for g, (a, b) in calibration.items()},
        )


def standardise(
    values: Sequence[float], means: Sequence[float], scales: Sequence[float]
) -> list[float]:
    return [(v - m) / s for v, m, s in zip(values, means, scales, strict=True)]


def moments(rows: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Each column's mean and standard deviation (1 where a column is constant)."""
    n = len(rows)
    means = tuple(math.fsum(r[i] for r in rows) / n for i in range(len(rows[0])))
    scales = tuple(
        math.sqrt(math.fsum((r[i] - m) ** 2 for r in rows) / n) or 1.0 for i, m in enumerate(means)
    )
    return means, scales


def load(path: Path = WEIGHTS_FILE) -> Scorer:
    return Scorer.from_json(json.loads(Path(path).read_text(encoding="utf-8")))


@functools.cache
def shipped() -> Scorer:
    """The scorer whose weights ship with the package (loaded once, on first use)."""
    return load()


def shipped_threshold() -> float:
    """The default threshold written with the shipped weights (read without the weights, so
    that ``bench/train_scorer.py`` can run while the features change)."""
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return float(data["threshold"])


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    weights: Sequence[float] | None = None,
    *,
    l2: float = 1.0,
    signs: Sequence[int] | None = None,
    iterations: int = 100,
) -> tuple[tuple[float, ...], float]:
    """Logistic regression by Newton's method with an L2 penalty (not on the bias).

    ``weights`` weigh each row (1 each by default). ``signs`` (+1, -1 or 0 per feature)
    constrains a weight to be >= 0, <= 0 or free: a weight that would cross zero is held at
    zero (an active set) until the gradient pulls it back to its own side. Deterministic:
    the same rows in the same order give the same weights. Returns (weights, bias).
    """

    if len(rows) != len(labels) or not rows:
        raise ValueError("need as many labels as rows, and at least one row")
    x = np.hstack([np.asarray(rows, dtype=np.float64), np.ones((len(rows), 1))])
    y = np.asarray(labels, dtype=np.float64)
    sample = np.ones(len(rows)) if weights is None else np.asarray(weights, dtype=np.float64)
    n = x.shape[1]
    sign = np.zeros(n) if signs is None else np.append(np.asarray(signs, dtype=np.float64), 0.0)
    penalty = np.full(n, l2)
    penalty[-1] = 0.0

    def loss(b: NDArray[np.float64]) -> float:
        z = x @ b
        return float(sample @ (np.logaddexp(0.0, z) - y * z) + 0.5 * penalty @ (b * b))

    beta = np.zeros(n)
    held = np.zeros(n, dtype=bool)
    current = loss(beta)
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -500, 500)))
        grad = x.T @ (sample * (p - y)) + penalty * beta
        # a held weight is let go when the loss would fall by moving it to its own side
        held &= ~(sign * -grad > 0)
        free = ~held
        hess = (x[:, free].T * (sample * p * (1 - p))) @ x[:, free]
        # (the tiny ridge keeps the bias's row solvable when every row is far from 0.5)
        hess[np.diag_indices_from(hess)] += penalty[free] + 1e-9
        step = np.zeros(n)
        step[free] = np.linalg.solve(hess, grad[free])
        # Newton's step, halved until the (sign-projected) loss does not rise
        scale = 1.0
        for _ in range(40):
            trial = beta - scale * step
            crossed = (sign * trial) < 0
            trial[crossed] = 0.0
            trial_loss = loss(trial)
            if trial_loss <= current:
                break
            scale /= 2
        else:
            break
        moved = float(np.max(np.abs(trial - beta)))
        beta, current = trial, trial_loss
        held |= crossed
        if moved < 1e-10:
            break
    return tuple(float(b) for b in beta[:-1]), float(beta[-1])
