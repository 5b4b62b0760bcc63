"""The message catalogues: complete, consistent with the code, compiled, and used.

- every message in the template has a Spanish translation (every plural form), none fuzzy,
  with the same named placeholders as the English;
- the template is what extraction gives today, and each committed .mo is what its .po
  compiles to (the bot reads the .mo at run time, so a stale one would ship old text);
- no English literal is left in cogs/ or bot/discord_ui/ outside strings.py;
- the lookups: languages from Discord locales, plurals, contexts, the current language.
"""

from __future__ import annotations

import ast
import importlib.util
import string
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from babel.messages import pofile

from bot import i18n
from bot.discord_ui import strings
from bot.paths import PROJECT_ROOT

LOCALE = PROJECT_ROOT / "bot" / "locale"


def load_catalogues_tool() -> ModuleType:
    path = LOCALE / "catalogues.py"
    spec = importlib.util.spec_from_file_location("factdesk_catalogues", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> pofile.Catalog:
    with path.open("rb") as handle:
        return pofile.read_po(handle)


def fields(template: str) -> list[str]:
    """The named placeholders of a str.format template, with their format specs."""
    return sorted(
        f"{name}:{spec}" for _, name, spec, _ in string.Formatter().parse(template) if name
    )


def test_there_is_a_spanish_catalogue() -> None:
    tool = load_catalogues_tool()
    assert tool.languages() == ["es"]
    assert set(i18n.LANGUAGES) == {"en", *tool.languages()}


def test_every_message_has_a_spanish_translation_with_the_same_placeholders() -> None:
    template = read(LOCALE / "factdesk.pot")
    spanish = read(LOCALE / "es" / "LC_MESSAGES" / "factdesk.po")
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id, context=message.context)
        where = f"{message.context + ' | ' if message.context else ''}{message.id!r}"
        if translated is None:
            problems.append(f"missing: {where}")
            continue
        if translated.fuzzy:
            problems.append(f"fuzzy: {where}")
        english = str(message.id if isinstance(message.id, str) else message.id[-1])
        forms = translated.string if isinstance(translated.string, tuple) else (translated.string,)
        for form in forms:
            if not form:
                problems.append(f"empty: {where}")
            elif fields(str(form)) != fields(english):
                problems.append(f"placeholders differ: {where} -> {form!r}")
    assert problems == []
    assert len(template) > 300


def test_the_template_is_current_and_each_mo_is_its_po_compiled() -> None:
    tool = load_catalogues_tool()
    assert tool.check() == []


def test_every_message_in_strings_is_marked_for_extraction() -> None:
    """A constant added to strings.py without N_ would stay English in every language."""
    template = read(LOCALE / "factdesk.pot")
    ids = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in template}
    not_messages = {"FACTCHECK_COMMAND", "DIGEST_GROUP"}  # command names: COMMAND_NAMES
    missing = []
    for name in strings.names():
        value = strings.english(name)
        values = value.values() if isinstance(value, dict) else value
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, i18n.Plural):
            values = [value.singular]
        for text in values:
            key = (getattr(text, "context", None), str(text))
            if name not in not_messages and key not in ids:
                missing.append(f"{name}: {text!r}")
    assert missing == []


# --- no English left outside the catalogue --------------------------------------------------

SCANNED = [*sorted((PROJECT_ROOT / "cogs").glob("*.py")), *sorted(
    p for p in (PROJECT_ROOT / "bot" / "discord_ui").glob("*.py") if p.name != "strings.py"
)]  # fmt: skip
# Literals that are not for members: each with the reason it stays.
ALLOWED = {
    # a corpus problem, like the core's diagnostics: English file/field names for operators
    ": no fact-check found",
    # audit-log notes and internal states (the database, not a member)
    " fact-checks; ",
    " problems",
    "missed by ",
    "interrupted before confirmation; not found in the channel",
    # an assertion that cannot fire, and limits.py's developer errors
    "a local time recurs within three days",
    "limit must be at least 1",
    "field name ",
    "field value ",
    " embeds > ",
    "embed ",
    "embeds total ",
    "title ",
    "description ",
    " fields > ",
    "footer ",
    "author ",
    "total ",
    # a regular expression (numbered lines)
    r"^(\d+)\. ",
}
# Keyword arguments that reach a member's screen: a literal there is English on screen.
SHOWN = {"content", "label", "placeholder", "title", "description", "text", "value", "name"}
LOGGERS = {"debug", "info", "warning", "error", "exception", "critical", "bind"}


