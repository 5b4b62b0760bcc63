"""The stand-in's extra rules and spec lookup, checked directly on request bodies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.standin import rules
from tests.standin.spec import Spec, default_spec_path

NO_PINGS: dict[str, list[str]] = {"parse": []}


def button(custom_id: str, label: str = "Go") -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": label, "custom_id": custom_id}


def row(*items: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(items)}


def test_embed_total_counts_every_text_part() -> None:
    embed = {
        "title": "t" * 10,
        "description": "d" * 20,
        "fields": [{"name": "n" * 3, "value": "v" * 4}],
        "footer": {"text": "f" * 5},
        "author": {"name": "a" * 6},
        "url": "https://example.org/not-counted",
    }
    assert rules.embed_size(embed) == 48


def test_embed_total_of_6000_passes_and_6001_fails() -> None:
    exact = {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2000}]}
    assert rules.message_problems({**exact, "allowed_mentions": NO_PINGS}, creates=True) == []
    over = {"embeds": [{"description": "d" * 4000}, {"title": "t", "description": "d" * 2000}]}
    problems = rules.message_problems({**over, "allowed_mentions": NO_PINGS}, creates=True)
    assert problems == ["Embed size exceeds maximum size of 6000 (got 6001)"]


def test_six_legacy_rows_fail_unless_components_v2() -> None:
    rows = [row(button(f"b{n}")) for n in range(6)]
    body = {"components": rows, "allowed_mentions": NO_PINGS}
    assert "6 action rows" in rules.message_problems(body, creates=True)[0]
    v2 = {**body, "flags": rules.COMPONENTS_V2_FLAG}
    assert rules.message_problems(v2, creates=True) == []


def test_custom_ids_unique_and_short_labels_short() -> None:
    body = {
        "components": [
            row(button("same"), button("x" * 101)),
            {"type": 17, "components": [{"type": 9, "accessory": button("same", "L" * 81)}]},
        ],
        "allowed_mentions": NO_PINGS,
    }
    problems = rules.message_problems(body, creates=True)
    assert any("custom_id 'same' is not unique" in p for p in problems)
    assert any("101 characters (max 100)" in p for p in problems)
    assert any("81 characters (max 80)" in p for p in problems)


@pytest.mark.parametrize(
    ("mentions", "expected"),
    [
        (None, "allowed_mentions missing"),
        ({"parse": ["everyone"]}, "parse must be []"),
        ({"parse": [], "users": ["1"]}, "users must be empty"),
        ({"parse": [], "replied_user": True}, "replied_user"),
        ({"parse": ["users"], "users": []}, "combined"),
    ],
)
def test_anything_that_could_ping_is_a_problem(mentions: Any, expected: str) -> None:
    body: dict[str, Any] = {"content": "@everyone"}
    if mentions is not None:
        body["allowed_mentions"] = mentions
    assert any(expected in p for p in rules.message_problems(body, creates=True))


@pytest.mark.parametrize(
    ("content", "users", "ok"),
    [
        ("<@1> your fact-check is ready", ["1"], True),
        ("<@1> your fact-check is ready", [1], True),
        ("your fact-check is ready", ["1"], False),  # pings someone the text does not name
        ("<@1> and <@2>", ["1", "2"], False),  # more than one member
        ("<@2> your fact-check is ready", ["1"], False),
    ],
)
def test_a_notification_may_ping_the_one_member_it_names(
    content: str, users: list[Any], ok: bool
) -> None:
    body = {"content": content, "allowed_mentions": {"parse": [], "users": users}}
    assert (rules.message_problems(body, creates=True) == []) is ok
    assert rules.pinged_users(body) == [str(u) for u in users]


def test_component_only_edit_needs_no_allowed_mentions() -> None:
    assert rules.message_problems({"components": [row(button("a"))]}, creates=False) == []
    assert rules.message_problems({"content": "new"}, creates=False) != []


def test_autocomplete_limits() -> None:
    ok = {"choices": [{"name": "n" * 100, "value": "v"}] * 25}
    assert rules.autocomplete_problems(ok) == []
    assert rules.autocomplete_problems({"choices": ok["choices"] * 2})[0].startswith(
        "autocomplete: 50 choices"
    )
    assert rules.autocomplete_problems({"choices": [{"name": "", "value": "v"}]}) != []


@pytest.mark.parametrize(
    ("command", "ok"),
    [
        ({"name": "factcheck", "description": "Ask"}, True),
        ({"name": "fact-check_2", "description": "Ask"}, True),
        ({"name": "vérifier", "description": "Demander"}, True),
        ({"name": "FactCheck", "description": "Ask"}, False),
        ({"name": "fact check", "description": "Ask"}, False),
        ({"name": "x" * 33, "description": "Ask"}, False),
        ({"name": "factcheck", "description": ""}, False),
        ({"name": "factcheck", "description": "d" * 101}, False),
        (
            {"name": "f", "description": "d", "options": [{"name": "Bad", "description": "d"}]},
            False,
        ),
        ({"name": "Fact-check this message", "type": 3, "description": ""}, True),
    ],
)
def test_command_names_and_descriptions(command: dict[str, Any], ok: bool) -> None:
    assert (rules.command_problems(command) == []) is ok


def test_spec_prefers_literal_paths_and_reports_deep_errors() -> None:
    spec = Spec.load(default_spec_path())
    found = spec.find("PATCH", "/webhooks/1/tok/messages/@original")
    assert found is not None
    assert found[0].template == "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
    operation, params = spec.find("POST", "/channels/42/messages") or (None, {})
    assert operation is not None
    assert params == {"channel_id": "42"}
    assert spec.validate(operation, {"content": "hi", "message_reference": {"message_id": 7}}) == []
    [error] = spec.validate(operation, {"content": "hi", "embeds": [{"title": "t" * 257}]})
    assert error.startswith("['embeds'][0]['title']:")


def test_spec_leniencies_for_what_discord_accepts() -> None:
    spec = Spec.load(default_spec_path())
    found = spec.find("PUT", "/applications/1/guilds/2/commands")
    assert found is not None
    option = {"type": 7, "name": "where", "description": "d", "channel_types": [0, 16]}
    command = {"name": "pick", "description": "d", "options": [option]}
    assert spec.validate(found[0], [command]) == []
    option["channel_types"] = [99]
    [error] = spec.validate(found[0], [command])
    assert "['channel_types'][0]: 99 is not valid under any of the given schemas" in error


def localised(name: str, description: str = "Ask", **extra: Any) -> dict[str, Any]:
    return {"name": name, "description": description, **extra}


@pytest.mark.parametrize(
    ("command", "ok"),
    [
        (localised("factcheck", name_localizations={"es-ES": "verificar"}), True),
        (localised("factcheck", name_localizations={"es-419": "zona-horaria_2"}), True),
        (localised("factcheck", name_localizations={"es-ES": "Verificar"}), False),
        (localised("factcheck", name_localizations={"es-ES": "verificar algo"}), False),
        (localised("factcheck", name_localizations={"es-ES": "v" * 33}), False),
        (localised("factcheck", name_localizations={"es": "verificar"}), False),
        (localised("factcheck", description_localizations={"es-ES": "d" * 101}), False),
        (localised("factcheck", description_localizations={"es-ES": ""}), False),
        (localised("factcheck", description_localizations={"es-419": "Pregunta"}), True),
        (
            localised(
                "f",
                options=[
                    localised("a", name_localizations={"es-ES": "uno"}),
                    localised("b", name_localizations={"es-ES": "uno"}),
                ],
            ),
            False,
        ),
        (
            localised(
                "f",
                options=[localised("a", name_localizations={"es-ES": "b"}), localised("b")],
            ),
            False,
        ),
        (
            localised(
                "f",
                options=[
                    localised(
                        "o",
                        choices=[{"name": "x", "value": 1, "name_localizations": {"es-ES": ""}}],
                    )
                ],
            ),
            False,
        ),
        (
            {
                "name": "Fact-check this message",
                "type": 3,
                "description": "",
                "name_localizations": {"es-ES": "Verificar este mensaje"},
            },
            True,
        ),
        (
            {"name": "Menu", "type": 3, "description": "", "name_localizations": {"es-ES": ""}},
            False,
        ),
    ],
)
def test_command_localisations(command: dict[str, Any], ok: bool) -> None:
    assert (rules.command_problems(command) == []) is ok


def test_localised_top_level_names_are_unique_per_type() -> None:
    a = localised("a", name_localizations={"es-ES": "igual"})
    b = localised("b", name_localizations={"es-ES": "igual"})
    menu = {"name": "igual", "type": 3, "description": ""}
    assert rules.localised_name_clashes([a, b]) != []
    assert rules.localised_name_clashes([a, menu]) == []
