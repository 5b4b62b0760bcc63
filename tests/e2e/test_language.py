"""English and Spanish end to end (issue 16 section 1), read from what people see.

A member whose client speaks Spanish gets private replies in Spanish; a server set to
Spanish gets its public answers (with Spanish buttons) and its digest in Spanish whatever
the asker's locale; a fact-check without Spanish text is shown in English with one Spanish
line saying so; the synced commands carry es-ES / es-419 names the stand-in accepts.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.discord_ui import strings
from tests.e2e import harness
from tests.e2e.harness import World
from tests.e2e.test_moderation import (
    MOON,
    VOLCANO,
    flag_message,
    modlog_posts,
    reply_text,
    set_modlog,
    write_claim,
)
from tests.e2e.test_seams import any_reply, public_answer

pytestmark = pytest.mark.e2e

COMMANDS = ("factcheck", "settings", "flags", "digest", "Flag disputed claim")
SPANISH_MOON = """
+++ es
question = "¿La Luna está hecha de queso?"
verdict = "Falso"
aliases = ["la luna es de queso"]
+++

No: la Luna es roca y polvo, como prueban las muestras traídas de allí [1]

## Detalles

Más sobre el tema [1].
"""


@pytest.fixture
def world(world: World) -> World:
    write_claim(world.corpus, MOON)
    with (world.corpus / f"{MOON['id']}.md").open("a", encoding="utf-8") as handle:
        handle.write(SPANISH_MOON)
    write_claim(world.corpus, VOLCANO)  # no Spanish text
    return world


def labels(message: dict[str, Any]) -> list[str]:
    return [
        str(item.get("label"))
        for row in message.get("components") or []
        for item in row["components"]
        if item.get("label")
    ]


async def ask(world: World, question: str, *, private: bool = False, locale: str = "en-US") -> Any:
    options: dict[str, Any] = {"question": question}
    if private:
        options["private"] = True
    return await world.standin.slash(
        world.guild, world.channel, world.member, "factcheck", options, locale=locale
    )


async def set_language(world: World, value: str) -> str:
    ix = await world.standin.slash(
        world.guild, world.channel, world.manager, "settings", {"language": {"language": value}}
    )
    return await reply_text(ix)


async def test_a_spanish_speaking_member_gets_private_replies_in_spanish(world: World) -> None:
    async with harness.world_bot(world, COMMANDS):
        # A Spanish question, without its accents, finds the entry through its Spanish text.
        reply = await any_reply(
            await ask(world, "la luna esta hecha de queso", private=True, locale="es-419")
        )
        (embed,) = reply["embeds"]
        assert embed["title"] == "¿La Luna está hecha de queso?"
        assert embed["description"].startswith("**Veredicto:** Falso")
        assert "Fuentes" in labels(reply)
        assert "Análisis completo" in labels(reply)
        # The same question from an English client: English.
        reply = await any_reply(await ask(world, "Is the moon made of cheese?", private=True))
        assert reply["embeds"][0]["title"] == "Is the moon made of cheese?"
        assert "Sources" in labels(reply)
        # A refusal speaks the member's language too.
        ix = await world.standin.slash(
            world.guild, world.channel, world.member, "flags", {"list": {}}, locale="es-ES"
        )
        assert (await reply_text(ix)).startswith(
            "Lo siento, aquí solo pueden hacer eso quienes tienen el permiso **Gestionar mensajes**"
        )


async def test_a_server_set_to_spanish_answers_the_channel_in_spanish(world: World) -> None:
    async with harness.world_bot(world, COMMANDS):
        assert await set_language(world, "es") == strings.english("SETTINGS_LANGUAGE_SET").format(
            language="Spanish"
        )  # the manager's client is English
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        (embed,) = answer["embeds"]
        assert embed["title"] == "¿La Luna está hecha de queso?"
        assert "Fuentes" in labels(answer)
        assert "Útil" in labels(answer)
        assert embed["footer"]["text"].startswith("Las verificaciones de factdesk")

        # No Spanish text: the English entry, one Spanish line saying so, Spanish buttons.
        answer = await public_answer(await ask(world, "Do volcanoes emit more CO2 than humans?"))
        (embed,) = answer["embeds"]
        assert embed["title"] == "Do volcanoes emit more CO2 than humans?"
        assert embed["description"].startswith(
            "*Esta verificación todavía no está disponible en español: se muestra en inglés.*"
        )
        assert "Fuentes" in labels(answer)

        ix = await world.standin.slash(
            world.guild, world.channel, world.manager, "settings", {"show": {}}
        )
        assert (await reply_text(ix)).startswith("**Language:** Spanish")

        # The digest is public too: the preview shows what would be posted, in Spanish.
        ix = await world.standin.slash(
            world.guild, world.channel, world.manager, "digest", {"preview": {}}
        )
        (preview,) = await ix.followups(1, within=10)
        (digest,) = preview["embeds"]
        assert digest["title"].startswith("Resumen diario · ")
        assert digest["description"].startswith("Las últimas 24 horas en este servidor: ")

        # Back to auto: the server's preferred locale (en-US here) decides again.
        assert "English" in await set_language(world, "auto")
        answer = await public_answer(await ask(world, "Is the moon made of cheese?"))
        assert answer["embeds"][0]["title"] == "Is the moon made of cheese?"


async def test_synced_commands_carry_spanish_localisations(world: World) -> None:
    async with harness.world_bot(world, COMMANDS):
        synced = {c["name"]: c for c in world.standin.commands(world.guild)}
    factcheck = synced["factcheck"]
    assert factcheck["name_localizations"] == {"es-ES": "verificar", "es-419": "verificar"}
    assert factcheck["description_localizations"]["es-ES"].startswith("Busca una verificación")
    settings = synced["settings"]
    (language,) = [o for o in settings["options"] if o["name"] == "language"]
    assert language["name_localizations"]["es-419"] == "idioma"
    # The stand-in checked every localised name against Discord's rules (the standin
    # fixture fails the test on any violation).


async def test_the_mod_log_and_context_cards_speak_the_servers_language(world: World) -> None:
    async with harness.world_bot(world, COMMANDS):
        await set_modlog(world)
        await set_language(world, "es")
        answer, card = await flag_message(world, "is the moon made of cheese? my uncle says so")
        # The moderator's own reply follows their client (English)...
        assert answer.startswith("Flag #1 recorded")
        # ...the public card and the mod-log post follow the server (Spanish).
        assert card is not None
        assert card["embeds"][0]["title"] == "Contexto: ¿La Luna está hecha de queso?"
        (post,) = await modlog_posts(world, 1)
        assert post["embeds"][0]["title"] == "Impugnación n.º 1"
        assert "Confirmar" in labels(post)
