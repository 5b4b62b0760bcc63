"""SIGHUP before (and after) the admin cog handles it: logged and remembered, never fatal.

SIGHUP's default action terminates the process, and systemd counts that as a clean exit,
so a ``systemctl reload`` (or a stray ``kill -HUP``) during start-up used to stop the bot for
good. The contract between :mod:`bot.runner` and ``cogs/admin.py``:

1. ``factdesk run`` calls :func:`install` first thing (before discord is even imported) and
   again on the event loop (:func:`install` with ``loop``); from then on SIGHUP never
   terminates the process.
2. While nobody else handles SIGHUP, one is logged (``sighup before the bot is ready``) and
   queued: :func:`take_pending` returns True once.
3. The admin cog installs its own handler in ``cog_load`` with
   ``loop.add_signal_handler(SIGHUP, ...)``, which replaces this one. It may call
   :func:`take_pending` then and reload once when it returns True (the corpus loaded at
   start may predate the edit the signal announced).
4. When the cog unloads it removes its handler (which restores the default action); the
   runner installs this one again once the bot has closed, so SIGHUP during shutdown is
   harmless too.

Only the standard library is imported here, so installing it costs nothing.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

log = logging.getLogger(__name__)
SIGHUP: signal.Signals | None = getattr(signal, "SIGHUP", None)
_pending = False


def _on_sighup(*_: Any) -> None:
    global _pending
    _pending = True
    log.info("sighup before the bot is ready: a corpus reload is queued")


def install(loop: asyncio.AbstractEventLoop | None = None) -> bool:
    """Handle SIGHUP with the log-and-queue handler (on ``loop`` when given); False if unable."""
    if SIGHUP is None:
        return False
    try:
        if loop is None:
            signal.signal(SIGHUP, _on_sighup)
        else:
            loop.add_signal_handler(SIGHUP, _on_sighup)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread
        return False
    return True


def take_pending() -> bool:
    """Whether a SIGHUP arrived while this handler had it; clears the flag."""
    global _pending
    pending, _pending = _pending, False
    return pending
