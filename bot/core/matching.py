"""Find the fact-check that answers a member's question.

Two stages keep the cost per query flat as the corpus grows:

1. **Candidates**: an in-memory SQLite FTS5 index over every question and alias, queried
   with the question's rarest words, returns the best few dozen texts by BM25. Words the
   index has never seen are first corrected to a close indexed word (typos).
2. **Re-ranking**: each candidate gets features from how much of the fact-check's
   wording the question covers and how much of the question (or, for a long pasted post,
   of its best passage) the fact-check explains, both weighted by word rarity, rapidfuzz's
   order-insensitive similarity, BM25, and what of the question the fact-check lacks: its
   names and numbers ("Russia" in "Did Russia help the cartels?") and its rarest words.
   A logistic regression trained on CheckThat! 2022 2A train (:mod:`bot.core.scorer`,
   ``bench/train_scorer.py``) turns them into the probability that the fact-check answers
   the question. A probability under the threshold (:data:`DEFAULT_THRESHOLD`, chosen on
   train) is "no match".

The index lives in one SQLite connection guarded by a lock, so a :class:`Matcher` may be
shared by worker threads (the bot calls it through ``asyncio.to_thread``).
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, cast

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core import embedding, text
from bot.core import scorer as learned
from bot.core.corpus import Corpus
from bot.core.models import FactCheck
from bot.core.packed import PackedTexts

# The learned scorer shipped with the package, and the probability under which a match is
# "no match": chosen on CheckThat! 2022 2A train with the gold claims held out
# (bench/train_scorer.py, docs/quality.md).
DEFAULT_THRESHOLD = learned.shipped_threshold()
# The old hand-tuned blend's threshold, for comparisons (Matcher(..., scorer=None)).
LEXICAL_THRESHOLD = 0.6
# A question of at most this many terms is "short" for the missing-entity features (a
# member's question; CheckThat!'s tweets are mostly longer).
SHORT_QUESTION_TERMS = 10

# How many indexed texts BM25 hands to the re-ranker, and how many query words it may use.
CANDIDATE_TEXTS = 40
# How many more fact-checks the nearest vectors add (those BM25 did not find): a paraphrase
# that shares no rare word with its fact-check ("Has Washington ever assisted...").
VECTOR_CANDIDATES = 10
# Nearest vectors are searched by binary code (Hamming) over this many, then re-scored in
# int8; up to EXACT_VECTOR_SEARCH phrasings every int8 vector is scored directly.
BINARY_SHORTLIST = 200
EXACT_VECTOR_SEARCH = 20_000
MAX_QUERY_TERMS = 24
# Words in more than this share of the fact-checks (and at least COMMON_TERM_MIN_DOCS) are
# only sent to the index when the question has fewer than ALWAYS_QUERIED_TERMS rarer ones.
COMMON_TERM_SHARE = 0.01
COMMON_TERM_MIN_DOCS = 2_000
ALWAYS_QUERIED_TERMS = 4
# Only this many unknown words of a query get a typo correction (a pasted post has many
# names the corpus never mentions; correcting each would cost time for nothing).
MAX_TYPO_LOOKUPS = 6
TYPO_MIN_LENGTH = 4
TYPO_MIN_SIMILARITY = 0.75
# One row per fact-check: its phrasings, then the start of its summary as context.
PHRASING_SEPARATOR = " | "
CONTEXT_CHARS = 400
# BM25 weight of the context column against the phrasings' 1.0.
CONTEXT_BM25_WEIGHT = 0.4
# Autocomplete re-ranks at most this many rows; a typed prefix this short is "broad".
AUTOCOMPLETE_CANDIDATES = 100
BROAD_PREFIX_CHARS = 3
# Suggestions are cut to Discord's 100-character choice limit.
SUGGESTION_MAX_CHARS = 100
# Below this many texts, autocomplete also scores every question directly (cheap, and it
# forgives typos in a half-typed word that the index cannot).
SMALL_CORPUS_TEXTS = 2_000
# Up to this many entries the folded form of every question is kept for autocomplete
# (about 150 bytes each). Beyond it they are folded per keystroke instead: at 1M claims
# keeping them would cost about 150 MB and push the process past its 1.5 GB budget.
FOLDED_QUESTIONS_KEPT = 250_000

# Word rarity (IDF) is computed as if the corpus held at least this many texts. In a small,
# single-topic corpus (the bundled one: 13 entries, all on US-Mexico cartels) a word such
# as "cartels" appears everywhere and would weigh nothing, so matching hung on filler
# words; from 200 texts up the real counts are used unchanged.
MIN_IDF_TEXTS = 200

# How many recent questions' answers a matcher remembers (a few KB each).
RECENT_ANSWERS = 1024

# Score blend, tuned on CheckThat! train (docs/quality.md).
_RECALL_WEIGHT = 1.5  # beta of the F-measure: covering the claim matters more
_ORDER_WEIGHT = 0.2  # share of a phrasing's score from rapidfuzz token similarity
_BM25_WEIGHT = 0.3  # share of the final score from BM25, relative to the best candidate
_CONTEXT_WEIGHT = 0.2  # share from how much of the question the context explains


# A matcher's scorer: the one shipped with the package, another, or None for the old blend.
ScorerChoice = learned.Scorer | None | Literal["shipped"]

LEXICAL_FEATURE = learned.CANDIDATE_FEATURES.index("lexical")
# The features whose margin over the best other candidate is a feature too.
_MARGIN_OF = tuple(
    learned.CANDIDATE_FEATURES.index(f) for f in ("cosine", "covered", "bm25", "exact")
)


class EmptyQuestionError(ValueError):
    """The question is empty or only whitespace."""


@dataclass(frozen=True, slots=True)
class Match:
    """One fact-check and how well it answers the question (0 to 1).

    ``score`` is the calibrated probability that the fact-check answers the question (the
    learned scorer's output); ``lexical`` is the old hand-tuned blend, kept for reports.
    """

    claim_id: str
    question: str
    score: float
    lexical: float = field(default=0.0, compare=False)

    @property
    def probability(self) -> float:
        return self.score


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Ranked matches for one question; ``best`` is ``None`` when nothing clears the bar."""

    query: str
    matches: tuple[Match, ...]
    threshold: float

    @property
    def best(self) -> Match | None:
        if self.matches and self.matches[0].score >= self.threshold:
            return self.matches[0]
        return None

    def nearest(self, n: int = 3) -> tuple[Match, ...]:
        """The ``n`` closest fact-checks, whether or not they clear the threshold."""
        return self.matches[:n]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An autocomplete choice: the fact-check's id and a label of 1-100 characters."""

    claim_id: str
    label: str


@dataclass(frozen=True, slots=True)
class MatchEntry:
    """What the matcher needs of a fact-check: its id, question and other phrasings."""

    claim_id: str
    question: str
    aliases: tuple[str, ...] = ()
    # Words that describe the fact-check without being a phrasing of its question (the
    # start of its summary): they help find it, never decide that it is the answer alone.
    context: str = ""

    @classmethod
    def of(cls, fc: FactCheck) -> MatchEntry:
        return cls(fc.id, fc.question, fc.phrasings(), fc.summary[:CONTEXT_CHARS])


@dataclass(frozen=True, slots=True)
class _Candidate:
    entry: int
    phrasings: tuple[tuple[str, ...], ...]
    context: frozenset[str]
    bm25: float

    @classmethod
    def from_row(cls, entry: int, phrasings: str, context: str, bm25: float) -> _Candidate:
        """A candidate from its index row (phrasings joined by :data:`PHRASING_SEPARATOR`)."""
        return cls(
            entry,
            tuple(tuple(p.split()) for p in phrasings.split(PHRASING_SEPARATOR) if p),
            frozenset(context.split()),
            bm25,
        )


class Matcher:
    """Matches questions against a fixed set of fact-checks (build a new one on reload)."""

    def __init__(
        self,
        entries: Iterable[MatchEntry],
        *,
        threshold: float | None = None,
        scorer: ScorerChoice = "shipped",
        vectors_from: Matcher | None = None,
    ):
        # scorer=None ranks by the old hand-tuned blend (bench/quality.py compares the two).
        # vectors_from: a matcher built before (the previous index) whose vectors are reused
        # for every phrasing it has too, so a changed corpus re-embeds only what changed.
        if scorer == "shipped":
            scorer = learned.shipped()
        self._scorer: learned.Scorer | None = scorer
        if threshold is None:
            threshold = LEXICAL_THRESHOLD if scorer is None else scorer.threshold
        self.threshold = threshold
        self._ids: Sequence[str] = []
        self._questions: Sequence[str] = []
        # Folded once here: autocomplete scores up to 100 candidates per keystroke, and
        # folding them each time was most of its cost (docs/performance-core.md).
        self._folded_questions: Sequence[str] = []
        self._keep_folded = True
        self._lock = threading.Lock()
        # Answers to the most recent questions, by their words: a rumour brings the same
        # question from many members at once, and each repeat then costs microseconds.
        self._recent: OrderedDict[tuple[tuple[str, ...], tuple[str, ...], int], MatchResult] = (
            OrderedDict()
        )
        self._recent_lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            # Terms are pre-normalised by bot.core.text, so the tokenizer only splits on
            # spaces; prefix indexes serve autocomplete's half-typed last word.
            "CREATE VIRTUAL TABLE texts USING fts5("
            "phrasings, context, entry UNINDEXED, tokenize='unicode61', prefix='2 3')"
        )
        # Phrasings wait here until a batch is embedded (see _embed_pending).
        self._embedder = embedding.shipped()
        self._pending_phrasings: list[str] = []
        self._phrasing_counts: list[int] = []
        self._vector_chunks: list[NDArray[np.int8]] = []
        self._hash_chunks: list[NDArray[np.int64]] = []
        self._vector_version = embedding.vector_version()
        self._known = _KnownVectors.of(vectors_from, self._vector_version)
        self.reused_vectors = 0

        def rows() -> Iterable[tuple[int, str, str, int]]:
            for row in self._rows(entries):
                yield row
                if len(self._pending_phrasings) >= embedding.BATCH:
                    self._embed_pending()

        # rowid = entry + 1, so that a fact-check found by its vector is read back by rowid.
        self._db.executemany(
            "INSERT INTO texts(rowid, phrasings, context, entry) VALUES (?, ?, ?, ?)", rows()
        )
        self._embed_pending()
        # One int8 vector per phrasing (question and aliases), phrasings of entry i at
        # rows _offsets[i]:_offsets[i+1]; binary codes of the same rows for the search.
        self._vectors: NDArray[np.int8] = (
            np.concatenate(self._vector_chunks)
            if self._vector_chunks
            else np.zeros((0, embedding.DIMENSIONS), dtype=np.int8)
        )
        self._vector_chunks = []
        # A hash of each phrasing's folded text, row by row: what a later build reuses by.
        self._phrasing_hashes: NDArray[np.int64] = (
            np.concatenate(self._hash_chunks) if self._hash_chunks else np.zeros(0, np.int64)
        )
        self._hash_chunks = []
        self._known = None
        self._offsets = np.zeros(len(self._phrasing_counts) + 1, dtype=np.int64)
        np.cumsum(self._phrasing_counts, out=self._offsets[1:])
        self._phrasing_entry = np.repeat(
            np.arange(len(self._phrasing_counts), dtype=np.int32), self._phrasing_counts
        )
        self._phrasing_counts = []
        self._codes = embedding.to_binary(self._vectors)
        self._db.execute("INSERT INTO texts(texts) VALUES ('optimize')")
        self._db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(texts, 'row')")
        self._db.commit()  # built: nothing writes to it again (index_store copies it whole)
        self._doc_freq: dict[str, int] = dict(self._db.execute("SELECT term, doc FROM vocab"))
        self._text_count = max(1, self._db.execute("SELECT count(*) FROM texts").fetchone()[0])
        self._max_idf = self._idf_of(1)
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for term in self._doc_freq:
            if len(term) >= TYPO_MIN_LENGTH and term.isalpha():
                self._by_shape[(term[0], len(term))].append(term)
        self._small = self._text_count <= SMALL_CORPUS_TEXTS
        # One buffer each instead of a million str objects (saved as mapped sections too).
        self._ids = PackedTexts.of(self._ids)
        self._questions = PackedTexts.of(self._questions)
        if not self._small:
            self._folded_questions = PackedTexts.of(self._folded_questions)
        _return_freed_memory()

    # Saved by bot.core.index_store, which writes the FTS connection as a SQLite file (and
    # opens it read-only in place on a restart) and the big arrays as mapped sections. The
    # locks, the memory of recent answers and the embedding model (read from its package,
    # and part of the index key through bot/core's code) are made anew.
    _TRANSIENT = ("_lock", "_recent", "_recent_lock", "_embedder", "reused_vectors")

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k not in self._TRANSIENT}

    def __setstate__(self, state: dict[str, object]) -> None:
        if not isinstance(state.get("_db"), sqlite3.Connection):
            raise TypeError("a Matcher is loaded through bot.core.index_store")
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._recent = OrderedDict()
        self._recent_lock = threading.Lock()
        self._embedder = embedding.shipped()
        self.reused_vectors = 0

    @classmethod
    def from_corpus(
        cls,
        corpus: Corpus,
        *,
        threshold: float | None = None,
        scorer: ScorerChoice = "shipped",
        vectors_from: Matcher | None = None,
    ) -> Matcher:
        entries = (MatchEntry.of(fc) for fc in corpus)
        return cls(entries, threshold=threshold, scorer=scorer, vectors_from=vectors_from)

    def __len__(self) -> int:
        return len(self._ids)

    def _rows(self, entries: Iterable[MatchEntry]) -> Iterable[tuple[int, str, str, int]]:
        # Lists while building; packed when the build ends (see __init__).
        ids, questions = cast(list[str], self._ids), cast(list[str], self._questions)
        folded = cast(list[str], self._folded_questions)
        for entry in entries:
            index = len(ids)
            ids.append(entry.claim_id)
            questions.append(entry.question)
            if self._keep_folded:
                if index < FOLDED_QUESTIONS_KEPT:
                    folded.append(text.fold(entry.question))
                else:
                    self._keep_folded = False
                    folded.clear()
            unique_phrasings = text.unique([entry.question, *entry.aliases])
            self._pending_phrasings.extend(unique_phrasings)
            self._phrasing_counts.append(len(unique_phrasings))
            phrasings = [text.terms(p) for p in unique_phrasings]
            # "|" is not a word character for the tokenizer: it separates phrasings in one row.
            joined = PHRASING_SEPARATOR.join(" ".join(p) for p in phrasings if p)
            context = " ".join(text.terms(entry.context[:CONTEXT_CHARS]))
            yield index + 1, joined, context, index

    def _embed_pending(self) -> None:
        if not self._pending_phrasings:
            return
        folded = [text.fold(p) for p in self._pending_phrasings]
        self._pending_phrasings = []
        hashes = np.array([_text_hash(t) for t in folded], dtype=np.int64)
        self._hash_chunks.append(hashes)
        known = self._known.find(hashes) if self._known is not None else None
        if known is None:
            self._vector_chunks.append(embedding.to_int8(self._embedder.embed(folded)))
            return
        rows, found = known
        vectors = np.empty((len(folded), embedding.DIMENSIONS), dtype=np.int8)
        vectors[found] = rows[found]
        missing = np.flatnonzero(~found)
        if len(missing):
            fresh = self._embedder.embed([folded[i] for i in missing.tolist()])
            vectors[missing] = embedding.to_int8(fresh)
        self.reused_vectors += int(found.sum())
        self._vector_chunks.append(vectors)

    def _folded_question(self, entry: int) -> str:
        if self._keep_folded:
            return self._folded_questions[entry]
        return text.fold(self._questions[entry])

    def _idf_of(self, doc_freq: int) -> float:
        texts = max(self._text_count, MIN_IDF_TEXTS)
        return math.log(1 + (texts - doc_freq + 0.5) / (doc_freq + 0.5))

    def idf(self, term: str) -> float:
        """How rare ``term`` (a stem) is in this corpus (the weight matching gives it)."""
        return self._idf(term)

    def _idf(self, term: str) -> float:
        doc_freq = self._doc_freq.get(term)
        return self._max_idf if doc_freq is None else self._idf_of(doc_freq)

    # --- matching ---------------------------------------------------------------------------

    def match(self, question: str, k: int = 5, threshold: float | None = None) -> MatchResult:
        """The ``k`` best fact-checks for ``question``, best first.

        ``threshold`` (a probability) overrides the matcher's own for this call, e.g. a
        server's setting; every match carries its probability either way.
        """
        if not question or not question.strip():
            raise EmptyQuestionError("the question is empty")
        words = text.terms(question)
        names = text.entities(question)
        key = (tuple(words), tuple(names), k)
        with self._recent_lock:
            recent = self._recent.get(key)
            if recent is not None:
                self._recent.move_to_end(key)
        if recent is None:
            recent = self._match(question, words, names, k)
            with self._recent_lock:
                self._recent[key] = recent
                if len(self._recent) > RECENT_ANSWERS:
                    self._recent.popitem(last=False)
        bar = self.threshold if threshold is None else threshold
        return replace(recent, query=question, threshold=bar)

    def forget_recent(self) -> None:
        """Drop the remembered answers (benchmarks use it to time the matching itself)."""
        with self._recent_lock:
            self._recent.clear()

    def features(self, question: str) -> list[tuple[str, list[float]]]:
        """Each candidate fact-check's id and its :data:`bot.core.scorer.CANDIDATE_FEATURES` values
        (what ``bench/train_scorer.py`` learns from)."""
        words = text.terms(question)
        return [
            (self._ids[entry], values)
            for entry, values in self._candidate_features(question, words, text.entities(question))
        ]

    def _match(self, question: str, words: list[str], names: list[str], k: int) -> MatchResult:
        scored = []
        for entry, values in self._candidate_features(question, words, names):
            lexical = values[LEXICAL_FEATURE]
            probability = lexical if self._scorer is None else self._scorer.probability(values)
            scored.append((entry, probability, lexical))
        scored.sort(key=lambda item: (-item[1], -item[2], item[0]))
        matches = tuple(
            Match(self._ids[i], self._questions[i], round(min(1.0, max(0.0, p)), 4), round(lex, 4))
            for i, p, lex in scored[: max(k, 0)]
        )
        return MatchResult(question, matches, self.threshold)

    def _nearest_entries(self, vector: NDArray[np.float32], n: int) -> list[int]:
        """The ``n`` fact-checks whose phrasings' vectors are closest to ``vector``."""
        if not len(self._vectors) or not vector.any():
            return []
        if len(self._vectors) <= EXACT_VECTOR_SEARCH:
            rows = np.arange(len(self._vectors))
        else:
            rows = embedding.nearest_binary(vector, self._codes, BINARY_SHORTLIST)
        cosines = embedding.cosine_int8(vector, self._vectors[rows])
        order = rows[np.argsort(-cosines, kind="stable")]
        found: list[int] = []
        for entry in self._phrasing_entry[order].tolist():
            if entry not in found:
                found.append(entry)
                if len(found) == n:
                    break
        return found

    def _cosine(self, vector: NDArray[np.float32], entry: int) -> float:
        rows = self._vectors[self._offsets[entry] : self._offsets[entry + 1]]
        if not len(rows):
            return 0.0
        return float(embedding.cosine_int8(vector, rows).max())

    def _candidate_features(
        self, question: str, words: list[str], names: list[str]
    ) -> list[tuple[int, list[float]]]:
        query_terms = self._corrected(words)
        if not query_terms:
            return []
        candidates = self._candidates(query_terms, CANDIDATE_TEXTS)
        if not candidates:
            # no indexed word in common with any fact-check: off the corpus's topics
            return []
        # Vectors see the question as folded (case, accents, links and emoji do not count),
        # like the words do.
        vector = self._embedder.embed([text.fold(question)])[0]
        found = {c.entry for c in candidates}
        extra = [e for e in self._nearest_entries(vector, VECTOR_CANDIDATES) if e not in found]
        candidates += self._read(extra)
        query_weights = [self._idf(t) for t in query_terms]
        query_total = sum(query_weights) or 1.0
        unknown = sum(
            w for t, w in zip(query_terms, query_weights, strict=True) if t not in self._doc_freq
        )
        # Names are compared as written: a typo correction may turn a name the corpus does
        # not know into one it does ("Israel" -> "Ismael" Zambada).
        top_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
        phrase_weight = 1 - _BM25_WEIGHT - _CONTEXT_WEIGHT
        log_length = math.log1p(len(query_terms))
        short = len(query_terms) <= SHORT_QUESTION_TERMS
        cosines = {c.entry: self._cosine(vector, c.entry) for c in candidates}
        rows: list[tuple[int, list[float]]] = []
        seen: set[int] = set()
        for candidate in candidates:
            if candidate.entry in seen:
                continue
            seen.add(candidate.entry)
            each = [self._parts(query_terms, query_weights, p) for p in candidate.phrasings]
            phrased, covered, _, _ = max(each)
            # how nearly the question *is* one of the phrasings: covered both ways
            exact = max(min(part[1], part[2]) for part in each)
            context = sum(
                w for t, w in zip(query_terms, query_weights, strict=True) if t in candidate.context
            )
            lexical = (
                phrase_weight * phrased
                + _BM25_WEIGHT * candidate.bm25 / top_bm25
                + _CONTEXT_WEIGHT * context / query_total
            )
            said = candidate.context.union(*candidate.phrasings)
            missing_names = [n for n in names if n not in said]
            missing_share = len(missing_names) / len(names) if names else 0.0
            missing_weight = sum(self._idf(n) for n in missing_names) / query_total
            absent = [w for t, w in zip(query_terms, query_weights, strict=True) if t not in said]
            cosine = cosines[candidate.entry]
            rows.append(
                (
                    candidate.entry,
                    [
                        covered,
                        candidate.bm25 / top_bm25,
                        context / query_total,
                        lexical,
                        sum(absent) / query_total,
                        unknown / query_total,
                        log_length,
                        *_split_by_length(short, missing_share, missing_weight),
                        cosine,
                        exact,
                    ],
                )
            )
        _add_margins(rows, short)
        return rows

    def _read(self, entries: Sequence[int]) -> list[_Candidate]:
        """Candidates for ``entries`` found by vector (BM25 0: no queried word in common)."""
        if not entries:
            return []
        marks = ",".join("?" * len(entries))
        with self._lock:
            rows = self._db.execute(
                f"SELECT entry, phrasings, context FROM texts WHERE rowid IN ({marks})",
                [e + 1 for e in entries],
            ).fetchall()
        return [
            _Candidate.from_row(entry, phrasings, context, 0.0)
            for entry, phrasings, context in rows
        ]

    def _corrected(self, terms: list[str]) -> list[str]:
        """``terms`` with unknown words replaced by the closest indexed word, if any."""
        corrections: dict[str, str] = {}
        unknown = [t for t in text.unique(terms) if t not in self._doc_freq]
        for term in unknown[:MAX_TYPO_LOOKUPS]:
            if len(term) < TYPO_MIN_LENGTH or not term.isalpha():
                continue
            pool = [
                w
                for length in range(len(term) - 1, len(term) + 2)
                for w in self._by_shape.get((term[0], length), ())
            ]
            found = process.extractOne(
                term,
                pool,
                scorer=Levenshtein.normalized_similarity,
                score_cutoff=TYPO_MIN_SIMILARITY,
            )
            if found is not None:
                corrections[term] = found[0]
        return [corrections.get(t, t) for t in terms]

    def _candidates(self, query_terms: Sequence[str], limit: int) -> list[_Candidate]:
        known = [t for t in text.unique(query_terms) if t in self._doc_freq]
        if not known:
            return []
        # The rarest words find the right fact-check; very common ones only cost time (FTS5
        # scores every row that holds any word), so past the first few they are left to the
        # re-ranker, which still sees every word of the question.
        known.sort(key=lambda t: self._doc_freq[t])
        common = max(COMMON_TERM_MIN_DOCS, self._text_count * COMMON_TERM_SHARE)
        chosen = [
            t
            for i, t in enumerate(known[:MAX_QUERY_TERMS])
            if i < ALWAYS_QUERIED_TERMS or self._doc_freq[t] <= common
        ]
        expression = " OR ".join(f'"{t}"' for t in chosen)
        with self._lock:
            rows = self._db.execute(
                "SELECT entry, phrasings, context, -bm25(texts, 1.0, ?) FROM texts "
                "WHERE texts MATCH ? ORDER BY bm25(texts, 1.0, ?) LIMIT ?",
                (CONTEXT_BM25_WEIGHT, expression, CONTEXT_BM25_WEIGHT, limit),
            ).fetchall()
        return [_Candidate.from_row(*row) for row in rows]

    def _parts(
        self, query_terms: list[str], query_weights: list[float], doc_terms: tuple[str, ...]
    ) -> tuple[float, float, float, float]:
        """(blend, covered, explained, order) of one phrasing; the blend is the old score."""
        doc_set = set(doc_terms)
        doc_weight = sum(self._idf(t) for t in doc_set)
        if doc_weight <= 0:
            return 0.0, 0.0, 0.0, 0.0
        shared = doc_set.intersection(query_terms)
        covered = sum(self._idf(t) for t in shared) / doc_weight
        explained = _best_passage_share(query_terms, query_weights, doc_set, len(doc_set))
        if covered <= 0 or explained <= 0:
            return 0.0, covered, explained, 0.0
        beta2 = _RECALL_WEIGHT**2
        f_measure = (1 + beta2) * explained * covered / (beta2 * explained + covered)
        order = fuzz.token_sort_ratio(" ".join(query_terms), " ".join(doc_terms)) / 100
        if len(query_terms) > 3 * len(doc_set):
            # a long post: compare order against its best passage, not the whole post
            order = fuzz.partial_token_sort_ratio(" ".join(doc_terms), " ".join(query_terms))
            order /= 100
        return (1 - _ORDER_WEIGHT) * f_measure + _ORDER_WEIGHT * order, covered, explained, order

    # --- autocomplete -----------------------------------------------------------------------

    def autocomplete(self, prefix: str, limit: int = 25) -> list[Suggestion]:
        """Up to ``limit`` fact-check questions for what the member has typed so far."""
        limit = max(0, limit)
        if not prefix.strip():
            return [self._suggestion(i) for i in range(min(limit, len(self._ids)))]
        folded = text.fold(prefix)
        words = folded.split()
        if not words:
            return []
        # The last word is still being typed unless a space or punctuation closed it.
        typing = prefix[-1:].isalnum()
        partial = words[-1] if typing else None
        complete = [text.stem(w) for w in (words[:-1] if typing else words)]
        complete = self._corrected([w for w in complete if w not in text.STOPWORDS])
        scores: dict[int, float] = {}
        for entry in self._prefix_candidates(complete, partial):
            if entry not in scores:
                scores[entry] = fuzz.partial_ratio(folded, self._folded_question(entry))
        if self._small:
            for _, score, entry in process.extract(
                folded, self._folded_questions, scorer=fuzz.partial_ratio, limit=limit
            ):
                scores[entry] = max(scores.get(entry, 0.0), score)
        ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return [self._suggestion(i) for i, _ in ranked[:limit]]

    def _prefix_candidates(self, complete: list[str], partial: str | None) -> list[int]:
        complete = [t for t in text.unique(complete) if t in self._doc_freq]
        clauses = [f'"{t}"' for t in complete]
        if partial and len(partial) >= 2:
            # The index holds stems ("cartel"); "cartels" typed so far must still find it.
            stemmed = text.stem(partial)
            shared = _shared_prefix_length(partial, stemmed)
            if shared >= 3:
                clauses.append(f'"{partial[:shared]}"*')
            elif stemmed in self._doc_freq:  # a canonical word: "america" is indexed as "us"
                clauses.append(f'("{partial}"* OR "{stemmed}")')
            else:
                clauses.append(f'"{partial}"*')
        if not clauses:
            return []
        # Ranking every row that holds a short prefix or a common word is what costs time
        # in a large corpus; such broad queries take the first rows instead and leave the
        # order to the re-ranker (the member narrows it down by typing on).
        common = max(COMMON_TERM_MIN_DOCS, self._text_count * COMMON_TERM_SHARE)
        narrow_word = any(self._doc_freq.get(t, 0) <= common for t in complete)
        broad = not narrow_word and (
            partial is None
            or len(partial) <= BROAD_PREFIX_CHARS
            or self._doc_freq.get(text.stem(partial), 0) > common
        )
        entries: list[int] = []
        with self._lock:
            entries += self._entries_matching(" AND ".join(clauses), ranked=not broad)
            if len(entries) < AUTOCOMPLETE_CANDIDATES // 2 and len(clauses) > 1:
                # nothing holds every word typed: anything holding one of them
                entries += self._entries_matching(" OR ".join(clauses), ranked=False)
        return entries

    def _entries_matching(self, expression: str, *, ranked: bool) -> list[int]:
        order = "ORDER BY rank " if ranked else ""
        rows = self._db.execute(
            f"SELECT entry FROM texts WHERE texts MATCH ? {order}LIMIT ?",
            (f"phrasings : ({expression})", AUTOCOMPLETE_CANDIDATES),
        )
        return [entry for (entry,) in rows]

    def _suggestion(self, entry: int) -> Suggestion:
        label = " ".join(self._questions[entry].split())
        if len(label) > SUGGESTION_MAX_CHARS:
            label = label[: SUGGESTION_MAX_CHARS - 1].rstrip() + "…"
        return Suggestion(self._ids[entry], label)


