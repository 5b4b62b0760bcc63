"""factdesk's languages: which catalogue speaks, and the lookups that use it.

The messages are English source strings (``bot/discord_ui/strings.py`` holds them all, marked
with :func:`N_` for extraction); their translations live in gettext catalogues under
``bot/locale/<lang>/LC_MESSAGES/factdesk.po``, compiled to the ``.mo`` next to them, which the
standard library's :mod:`gettext` reads at run time (Babel, a development tool only, extracts
and compiles them: docs/i18n.md).

Which language an interaction speaks is this task's *current language* (a context variable):
:func:`bot.interactions.begin` sets it from the member's client locale, so private replies
follow the member; the code that posts publicly (answers, digests) switches with
:func:`speaking` to the server's language. Reading ``strings.SOME_MESSAGE`` gives the
message in the current language.
"""

from __future__ import annotations

import contextvars
import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

from bot.logs import get_logger

log = get_logger(__name__)

DOMAIN: Final = "factdesk"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE: Final = "en"
# English is the source language (the msgids); every other one has a catalogue.
LANGUAGES: Final = ("en", "es")
# Discord client locales (https://discord.com/developers/docs/reference#locales) per language.
DISCORD_LOCALES: Final[Mapping[str, tuple[str, ...]]] = {
    "en": ("en-US", "en-GB"),
    "es": ("es-ES", "es-419"),
}
# The msgctxt of command, group and option names (short, lower case, Discord's name rules),
# which keeps them apart from display strings that happen to read the same.
NAME_CONTEXT: Final = "command name"


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is looked up later, in the language then current."""
    return message


class InContext(str):
    """An English message with a gettext context (msgctxt): the same English words that mean
    different things ("upheld": a flag's status, or what a moderator did) translate apart."""

    context: str

    def __new__(cls, context: str, message: str) -> InContext:
        made = super().__new__(cls, message)
        made.context = context
        return made


def NC_(context: str, message: str) -> InContext:
    """Mark ``message`` with a gettext context (msgctxt) for extraction."""
    return InContext(context, message)


@dataclass(frozen=True)
class Plural:
    """A message with a singular and a plural form, chosen by a count (``ngettext``).

    Calling it gives the form for ``count`` in the current language (still a template)."""

    singular: str
    plural: str

    def __call__(self, count: int) -> str:
        return current().ngettext(self.singular, self.plural, count)


def NP_(singular: str, plural: str) -> Plural:
    """Mark a singular/plural pair for extraction (``ngettext`` style)."""
    return Plural(singular, plural)


def language_for(locale: object) -> str:
    """The factdesk language for a Discord locale (``es-ES``, ``es-419``: Spanish), a
    language code (``es``, ``en``), or None; anything else is English."""
    code = str(getattr(locale, "value", locale) or "").strip().lower().replace("_", "-")
    base = code.split("-", 1)[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def server_language(setting: str | None, preferred_locale: object) -> str:
    """The language of a server's public posts: its ``/settings language`` choice, or on
    auto (None) its preferred locale's language."""
    return setting if setting in LANGUAGES else language_for(preferred_locale)


class LanguageSettings(Protocol):
    async def guild_language(self, guild_id: int) -> str | None: ...


async def language_of_server(
    settings: LanguageSettings, guild_id: int | None, preferred_locale: object
) -> str:
    """:func:`server_language` with the setting read from the store; a store that fails
    leaves the preferred locale's language (the post still goes out)."""
    setting = None
    if guild_id is not None:
        try:
            setting = await settings.guild_language(guild_id)
        except Exception:
            log.exception("could not read the server's language")
    return server_language(setting, preferred_locale)


@cache
def _catalogue(language: str) -> gettext.NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    # fallback=False: a missing compiled catalogue is a packaging bug, not a quiet English.
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


class Translator:
    """Lookups in one language: ``t("Hello {name}", name=...)``, ``t.ngettext(...)``."""

    def __init__(self, language: str) -> None:
        self.language = language_for(language)
        self._catalogue = _catalogue(self.language)

    def __repr__(self) -> str:
        return f"Translator({self.language!r})"

    def gettext(self, message: str) -> str:
        return self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._catalogue.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self._catalogue.pgettext(context, message)

    def __call__(self, message: str, /, **values: Any) -> str:
        """``message`` in this language, its named placeholders filled from ``values``."""
        text = self.gettext(message)
        return text.format(**values) if values else text

    def localise(self, value: Any) -> Any:
        """A message from ``strings`` in this language: a string, or a mapping of them
        (translated value by value); a :class:`Plural` picks its language when called."""
        if isinstance(value, InContext):
            return self.pgettext(value.context, value)
        if isinstance(value, str):
            return self.gettext(value)
        if isinstance(value, Mapping):
            return {key: self.localise(item) for key, item in value.items()}
        if isinstance(value, tuple):
            return tuple(self.localise(item) for item in value)
        return value


def translator_for(locale: object) -> Translator:
    """The :class:`Translator` for a Discord locale or language code (see :func:`language_for`)."""
    return _translator(language_for(locale))


@cache
def _translator(language: str) -> Translator:
    return Translator(language)


_current: contextvars.ContextVar[str] = contextvars.ContextVar(
    "factdesk_language", default=DEFAULT_LANGUAGE
)


def current() -> Translator:
    """The translator of the current language (English unless set)."""
    return translator_for(_current.get())


def current_language() -> str:
    return _current.get()


def set_language(locale: object) -> None:
    """Make ``locale``'s language current for the rest of this task (an interaction's
    private replies: see :func:`bot.interactions.begin`)."""
    _current.set(language_for(locale))


@contextmanager
def speaking(locale: object) -> Iterator[Translator]:
    """Speak ``locale``'s language inside the block (a public post), then go back."""
    token = _current.set(language_for(locale))
    try:
        yield current()
    finally:
        _current.reset(token)
