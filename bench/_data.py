"""Claims and queries for the speed benchmarks (bench/speed_core.py).

The corpus of a given size is made of real fact-checks first: the Snopes claims of
CheckThat! 2022 2A (the ones that answer a dev query come first, so even the smallest
corpus holds the answers of the dev tweets), then the PolitiFact claims; about 33.5k in
all. Past that the corpus is **padded with generated variants** of those claims: each
variant gets a fresh id (``<id>-v<n>``) and a claim rewritten by one or two of: shuffling
part of its word order, swapping words for synonyms, adding a lead-in ("Viral post
says ...") or a tail ("... in 2019"). Variants reuse the real vocabulary, so the index sees
realistic word frequencies rather than random strings, but they are near-duplicates: a
real corpus of that size would hold more distinct wording.

Claims are produced lazily (:func:`iter_claims`) so that a benchmark process holds only
what the matcher itself keeps, plus the ~33k real records the variants are made from.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.core.matching import CONTEXT_CHARS, MatchEntry
from bot.paths import PROJECT_ROOT

DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
CHECKTHAT = DATASETS / "checkthat-2022-2a"
POLITIFACT = DATASETS / "politifact"

# Word swaps for variants: common words of the claims with a plausible stand-in.
_SYNONYMS = {
    "says": "claims",
    "said": "stated",
    "shows": "depicts",
    "photo": "picture",
    "video": "clip",
    "president": "leader",
    "people": "citizens",
    "government": "administration",
    "million": "millions",
    "state": "province",
    "law": "legislation",
    "bill": "measure",
    "money": "funds",
    "children": "kids",
    "new": "recent",
    "women": "females",
    "police": "officers",
    "country": "nation",
    "company": "firm",
    "died": "passed",
    "never": "not",
    "tax": "levy",
    "job": "position",
    "jobs": "positions",
    "vote": "ballot",
}
_LEAD_INS = (
    "Viral post says",
    "A meme claims",
    "Shared on Facebook:",
    "Reports say",
    "According to a chain email,",
    "Breaking:",
)
_TAILS = (
    "in 2019",
    "last year",
    "according to a tweet",
    "this week",
    "again",
    "as seen online",
    "in a viral image",
)


@dataclass(frozen=True, slots=True)
class ClaimRecord:
    """One claim as the vclaims.jsonl datasets hold it (only what the bot uses)."""

    id: str
    claim: str
    title: str = ""
    subtitle: str = ""
    date: str = ""

    def match_entry(self) -> MatchEntry:
        """The entry ``Matcher.from_corpus`` would build from this record once imported.

        Mirrors bot.core.importers: the claim is the question, a different title is an
        alias, and the summary (title, plus a subtitle that is not "Rumor: <claim>") is the
        context.
        """
        summary = [self.title or self.claim]
        rumor = self.subtitle.lower().startswith("rumor:")
        if self.subtitle and not rumor and self.subtitle != self.title:
            summary.append(self.subtitle)
        aliases = (self.title,) if self.title and self.title != self.claim else ()
        context = "\n\n".join(summary)[:CONTEXT_CHARS]
        return MatchEntry(self.id, self.claim, aliases, context)

    def json_line(self) -> str:
        record = {"id": self.id, "claim": self.claim, "title": self.title, "date": self.date}
        if self.subtitle:
            record["subtitle"] = self.subtitle
        return json.dumps(record, ensure_ascii=False)


def require_datasets() -> None:
    """Exit with a clear message when ../shared/datasets is not beside the checkout."""
    needed = (
        CHECKTHAT / "vclaims.jsonl",
        CHECKTHAT / "queries-dev.tsv",
        POLITIFACT / "vclaims.jsonl",
    )
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise SystemExit(f"datasets missing (see {DATASETS}/README.md): {', '.join(missing)}")


def _read_records(path: Path) -> list[ClaimRecord]:
    records = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            raw = json.loads(line)
            claim = (raw.get("claim") or "").strip()
            if not raw.get("id") or not claim:
                continue
            records.append(
                ClaimRecord(
                    id=str(raw["id"]),
                    claim=claim,
                    title=(raw.get("title") or "").strip(),
                    subtitle=(raw.get("subtitle") or "").strip(),
                    date=(raw.get("date") or "").strip(),
                )
            )
    return records


def dev_gold_ids() -> set[str]:
    """Ids of the Snopes claims that answer a CheckThat! dev query."""
    gold = set()
    for line in (CHECKTHAT / "qrels-dev.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] != "0":
            gold.add(parts[2])
    return gold


def real_claims() -> list[ClaimRecord]:
    """Every real claim, dev answers first, then Snopes, then PolitiFact (no repeats)."""
    snopes = _read_records(CHECKTHAT / "vclaims.jsonl")
    gold = dev_gold_ids()
    ordered = [r for r in snopes if r.id in gold] + [r for r in snopes if r.id not in gold]
    ordered += _read_records(POLITIFACT / "vclaims.jsonl")
    seen: set[str] = set()
    unique = []
    for record in ordered:
        if record.id not in seen:
            seen.add(record.id)
            unique.append(record)
    return unique


def vary(claim: str, rng: random.Random) -> str:
    """A reworded copy of ``claim``: one or two of shuffle, synonyms, lead-in, tail."""
    words = claim.split()
    operations = rng.sample(("shuffle", "synonyms", "lead", "tail"), k=rng.choice((1, 2)))
    if "synonyms" in operations:
        words = [_SYNONYMS.get(w.lower(), w) for w in words]
    if "shuffle" in operations and len(words) > 3:
        # shuffle a window, so most of the claim keeps its phrasing
        start = rng.randrange(0, len(words) - 2)
        window = words[start : start + rng.randint(3, 6)]
        rng.shuffle(window)
        words[start : start + len(window)] = window
    text = " ".join(words)
    if "lead" in operations:
        text = f"{rng.choice(_LEAD_INS)} {text[:1].lower()}{text[1:]}"
    if "tail" in operations:
        text = f"{text.rstrip('.')} {rng.choice(_TAILS)}."
    return text


def iter_claims(size: int, real: list[ClaimRecord] | None = None) -> Iterator[ClaimRecord]:
    """``size`` claims: real ones first, then variants of them, deterministically."""
    real = real_claims() if real is None else real
    yield from real[:size]
    for n in range(size - len(real)):
        base = real[n % len(real)]
        round_number = n // len(real) + 1
        rng = random.Random(n)
        yield ClaimRecord(
            id=f"{base.id}-v{round_number}",
            claim=vary(base.claim, rng),
            title=base.title,
            subtitle="",
            date=base.date,
        )


def write_corpus(path: Path, size: int, real: list[ClaimRecord] | None = None) -> Path:
    """:func:`iter_claims` as the .jsonl dataset file the bot loads, at ``path`` (kept when
    it is already there: a partial write goes to a temporary name first)."""
    if not path.is_file():
        partial = path.with_name(path.name + ".part")
        with partial.open("w", encoding="utf-8") as out:
            for record in iter_claims(size, real):
                out.write(record.json_line() + "\n")
        partial.rename(path)
    return path


def dev_tweets() -> list[str]:
    """The CheckThat! 2022 2A dev tweets (queries the bot would be pasted)."""
    tweets = []
    for line in (CHECKTHAT / "queries-dev.tsv").read_text(encoding="utf-8").splitlines():
        query_id, tab, tweet = line.partition("\t")
        if tab and tweet.strip() and query_id != "iclaim_id":
            tweets.append(tweet)
    return tweets


def paraphrase(claim: str, rng: random.Random) -> str:
    """How a member might retype a claim: reordered, a word dropped, one typo, lowercase."""
    words = claim.lower().split()
    if len(words) > 4:
        del words[rng.randrange(len(words))]
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    long_words = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if long_words:
        i = rng.choice(long_words)
        word = words[i]
        j = rng.randrange(1, len(word) - 1)
        words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]  # swap two letters
    return " ".join(words).rstrip(".!?") + "?"


def match_queries(count: int, corpus_real: list[ClaimRecord], seed: int = 7) -> list[str]:
    """Half dev tweets, half paraphrases of claims in the corpus, interleaved."""
    rng = random.Random(seed)
    tweets = dev_tweets()
    half = count // 2
    picked_tweets = [tweets[i % len(tweets)] for i in range(count - half)]
    picked_claims = [paraphrase(rng.choice(corpus_real).claim, rng) for _ in range(half)]
    # interleaved, so a run cut short still measures both kinds
    queries = [q for pair in zip(picked_tweets, picked_claims, strict=False) for q in pair]
    return queries + picked_tweets[len(picked_claims) :]


def autocomplete_prefixes(count: int, corpus_real: list[ClaimRecord], seed: int = 11) -> list[str]:
    """What a member has typed so far: the first 3-30 characters of a claim in the corpus."""
    rng = random.Random(seed)
    prefixes = []
    for _ in range(count):
        claim = rng.choice(corpus_real).claim
        prefixes.append(claim[: rng.randint(3, 30)])
    return prefixes


def long_posts(count: int, corpus_real: list[ClaimRecord], seed: int = 13) -> list[str]:
    """Pasted posts of about 2,000 characters: dev tweets around a claim of the corpus."""
    rng = random.Random(seed)
    tweets = dev_tweets()
    posts = []
    for _ in range(count):
        before, after = "", ""
        while len(before) < 900:
            before += rng.choice(tweets) + " "
        while len(after) < 1_100:
            after += rng.choice(tweets) + " "
        claim = rng.choice(corpus_real).claim
        posts.append(f"{before[:900]} {claim} {after}"[:2_000])
    return posts
