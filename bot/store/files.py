"""Files the store writes besides the database: created private (0600), never world-readable."""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private(path: Path) -> None:
    """Make ``path`` an owner-only file (0600) before anything is written into it.

    A backup holds every member's questions and ids: it must not inherit the umask's 0644.
    An existing file is kept (SQLite's backup API replaces its pages) but made 0600 too.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_MODE))
    os.chmod(path, PRIVATE_MODE)
