"""The rules Discord enforces that its OpenAPI spec does not express, plus factdesk's own.

Each check takes a request body (already parsed JSON) and returns human-readable problems;
an empty list means the body passes. Sources: ``../shared/discord/README.md`` and the team
rule that nothing the bot sends may ping anyone.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

EMBED_TOTAL = 6000
LEGACY_ACTION_ROWS = 5
COMPONENTS_V2_FLAG = 1 << 15
CUSTOM_ID_MAX = 100
LABEL_MAX = 80
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME_MAX = 100
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
CHAT_INPUT = 1
# https://discord.com/developers/docs/reference#locales: the keys a localisation may use.
DISCORD_LOCALES = frozenset(
    [
        "id",
        "da",
        "de",
        "en-GB",
        "en-US",
        "es-ES",
        "es-419",
        "fr",
        "hr",
        "it",
        "lt",
        "hu",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "fi",
        "sv-SE",
        "vi",
        "tr",
        "cs",
        "el",
        "bg",
        "ru",
        "uk",
        "hi",
        "th",
        "zh-CN",
        "ja",
        "zh-TW",
        "ko",
    ]
)


def embed_size(embed: dict[str, Any]) -> int:
    """Characters of one embed that count towards Discord's 6000 total."""
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    return size


def iter_components(items: list[Any] | None) -> Iterator[dict[str, Any]]:
    """Every component in a tree (action rows, containers, sections, labels, accessories)."""
    for item in items or []:
        if not isinstance(item, dict):
            continue
        yield item
        yield from iter_components(item.get("components"))
        if isinstance(item.get("accessory"), dict):
            yield from iter_components([item["accessory"]])
        if isinstance(item.get("component"), dict):
            yield from iter_components([item["component"]])


def message_problems(body: dict[str, Any], *, creates: bool) -> list[str]:
    """Problems of a message create/edit body (channel message, webhook, callback data).

    ``creates`` is true for a new message; edits that only change components (disabling a
    button) carry nothing that could ping, so they need no ``allowed_mentions``.
    """
    problems: list[str] = []
    embeds = body.get("embeds") or []
    total = sum(embed_size(embed) for embed in embeds if isinstance(embed, dict))
    if total > EMBED_TOTAL:
        problems.append(f"Embed size exceeds maximum size of {EMBED_TOTAL} (got {total})")

    components = body.get("components") or []
    flags = body.get("flags") or 0
    if not flags & COMPONENTS_V2_FLAG:
        rows = [c for c in components if isinstance(c, dict) and c.get("type") == 1]
        if len(rows) > LEGACY_ACTION_ROWS:
            problems.append(
                f"components: {len(rows)} action rows, at most {LEGACY_ACTION_ROWS} allowed"
            )
    seen: set[str] = set()
    for component in iter_components(components):
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                problems.append(f"components: custom_id {custom_id!r} is not unique")
            seen.add(custom_id)
            if len(custom_id) > CUSTOM_ID_MAX:
                problems.append(
                    f"components: custom_id {custom_id[:40]!r}... is {len(custom_id)} "
                    f"characters (max {CUSTOM_ID_MAX})"
                )
        label = component.get("label")
        if isinstance(label, str) and len(label) > LABEL_MAX:
            problems.append(
                f"components: label {label[:40]!r}... is {len(label)} characters (max {LABEL_MAX})"
            )

    problems.extend(_mention_problems(body, required=creates or _may_ping(body)))
    return problems


def pinged_users(body: dict[str, Any]) -> list[str]:
    """The user ids a message may ping: ``allowed_mentions.users`` (ids as strings)."""
    mentions = body.get("allowed_mentions") or {}
    return [str(user) for user in mentions.get("users") or []]


def _may_ping(body: dict[str, Any]) -> bool:
    return bool(body.get("content")) or bool(body.get("embeds"))


def _mention_problems(body: dict[str, Any], *, required: bool) -> list[str]:
    mentions = body.get("allowed_mentions")
    if mentions is None:
        if required:
            return ["allowed_mentions missing: every message must send {'parse': []}"]
        return []
    problems: list[str] = []
    parse = mentions.get("parse")
    if parse != []:
        problems.append(f"allowed_mentions.parse must be [] (nothing pings), got {parse!r}")
    for key in ("users", "roles"):
        if mentions.get(key) and not (key == "users" and _pings_one_mentioned(body)):
            problems.append(f"allowed_mentions.{key} must be empty, got {mentions[key]!r}")
        if parse and key in parse and key in mentions:
            problems.append(f"allowed_mentions: parse {key!r} combined with a {key} list")
    if mentions.get("replied_user"):
        problems.append("allowed_mentions.replied_user must not be true (nothing pings)")
    return problems


def _pings_one_mentioned(body: dict[str, Any]) -> bool:
    """The one exception to "nothing pings": a notification to one member, whose mention
    is in the content (factdesk telling a requester their fact-check exists)."""
    users = pinged_users(body)
    return len(users) == 1 and f"<@{users[0]}>" in str(body.get("content") or "")


