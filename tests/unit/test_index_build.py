"""A reload's index build in a child process (bot.index_build): the child saves the index
the bot then opens, a small corpus is left to the thread, a child that cannot save says so,
and cancelling the reload stops the child."""

from __future__ import annotations

import asyncio
import multiprocessing
import shutil
from pathlib import Path

import pytest

from bot import index_build
from bot.core.library import Library
from bot.paths import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "data" / "claims"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "claims"
    shutil.copytree(BUNDLED, directory)
    return directory


def saved_indexes(index: Path) -> list[Path]:
    return sorted(index.glob("library-*.index")) if index.is_dir() else []


async def test_the_child_saves_the_index_the_bot_then_opens(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert await index_build.prebuild(corpus, index, min_bytes=0)
    (saved,) = saved_indexes(index)

    library, problems, outcome = Library.open(corpus, index)
    assert outcome.reused
    assert outcome.path == saved
    assert not problems
    fresh, _ = Library.load(corpus)
    question = "Did the DEA make a deal with the Sinaloa cartel?"
    assert library.matcher.match(question) == fresh.matcher.match(question)

    # Saved already: no second child, nothing rewritten.
    written = saved.stat().st_mtime_ns
    assert not await index_build.prebuild(corpus, index, min_bytes=0)
    assert saved.stat().st_mtime_ns == written


async def test_a_small_corpus_is_left_to_the_thread(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert index_build.corpus_bytes(corpus) < index_build.CHILD_BUILD_MIN_BYTES
    assert not await index_build.prebuild(corpus, index)
    assert saved_indexes(index) == []


async def test_a_child_that_cannot_save_says_so(corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    # The index directory would be under a regular file: no one can create it, not even root.
    assert not await index_build.prebuild(corpus, blocker / "index", min_bytes=0)
    # The bot's own open still serves the corpus (and says the index was not saved).
    library, _, outcome = Library.open(corpus, blocker / "index")
    assert not outcome.saved
    assert len(library.corpus) == len(Library.load(corpus)[0].corpus)


async def test_cancelling_the_reload_stops_the_child(corpus: Path, tmp_path: Path) -> None:
    task = asyncio.create_task(index_build.prebuild(corpus, tmp_path / "index", min_bytes=0))

    for _ in range(6000):  # up to a minute for the child to appear
        if multiprocessing.active_children():
            break
        await asyncio.sleep(0.01)
    assert multiprocessing.active_children(), "the child never started"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert multiprocessing.active_children() == []
