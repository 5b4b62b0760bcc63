"""Issue 12: the wheel carries the bundled corpus, so an installed ``factdesk ask`` answers.

The test builds the wheel, installs it with its dependencies (at the pins of
``deploy/constraints.txt``) into a fresh venv and asks the README question from a directory
outside the repository. Before the corpus became package data, the installed bot looked for
``data/claims`` next to site-packages and found nothing. It takes about half a minute (the
dependencies are installed the ordinary way, through pip and its cache).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from bot import __version__
from bot.paths import BUNDLED_CORPUS_DIR, PROJECT_ROOT

README_QUESTION = "did the US help the Mexican cartels?"


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FACTDESK_")}
    environment.pop("PYTHONPATH", None)
    return subprocess.run(
        argv, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def test_a_checkout_uses_data_claims_directly() -> None:
    assert BUNDLED_CORPUS_DIR == PROJECT_ROOT / "data" / "claims"


def test_the_installed_wheel_answers_from_its_bundled_corpus(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), "."],
        PROJECT_ROOT,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("factdesk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {n for n in archive.namelist() if n.startswith("bot/data/claims/")}
    expected = {f"bot/data/claims/{p.name}" for p in (PROJECT_ROOT / "data" / "claims").iterdir()}
    assert packaged == expected
    # The compiled Spanish catalogue rides along (the bot reads it with stdlib gettext).
    assert "bot/locale/es/LC_MESSAGES/factdesk.mo" in archive.namelist()

    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    constraints = PROJECT_ROOT / "deploy" / "constraints.txt"
    installed = run(
        [str(python), "-m", "pip", "install", "-q", "-c", str(constraints), str(wheel)], tmp_path
    )
    assert installed.returncode == 0, installed.stderr

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    factdesk = str(environment / "bin" / "factdesk")
    asked = run([factdesk, "ask", README_QUESTION], outside)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Did the US help the cartels in Mexico in any way?\n")
    assert "Traceback" not in asked.stderr
    spanish = run(
        [
            str(python),
            "-c",
            "from bot import i18n; print(i18n.translator_for('es-419')('Sources'))",
        ],
        outside,
    )
    assert spanish.stdout == "Fuentes\n", spanish.stderr
    version = run([factdesk, "--version"], outside)
    assert version.stdout == f"factdesk {__version__}\n"
