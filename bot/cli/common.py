"""Pieces every ``factdesk`` sub-command shares: loading the settings, echoing text safely.

:func:`load_settings` is how a command builds :class:`bot.settings.Settings`: invalid
settings (a pydantic ``ValidationError`` or pydantic-settings' ``SettingsError``) become a
:class:`CliError` whose message is one line naming the variable, which :func:`bot.cli.main`
prints before exiting 2. ``factdesk doctor`` uses :func:`settings_problems` to list them all.

:func:`shown` is how a command echoes text it did not write (a question, a path): control
characters are made visible, lone surrogates replaced and long text shortened.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings

EXIT_BAD_SETTINGS = 2
# An echoed question longer than this is cut, with an ellipsis.
ECHO_LIMIT = 200
_SURROGATE = re.compile("[\ud800-\udfff]")
_SETTINGS_FIELD = re.compile(r'field "(?P<field>[^"]+)"')
# Bidirectional overrides and isolates reorder the rest of a terminal line.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


class CliError(Exception):
    """A problem to report in one line (the message) and exit with ``code``; no traceback."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SettingProblem:
    """One invalid setting: the variable, what is wrong with it and how to fix it."""

    variable: str
    problem: str
    fix: str

    def line(self) -> str:
        return f"{self.variable}: {self.problem}; {self.fix}"


def env_name(field: str) -> str:
    return f"FACTDESK_{field.upper()}"


def _fix_for(field: str) -> str:
    from bot.settings import Settings

    annotation = (
        str(Settings.model_fields[field].annotation) if field in Settings.model_fields else ""
    )
    if "list" in annotation:
        example = "a JSON list, e.g. [123456789012345678, 234567890123456789]"
        return f"write {env_name(field)} as {example} (environment or .env)"
    return f"correct {env_name(field)} in the environment or .env (see docs/configuration.md)"


def settings_problems(error: Exception) -> list[SettingProblem]:
    """What ``Settings()`` raising ``error`` means, one :class:`SettingProblem` per variable."""
    from pydantic import ValidationError

    if isinstance(error, ValidationError):
        problems = []
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            value = item.get("input")
            got = f" (got {shown(str(value), 40)!r})" if isinstance(value, str) else ""
            problems.append(SettingProblem(env_name(field), f"{item['msg']}{got}", _fix_for(field)))
        return problems
    # pydantic-settings' SettingsError: a complex value (a list) that is not valid JSON.
    found = _SETTINGS_FIELD.search(str(error))
    field = found.group("field") if found else "?"
    cause = f" ({error.__cause__})" if error.__cause__ is not None else ""
    return [SettingProblem(env_name(field), f"cannot parse the value{cause}", _fix_for(field))]


def settings_errors() -> tuple[type[Exception], ...]:
    """The exceptions ``Settings()`` raises for a bad value."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    return (ValidationError, SettingsError)


def load_settings() -> Settings:
    """``Settings()``, or :class:`CliError` with one line naming the first bad variable."""
    from bot.settings import Settings

    try:
        return Settings()
    except settings_errors() as error:
        problems = settings_problems(error)
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CliError(
            f"error: bad setting {problems[0].line()}{more}; `factdesk doctor` lists every problem",
            EXIT_BAD_SETTINGS,
        ) from None


def corpus_setting() -> Path:
    """``FACTDESK_CORPUS_DIR`` (environment or .env, as ``Settings`` reads it), else the bundle.

    Only this one variable is read, so ``factdesk ask`` works even when an unrelated setting
    is broken; a bad value here is a :class:`CliError`.
    """
    from pydantic import Field
    from pydantic_settings import BaseSettings

    from bot.settings import Settings

    class _CorpusOnly(BaseSettings):
        model_config = Settings.model_config
        corpus_dir: Path = Field(default=Settings.model_fields["corpus_dir"].default)

    try:
        return _CorpusOnly().corpus_dir
    except settings_errors() as error:
        raise CliError(f"error: bad setting {settings_problems(error)[0].line()}") from None


def clean_unicode(text: str) -> str:
    """``text`` with lone surrogates (unencodable in UTF-8) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def shown(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` safe to echo on a terminal: control characters escaped, at most ``limit`` chars.

    Newlines and tabs become spaces; other control characters (escape sequences) and bidi
    overrides are written as ``\\xNN`` / ``\\uNNNN``; lone surrogates become U+FFFD.
    """
    parts = []
    for char in clean_unicode(text):
        if char in "\n\r\t":
            parts.append(" ")
        elif unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
            code = ord(char)
            parts.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            parts.append(char)
    result = "".join(parts)
    if len(result) > limit:
        result = result[: limit - 1].rstrip() + "…"
    return result
