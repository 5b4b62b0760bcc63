"""Text normalisation shared by the matcher's index and its queries.

Members paste questions the way they type them on a phone or copy them from a feed:
mixed case, Spanish accents, emoji, links, @mentions, hashtags, Discord's ``<@123>``
markup. Both the corpus and every query go through :func:`terms` so that they meet in
the same plain vocabulary of lowercase ASCII words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

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

# Words that name the same thing across the spellings members use. Kept small on purpose:
# each entry must be unambiguous in the fact-checks this bot serves.
_CANONICAL = {
    "eeuu": "us",
    "usa": "us",
    "america": "us",
    "american": "us",
    "americans": "us",
    "estadounidense": "us",
    "estadounidenses": "us",
    "mexican": "mexico",
    "mexicans": "mexico",
    "mexicano": "mexico",
    "mexicana": "mexico",
    "mexicanos": "mexico",
    "mexicanas": "mexico",
    "mejico": "mexico",
    # Synonyms of the bundled corpus's topic (issue 14), measured on CheckThat! train
    # (docs/quality.md): "assist"/"aid" = "help", "gangs"/"narcos" = "cartels", and
    # Washington as the US government.
    "assist": "help",
    "assists": "help",
    "assisted": "help",
    "assisting": "help",
    "assistance": "help",
    "aid": "help",
    "aided": "help",
    "aiding": "help",
    "helped": "help",
    "helping": "help",
    "helps": "help",
    "ayudo": "help",
    "ayudar": "help",
    "ayuda": "help",
    "gang": "cartel",
    "gangs": "cartel",
    "narco": "cartel",
    "narcos": "cartel",
    "washington": "us",
}

# Two-word names folded to one term before stemming ("United States" -> "us").
_PHRASES_RE = re.compile(r"\b(?:united states|estados unidos)\b")

# Function words of English and Spanish: frequent enough that matching on them only adds
# noise. "us" is deliberately absent (it is the country far more often than the pronoun in
# the questions this bot sees).
_STOPWORD_LIST = """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the
    their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your
    yours yourself yourselves s t don doesn didn isn wasn weren aren hasn haven hadn won
    wouldn shouldn couldn via rt amp el la los las un una unos unas de del al y o e u en con
    por para que se su sus es son fue fueron ser ha han hay como mas pero sin sobre entre lo
    le les mi mis tu tus ya muy este esta estos estas ese esa esos esas eso esto cual quien
    cuando donde porque si no ni tambien
"""
STOPWORDS = frozenset(_STOPWORD_LIST.split())


class _FoldTable(dict[int, str]):
    """``str.translate`` table: each code point to its casefolded NFKD form without
    combining marks, computed the first time the character is seen.

    Per character is exact: NFKD decomposes each character on its own and only reorders
    combining marks, which are dropped. The table holds one entry per distinct character
    ever folded (a few thousand at most), so it needs no bound.
    """

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFKD", chr(code).casefold())
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = folded.replace("\u2019", "'")
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """``text`` lowercased with accents, emoji and punctuation reduced to plain words.

    The result holds only ``[a-z0-9]`` words separated by single spaces.
    """
    # Each pattern runs only where its anchor character occurs: most questions have no
    # link, markup, handle or hashtag, and scanning for them was most of the time spent.
    if "/" in text or "www" in text.lower():
        text = _URL_RE.sub(" ", text)
    if "<" in text:
        text = _DISCORD_MARKUP_RE.sub(" ", text)
    if "@" in text:
        text = _HANDLE_RE.sub(" ", text)
    if "#" in text:
        text = _HASHTAG_RE.sub(lambda tag: " " + _CAMEL_RE.sub(" ", tag.group(1)) + " ", text)
    # NFKD splits "á" into "a" + a combining accent (dropped) and turns compatibility forms
    # such as full-width letters into plain ones; casefold turns "ß" into "ss". Plain ASCII,
    # most of what members type, needs only lowercasing.
    plain = text.lower() if text.isascii() else text.translate(_FOLD_TABLE)
    if "ee" in plain:
        plain = _EEUU_RE.sub(" eeuu ", plain)
    if "." in plain:
        plain = _US_DOTTED_RE.sub(" us ", plain)
    if "'" in plain:
        plain = plain.replace("'s ", " ").replace("'", "")
    return " ".join(_WORD_RE.findall(plain))


# Stems already computed: a corpus repeats its words many times over. Bounded, since a
# member can type any word; emptied when full (cheaper than an LRU's bookkeeping per call).
_STEMS: dict[str, str] = {}
_STEMS_MAX = 1 << 18


def stem(word: str) -> str:
    """A light stem that merges plurals (English and Spanish) and nothing riskier."""
    stemmed = _STEMS.get(word)
    if stemmed is None:
        if len(_STEMS) >= _STEMS_MAX:
            _STEMS.clear()
        stemmed = _STEMS[word] = _stem(word)
    return stemmed


def _stem(word: str) -> str:
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
    if not keep_stopwords:
        words = [w for w in words if w not in STOPWORDS]
    known = _STEMS.get
    # The cache inline: this runs for every word of every fact-check at build time.
    stems = [known(w) or stem(w) for w in words]
    return [s for s in stems if s]


SHORTEST_SHOUT = 6
_SENTENCE_RE = re.compile(r"[.!?¿¡:;\n\"“”()]+")
_CASED_WORD_RE = re.compile(r"[A-Za-z0-9]+")
_CASED_US_RE = re.compile(r"\b(?:U\s*\.\s*S\b\.?(?:\s*A\b\.?)?|EE\s*\.?\s*UU\b\.?)")


def entities(text: str) -> list[str]:
    """The terms of ``text`` that look like names or numbers: what a fact-check must mention
    to answer it ("Russia" in "Did Russia help the cartels?").

    A word counts when it holds a digit, is written in capitals (two letters or more), or
    starts with a capital anywhere but at the start of a sentence. Stopwords never count.
    """
    text = _URL_RE.sub(" ", text)
    text = _DISCORD_MARKUP_RE.sub(" ", text)
    text = _HANDLE_RE.sub(" ", text)
    text = _HASHTAG_RE.sub(lambda tag: " " + _CAMEL_RE.sub(" ", tag.group(1)) + " ", text)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _CASED_US_RE.sub(" US ", plain.replace("’", "'").replace("'s ", " "))
    plain = re.sub(r"(?i)\b(?:united states|estados unidos)\b", "US", plain)
    letters = [w for w in _CASED_WORD_RE.findall(plain) if w.isalpha() and len(w) >= 2]
    # A shouted question ("DID THE US HELP THE CARTELS") says nothing by its capitals.
    shouting = len(letters) >= 3 and sum(w.isupper() for w in letters) > len(letters) / 2
    found: list[str] = []
    for sentence in _SENTENCE_RE.split(plain):
        for position, word in enumerate(_CASED_WORD_RE.findall(sentence)):
            lower = word.lower()
            if lower in STOPWORDS:
                continue
            # A long word in capitals is a shout ("BREAKING:", "URGENT"), not a name: the
            # acronyms that name things are short (US, DEA, NASA, CJNG).
            shout = word.isupper() and len(word) > SHORTEST_SHOUT - 1
            named = any(c.isdigit() for c in word) or (
                not shouting
                and not shout
                and word[0].isupper()
                and (position > 0 or (len(word) >= 2 and word.isupper()))
            )
            if named:
                found.append(stem(lower))
    return unique(t for t in found if t)


def unique(items: Iterable[str]) -> list[str]:
    """``items`` without repeats, first occurrence first."""
    return list(dict.fromkeys(items))
