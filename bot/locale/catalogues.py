"""Extract, update, compile and check factdesk's message catalogues (a development tool).

Usage, from the repository root (Babel is a development dependency; the bot itself reads the
compiled ``.mo`` files with the standard library, see :mod:`bot.i18n` and docs/i18n.md):

    .venv/bin/python bot/locale/catalogues.py extract   # bot/ and cogs/ -> factdesk.pot
    .venv/bin/python bot/locale/catalogues.py update    # merge the .pot into every .po
    .venv/bin/python bot/locale/catalogues.py compile   # every .po -> its .mo (committed)
    .venv/bin/python bot/locale/catalogues.py check     # all of the above is up to date
    .venv/bin/python bot/locale/catalogues.py init LANG # start a new language
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from babel.messages import frontend, mofile, pofile

LOCALE_DIR = Path(__file__).resolve().parent
ROOT = LOCALE_DIR.parent.parent
DOMAIN = "factdesk"
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
# The markers of bot/i18n.py: N_(message), NP_(singular, plural), NC_(context, message).
KEYWORDS = ["-k", "N_", "-k", "NP_:1,2", "-k", "NC_:1c,2"]


def _babel(*args: str) -> None:
    frontend.CommandLineInterface().run(["pybabel", "-q", *args])


def languages() -> list[str]:
    return sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(output: Path = TEMPLATE) -> None:
    _babel(
        "extract", "--no-default-keywords", *KEYWORDS, "--no-wrap", "--no-location",
        "--omit-header", "-o", str(output), str(ROOT / "bot"), str(ROOT / "cogs"),
    )  # fmt: skip
    # Paths relative to the repository, whatever the checkout is called.
    text = output.read_text(encoding="utf-8").replace(f"{ROOT}/", "")
    output.write_text(text, encoding="utf-8")


def update() -> None:
    _babel("update", "-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-D", DOMAIN, "--no-wrap",
           "--ignore-obsolete", "--no-fuzzy-matching")  # fmt: skip


def compiled(language: str) -> bytes:
    """The .mo that ``language``'s .po compiles to (fuzzy entries left out)."""
    with po_path(language).open("rb") as handle:
        catalog = pofile.read_po(handle, locale=language, domain=DOMAIN)
    out = io.BytesIO()
    mofile.write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_all() -> None:
    for language in languages():
        po_path(language).with_suffix(".mo").write_bytes(compiled(language))


def check() -> list[str]:
    """What is out of date: the template against the code, each .mo against its .po."""
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "fresh.pot"
        extract(fresh)
        if fresh.read_text(encoding="utf-8") != TEMPLATE.read_text(encoding="utf-8"):
            problems.append(f"{TEMPLATE.relative_to(ROOT)} is stale: run `extract` and `update`")
    for language in languages():
        mo = po_path(language).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(language):
            problems.append(f"{mo.relative_to(ROOT)} does not match its .po: run `compile`")
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "init" and len(argv) == 2:
        _babel("init", "-i", str(TEMPLATE), "-d", str(LOCALE_DIR), "-D", DOMAIN, "-l", argv[1],
               "--no-wrap")  # fmt: skip
    elif command == "check":
        problems = check()
        print("\n".join(problems) or "catalogues up to date")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
