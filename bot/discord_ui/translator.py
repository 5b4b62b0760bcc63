"""Command localisation: discord.py's :class:`~discord.app_commands.Translator` over
factdesk's catalogues, so synced commands carry ``name_localizations`` and
``description_localizations`` (Spanish for ``es-ES`` and ``es-419``).

The English strings the cogs declare (``strings.*`` descriptions and choices, literal names)
are the msgids. Names of slash commands, groups and options are looked up in the names'
context (:data:`bot.i18n.NAME_CONTEXT`, Discord's name rules); context-menu names,
descriptions and choices are display strings.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot import i18n

_NAME_LOCATIONS = frozenset(
    {
        app_commands.TranslationContextLocation.command_name,
        app_commands.TranslationContextLocation.group_name,
        app_commands.TranslationContextLocation.parameter_name,
    }
)


def described(template: str, **values: Any) -> app_commands.locale_str:
    """A description filled from ``values`` at declaration (``template`` is English); each
    language fills its own translation of ``template`` with the same values."""
    return app_commands.locale_str(template.format(**values), template=template, values=values)


class CommandTranslator(app_commands.Translator):
    """Translations of factdesk's command names, descriptions and choices."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContext[Any, Any],
    ) -> str | None:
        return translate(string, locale, context.location, context.data)


def translate(
    string: app_commands.locale_str,
    locale: discord.Locale,
    location: app_commands.TranslationContextLocation,
    data: Any = None,
) -> str | None:
    """``string`` in ``locale``'s language, or None where English stands (discord.py then
    sends no localisation for that locale)."""
    language = i18n.language_for(locale)
    if language == i18n.DEFAULT_LANGUAGE or locale.value not in i18n.DISCORD_LOCALES[language]:
        return None
    translator = i18n.translator_for(language)
    template: str = string.extras.get("template", string.message)
    if location in _NAME_LOCATIONS and not isinstance(data, app_commands.ContextMenu):
        translated = translator.pgettext(i18n.NAME_CONTEXT, template)
    else:
        translated = translator.gettext(template)
    if translated == template:
        return None
    values = string.extras.get("values")
    return translated.format(**values) if values else translated
