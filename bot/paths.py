"""Where factdesk finds its bundled files and keeps its own state by default."""

from __future__ import annotations

from pathlib import Path

# The checkout (or editable install) root: bot/ sits directly under it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS_DIR = PROJECT_ROOT / "data" / "claims"
# Runtime state (database, heartbeat) lives under var/ in the working directory unless a
# setting moves it; var/ is git-ignored.
DEFAULT_STATE_DIR = Path("var")
