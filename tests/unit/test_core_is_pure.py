"""``bot.core`` is pure Python: importing any of it never imports discord.

The check runs in a fresh interpreter, because this test process may already have
imported discord for other tests.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.paths import PROJECT_ROOT

CORE_DIR = PROJECT_ROOT / "bot" / "core"
IMPORT_LINE = re.compile(r"^\s*(?:import|from)\s+discord\b", re.MULTILINE)
DISCORD_STRING = re.compile(r"""["']discord(?:\.[\w.]+)?["']""")

IMPORT_EVERY_CORE_MODULE = """
import importlib, json, pkgutil, sys
import bot.core
names = sorted(m.name for m in pkgutil.walk_packages(bot.core.__path__, "bot.core."))
for name in names:
    importlib.import_module(name)
print(json.dumps({
    "imported": names,
    "discord": sorted(m for m in sys.modules if m == "discord" or m.startswith("discord.")),
}))
"""


def test_importing_every_core_module_leaves_discord_unimported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_CORE_MODULE],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    # the walk really found the core (a typo in the path would make this test vacuous)
    assert {"bot.core.corpus", "bot.core.matching", "bot.core.text", "bot.core.library"} <= set(
        report["imported"]
    )
    assert report["discord"] == []


def _imported_modules(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_core_source_file_imports_discord() -> None:
    sources = sorted(CORE_DIR.rglob("*.py"))
    assert len(sources) >= 5
    offenders = {
        str(source.relative_to(PROJECT_ROOT)): sorted(names)
        for source in sources
        if (names := {n for n in _imported_modules(source) if n.split(".")[0] == "discord"})
    }
    assert offenders == {}
    for source in sources:
        text = source.read_text(encoding="utf-8")
        # a statement the AST walk cannot see (inside exec'd text, say) still starts a line
        assert not IMPORT_LINE.search(text), source
        # nor may a module name be handed to importlib as a string
        assert not DISCORD_STRING.search(text), source
