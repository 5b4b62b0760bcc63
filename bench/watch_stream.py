"""Watch mode's false cards, measured on a stream of realistic channel messages (issue 16).

    .venv/bin/python bench/watch_stream.py --split train   # choose the threshold here
    .venv/bin/python bench/watch_stream.py --split dev     # report here, once

The stream: 2,000 messages, 1 in 10 a CheckThat! 2022 2A tweet of the split (half of them
with their fact-check in the corpus, half with it held out, as rumours nobody has checked
yet), the rest ordinary chat lines generated from the fragments below (greetings, plans,
reactions, and chat that touches the news without making a claim). The corpus is the
CheckThat! Snopes claims. For each threshold it counts the cards watch mode would post
(best match at or above the threshold, messages of 6 words or more, as cogs/watch.py) and
how many are right (the card's fact-check is a gold answer of that tweet) or wrong
(anything else: a chat line, a held-out rumour, the wrong fact-check). Target: at most 1
wrong card per 1,000 messages. The cooldown and hourly cap are left out: they would only
hide wrong cards.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import quality

from bot.core.corpus import Corpus
from bot.core.library import Library
from bot.core.matching import Matcher

STREAM = 2000
CLAIM_SHARE = 10  # one message in this many is a tweet with a claim
MIN_WORDS = 6  # cogs/watch.py MIN_WORDS
THRESHOLDS = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)

OPENERS = [
    "lol",
    "ok so",
    "honestly",
    "btw",
    "hey all,",
    "morning!",
    "ngl",
    "wait,",
    "guys",
    "update:",
    "fyi",
    "yo",
    "so uh",
    "real talk,",
    "not gonna lie,",
    "heads up:",
    "quick question,",
    "omg",
]
CHAT = [
    "anyone up for pizza after the meeting tonight",
    "I can bring the snacks for the game on saturday",
    "my cat knocked the plant off the shelf again",
    "who is driving to the concert, I need a ride",
    "the wifi at the library has been terrible all week",
    "did anyone finish the reading for thursday",
    "I just watched the new episode and wow that ending",
    "the bus was 20 minutes late again this morning",
    "can someone send me the link to the doc",
    "happy birthday Maria, hope you have a great day",
    "it is raining so hard here, stay safe everyone",
    "I think the server icon looks better in blue",
    "we should do a movie night next week",
    "my phone died in the middle of the call sorry",
    "the new coffee place downtown is actually good",
    "does anyone know a good plumber around here",
    "I am so tired, the baby was up all night",
    "practice is moved to 6pm because of the field",
    "thanks for the help with the spreadsheet yesterday",
    "that meme is killing me, I cannot stop laughing",
    "my sister is visiting this weekend so I will be offline",
    "the traffic on the highway was insane today",
    "I got a new keyboard and it sounds amazing",
    "can we move the call to tomorrow afternoon",
    "who took the last slice of cake from the fridge",
    "the gym was packed, I gave up and went home",
    "the kids have a school trip to the museum on friday",
    "I burned the rice again, cooking is hard",
    "we are out of milk, can someone grab some on the way",
    "the dog learned to open the door, send help",
]
NEWSY = [
    "did you all see the news tonight, what a mess",
    "the vaccine line at the pharmacy was so long today",
    "my cousin got covid again, she is fine though",
    "the debate is on at 9, is anyone watching it",
    "gas prices went up again near my place",
    "I read an article about climate change on the train, pretty depressing",
    "the election ads are everywhere on youtube now",
    "my uncle keeps sending me political memes on whatsapp",
    "the president is giving a speech tomorrow I think",
    "there was a protest downtown, the roads are closed",
    "so much fake news on facebook lately, be careful what you share",
    "the mask rules at work changed again",
    "my grandma asked me if the vaccine has a chip, I said no lol",
    "the stock market is doing weird things this week",
    "the senator from our state was on tv last night",
    "schools might close again if the cases go up",
    "there is a storm coming, the weather channel says stay inside",
    "I do not trust anything I read on twitter anymore",
    "the police closed the street after the accident",
    "the border news is all over the radio today",
    "they are building a new 5G tower next to the school",
    "the mayor wants to raise taxes again apparently",
    "the hospital near us is hiring nurses",
    "everyone is talking about the new immigration law",
]
CLOSERS = [
    "",
    "",
    "",
    " lol",
    " haha",
    " tbh",
    " ugh",
    "!",
    "?",
    " :)",
    " 😂",
    " right?",
    " idk",
    " anyway",
    " just saying",
    " 🙃",
]


def chat_lines(count: int, rng: random.Random) -> list[str]:
    lines = []
    for _ in range(count):
        body = rng.choice(NEWSY if rng.random() < 0.3 else CHAT)
        opener = rng.choice(OPENERS) + " " if rng.random() < 0.5 else ""
        lines.append(f"{opener}{body}{rng.choice(CLOSERS)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="train")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not quality.DATASET.is_dir():
        print(f"error: dataset not found at {quality.DATASET}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rng = random.Random(args.seed)
    library, _ = Library.load(quality.DATASET / "vclaims.jsonl")
    queries, qrels = quality.read_queries(args.split), quality.read_qrels(args.split)
    judged = sorted(q for q in queries if q in qrels)
    tweets = rng.sample(judged, STREAM // CLAIM_SHARE)
    held_out = set(tweets[len(tweets) // 2 :])
    hidden = set().union(*(qrels[q] for q in held_out))
    kept = Corpus([fc for fc in library.corpus if (fc.external_id or fc.id) not in hidden])
    matcher = Matcher.from_corpus(kept)
    to_external = quality.external_ids(kept)

    stream: list[tuple[str, set[str]]] = [(line, set()) for line in chat_lines(STREAM, rng)]
    stream = stream[: STREAM - len(tweets)]
    for query_id in tweets:
        gold = set() if query_id in held_out else qrels[query_id]
        stream.append((queries[query_id], gold))
    rng.shuffle(stream)

    best: list[tuple[float, bool, bool]] = []  # score, is a tweet, right fact-check
    eligible = 0
    for message, gold in stream:
        if len(message.split()) < MIN_WORDS:
            continue
        eligible += 1
        matches = matcher.match(message).matches
        if matches:
            top = matches[0]
            best.append((top.score, bool(gold), to_external.get(top.claim_id) in gold))
    tweets_with_gold = sum(1 for _, gold in stream if gold)
    print(
        f"split {args.split}: {len(stream)} messages ({len(tweets)} tweets: "
        f"{tweets_with_gold} with their fact-check in the corpus, {len(held_out)} held out), "
        f"{eligible} of {MIN_WORDS}+ words; corpus {len(kept)} claims; seed {args.seed}"
    )
    print("\n| threshold | cards | right | wrong | wrong per 1,000 messages | rumours answered |")
    print("|---|---|---|---|---|---|")
    for threshold in THRESHOLDS:
        cards = [(is_tweet, right) for score, is_tweet, right in best if score >= threshold]
        right = sum(1 for _, ok in cards if ok)
        wrong = len(cards) - right
        print(
            f"| {threshold:.2f} | {len(cards)} | {right} | {wrong} |"
            f" {1000 * wrong / len(stream):.1f} | {right}/{tweets_with_gold} |"
        )
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
