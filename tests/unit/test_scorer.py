"""The learned scorer: the shipped weights load with the expected features, and training
is deterministic."""

from __future__ import annotations

import random

import pytest

from bot.core import scorer


def test_shipped_weights_load_with_the_expected_features() -> None:
    model = scorer.load()
    assert len(model.weights) == len(scorer.FEATURES)
    assert 0.0 < model.threshold < 1.0
    assert "short_missing_entities" in scorer.FEATURES
    # a question's names the fact-check lacks lower the probability
    assert model.weights[scorer.FEATURES.index("short_missing_entities")] < 0


def _sample(seed: int) -> tuple[list[list[float]], list[int]]:
    rng = random.Random(seed)
    rows = [[rng.random() for _ in scorer.FEATURES] for _ in range(200)]
    labels = [int(r[0] + 0.3 * rng.random() > 0.7) for r in rows]
    return rows, labels


def test_fitting_the_same_sample_twice_gives_the_same_weights() -> None:
    rows, labels = _sample(3)
    assert scorer.fit(rows, labels) == scorer.fit(rows, labels)


def test_fit_learns_the_direction_of_an_informative_feature() -> None:
    rows, labels = _sample(4)
    weights, _ = scorer.fit(rows, labels)
    assert weights[0] > 0


def test_weights_for_other_features_are_refused() -> None:
    data = scorer.load().to_json()
    data["features"] = ["something", "else"]
    with pytest.raises(ValueError, match="features"):
        scorer.Scorer.from_json(data)
