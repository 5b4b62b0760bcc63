"""The synced commands carry Spanish names and descriptions for es-ES and es-419 (issue 16).

Every cog is loaded and each command's payload built the way ``tree.sync`` builds it, with
factdesk's :class:`~bot.discord_ui.translator.CommandTranslator`; the payloads must pass
the stand-in's rules (Discord's name rules per locale, unique among siblings) and every name,
description and choice must be localised in both Spanish locales.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.discord_ui import strings
from bot.discord_ui.translator import CommandTranslator, described, translate
from tests.standin import rules

SPANISH = ("es-ES", "es-419")


@pytest.fixture
async def payloads(loaded_bot: Any) -> list[dict[str, Any]]:
    """Every synced command's payload as ``tree.sync`` sends it, translations included."""
    translator = CommandTranslator()
    return [
        await command.get_translated_payload(loaded_bot.tree, translator)
        for command in loaded_bot.tree.get_commands()
    ]


def walk(item: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    here = f"{path}{item['name']}"
    yield here, item
    for option in item.get("options") or []:
        yield from walk(option, f"{here} ")


async def test_synced_commands_pass_the_rules_and_are_spanish_in_both_locales(
    payloads: list[dict[str, Any]],
) -> None:
    problems = [p for payload in payloads for p in rules.command_problems(payload)]
    problems += rules.localised_name_clashes(payloads)
    for payload in payloads:
        for where, item in walk(payload):
            for locale in SPANISH:
                if locale not in (item.get("name_localizations") or {}):
                    problems.append(f"{where}: no {locale} name")
                if item.get("description") and locale not in (
                    item.get("description_localizations") or {}
                ):
                    problems.append(f"{where}: no {locale} description")
                for choice in item.get("choices") or []:
                    if locale not in (choice.get("name_localizations") or {}):
                        problems.append(f"{where} choice {choice['name']!r}: no {locale} name")
            # No other language pretends to be translated.
            assert set(item.get("name_localizations") or {}) <= set(SPANISH)
    assert problems == []


async def test_the_spanish_names_read_as_spanish(payloads: list[dict[str, Any]]) -> None:
    by_name = {payload["name"]: payload for payload in payloads}
    factcheck = by_name["factcheck"]
    assert factcheck["name_localizations"] == {"es-ES": "verificar", "es-419": "verificar"}
    assert factcheck["description_localizations"]["es-419"].startswith("Busca una verificación")
    question = next(o for o in factcheck["options"] if o["name"] == "question")
    assert question["name_localizations"]["es-ES"] == "pregunta"
    menu = by_name[strings.english("MESSAGE_MENU_NAME")]
    assert menu["name_localizations"]["es-ES"] == "Verificar este mensaje"
    # A description filled with values at declaration is filled the same in Spanish.
    settings = by_name["settings"]
    threshold = next(o for o in settings["options"] if o["name"] == "threshold")
    value = threshold["options"][0]
    assert value["description"].startswith("A confidence from 0.3 to 0.95")
    assert value["description_localizations"]["es-ES"].startswith("Una confianza de 0.3 a 0.95")
    feeds = by_name["feeds"]
    assert feeds["name_localizations"] == {"es-ES": "fuentes", "es-419": "fuentes"}
    add = next(o for o in feeds["options"] if o["name"] == "add")
    assert add["name_localizations"]["es-419"] == "agregar"
    assert add["options"][0]["name_localizations"]["es-ES"] == "enlace"
    assert add["description_localizations"]["es-ES"].startswith("Agrega una fuente")


def test_english_locales_and_unknown_strings_get_no_localisation() -> None:
    where = app_commands.TranslationContextLocation.command_description
    known = app_commands.locale_str(strings.english("FACTCHECK_DESCRIPTION"))
    assert translate(known, discord.Locale.american_english, where) is None
    assert translate(known, discord.Locale.french, where) is None
    assert (
        translate(
            app_commands.locale_str("Not in the catalogue"), discord.Locale.spain_spanish, where
        )
        is None
    )
    filled = described("Page {page} of {pages}", page=1, pages=2)
    assert filled.message == "Page 1 of 2"
    assert translate(filled, discord.Locale.latin_american_spanish, where) == "Página 1 de 2"
