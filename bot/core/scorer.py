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
from dataclasses import dataclass
from pathlib import Path

WEIGHTS_FILE = Path(__file__).with_name("scorer_weights.json")

# The features, in the order of the weight vector (computed in Matcher._candidate_features).
FEATURES: tuple[str, ...] = (
    "covered",  # share of the best phrasing's word weight the question holds
    "bm25",  # BM25 relative to the best candidate's
    "context",  # share of the question's weight the summary start holds
    "lexical",  # the old matcher's final score
    "missing_weight",  # share of the question's word weight absent from every phrasing+context
    "unknown_weight",  # share of the question's weight in words the corpus never uses
    "log_length",  # log(1 + number of question terms)
    # The "key entity missing" signal: the share of the question's names and numbers the
    # fact-check never mentions, and their rarity weight over the question's. Split by
    # question length: in a short question a missing name changes what is asked ("Did
    # Russia help the cartels?"); a long pasted post names many people the claim does not.
    "short_missing_entities",
    "short_missing_entity_weight",
    "long_missing_entities",
    "long_missing_entity_weight",
)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class Scorer:
    """Weights over :data:`FEATURES` plus a bias, and the threshold chosen on train."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, values: Sequence[float]) -> float:
        return _sigmoid(self.bias + math.fsum(w * v for w, v in zip(self.weights, values, strict=True)))

    def to_json(self) -> dict[str, object]:
        return {
            "model": "logistic-regression",
            "features": list(FEATURES),
            "weights": [round(w, 8) for w in self.weights],
            "bias": round(self.bias, 8),
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Scorer:
        features = data.get("features")
        if not isinstance(features, list) or tuple(features) != FEATURES:
            raise ValueError(f"scorer weights are for features {features}, expected {FEATURES}")
        weights = data.get("weights")
        if not isinstance(weights, list) or len(weights) != len(FEATURES):
            raise ValueError("scorer weights and features differ in length")
        bias, threshold = data.get("bias"), data.get("threshold")
        if not isinstance(bias, int | float) or not isinstance(threshold, int | float):
            raise ValueError("scorer weights need a numeric bias and threshold")
        return cls(tuple(float(w) for w in weights), float(bias), float(threshold))


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
    iterations: int = 50,
) -> tuple[tuple[float, ...], float]:
    """Logistic regression by Newton's method with an L2 penalty (not on the bias).

    ``weights`` weigh each row (1 each by default). Deterministic: the same rows in the same
    order give the same weights, bit for bit. Returns (weights, bias).
    """
    if len(rows) != len(labels) or not rows:
        raise ValueError("need as many labels as rows, and at least one row")
    n = len(rows[0]) + 1
    beta = [0.0] * n
    xs = [[*map(float, r), 1.0] for r in rows]
    sample = [1.0] * len(rows) if weights is None else [float(w) for w in weights]
    for _ in range(iterations):
        grad = [0.0] * n
        hess = [[0.0] * n for _ in range(n)]
        for x, y, weight in zip(xs, labels, sample, strict=True):
            p = _sigmoid(math.fsum(b * v for b, v in zip(beta, x, strict=True)))
            err = weight * (p - y)
            s = weight * p * (1 - p)
            for i in range(n):
                grad[i] += err * x[i]
                xi = s * x[i]
                row = hess[i]
                for j in range(i, n):
                    row[j] += xi * x[j]
        for i in range(n):
            for j in range(i):
                hess[i][j] = hess[j][i]
        for i in range(n - 1):
            grad[i] += l2 * beta[i]
            hess[i][i] += l2
        step = _solve(hess, grad)
        beta = [b - d for b, d in zip(beta, step, strict=True)]
        if max(abs(d) for d in step) < 1e-10:
            break
    return tuple(beta[:-1]), beta[-1]


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Solve a x = b by Gaussian elimination with partial pivoting (a is small)."""
    n = len(b)
    m = [[*row, rhs] for row, rhs in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            if f:
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        if abs(m[r][r]) < 1e-12:
            continue
        x[r] = (m[r][n] - math.fsum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x
