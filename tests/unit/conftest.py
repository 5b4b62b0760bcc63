"""Fixtures the unit tests share."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.paths import PROJECT_ROOT


@pytest.fixture
async def loaded_bot(tmp_path: Path) -> AsyncIterator[Any]:
    """The real bot with every cog module loaded; a cog that fails to load fails the test."""
    from bot.app import FactdeskBot, extension_names
    from bot.core.library import Library
    from bot.settings import Settings
    from bot.store.database import Database

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database=tmp_path / "factdesk.db",
        heartbeat_file=tmp_path / "heartbeat.json",
    )
    library, _ = Library.load(PROJECT_ROOT / "data" / "claims")
    database = await Database.open(settings.database)
    bot = FactdeskBot(settings=settings, library=library, database=database)
    try:
        for name in extension_names():
            await bot.load_extension(name)  # raises where setup_hook would only log
        yield bot
    finally:
        for name in list(bot.extensions):
            await bot.unload_extension(name)
        await bot.close()
        await database.close()
        # Collect what the cogs left behind now: collected later, during pytest's ast.parse
        # of a module imported at the session's end (hypothesis' summary), its finalisers
        # made CPython 3.11.7 abort with "AST constructor recursion depth mismatch".
        gc.collect()
