"""Building a server's daily digest from plain data: no Discord, no database, no clock.

:func:`build_digest` takes what happened in a server during the digest's window (questions
asked, flags opened and resolved, open requests) and the corpus, and returns a
:class:`Digest`: a neutral structure of ranked, capped sections that the digest cog renders
into embeds. A window with nothing to report is *quiet* (:attr:`Digest.is_quiet`); the
server's setting decides whether a quiet day posts a one-line note or nothing.

Fact-checks carry dates, not times, so "new or updated in the window" means: checked or
updated on a local date from the window's first local date up to, not including, its last.
With one digest a day each date is reported exactly once, the day after it is over (so an
entry added late in the day still makes it into a digest).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from bot.core.feedback import Tally, least_helpful
from bot.core.models import FactCheck

TOP_QUESTIONS = 5
LEAST_HELPFUL = 3
MAX_FACT_CHECKS = 10
MAX_DISPUTES = 5
TOP_REQUESTS = 5

ChangeKind = Literal["new", "updated"]
Outcome = Literal["upheld", "dismissed"]

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class AskedItem:
    """One question asked in the window and the fact-check it matched (None: no match)."""

    question: str
    claim_id: str | None


@dataclass(frozen=True)
class FlagItem:
    """A flag (a member disputing an answer, or a moderator flagging a message)."""

    flag_id: int
    claim_id: str | None
    reason: str | None
    outcome: Outcome | None = None


@dataclass(frozen=True)
class RequestItem:
    """An open request for a fact-check and how many members asked for it."""

    request_id: int
    question: str
    askers: int


@dataclass(frozen=True)
class CorrectionItem:
    """A fact-check a reload corrected in the window, which this server had been shown."""

    claim_id: str
    old_verdict: str | None
    new_verdict: str | None
    summary_changed: bool


@dataclass(frozen=True)
class DigestInput:
    """Everything a digest is built from; the caller fetched it for the window."""

    guild_id: int
    local_date: date
    window_start_local: datetime
    window_end_local: datetime
    asked: Sequence[AskedItem] = ()
    flags_opened: Sequence[FlagItem] = ()
    flags_resolved: Sequence[FlagItem] = ()
    open_requests: Sequence[RequestItem] = ()
    # How many requests are open in all (``open_requests`` may hold only the top few).
    open_request_total: int | None = None
    late: bool = False
    # Helpfulness votes cast in the window, per fact-check (the "least helpful" section).
    votes: Sequence[Tally] = ()
    # Corrections of fact-checks the server saw (the "Updated fact-checks" section).
    corrections: Sequence[CorrectionItem] = ()


@dataclass(frozen=True)
class TopQuestion:
    """A much-asked question: the fact-check's own question when one matched."""

    question: str
    count: int
    claim_id: str | None


@dataclass(frozen=True)
class FactCheckChange:
    claim_id: str
    question: str
    kind: ChangeKind
    on: date


@dataclass(frozen=True)
class DisputeLine:
    flag_id: int
    claim_id: str | None
    subject: str
    outcome: Outcome | None
    # The member's reason, when the subject is the fact-check rather than the reason itself.
    reason: str | None = None


@dataclass(frozen=True)
class LeastHelpful:
    """A fact-check members found unhelpful in the window (ranked by Bayesian average)."""

    claim_id: str
    question: str
    helpful: int
    total: int


@dataclass(frozen=True)
class CorrectionLine:
    claim_id: str
    question: str
    old_verdict: str | None
    new_verdict: str | None
    summary_changed: bool


@dataclass(frozen=True)
class Digest:
    """One server's digest for one local date, ready to render."""

    guild_id: int
    local_date: date
    late: bool
    questions_asked: int
    top_questions: tuple[TopQuestion, ...] = ()
    fact_checks: tuple[FactCheckChange, ...] = ()
    more_fact_checks: int = 0
    disputes_opened: tuple[DisputeLine, ...] = ()
    more_disputes_opened: int = 0
    disputes_resolved: tuple[DisputeLine, ...] = ()
    more_disputes_resolved: int = 0
    top_requests: tuple[RequestItem, ...] = ()
    open_requests: int = 0
    claim_ids: tuple[str, ...] = field(default=())
    least_helpful: tuple[LeastHelpful, ...] = ()
    corrections: tuple[CorrectionLine, ...] = ()
    more_corrections: int = 0

    @property
    def is_quiet(self) -> bool:
        """Nothing happened in the window: no questions, fact-check changes or disputes.

        Open requests are standing business, not news: on their own they do not make a day
        worth a digest.
        """
        return not (
            self.questions_asked
            or self.fact_checks
            or self.disputes_opened
            or self.disputes_resolved
            or self.least_helpful
            or self.corrections
        )


