"""The fact-check data model, validated with pydantic.

One :class:`FactCheck` is one entry of the corpus: a question, its executive summary,
numbered sections citing numbered sources as ``[n]``, and "Want to dive deeper?"
follow-ups. The shape follows the seed pages and maps onto schema.org ClaimReview
(``question`` ~ ``claimReviewed``, ``verdict`` ~ ``reviewRating.textualRating``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, model_validator

# Ids travel inside Discord custom_ids (at most 100 characters, shared with a prefix and
# other ids), so they are short, lowercase and free of the ':' used as a separator.
CLAIM_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,79}$"
ClaimId = Annotated[str, StringConstraints(pattern=CLAIM_ID_PATTERN)]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

CITATION_RE = re.compile(r"\[(\d{1,3})\]")


def cited_numbers(text: str) -> set[int]:
    """Every source number cited as ``[n]`` in ``text``."""
    return {int(n) for n in CITATION_RE.findall(text)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """A numbered source; ``[n]`` in the text refers to ``number``."""

    number: int = Field(ge=1, le=999)
    title: NonEmptyText
    publisher: NonEmptyText | None = None
    published: date | None = None
    url: HttpUrl | None = None


class Section(_Strict):
    """One numbered section of the full analysis (numbered by position, from 1)."""

    heading: NonEmptyText
    body: NonEmptyText


class FollowUp(_Strict):
    """A "Want to dive deeper?" question; ``claim`` names the entry that answers it."""

    question: NonEmptyText
    claim: ClaimId | None = None


LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class Translation(_Strict):
    """The entry in another language: its words only. Sources, dates, the verdict's
    standing and the follow-ups' links stay the original's; ``follow_ups`` are the
    follow-up questions in the same order, one for each of the original's."""

    question: NonEmptyText
    aliases: tuple[NonEmptyText, ...] = ()
    verdict: NonEmptyText | None = None
    summary: NonEmptyText
    sections: tuple[Section, ...] = ()
    follow_ups: tuple[NonEmptyText, ...] = ()


class FactCheck(_Strict):
    """One fact-check of the corpus."""

    id: ClaimId
    question: NonEmptyText
    language: LanguageCode = "en"
    checked_on: date
    updated_on: date | None = None
    verdict: NonEmptyText | None = None
    summary: NonEmptyText
    sections: tuple[Section, ...] = ()
    sources: tuple[Source, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()
    aliases: tuple[NonEmptyText, ...] = ()
    tags: tuple[NonEmptyText, ...] = ()
    # Who made the claim (ClaimReview ``itemReviewed.author``, a dataset's ``speaker``).
    claimant: NonEmptyText | None = None
    # The record's id in the dataset or feed it was imported from, kept verbatim because
    # such ids may be longer than a slug or use other characters (see importers.py).
    external_id: NonEmptyText | None = None
    # The entry in other languages, by language code ("es"): see :class:`Translation`.
    translations: dict[LanguageCode, Translation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_sources_and_citations(self) -> FactCheck:
        numbers = [s.number for s in self.sources]
        if len(numbers) != len(set(numbers)):
            raise ValueError("sources: each source number must appear once")
        known = set(numbers)
        texts = [("summary", self.summary)] + [
            (f"sections[{i}].body", s.body) for i, s in enumerate(self.sections)
        ]
        for where, text in texts:
            unknown = sorted(cited_numbers(text) - known)
            if unknown:
                cites = ", ".join(f"[{n}]" for n in unknown)
                raise ValueError(f"{where}: cites {cites} but no such source is listed")
        for code, translation in self.translations.items():
            where = f"translations.{code}"
            if code == self.language:
                raise ValueError(f"{where}: the entry is already in {code!r}")
            texts = [(f"{where}.summary", translation.summary)] + [
                (f"{where}.sections[{i}].body", s.body) for i, s in enumerate(translation.sections)
            ]
            for field_name, text in texts:
                unknown = sorted(cited_numbers(text) - known)
                if unknown:
                    cites = ", ".join(f"[{n}]" for n in unknown)
                    raise ValueError(f"{field_name}: cites {cites} but no such source is listed")
            if translation.follow_ups and len(translation.follow_ups) != len(self.follow_ups):
                raise ValueError(
                    f"{where}.follow_ups: {len(translation.follow_ups)} questions for the "
                    f"entry's {len(self.follow_ups)} follow-ups (one each, in the same order)"
                )
        if self.updated_on is not None and self.updated_on < self.checked_on:
            raise ValueError("updated_on: must not be earlier than checked_on")
        return self

    @property
    def last_changed(self) -> date:
        """The date a reader should see as the entry's freshness."""
        return self.updated_on or self.checked_on

    def source(self, number: int) -> Source | None:
        return next((s for s in self.sources if s.number == number), None)

    def has_language(self, language: str) -> bool:
        """Whether the entry can be shown in ``language`` (its own, or a translation)."""
        return language == self.language or language in self.translations

    def in_language(self, language: str) -> FactCheck:
        """The entry as shown in ``language``: its words from the translation (sources,
        dates and links unchanged), or the entry itself when it has no such translation."""
        translation = self.translations.get(language)
        if translation is None or language == self.language:
            return self
        follow_ups = self.follow_ups
        if translation.follow_ups:
            follow_ups = tuple(
                f.model_copy(update={"question": question})
                for f, question in zip(self.follow_ups, translation.follow_ups, strict=True)
            )
        return self.model_copy(
            update={
                "question": translation.question,
                "language": language,
                "aliases": translation.aliases,
                "verdict": translation.verdict or self.verdict,
                "summary": translation.summary,
                "sections": translation.sections,
                "follow_ups": follow_ups,
                "translations": {},
            }
        )

    def phrasings(self) -> tuple[str, ...]:
        """Every alias the matcher indexes: the entry's own, then each translation's
        question and aliases (a Spanish question finds the entry through its Spanish text)."""
        extra = [text for t in self.translations.values() for text in (t.question, *t.aliases)]
        return (*self.aliases, *extra)