def _text_hash(folded: str) -> int:
    digest = hashlib.blake2b(folded.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(frozen=True, slots=True)
class _KnownVectors:
    """The vectors of a matcher built before, found by the hash of their folded text."""

    hashes: NDArray[np.int64]  # sorted
    vectors: NDArray[np.int8]  # in the order of ``hashes``

    @classmethod
    def of(cls, matcher: Matcher | None, version: str) -> _KnownVectors | None:
        # Vectors of another model, or of other embedding or folding code, are not reused.
        if matcher is None or getattr(matcher, "_vector_version", None) != version:
            return None
        hashes = getattr(matcher, "_phrasing_hashes", None)
        if hashes is None or not len(hashes) or len(hashes) != len(matcher._vectors):
            return None
        order = np.argsort(hashes, kind="stable")
        return cls(hashes[order], matcher._vectors[order])

    def find(self, wanted: NDArray[np.int64]) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
        """For each of ``wanted``: a known vector (where the mask says found)."""
        at = np.minimum(np.searchsorted(self.hashes, wanted), len(self.hashes) - 1)
        return self.vectors[at], self.hashes[at] == wanted


def _return_freed_memory() -> None:
    """Hand the heap's freed pages back to the system after a build (glibc's malloc_trim;
    a no-op where the C library has none). Building leaves many freed small blocks that
    the process would otherwise keep: about 40 MB per 100k claims (bench/memory_build.py)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _add_margins(rows: list[tuple[int, list[float]]], short: bool) -> None:
    """Append, for each of :data:`_MARGIN_OF`, how far a candidate is ahead of the best
    other candidate (negative when behind), then the same again for long questions only
    (0 for a short one).

    In CheckThat!'s large, varied corpus a right answer usually stands out, while a tweet
    whose fact-check is missing meets several half-matches alike. In a small corpus on one
    topic (the bundled one) a member's short question has close siblings however right
    the answer is, so the model may learn margins for long questions alone.
    """
    margins = []
    for column in _MARGIN_OF:
        values = [r[1][column] for r in rows]
        order = sorted(range(len(values)), key=lambda i: -values[i])
        best = values[order[0]] if values else 0.0
        second = values[order[1]] if len(values) > 1 else 0.0
        margins.append([values[i] - (second if i == order[0] else best) for i in range(len(rows))])
    for i, (_, row) in enumerate(rows):
        row.extend(m[i] for m in margins)
        row.extend(0.0 if short else m[i] for m in margins)
        row.append(1.0 if short else 0.0)


def _split_by_length(short: bool, share: float, weight: float) -> tuple[float, ...]:
    return (share, weight, 0.0, 0.0) if short else (0.0, 0.0, share, weight)


def _shared_prefix_length(a: str, b: str) -> int:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return min(len(a), len(b))


def _best_passage_share(
    query_terms: list[str], query_weights: list[float], doc_set: set[str], doc_size: int
) -> float:
    """The share of the query's weight that ``doc_set`` explains, over its best passage.

    A short question is one passage. A long pasted post is read through a window about
    twice the fact-check's length, so the story around the claim does not drown it.
    """
    total = sum(query_weights)
    window = max(2 * doc_size, 12)
    if len(query_terms) <= window:
        hit = sum(w for t, w in zip(query_terms, query_weights, strict=True) if t in doc_set)
        return hit / total if total else 0.0
    hits = [w if t in doc_set else 0.0 for t, w in zip(query_terms, query_weights, strict=True)]
    best = 0.0
    hit_sum = sum(hits[:window])
    all_sum = sum(query_weights[:window])
    best = hit_sum / all_sum if all_sum else 0.0
    for end in range(window, len(query_terms)):
        start = end - window
        hit_sum += hits[end] - hits[start]
        all_sum += query_weights[end] - query_weights[start]
        if all_sum > 0:
            best = max(best, hit_sum / all_sum)
    return best
