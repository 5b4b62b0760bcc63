"""The one corpus reload: ``/corpus reload``, SIGHUP and a feed that changed all come here.

A reload builds the new library off the event loop from the corpus files (through the saved
index, :meth:`~bot.core.library.Library.open`; a big corpus's index is built in a child
process first, :mod:`bot.index_build`, so answers keep their pace meanwhile) joined with
the last good body of every live feed (:func:`bot.feeds.served_feeds`,
:func:`bot.core.feeds.merged_library`), and swaps
``bot.library`` whole only when no file is broken; otherwise the old library keeps serving
and the problems (file, line, field) are reported. A problem whose entry still loaded (a
dropped follow-up link, a feed entry losing an id clash to a file) is a warning and never
blocks. After a swap, changed verdicts and summaries are recorded as corrections and every
open request the new corpus answers is closed as answered, its askers told (bot.notify).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import index_build, modlog
from bot.core.corrections import corrections
from bot.logs import get_logger
from bot.review import SYSTEM_ACTOR_ID
from bot.store.rows import Request

if TYPE_CHECKING:
    from bot.app import FactdeskBot

log = get_logger(__name__)

_RELOAD_LOCK = asyncio.Lock()


@dataclass(frozen=True)
class ReloadOutcome:
    reloaded: bool
    count: int
    previous: int
    problems: list[str] = field(default_factory=list)
    answered: list[Request] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def split_problems(problems: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    """``(blocking, warnings)``, decided by :func:`bot.core.corpus.split_problems`."""
    from bot.core.corpus import split_problems as core_split_problems

    blocking, warnings = core_split_problems(problems)
    return list(blocking), list(warnings)


async def reload_corpus(bot: FactdeskBot, *, from_peer: bool = False) -> ReloadOutcome:
    """Load the corpus again; swap it in only when it loads cleanly. One reload at a time.

    ``from_peer``: another process of this bot reloaded and said so (bot.peers); it has
    recorded the corrections and answered the requests already, so this one only swaps.
    A successful reload dispatches ``corpus_reloaded`` (the bot tells its peers)."""
    from bot.core.feeds import merged_library
    from bot.core.library import Library
    from bot.feeds import served_feeds

    async with _RELOAD_LOCK:
        previous = len(bot.library.corpus)
        corpus_dir = bot.settings.corpus_dir
        index_dir = bot.settings.resolved_index_dir
        try:
            # A big corpus is built in a child (bot.index_build), so the build never holds
            # the GIL the event loop needs; the thread then opens the saved index.
            await index_build.prebuild(corpus_dir, index_dir)
        except Exception as error:  # only a speed-up: the thread below reports real errors
            log.warning("index build in a child process failed", error=str(error))
        try:
            library, found, index = await asyncio.to_thread(Library.open, corpus_dir, index_dir)
        except Exception as error:
            log.warning("corpus reload failed", corpus_dir=str(corpus_dir), error=str(error))
            return ReloadOutcome(False, previous, previous, [f"{corpus_dir}: {error}"])
        blocking, warned = await asyncio.to_thread(split_problems, found)
        problems = [str(problem) for problem in blocking]
        warnings = [str(problem) for problem in warned]
        if not problems and len(library.corpus) == 0:
            problems = [f"{corpus_dir}: no fact-check found"]
        if problems:
            log.warning("corpus reload refused", problems=problems, warnings=warnings)
            return ReloadOutcome(False, previous, previous, problems, warnings=warnings)
        feeds = await served_feeds(bot.database, bot.settings)
        library, clashes = await asyncio.to_thread(merged_library, library, feeds)
        warnings.extend(str(problem) for problem in clashes)
        old_corpus = bot.library.corpus
        bot.library = library
        log.info(
            "corpus reloaded",
            count=len(library.corpus),
            previous=previous,
            feed_entries=sum(len(feed.entries) for feed in feeds),
            warnings=warnings,
            index_reused=index.reused,
        )
        # Verdicts or summaries the new corpus changed: answers and digests say so.
        corrected = await asyncio.to_thread(corrections, old_corpus, library.corpus)
        if from_peer:
            bot.dispatch("corpus_reloaded", from_peer)
            return ReloadOutcome(True, len(library.corpus), previous, [], [], warnings)
        if corrected:
            await bot.database.record_corrections(corrected)
            log.info("fact-checks corrected", claim_ids=[c.claim_id for c in corrected])
        answered = await bot.database.answer_open_requests(
            library.find_answer, actor_id=SYSTEM_ACTOR_ID
        )
        for request in answered:
            log.info(
                "request answered by reload",
                request_id=request.id,
                claim_id=request.answered_claim_id,
            )
            await modlog.announce_answered(bot, request)
        if answered:
            # The notify cog tells each asker (the store owes them with the answer).
            bot.dispatch("requests_answered", answered)
        bot.dispatch("corpus_reloaded", from_peer)
        return ReloadOutcome(True, len(library.corpus), previous, [], answered, warnings)