def _question_key(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def rank_questions(
    asked: Iterable[AskedItem], questions: dict[str, str], limit: int = TOP_QUESTIONS
) -> list[TopQuestion]:
    """The most-asked questions, most first; matched questions count per fact-check.

    ``questions`` maps claim ids to their fact-check's question (entries gone from the corpus
    fall back to the words the member typed). Ties go to the question asked first.
    """
    counts: Counter[tuple[str, str]] = Counter()
    first_text: dict[tuple[str, str], str] = {}
    for item in asked:
        key = ("claim", item.claim_id) if item.claim_id else ("text", _question_key(item.question))
        if not key[1]:
            continue
        counts[key] += 1
        first_text.setdefault(key, _SPACES.sub(" ", item.question).strip())
    order = {key: index for index, key in enumerate(first_text)}
    ranked = sorted(counts, key=lambda key: (-counts[key], order[key]))
    top: list[TopQuestion] = []
    for kind, value in ranked[:limit]:
        claim_id = value if kind == "claim" else None
        typed = first_text[(kind, value)]
        shown = questions.get(value, typed) if claim_id else typed
        top.append(TopQuestion(shown, counts[(kind, value)], claim_id))
    return top


def fact_check_changes(
    corpus: Iterable[FactCheck], first_day: date, end_day: date
) -> list[FactCheckChange]:
    """Entries checked (new) or updated on a date in ``[first_day, end_day)``, newest first."""
    changes: list[FactCheckChange] = []
    for fc in corpus:
        updated = fc.updated_on
        if updated is not None and updated != fc.checked_on and first_day <= updated < end_day:
            changes.append(FactCheckChange(fc.id, fc.question, "updated", updated))
        elif first_day <= fc.checked_on < end_day:
            changes.append(FactCheckChange(fc.id, fc.question, "new", fc.checked_on))
    changes.sort(key=lambda change: (-change.on.toordinal(), change.kind != "new", change.claim_id))
    return changes


def _dispute_lines(flags: Sequence[FlagItem], questions: dict[str, str]) -> list[DisputeLine]:
    lines = []
    for flag in flags:
        if flag.claim_id is not None and flag.claim_id in questions:
            subject, reason = questions[flag.claim_id], flag.reason
        else:
            subject, reason = flag.reason or "", None
        lines.append(DisputeLine(flag.flag_id, flag.claim_id, subject, flag.outcome, reason))
    return lines


def build_digest(data: DigestInput, corpus: Iterable[FactCheck]) -> Digest:
    """The digest of ``data``'s window, with every section ranked and capped."""
    entries = list(corpus)
    questions = {fc.id: fc.question for fc in entries}
    top = rank_questions(data.asked, questions)
    changes = fact_check_changes(
        entries, data.window_start_local.date(), data.window_end_local.date()
    )
    opened = _dispute_lines(data.flags_opened, questions)
    resolved = _dispute_lines(data.flags_resolved, questions)
    requests = sorted(data.open_requests, key=lambda r: (-r.askers, -r.request_id))
    shown_changes = changes[:MAX_FACT_CHECKS]
    unhelpful = [
        LeastHelpful(r.claim_id, questions.get(r.claim_id, r.claim_id), r.helpful, r.total)
        for r in least_helpful(data.votes, LEAST_HELPFUL)
    ]
    corrected: list[CorrectionLine] = []
    for item in data.corrections:
        if item.claim_id in questions and all(c.claim_id != item.claim_id for c in corrected):
            corrected.append(
                CorrectionLine(
                    item.claim_id,
                    questions[item.claim_id],
                    item.old_verdict,
                    item.new_verdict,
                    item.summary_changed,
                )
            )
    shown_corrections = corrected[:MAX_FACT_CHECKS]
    claim_ids: list[str] = []
    named = [q.claim_id for q in top] + [c.claim_id for c in shown_changes]
    named += [c.claim_id for c in shown_corrections]
    for claim_id in named + [u.claim_id for u in unhelpful]:
        # Only entries still in the corpus get a button; each one once.
        if claim_id is not None and claim_id in questions and claim_id not in claim_ids:
            claim_ids.append(claim_id)
    return Digest(
        guild_id=data.guild_id,
        local_date=data.local_date,
        late=data.late,
        questions_asked=len(data.asked),
        top_questions=tuple(top),
        fact_checks=tuple(shown_changes),
        more_fact_checks=len(changes) - len(shown_changes),
        disputes_opened=tuple(opened[:MAX_DISPUTES]),
        more_disputes_opened=max(0, len(opened) - MAX_DISPUTES),
        disputes_resolved=tuple(resolved[:MAX_DISPUTES]),
        more_disputes_resolved=max(0, len(resolved) - MAX_DISPUTES),
        top_requests=tuple(requests[:TOP_REQUESTS]),
        open_requests=max(len(requests), data.open_request_total or 0),
        claim_ids=tuple(claim_ids),
        least_helpful=tuple(unhelpful),
        corrections=tuple(shown_corrections),
        more_corrections=len(corrected) - len(shown_corrections),
    )
