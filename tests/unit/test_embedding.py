"""The sentence vectors (bot/core/embedding.py): read from the wordllama wheel, equal to the
package's own, unit length, and their int8 / binary codes keep the nearest neighbours."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.core import embedding

TEXTS = [
    "did the us help the cartels in mexico",
    "has washington ever assisted mexican drug gangs",
    "is the moon made of cheese",
    "",
    "🙂",
]


@pytest.fixture(scope="module")
def embedder() -> embedding.Embedder:
    return embedding.shipped()


def test_vectors_are_the_packages_own(embedder: embedding.Embedder, tmp_path: Path) -> None:
    from wordllama import WordLlama

    # The package looks for its tokenizer under tokenizer/ (it ships it under tokenizers/)
    # and would download it: hand it the shipped file as its cache, downloads disabled.
    (tmp_path / "tokenizers").mkdir()
    shutil.copy(embedding.model_dir() / embedding._TOKENIZER, tmp_path / "tokenizers")
    model = WordLlama.load(cache_dir=tmp_path, disable_download=True)
    theirs = model.embed(TEXTS[:3], norm=True)
    ours = embedder.embed(TEXTS[:3])
    assert np.allclose(ours, theirs, atol=1e-5)


def test_vectors_are_unit_length_and_empty_text_is_zero(embedder: embedding.Embedder) -> None:
    vectors = embedder.embed(TEXTS)
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[:3], 1.0, atol=1e-5)
    assert norms[3] == 0.0
    # batches of any size give the same vectors as one at a time
    one_by_one = np.vstack([embedder.embed([t]) for t in TEXTS])
    assert np.allclose(vectors, one_by_one, atol=1e-6)


def test_a_paraphrase_is_nearer_than_another_topic(embedder: embedding.Embedder) -> None:
    question, paraphrase, other = embedder.embed(TEXTS[:3])
    assert question @ paraphrase > question @ other


def test_int8_and_binary_codes_keep_the_nearest(embedder: embedding.Embedder) -> None:
    vectors = embedder.embed(TEXTS[:3])
    codes = embedding.to_int8(vectors)
    assert codes.dtype == np.int8
    cosines = embedding.cosine_int8(vectors[0], codes)
    assert np.allclose(cosines, vectors @ vectors[0], atol=0.02)
    bits = embedding.to_binary(codes)
    assert bits.shape == (3, embedding.DIMENSIONS // 8)
    assert set(embedding.nearest_binary(vectors[0], bits, 1).tolist()) == {0}


def test_the_identity_names_the_model_and_its_package_version() -> None:
    assert embedding.identity().startswith(embedding.MODEL)
    assert "wordllama 0." in embedding.identity()
