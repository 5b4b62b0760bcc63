"""The text normalisation of bot/core/text.py as it was before issue 15 made it fast:
per-character NFKD and every pattern on every text. Kept as the baseline that
bench/speed_text.py times beside the current one, and that tests/unit/test_text_fast.py
checks the current one against (same output for any text). Not used by the bot.

The original module docstring follows.

Text normalisation shared by the matcher's index and its queries.

Members paste questions the way they type them on a phone or copy them from a feed:
mixed case, Spanish accents, emoji, links, @mentions, hashtags, Discord's ``<@123>``
markup. Both the corpus and every query go through :func:`terms` so that they meet in
the same plain vocabulary of lowercase ASCII words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from bot.core import text as _current

# Links, Discord markup (<@id>, <#id>, <:emoji:id>, <t:123:R>) and @handles carry no
# meaning a fact-check can match; hashtags do, so only their '#' goes.
_URL_RE = re.compile(r"(?:https?://|www\.|\bpic\.twitter\.com/|\bt\.co/)\S*", re.IGNORECASE)
# "#JackBreuer" -> "Jack Breuer": hashtags glue words that the fact-check writes apart.
_HASHTAG_RE = re.compile(r"#(\w+)")
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_DISCORD_MARKUP_RE = re.compile(r"<(?:@[!&]?|#|a?:\w+:|t:)[^>]*>")
_HANDLE_RE = re.compile(r"(?<![\w@])@\w+")
# "EE. UU." / "EE.UU." is how Spanish writes "US"; joined before punctuation is dropped.
_EEUU_RE = re.compile(r"\bee\s*\.?\s*uu\b\.?")
_US_DOTTED_RE = re.compile(r"\bu\s*\.\s*s\b\.?(?:\s*a\b\.?)?")
_WORD_RE = re.compile(r"[a-z0-9]+")

# The vocabulary (synonyms, stopwords) is the current module's: what this baseline pins
# down is the algorithm, not the word lists, which matching keeps tuning.
_CANONICAL = _current._CANONICAL
_PHRASES_RE = _current._PHRASES_RE

STOPWORDS = _current.STOPWORDS


def fold(text: str) -> str:
    """``text`` lowercased with accents, emoji and punctuation reduced to plain words.

    The result holds only ``[a-z0-9]`` words separated by single spaces.
    """
    text = _URL_RE.sub(" ", text)
    text = _DISCORD_MARKUP_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda tag: " " + _CAMEL_RE.sub(" ", tag.group(1)) + " ", text)
    # NFKD splits "á" into "a" + a combining accent (dropped below) and turns compatibility
    # forms such as full-width letters into plain ones.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("ß", "ss").replace("’", "'")
    plain = _EEUU_RE.sub(" eeuu ", plain)
    plain = _US_DOTTED_RE.sub(" us ", plain)
    plain = plain.replace("'s ", " ").replace("'", "")
    return " ".join(_WORD_RE.findall(plain))


def stem(word: str) -> str:
    """A light stem that merges plurals (English and Spanish) and nothing riskier."""
    word = _CANONICAL.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("ches", "shes", "xes", "zes", "sses")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    # A final "e" goes too, so that "carteles"/"cartels"/"cartel" and "table"/"tables" meet.
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def terms(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """The words of ``text`` that matching works on, in order (repeats kept)."""
    words = _PHRASES_RE.sub("us", fold(text)).split()
    stems = [stem(w) for w in words if keep_stopwords or w not in STOPWORDS]
    return [s for s in stems if s]


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, first occurrence first."""
    return list(dict.fromkeys(items))
