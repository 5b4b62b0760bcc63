"""Sentence vectors for matching: WordLlama's static token embeddings, mean-pooled.

The model is the 256-dimension ``l2_supercat`` model that ships *inside* the ``wordllama``
wheel (16 MB of float16 token vectors and a Llama-2 tokenizer file): nothing is downloaded,
ever. The files are read straight from the installed package, without importing it (its
``__init__`` configures the root logger and pulls in ``requests``); the arithmetic is the
package's own (``WordLlamaInference.embed``: token vectors averaged, then normalised), so the
vectors equal what ``WordLlama.load(...).embed(texts, norm=True)`` returns.

Stored vectors are int8 (unit vector x 127, a quarter of float32), searched through 256-bit
binary codes (their signs; Hamming distance) and re-scored on the short list in int8:
at 1M fact-checks that is 256 MB + 32 MB, inside the bot's memory budget.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MODEL = "wordllama l2_supercat 256"
DIMENSIONS = 256
_WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
_TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
_TENSOR = "embedding.weight"
INT8_SCALE = 127.0
# Texts embedded per tokenizer call when indexing a corpus.
BATCH = 1024


class ModelMissingError(RuntimeError):
    """The wordllama package (which holds the model files) is not installed."""


def model_dir() -> Path:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissingError("the wordllama package is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    if not (root / _WEIGHTS).is_file() or not (root / _TOKENIZER).is_file():
        raise ModelMissingError(f"the wordllama package at {root} lacks its model files")
    return root


def identity() -> str:
    """The model and the version of the package that ships it (what a saved vector depends
    on), read without loading the model."""
    try:
        version = importlib.metadata.version("wordllama")
    except importlib.metadata.PackageNotFoundError:
        version = "missing"
    return f"{MODEL} (wordllama {version})"


@functools.cache
def vector_version() -> str:
    """What a saved vector depends on: the model (:func:`identity`) and the code that
    turns a text into one (this module and the folding of :mod:`bot.core.text`)."""
    digest = hashlib.blake2b(identity().encode(), digest_size=16)
    for module in ("embedding.py", "text.py"):
        digest.update((Path(__file__).resolve().parent / module).read_bytes())
    return digest.hexdigest()


class Embedder:
    """Turns texts into unit vectors (float32) or their int8 and binary codes."""

    def __init__(self, root: Path | None = None) -> None:
        root = model_dir() if root is None else root
        table = load_file(str(root / _WEIGHTS))[_TENSOR]
        self._table: NDArray[np.float32] = np.ascontiguousarray(table, dtype=np.float32)
        self._tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._lock = threading.Lock()  # the Rust tokenizer is shared by worker threads

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit vector per text (a zero vector for a text with no tokens)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        last = self._table.shape[0] - 1
        for start in range(0, len(texts), BATCH):
            # One text at a time: encode_batch's thread pool left each worker thread's heap
            # holding freed memory (about 35 MB per 100k claims), for no speed on 2 cores.
            with self._lock:
                encoded = [
                    self._tokenizer.encode(text, add_special_tokens=False)
                    for text in texts[start : start + BATCH]
                ]
            for i, enc in enumerate(encoded, start):
                if enc.ids:
                    ids = np.minimum(np.asarray(enc.ids, dtype=np.int64), last)
                    out[i] = self._table[ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


@functools.cache
def shipped() -> Embedder:
    """The model of the installed wordllama package (loaded once, about 0.1 s)."""
    return Embedder()


def to_int8(vectors: NDArray[np.float32]) -> NDArray[np.int8]:
    return np.clip(np.rint(vectors * INT8_SCALE), -127, 127).astype(np.int8)


def to_binary(vectors: NDArray[np.floating] | NDArray[np.int8]) -> NDArray[np.uint8]:
    """Sign bits, packed: 32 bytes per 256-dimension vector."""
    return np.packbits(vectors > 0, axis=1)


def cosine_int8(query: NDArray[np.float32], codes: NDArray[np.int8]) -> NDArray[np.float32]:
    """Cosine of a unit ``query`` with int8 ``codes`` (approximately unit)."""
    return (codes.astype(np.float32) @ query) / INT8_SCALE


def nearest_binary(
    query: NDArray[np.float32], codes: NDArray[np.uint8], n: int
) -> NDArray[np.intp]:
    """Indexes of the ``n`` codes closest to ``query`` by Hamming distance (unordered)."""
    if n <= 0 or len(codes) == 0:
        return np.empty(0, dtype=np.intp)
    bits = np.packbits(query > 0)
    distance = np.bitwise_count(np.bitwise_xor(codes, bits)).sum(axis=1, dtype=np.uint16)
    if n >= len(codes):
        return np.arange(len(codes))
    return np.argpartition(distance, n)[:n]