def english_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # docstrings
        is_call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        if is_call and node.func.attr in LOGGERS:  # type: ignore[attr-defined]
            skip.update(id(sub) for sub in ast.walk(node))
        if isinstance(node, ast.JoinedStr):
            skip.update(id(v) for v in node.values)  # reported once, as the f-string
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg in SHOWN
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                    and any(c.isupper() for c in value.value)  # lower-case: command names, ids
                ):
                    found.append(f"{path.name}:{node.lineno}: {keyword.arg}={value.value!r}")
        if id(node) in skip:
            continue
        texts: list[str] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        elif isinstance(node, ast.JoinedStr):
            texts = [str(v.value) for v in node.values if isinstance(v, ast.Constant)]
        for text in texts:
            if " " in text and any(c.isalpha() for c in text) and text not in ALLOWED:
                found.append(f"{path.name}:{getattr(node, 'lineno', '?')}: {text!r}")
    return found


def test_no_english_literal_is_left_in_cogs_or_renderers() -> None:
    found = [line for path in SCANNED for line in english_literals(path)]
    assert found == []


def test_the_scan_finds_a_literal(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Doc string, skipped."""\n'
        "log.info('a log line is not shown')\n"
        "await interaction.response.send_message('Thanks for asking')\n"
        "button = Button(label='Sources')\n"
        "note = f'Posted in {channel}'\n",
        encoding="utf-8",
    )
    found = english_literals(sample)
    assert len(found) == 3, found


# --- the lookups ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "language"),
    [("es-ES", "es"), ("es-419", "es"), ("es", "es"), ("en-US", "en"), ("en-GB", "en"),
     ("fr", "en"), ("pt-BR", "en"), (None, "en"), ("", "en")],
)  # fmt: skip
def test_language_for_a_discord_locale(locale: str | None, language: str) -> None:
    assert i18n.language_for(locale) == language


def test_translator_fills_named_placeholders_in_each_language() -> None:
    spanish = i18n.translator_for("es-419")
    assert spanish("Page {page} of {pages}", page=2, pages=3) == "Página 2 de 3"
    assert i18n.translator_for("en-US")("Page {page} of {pages}", page=2, pages=3) == (
        "Page 2 of 3"
    )
    assert spanish.ngettext("{count} question", "{count} questions", 1) == "{count} pregunta"
    assert spanish.ngettext("{count} question", "{count} questions", 5) == "{count} preguntas"
    # One English word, two meanings: a flag's status and what a moderator did.
    assert spanish.localise(strings.english("MOD_STATUS"))["upheld"] == "confirmada"
    assert spanish.localise(strings.english("MOD_ACTIONS"))["upheld"] == "la confirmó"


def test_strings_speak_the_current_language() -> None:
    assert strings.BUTTON_SOURCES == "Sources"
    with i18n.speaking("es-ES"):
        assert strings.BUTTON_SOURCES == "Fuentes"
        assert strings.DIGEST_QUESTIONS_ASKED(2).format(count=2) == "2 preguntas"
        assert strings.MOD_STATUS["open"] == "abierta"
        with i18n.speaking("en-US"):
            assert strings.BUTTON_SOURCES == "Sources"
        assert strings.BUTTON_SOURCES == "Fuentes"
    assert strings.BUTTON_SOURCES == "Sources"
    assert strings.DIGEST_QUESTIONS_ASKED(1).format(count=1) == "1 question"
    with pytest.raises(AttributeError):
        _ = strings.NO_SUCH_MESSAGE


def test_posts_found_again_at_start_are_recognised_in_either_language() -> None:
    """The digest and notification reconciles look for factdesk's own posts by their text;
    a server whose language changed since must not get a second post."""
    from datetime import date
    from types import SimpleNamespace

    from bot.discord_ui import digest, notify

    day = date(2026, 12, 3)
    with i18n.speaking("es"):
        spanish_footer = strings.DIGEST_FOOTER.format(date=day.isoformat())
        request_footer = notify.footer(7)
    assert spanish_footer != strings.DIGEST_FOOTER.format(date=day.isoformat())
    assert digest.is_digest_text("", [spanish_footer], day)
    assert not digest.is_digest_text("", ["something else"], day)
    message: Any = SimpleNamespace(
        embeds=[SimpleNamespace(footer=SimpleNamespace(text=request_footer))], content="<@5>"
    )
    assert notify.is_notification(message, 7, 5, in_dm=False)
    assert not notify.is_notification(message, 8, 5, in_dm=False)