def autocomplete_problems(data: dict[str, Any]) -> list[str]:
    choices = data.get("choices") or []
    problems: list[str] = []
    if len(choices) > AUTOCOMPLETE_CHOICES:
        problems.append(f"autocomplete: {len(choices)} choices, at most {AUTOCOMPLETE_CHOICES}")
    for choice in choices:
        name = choice.get("name") if isinstance(choice, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_MAX:
            problems.append(f"autocomplete: choice name {name!r} must be 1-100 characters")
        value = choice.get("value") if isinstance(choice, dict) else None
        if isinstance(value, str) and len(value) > CHOICE_NAME_MAX:
            problems.append(f"autocomplete: choice value {value[:40]!r}... exceeds 100")
    return problems


def _name_char_ok(char: str) -> bool:
    if char in "-_'":
        return True
    category = unicodedata.category(char)
    if category[0] in "LN":
        return True
    # Devanagari and Thai combining marks are allowed too (\p{sc=Deva}, \p{sc=Thai}).
    return "\u0900" <= char <= "\u097f" or "\u0e00" <= char <= "\u0e7f"


def command_problems(command: dict[str, Any]) -> list[str]:
    """Name and description rules of one application command (and its options)."""
    problems: list[str] = []
    kind = command.get("type") or CHAT_INPUT
    name = command.get("name") or ""
    if kind == CHAT_INPUT:
        problems.extend(_name_rules(name, "command"))
        problems.extend(_description_rules(command.get("description"), f"command {name!r}"))
        problems.extend(_localisation_problems(command, f"command {name!r}", strict=True))
        options = command.get("options") or []
        for option in options:
            problems.extend(_option_problems(option, f"command {name!r}"))
        problems.extend(_sibling_problems(options, f"command {name!r}"))
    else:
        if not 1 <= len(name) <= COMMAND_NAME_MAX:
            problems.append(f"command name {name!r} must be 1-{COMMAND_NAME_MAX} characters")
        problems.extend(_localisation_problems(command, f"command {name!r}", strict=False))
    return problems


def _option_problems(option: dict[str, Any], where: str) -> list[str]:
    name = option.get("name") or ""
    problems = _name_rules(name, f"{where} option")
    problems.extend(_description_rules(option.get("description"), f"{where} option {name!r}"))
    problems.extend(_localisation_problems(option, f"{where} option {name!r}", strict=True))
    for choice in option.get("choices") or []:
        for locale, text in (choice.get("name_localizations") or {}).items():
            if locale not in DISCORD_LOCALES:
                problems.append(f"{where} option {name!r} choice: unknown locale {locale!r}")
            if not isinstance(text, str) or not 1 <= len(text) <= CHOICE_NAME_MAX:
                problems.append(
                    f"{where} option {name!r} choice {locale}: name must be "
                    f"1-{CHOICE_NAME_MAX} characters"
                )
    subs = option.get("options") or []
    for sub in subs:
        problems.extend(_option_problems(sub, f"{where} option {name!r}"))
    problems.extend(_sibling_problems(subs, f"{where} option {name!r}"))
    return problems


def _localisation_problems(item: dict[str, Any], what: str, *, strict: bool) -> list[str]:
    """``name_localizations`` and ``description_localizations``: known locales, and each
    localised name under the same rules as the name itself (``strict``: a slash command's or
    an option's; else a context menu's, 1-32 characters of any kind)."""
    problems: list[str] = []
    names = item.get("name_localizations") or {}
    descriptions = item.get("description_localizations") or {}
    for field, found in (
        ("name_localizations", names),
        ("description_localizations", descriptions),
    ):
        if not isinstance(found, dict):
            problems.append(f"{what}: {field} must be an object")
            continue
        problems.extend(
            f"{what}: {field} has an unknown locale {locale!r}"
            for locale in found
            if locale not in DISCORD_LOCALES
        )
    if not isinstance(names, dict) or not isinstance(descriptions, dict):
        return problems
    for locale, name in names.items():
        if not isinstance(name, str):
            problems.append(f"{what} {locale}: the name must be a string")
        elif strict:
            problems.extend(_name_rules(name, f"{what} {locale}"))
        elif not 1 <= len(name) <= COMMAND_NAME_MAX:
            problems.append(f"{what} {locale}: name must be 1-{COMMAND_NAME_MAX} characters")
    for locale, description in descriptions.items():
        if strict or description:
            problems.extend(_description_rules(description, f"{what} {locale}"))
    return problems


def localised_name_clashes(commands: list[dict[str, Any]]) -> list[str]:
    """Top-level commands of one type are unique by name in every locale too."""
    problems: list[str] = []
    for kind in {command.get("type") or CHAT_INPUT for command in commands}:
        same = [command for command in commands if (command.get("type") or CHAT_INPUT) == kind]
        problems.extend(
            problem.replace("two options", "two commands")
            for problem in _sibling_problems(same, f"commands of type {kind}")
        )
    return problems


def _sibling_problems(siblings: list[dict[str, Any]], where: str) -> list[str]:
    """Names are unique among siblings in every locale (a localised name, or the default)."""
    problems: list[str] = []
    locales = {locale for s in siblings for locale in (s.get("name_localizations") or {})}
    for locale in sorted(locales):
        seen: dict[str, int] = {}
        for sibling in siblings:
            shown = (sibling.get("name_localizations") or {}).get(locale) or sibling.get("name")
            seen[shown] = seen.get(shown, 0) + 1
        problems.extend(
            f"{where}: two options are named {name!r} in {locale}"
            for name, count in seen.items()
            if count > 1
        )
    return problems


def _name_rules(name: str, what: str) -> list[str]:
    ok = (
        1 <= len(name) <= COMMAND_NAME_MAX
        and name == name.lower()
        and all(_name_char_ok(char) for char in name)
    )
    return [] if ok else [f"{what} name {name!r} must match ^[-_'\\p{{L}}\\p{{N}}]{{1,32}}$"]


def _description_rules(description: Any, what: str) -> list[str]:
    if isinstance(description, str) and 1 <= len(description) <= COMMAND_DESCRIPTION_MAX:
        return []
    return [f"{what}: description must be 1-{COMMAND_DESCRIPTION_MAX} characters"]
