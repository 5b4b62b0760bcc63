"""A reload's index build in a child process, so answers keep flowing while it runs.

Building the matching index is Python work (folding, tokenising, FTS inserts) for most of
its minute at 100k claims. In a thread of the bot's process it would share the GIL with
the event loop for all that time, and every answer would wait its turn behind it; in a
child process it runs on the other core. The child builds the index into the index
directory (:mod:`bot.core.index_store`: temporary name, then rename, so a peer or a
crash never sees half a file) and exits, giving all its build memory back to the system;
the bot then opens the saved index in a thread, which takes well under a second.

A small corpus (under :data:`CHILD_BUILD_MIN_BYTES`) builds in milliseconds, less than a
child takes to start, so it is left to the thread. When the child cannot help (the index is
saved already, the directory is read-only, the child dies), the caller simply opens the
corpus in a thread as before: the child is a speed-up, never the only way to a library.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import sys
from pathlib import Path

from bot.core import index_store
from bot.logs import get_logger

log = get_logger(__name__)

# The child's exit codes.
SAVED = 0
NOT_SAVED = 3
FAILED = 4
# About 2,500 dataset claims: below this a thread builds faster than a child starts (~1 s).
CHILD_BUILD_MIN_BYTES = 1 << 20


def corpus_bytes(corpus: Path) -> int:
    """The size of ``corpus``: the file, or every regular file under the directory."""
    if corpus.is_file():
        return corpus.stat().st_size
    return sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())


def wants_child(corpus: Path, index_dir: Path, min_bytes: int) -> bool:
    """Whether a child should build: the corpus is big enough and ``index_dir`` holds no
    index for it as it is now (blocking: it hashes the corpus files)."""
    if corpus_bytes(corpus) < min_bytes:
        return False
    return not index_store.path_for(index_dir, index_store.key_for(corpus)).exists()


def _build(corpus: str, index_dir: str) -> None:
    """The child: build and save the index, then exit with :data:`SAVED` or another code."""
    from bot.core.library import Library

    try:
        _, _, outcome = Library.open(Path(corpus), Path(index_dir))
    except BaseException as error:  # the bot opens the corpus itself and reports it
        print(f"factdesk: index build failed: {error}", file=sys.stderr)
        sys.exit(FAILED)
    sys.exit(SAVED if outcome.reused or outcome.saved else NOT_SAVED)


async def prebuild(corpus: Path, index_dir: Path, *, min_bytes: int | None = None) -> bool:
    """Build ``corpus``'s index in a child process, unless it is saved already or small.

    True when a child built and saved it (a :meth:`Library.open` will reuse it); False when
    no child ran or it could not save one. Cancelling this stops the child."""
    if min_bytes is None:
        min_bytes = CHILD_BUILD_MIN_BYTES
    if not await asyncio.to_thread(wants_child, corpus, index_dir, min_bytes):
        return False
    # spawn, not fork: the bot's process has threads (aiosqlite, the event loop's workers)
    # and a forked copy of them could hold a lock forever.
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=_build, args=(str(corpus), str(index_dir)), name="factdesk-index", daemon=True
    )
    child.start()
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    def on_end() -> None:
        if not ended.done():
            ended.set_result(None)

    # The sentinel is a descriptor that becomes readable when the child ends.
    loop.add_reader(child.sentinel, on_end)
    try:
        await ended
    except asyncio.CancelledError:
        child.terminate()
        await asyncio.to_thread(child.join)
        raise
    finally:
        loop.remove_reader(child.sentinel)
    child.join()
    if child.exitcode != SAVED:
        log.warning(
            "index build in a child process did not save an index; building in the bot",
            corpus=str(corpus),
            index_dir=str(index_dir),
            exitcode=child.exitcode,
        )
        return False
    return True
