"""Train the matcher's learned scorer (bot/core/scorer_weights.json) on CheckThat! 2022 2A train.

    .venv/bin/python bench/train_scorer.py            # writes bot/core/scorer_weights.json
    .venv/bin/python bench/train_scorer.py --check    # retrains, fails if the file differs
                                                      # (numbers compared to 1e-6)

Examples, all from the **train** split (dev is never read here):

- positives: each query's gold fact-checks among the matcher's candidates;
- negatives: the other candidates (the best ``PER_LIST`` by the old lexical score), and the
  best candidates once the train gold claims are held out of the corpus (what a question
  whose fact-check does not exist sees);
- entity swaps: the query with one of its names/numbers that the gold fact-check mentions
  replaced by a name from another train query, paired with that gold fact-check and
  labelled "does not answer" ("Did Russia help the cartels?" vs the US entry).

The model is an L2 logistic regression fitted by Newton's method (bot/core/scorer.py), so the
same data gives the same weights. The threshold written with the weights is the lowest
probability at which, in 5-fold cross-validation over the train queries, false matches with
the gold held out stay under ``FALSE_MATCH_TARGET``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality import DATASET, read_qrels, read_queries
from rapidfuzz import fuzz

from bot.core import scorer, text
from bot.core.corpus import Corpus
from bot.core.library import Library
from bot.core.matching import (
    CONTEXT_CHARS,
    LEXICAL_FEATURE,
    SHORT_QUESTION_TERMS,
    Matcher,
)

# The model's inputs (bot/core/scorer.py CANDIDATE_FEATURES names what each is).
MODEL_FEATURES = scorer.FEATURES
SHORT_FEATURE = scorer.CANDIDATE_FEATURES.index("short_question")
PER_LIST = 15
UNANSWERED_PER_CLAIM = 1
SEED = 14
# Members' short questions, made from train claims: a few of the claim's words (the rest
# dropped), sometimes a typo, sometimes all lower case. They calibrate the short-question
# probabilities and are reported; they are not fitted on (as examples they taught the
# model that a question holding few of the claim's words is as good as one holding all).
NOISY_PER_CLAIM = 2
NOISY_KEEP = (3, 7)  # content words kept, at random in this range
# A held-out candidate this close to the gold claim's text is the same claim checked twice
# (CheckThat! has many): neither a positive nor a negative.
NEAR_COPY = 85
FOLDS = 5
L2 = 1.0
AUGMENTED_WEIGHT = 0.5  # claims asked as questions count half a real example
# An entity or word swap (the claim asking about something else) weighs more: answering it
# is a confident wrong answer, the worst thing the bot can do, where a refused paraphrase
# only costs the member a second try.
SWAP_WEIGHT = 1.0
# under the 2%, with room for dev to differ (it does: docs/quality.md)
FALSE_MATCH_TARGET = 0.015
_WORD_RE = re.compile(r"[A-Za-z0-9]+")


@dataclass
class QueryData:
    query_id: str
    full: list[tuple[str, list[float]]]  # (external id, features), every candidate
    held: list[tuple[str, list[float]]]
    gold: set[str]
    swaps: list[list[float]] = field(default_factory=list)
    originals: list[list[float]] = field(default_factory=list)
    # the gold claim asked as a question where it is not in the corpus: what a member's
    # short question sees when its fact-check does not exist
    unanswered: list[list[float]] = field(default_factory=list)
    # (gold id, every candidate on the full corpus, on the corpus without the train gold)
    # for each gold claim asked as a question
    claims: list[tuple[str, list[tuple[str, list[float]]], list[tuple[str, list[float]]]]] = field(
        default_factory=list
    )
    # the same for members' short questions made from the gold claims (noisy_variants)
    noisy: list[tuple[str, list[tuple[str, list[float]]], list[tuple[str, list[float]]]]] = field(
        default_factory=list
    )
    # a gold claim with its rarest word replaced by another: the same shape, another question
    word_swaps: list[list[float]] = field(default_factory=list)


def top_by_lexical(rows: list[tuple[str, list[float]]], n: int) -> list[tuple[str, list[float]]]:
    return sorted(rows, key=lambda r: -r[1][LEXICAL_FEATURE])[:n]


def collect(split: str = "train") -> list[QueryData]:
    library, _ = Library.load(DATASET / "vclaims.jsonl", scorer=None)
    queries, qrels = read_queries(split), read_qrels(split)
    judged = [q for q in queries if q in qrels]
    to_ext = {fc.id: fc.external_id or fc.id for fc in library.corpus}
    by_ext = {fc.external_id or fc.id: fc for fc in library.corpus}
    gold_all = set().union(*(qrels[q] for q in judged))
    held_matcher = Matcher.from_corpus(
        Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in gold_all]),
        scorer=None,
    )
    # names written with a capital in the train queries: the pool swaps draw from
    pool = sorted(
        {
            w
            for q in judged
            for w in _WORD_RE.findall(queries[q])
            if w[0].isupper() and len(w) > 3 and w.lower() not in text.STOPWORDS
        }
    )
    words_pool = sorted(
        {
            w.lower()
            for q in judged
            for w in _WORD_RE.findall(queries[q])
            if w.isalpha() and len(w) > 4 and w.lower() not in text.STOPWORDS
        }
    )
    rng = random.Random(SEED)
    data: list[QueryData] = []

    def held_without_copies(
        gold_question: str, rows: list[tuple[str, list[float]]]
    ) -> list[tuple[str, list[float]]]:
        return [
            (ext, values)
            for ext, values in rows
            if fuzz.token_set_ratio(gold_question, by_ext[ext].question) < NEAR_COPY
        ]

    for query_id in judged:
        question = queries[query_id]
        full = [(to_ext[c], f) for c, f in library.matcher.features(question)]
        held = [(to_ext[c], f) for c, f in held_matcher.features(question)]
        item = QueryData(query_id, full, held, qrels[query_id])
        for gold in sorted(qrels[query_id]):
            fc = by_ext.get(gold)
            if fc is None:
                continue
            said = set(text.terms(" ".join([fc.question, *fc.aliases, fc.summary[:CONTEXT_CHARS]])))
            # the tweet, and the fact-check's own claim (short, like a member's question);
            # a swapped claim comes with the claim itself as a positive, so that the pair
            # differs only in the name
            # Only short claims: the swap teaches what a missing name means in a member's
            # question; in long tweets (swapped too in an earlier design) it cost recall.
            # The fact-check's own claim asked as a question (short, like a member's): a
            # positive on the full corpus, and its best candidates once the gold is held out
            # are negatives (what a question whose fact-check does not exist sees).
            claim_full = [(to_ext[c], f) for c, f in library.matcher.features(fc.question)]
            claim_held = held_without_copies(
                fc.question, [(to_ext[c], f) for c, f in held_matcher.features(fc.question)]
            )
            item.claims.append((gold, claim_full, claim_held))
            item.originals.extend(values for ext, values in claim_full if ext == gold)
            unseen = top_by_lexical(claim_held, UNANSWERED_PER_CLAIM)
            item.unanswered.extend(values for _, values in unseen)
            for variant in noisy_variants(fc.question, rng):
                variant_full = [(to_ext[c], f) for c, f in library.matcher.features(variant)]
                variant_held = held_without_copies(
                    fc.question, [(to_ext[c], f) for c, f in held_matcher.features(variant)]
                )
                item.noisy.append((gold, variant_full, variant_held))
            reworded = swap_rare_word(fc.question, library.matcher, words_pool, said, rng)
            if reworded is not None:
                for claim, values in library.matcher.features(reworded):
                    if to_ext[claim] == gold:
                        item.word_swaps.append(values)
            # Entity swaps on short claims only: they teach what a missing name means in a
            # member's question; in long tweets (swapped too in an earlier design) they cost
            # recall. The swapped claim is a negative for that gold fact-check.
            if len(text.terms(fc.question)) > SHORT_QUESTION_TERMS:
                continue
            swapped = swap_entity(fc.question, said, pool, rng)
            if swapped is None:
                continue
            for claim, values in library.matcher.features(swapped):
                if to_ext[claim] == gold:
                    item.swaps.append(values)
        data.append(item)
    return data


def swap_entity(
    question: str, said: set[str], pool: Sequence[str], rng: random.Random
) -> str | None:
    """``question`` with one of its names that the fact-check mentions replaced by a name it
    does not, or None when the question names nothing the fact-check does."""
    names = [n for n in text.entities(question) if n in said]
    words = [w for w in _WORD_RE.findall(question) if text.stem(w.lower()) in names]
    if not words:
        return None
    original = rng.choice(words)
    replacement = rng.choice([w for w in pool if text.stem(w.lower()) not in said])
    return re.sub(rf"\b{re.escape(original)}\b", replacement, question)


def noisy_variants(question: str, rng: random.Random) -> list[str]:
    """Short questions a member might write for ``question``: a few of its content words in
    order (the rest dropped), sometimes one misspelt, sometimes all in lower case."""
    words = _WORD_RE.findall(question)
    content = [i for i, w in enumerate(words) if w.lower() not in text.STOPWORDS]
    out: list[str] = []
    for _ in range(NOISY_PER_CLAIM):
        if len(content) < NOISY_KEEP[0]:
            break
        keep = set(rng.sample(content, min(len(content), rng.randint(*NOISY_KEEP))))
        chosen = [w for i, w in enumerate(words) if i in keep or i not in content]
        long_words = [i for i, w in enumerate(chosen) if len(w) >= 5 and w.isalpha()]
        if long_words and rng.random() < 0.5:
            i = rng.choice(long_words)
            chosen[i] = misspell(chosen[i], rng)
        variant = " ".join(chosen)
        if rng.random() < 0.5:
            variant = variant.lower()
        if len(text.terms(variant)) <= SHORT_QUESTION_TERMS:
            out.append(variant + "?")
    return out


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with one typing slip: a letter dropped, doubled or two swapped."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]


def swap_rare_word(
    question: str, matcher: Matcher, pool: Sequence[str], said: set[str], rng: random.Random
) -> str | None:
    """``question`` with its rarest word (by the corpus's counts) replaced by another word the
    fact-check never uses: the shape of the claim, asking about something else ("Is there
    water on the Moon?" against the tides entry)."""
    words = [w for w in _WORD_RE.findall(question) if w.isalpha() and len(w) > 3]
    words = [w for w in words if w.lower() not in text.STOPWORDS]
    if len(words) < 3:
        return None
    rarest = max(words, key=lambda w: matcher.idf(text.stem(w.lower())))
    replacement = rng.choice([w for w in pool if text.stem(w) not in said])
    return re.sub(rf"\b{re.escape(rarest)}\b", replacement, question, count=1)


def examples(data: Sequence[QueryData]) -> tuple[list[list[float]], list[int], list[float]]:
    rows: list[list[float]] = []
    labels: list[int] = []
    weights: list[float] = []
    for item in data:
        for ext, values in top_by_lexical(item.full, PER_LIST):
            rows.append(values)
            labels.append(int(ext in item.gold))
            weights.append(1.0)
        for ext, values in top_by_lexical(item.held, PER_LIST):
            rows.append(values)
            labels.append(int(ext in item.gold))
            weights.append(1.0)
        for values in item.swaps:
            rows.append(values)
            labels.append(0)
            weights.append(SWAP_WEIGHT)
        for values in item.originals:
            rows.append(values)
            labels.append(1)
            weights.append(AUGMENTED_WEIGHT)
        for values in item.unanswered:
            rows.append(values)
            labels.append(0)
            weights.append(AUGMENTED_WEIGHT)
        for values in item.word_swaps:
            rows.append(values)
            labels.append(0)
            weights.append(SWAP_WEIGHT)
    return rows, labels, weights


def top(model: scorer.Scorer, rows: list[tuple[str, list[float]]]) -> tuple[str, float] | None:
    scored = [(ext, model.raw_probability(values)) for ext, values in rows]
    return max(scored, key=lambda s: s[1]) if scored else None


# One question's outcome in cross-validation: its group ("short" or "long"), the
# uncalibrated probability of its top candidate on the full corpus and whether that top is
# right, and of its top once the gold is held out. Tweets and claims asked as questions
# are kept apart ("tweet" / "claim") for the report.
@dataclass(frozen=True)
class Outcome:
    source: str
    group: str
    full: float
    right: bool
    held: float


def _group(values: Sequence[float]) -> str:
    return "short" if values[SHORT_FEATURE] >= 0.5 else "long"


def _outcome(
    model: scorer.Scorer,
    source: str,
    gold: set[str],
    full: list[tuple[str, list[float]]],
    held: list[tuple[str, list[float]]],
) -> Outcome | None:
    if not full:
        return None
    best_full = top(model, full)
    best_held = top(model, held)
    assert best_full is not None
    return Outcome(
        source,
        _group(full[0][1]),
        best_full[1],
        best_full[0] in gold,
        0.0 if best_held is None else best_held[1],
    )


def cross_validated_outcomes(data: Sequence[QueryData]) -> list[Outcome]:
    """Each tweet's and each claim-question's outcome, scored by a model fitted on the
    other folds (uncalibrated)."""
    out: list[Outcome] = []
    for fold in range(FOLDS):
        fit_on = [d for i, d in enumerate(data) if i % FOLDS != fold]
        model = fit_model(fit_on, 0.5)
        for i, item in enumerate(data):
            if i % FOLDS != fold:
                continue
            found = _outcome(model, "tweet", item.gold, item.full, item.held)
            if found is not None:
                out.append(found)
            for gold, full, held in item.claims:
                found = _outcome(model, "claim", {gold}, full, held)
                if found is not None:
                    out.append(found)
            for gold, full, held in item.noisy:
                found = _outcome(model, "noisy", {gold}, full, held)
                if found is not None:
                    out.append(found)
    return out


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def calibrate(outcomes: Sequence[Outcome]) -> dict[str, tuple[float, float]]:
    """Per group, Platt scaling of the top candidate's probability into the probability
    that it is the answer: label 1 for a right top on the full corpus, 0 for a wrong one and
    for every top once the gold is held out (half the cases, as if half the questions had
    a fact-check)."""
    calibration: dict[str, tuple[float, float]] = {}
    for group in ("short", "long"):
        rows: list[list[float]] = []
        labels: list[int] = []
        for o in outcomes:
            if o.group == group:
                rows += [[_logit(o.full)], [_logit(o.held)]]
                labels += [int(o.right), 0]
        if rows:
            (slope,), intercept = scorer.fit(rows, labels, l2=0.0)
            calibration[group] = (slope, intercept)
    return calibration


def calibrated(outcomes: Sequence[Outcome], calibration: dict[str, tuple[float, float]]):  # type: ignore[no-untyped-def]
    def apply(group: str, p: float) -> float:
        slope, intercept = calibration.get(group, (1.0, 0.0))
        return scorer.sigmoid(slope * _logit(p) + intercept)

    return [
        Outcome(o.source, o.group, apply(o.group, o.full), o.right, apply(o.group, o.held))
        for o in outcomes
    ]


def choose_threshold(outcomes: Sequence[Outcome]) -> float:
    """The lowest threshold at which false matches of tweets (gold held out) stay under the
    target. Claims asked as questions only calibrate: CheckThat!'s corpus holds many
    near-copies of a claim (the same rumour checked twice), so with the gold held out its
    copy answers, and is counted false although it is right."""
    for step in range(5, 96):
        threshold = step / 100
        if _rates(outcomes, "tweet", threshold)[1] <= FALSE_MATCH_TARGET:
            return threshold
    return 0.95


def _rates(outcomes: Sequence[Outcome], source: str, threshold: float) -> tuple[float, float]:
    chosen = [o for o in outcomes if o.source == source]
    n = len(chosen) or 1
    right = sum(1 for o in chosen if o.right and o.full >= threshold)
    false = sum(1 for o in chosen if o.held >= threshold)
    return right / n, false / n


def report(outcomes: Sequence[Outcome], threshold: float) -> str:
    lines = []
    for source, label in (
        ("tweet", "tweets"),
        ("claim", "claims asked as questions"),
        ("noisy", "short noisy questions from claims"),
    ):
        right, false = _rates(outcomes, source, threshold)
        n = sum(1 for o in outcomes if o.source == source)
        lines.append(
            f"train 5-fold CV, {label} ({n}), threshold {threshold:.2f}: confident and right "
            f"{right:.3f}, false matches (gold held out) {false:.3f}"
        )
    return "\n".join(lines)


# The direction each feature may push the probability. A feature that says the question is
# more like the fact-check never lowers it, one that says the fact-check lacks part of the
# question never raises it: correlated features (covered, exact, cosine) otherwise take
# opposite signs that fit train and rank a member's exact question below a neighbour's.
RAISES = ("covered", "bm25", "context", "cosine", "exact", "margin")
LOWERS = ("missing", "unknown")


def allowed_sign(feature: str) -> int:
    """+1 if ``feature`` may only raise the probability, -1 if only lower it, 0 if free."""
    base = feature.partition(":")[2] or feature
    if any(word in base for word in LOWERS):
        return -1
    if any(word in base for word in RAISES):
        return 1
    return 0


def fit_model(
    data: Sequence[QueryData], threshold: float, features: Sequence[str] | None = None
) -> scorer.Scorer:
    """A logistic regression over standardised ``features`` of ``data``'s examples.

    Each weight keeps the sign :func:`allowed_sign` allows (a constrained fit: a weight
    that would cross zero stays at 0).
    """
    features = tuple(MODEL_FEATURES if features is None else features)
    candidate_rows, labels, weights = examples(data)
    rows = [scorer.select(r, features) for r in candidate_rows]
    means, scales = scorer.moments(rows)
    standard = [scorer.standardise(r, means, scales) for r in rows]
    signs = [allowed_sign(f) for f in features]
    coefficients, bias = scorer.fit(standard, labels, weights, l2=L2, signs=signs)
    return scorer.Scorer(coefficients, bias, threshold, means, scales, features)


def train(data: Sequence[QueryData]) -> tuple[scorer.Scorer, str]:
    outcomes = cross_validated_outcomes(data)
    calibration = calibrate(outcomes)
    final = calibrated(outcomes, calibration)
    threshold = choose_threshold(final)
    model = replace(fit_model(data, threshold), calibration=calibration)
    return model, report(final, threshold)


def _close(a: object, b: object, tolerance: float = 1e-6) -> bool:
    """``a`` and ``b`` equal, numbers to within ``tolerance``: the fit sums in floating point
    through numpy, whose last digits may differ with the BLAS library or machine."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], tolerance) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y, tolerance) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= tolerance
    return a == b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the weights file differs")
    parser.add_argument("--out", type=Path, default=scorer.WEIGHTS_FILE)
    args = parser.parse_args()
    if not DATASET.is_dir():
        print(f"error: dataset not found at {DATASET}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    data = collect("train")
    rows, labels, _ = examples(data)
    print(
        f"{len(data)} train queries, {len(rows)} examples ({sum(labels)} positive, "
        f"{sum(len(d.swaps) for d in data)} entity swaps) in {time.perf_counter() - started:.0f} s"
    )
    model, summary = train(data)
    print(summary)
    for name, weight in zip(model.features, model.weights, strict=True):
        print(f"  {name:22s} {weight:+.3f}")
    print(f"  {'bias':22s} {model.bias:+.3f}")
    body = json.dumps(model.to_json(), indent=1) + "\n"
    if args.check:
        same = _close(json.loads(args.out.read_text(encoding="utf-8")), model.to_json())
        print("weights file reproduces" if same else "weights file DIFFERS from a retrain")
        return 0 if same else 1
    args.out.write_text(body, encoding="utf-8")
    print(f"wrote {args.out} in {time.perf_counter() - started:.0f} s total")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
