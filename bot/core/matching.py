"""Find the fact-check that answers a member's question.

Two stages keep the cost per query flat as the corpus grows:

1. **Candidates**: an in-memory SQLite FTS5 index over every question and alias, queried
   with the question's rarest words, returns the best few dozen texts by BM25. Words the
   index has never seen are first corrected to a close indexed word (typos).
2. **Re-ranking**: each candidate gets a score in [0, 1] from how much of the fact-check's
   wording the question covers and how much of the question (or, for a long pasted post,
   of its best passage) the fact-check explains, both weighted by word rarity, blended
   with rapidfuzz's order-insensitive similarity. A score under :data:`DEFAULT_THRESHOLD`
   is "no match".

The index lives in one SQLite connection guarded by a lock, so a :class:`Matcher` may be
shared by worker threads (the bot calls it through ``asyncio.to_thread``).
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.core import text
from bot.core.corpus import Corpus
from bot.core.models import FactCheck

# Calibrated on CheckThat! 2022 2A train with the gold claims held out (see docs/quality.md).
DEFAULT_THRESHOLD = 0.6

# How many indexed texts BM25 hands to the re-ranker, and how many query words it may use.
CANDIDATE_TEXTS = 40
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


class EmptyQuestionError(ValueError):
    """The question is empty or only whitespace."""


@dataclass(frozen=True, slots=True)
class Match:
    """One fact-check and how well it answers the question (0 to 1)."""

    claim_id: str
    question: str
    score: float


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


class Matcher:
    """Matches questions against a fixed set of fact-checks (build a new one on reload)."""

    def __init__(self, entries: Iterable[MatchEntry], *, threshold: float = DEFAULT_THRESHOLD):
        self.threshold = threshold
        self._ids: list[str] = []
        self._questions: list[str] = []
        # Folded once here: autocomplete scores up to 100 candidates per keystroke, and
        # folding them each time was most of its cost (docs/performance-core.md).
        self._folded_questions: list[str] = []
        self._keep_folded = True
        self._lock = threading.Lock()
        # Answers to the most recent questions, by their words: a rumour brings the same
        # question from many members at once, and each repeat then costs microseconds.
        self._recent: OrderedDict[tuple[tuple[str, ...], int], MatchResult] = OrderedDict()
        self._recent_lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            # Terms are pre-normalised by bot.core.text, so the tokenizer only splits on
            # spaces; prefix indexes serve autocomplete's half-typed last word.
            "CREATE VIRTUAL TABLE texts USING fts5("
            "phrasings, context, entry UNINDEXED, tokenize='unicode61', prefix='2 3')"
        )
        self._db.executemany(
            "INSERT INTO texts(phrasings, context, entry) VALUES (?, ?, ?)", self._rows(entries)
        )
        self._db.execute("INSERT INTO texts(texts) VALUES ('optimize')")
        self._db.execute("CREATE VIRTUAL TABLE vocab USING fts5vocab(texts, 'row')")
        self._doc_freq: dict[str, int] = dict(self._db.execute("SELECT term, doc FROM vocab"))
        self._text_count = max(1, self._db.execute("SELECT count(*) FROM texts").fetchone()[0])
        self._max_idf = self._idf_of(1)
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for term in self._doc_freq:
            if len(term) >= TYPO_MIN_LENGTH and term.isalpha():
                self._by_shape[(term[0], len(term))].append(term)
        self._small = self._text_count <= SMALL_CORPUS_TEXTS

    # Saved by bot.core.index_store: the FTS index as SQLite's serialised image; locks and
    # the memory of recent answers are made anew.
    _TRANSIENT = ("_db", "_lock", "_recent", "_recent_lock")

    def __getstate__(self) -> dict[str, object]:
        state = {k: v for k, v in self.__dict__.items() if k not in self._TRANSIENT}
        state["_db_image"] = self._db.serialize()
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        image = state.pop("_db_image")
        assert isinstance(image, bytes)
        self.__dict__.update(state)
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.deserialize(image)
        self._lock = threading.Lock()
        self._recent = OrderedDict()
        self._recent_lock = threading.Lock()

    @classmethod
    def from_corpus(cls, corpus: Corpus, *, threshold: float = DEFAULT_THRESHOLD) -> Matcher:
        return cls((MatchEntry.of(fc) for fc in corpus), threshold=threshold)

    def __len__(self) -> int:
        return len(self._ids)

    def _rows(self, entries: Iterable[MatchEntry]) -> Iterable[tuple[str, str, int]]:
        for entry in entries:
            index = len(self._ids)
            self._ids.append(entry.claim_id)
            self._questions.append(entry.question)
            if self._keep_folded:
                if index < FOLDED_QUESTIONS_KEPT:
                    self._folded_questions.append(text.fold(entry.question))
                else:
                    self._keep_folded = False
                    self._folded_questions = []
            phrasings = [text.terms(p) for p in text.unique([entry.question, *entry.aliases])]
            # "|" is not a word character for the tokenizer: it separates phrasings in one row.
            joined = PHRASING_SEPARATOR.join(" ".join(p) for p in phrasings if p)
            yield joined, " ".join(text.terms(entry.context[:CONTEXT_CHARS])), index

    def _folded_question(self, entry: int) -> str:
        if self._keep_folded:
            return self._folded_questions[entry]
        return text.fold(self._questions[entry])

    def _idf_of(self, doc_freq: int) -> float:
        texts = max(self._text_count, MIN_IDF_TEXTS)
        return math.log(1 + (texts - doc_freq + 0.5) / (doc_freq + 0.5))

    def _idf(self, term: str) -> float:
        doc_freq = self._doc_freq.get(term)
        return self._max_idf if doc_freq is None else self._idf_of(doc_freq)

    # --- matching ---------------------------------------------------------------------------

    def match(self, question: str, k: int = 5) -> MatchResult:
        """The ``k`` best fact-checks for ``question``, best first."""
        if not question or not question.strip():
            raise EmptyQuestionError("the question is empty")
        words = text.terms(question)
        key = (tuple(words), k)
        with self._recent_lock:
            recent = self._recent.get(key)
            if recent is not None:
                self._recent.move_to_end(key)
        if recent is not None:
            return replace(recent, query=question)
        result = self._match(question, words, k)
        with self._recent_lock:
            self._recent[key] = result
            if len(self._recent) > RECENT_ANSWERS:
                self._recent.popitem(last=False)
        return result

    def forget_recent(self) -> None:
        """Drop the remembered answers (benchmarks use it to time the matching itself)."""
        with self._recent_lock:
            self._recent.clear()

    def _match(self, question: str, words: list[str], k: int) -> MatchResult:
        query_terms = self._corrected(words)
        if not query_terms:
            return MatchResult(question, (), self.threshold)
        candidates = self._candidates(query_terms, CANDIDATE_TEXTS)
        best_by_entry: dict[int, float] = {}
        query_weights = [self._idf(t) for t in query_terms]
        query_total = sum(query_weights) or 1.0
        top_bm25 = max((c.bm25 for c in candidates), default=0.0) or 1.0
        phrase_weight = 1 - _BM25_WEIGHT - _CONTEXT_WEIGHT
        for candidate in candidates:
            phrased = max(self._score(query_terms, query_weights, p) for p in candidate.phrasings)
            explained = sum(
                w for t, w in zip(query_terms, query_weights, strict=True) if t in candidate.context
            )
            best_by_entry[candidate.entry] = (
                phrase_weight * phrased
                + _BM25_WEIGHT * candidate.bm25 / top_bm25
                + _CONTEXT_WEIGHT * explained / query_total
            )
        ranked = sorted(best_by_entry.items(), key=lambda item: (-item[1], item[0]))[: max(k, 0)]
        matches = tuple(
            Match(self._ids[i], self._questions[i], round(min(1.0, max(0.0, s)), 4))
            for i, s in ranked
        )
        return MatchResult(question, matches, self.threshold)

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
        return [
            _Candidate(
                entry,
                tuple(tuple(p.split()) for p in phrasings.split(PHRASING_SEPARATOR) if p),
                frozenset(context.split()),
                bm25,
            )
            for entry, phrasings, context, bm25 in rows
        ]

    def _score(
        self, query_terms: list[str], query_weights: list[float], doc_terms: tuple[str, ...]
    ) -> float:
        doc_set = set(doc_terms)
        doc_weight = sum(self._idf(t) for t in doc_set)
        if doc_weight <= 0:
            return 0.0
        shared = doc_set.intersection(query_terms)
        covered = sum(self._idf(t) for t in shared) / doc_weight
        explained = _best_passage_share(query_terms, query_weights, doc_set, len(doc_set))
        if covered <= 0 or explained <= 0:
            return 0.0
        beta2 = _RECALL_WEIGHT**2
        f_measure = (1 + beta2) * explained * covered / (beta2 * explained + covered)
        order = fuzz.token_sort_ratio(" ".join(query_terms), " ".join(doc_terms)) / 100
        if len(query_terms) > 3 * len(doc_set):
            # a long post: compare order against its best passage, not the whole post
            order = fuzz.partial_token_sort_ratio(" ".join(doc_terms), " ".join(query_terms))
            order /= 100
        return (1 - _ORDER_WEIGHT) * f_measure + _ORDER_WEIGHT * order

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
