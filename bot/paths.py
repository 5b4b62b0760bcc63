"""Where factdesk finds its bundled files and keeps its own state by default.

The bundled corpus has one source of truth, ``data/claims`` at the top of the repository.
A wheel ships a copy of it inside the package, as ``bot/data/claims`` (hatch
``force-include`` in pyproject.toml), found here with :mod:`importlib.resources`; a
checkout or an editable install has no such copy and uses ``data/claims`` directly.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

# The checkout (or editable install) root: bot/ sits directly under it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _bundled_corpus_dir() -> Path:
    packaged = resources.files("bot").joinpath("data", "claims")
    # A wheel is installed unpacked, so the resource is a real directory on disk.
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return PROJECT_ROOT / "data" / "claims"


BUNDLED_CORPUS_DIR = _bundled_corpus_dir()
# Runtime state (database, heartbeat) lives under var/ in the working directory unless a
# setting moves it; var/ is git-ignored.
DEFAULT_STATE_DIR = Path("var")
