"""``factdesk run`` without a token: one clear line, exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.paths import PROJECT_ROOT


def test_run_without_a_token_fails_with_one_line(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    # An empty working directory: no .env file can supply a token.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: FACTDESK_DISCORD_TOKEN is not set (see docs/configuration.md)\n"
    )
