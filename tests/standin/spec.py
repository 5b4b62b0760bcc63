"""Discord's OpenAPI contract, turned into request-body validators for the stand-in.

The spec (``../shared/discord/openapi.json``) is large; validators are built once per
operation and cached, so a test suite pays for each schema only the first time it is used.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from bot.paths import PROJECT_ROOT

API_PREFIX = "/api/v10"


def default_spec_path() -> Path:
    """Where the shared checkout keeps Discord's spec (beside the repository, never absolute)."""
    return PROJECT_ROOT.parent / "shared" / "discord" / "openapi.json"


@dataclass(frozen=True)
class Operation:
    """One method on one path template of the spec, e.g. ``POST /channels/{channel_id}``."""

    method: str
    template: str
    pattern: re.Pattern[str]
    literal_segments: int

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path)
        return None if found is None else found.groupdict()


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-z_]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part)
        for part in parts
        if part
    )
    return re.compile(regex)


class Spec:
    """The operations of the spec and a cached body validator for each of them."""

    def __init__(self, document: dict[str, Any]) -> None:
        components = copy.deepcopy(document["components"])
        # Discord accepts snowflakes as JSON integers as well as strings, and discord.py sends
        # integers in places (message_reference.message_id); the spec only says "string".
        snowflake = components["schemas"]["SnowflakeType"]
        components["schemas"]["SnowflakeType"] = {
            "anyOf": [snowflake, {"type": "integer", "minimum": 0}]
        }
        # The spec's ChannelTypes lacks GUILD_MEDIA (16), which Discord has and discord.py
        # sends in channel_types for generic channel options.
        channel_types = components["schemas"]["ChannelTypes"]
        if not any(branch.get("const") == 16 for branch in channel_types["oneOf"]):
            channel_types["oneOf"].append({"title": "GUILD_MEDIA", "const": 16})
        self._components = components
        self._document = document
        operations: list[Operation] = []
        for template, item in document["paths"].items():
            for method in item:
                if method in {"parameters", "summary", "description", "servers"}:
                    continue
                literal = sum(1 for part in template.split("/") if part and "{" not in part)
                operations.append(
                    Operation(method.upper(), template, _template_regex(template), literal)
                )
        # Prefer the most literal template: /messages/@original before /messages/{message_id}.
        operations.sort(key=lambda op: -op.literal_segments)
        self.operations = operations

    @classmethod
    def load(cls, path: Path) -> Spec:
        if not path.is_file():
            raise FileNotFoundError(
                f"Discord's OpenAPI spec is not at {path}: the shared/ directory must sit "
                "beside the checkout (see docs/testing.md)"
            )
        return _load_spec(path.resolve())

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation for a request path below ``/api/v10`` and its path parameters."""
        for operation in self.operations:
            if operation.method != method:
                continue
            params = operation.match(path)
            if params is not None:
                return operation, params
        return None

    def has_body(self, operation: Operation) -> bool:
        item = self._document["paths"][operation.template][operation.method.lower()]
        return "requestBody" in item

    def validator(self, operation: Operation) -> Draft202012Validator | None:
        return self._validator(operation.method, operation.template)

    @cache  # noqa: B019 - one Spec per file for the whole session; the cache is the point
    def _validator(self, method: str, template: str) -> Draft202012Validator | None:
        item = self._document["paths"][template][method.lower()]
        body = item.get("requestBody")
        if body is None:
            return None
        content = body["content"]
        # multipart bodies carry the same JSON in their payload_json part: validate that
        # against the JSON schema of the operation.
        schema = content.get("application/json", next(iter(content.values())))["schema"]
        return Draft202012Validator({**schema, "components": self._components})

    def validate(self, operation: Operation, body: Any) -> list[str]:
        """Every schema error of ``body`` as ``"<json path>: <message>"``, best first.

        A message body costs ~10 ms to validate (the component unions fan out), and bots
        send the same bodies again and again, so results are cached by the body's JSON text.
        """
        text = json.dumps(body, sort_keys=True, separators=(",", ":"))
        return list(self._validate_text(operation.method, operation.template, text))

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one Spec per file, alive all session
    def _validate_text(self, method: str, template: str, text: str) -> tuple[str, ...]:
        validator = self._validator(method, template)
        if validator is None:
            return ()
        errors = sorted(
            validator.iter_errors(json.loads(text)), key=lambda e: [str(part) for part in e.path]
        )
        return tuple(line for error in errors for line in _describe(error))


def _leaves(error: Any) -> list[Any]:
    """The errors that explain ``error``: for anyOf/oneOf, those of the likeliest branch."""
    if not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    explained = [[leaf for sub in subs for leaf in _leaves(sub)] for subs in branches.values()]
    if all(_depth(leaf) <= _depth(error) for leaves in explained for leaf in leaves):
        return [error]  # no branch got any further: "x is not valid under any of ..." says it
    # The branch with the fewest failures is the one the sender meant; a deeper failure
    # (it matched further) breaks ties.
    return min(explained, key=lambda leaves: (len(leaves), -max(_depth(x) for x in leaves)))


def _depth(error: Any) -> int:
    return len(error.absolute_path)


def _describe(error: Any) -> list[str]:
    lines = []
    for leaf in _leaves(error):
        location = "".join(f"[{part!r}]" for part in leaf.absolute_path) or "<body>"
        message = leaf.message
        if len(message) > 200:  # the message quotes the whole instance: say the rule instead
            message = f"{leaf.instance!r:.80}... fails {leaf.validator} {leaf.validator_value!r}"
        lines.append(f"{location}: {message}")
    return lines


@cache
def _load_spec(path: Path) -> Spec:
    return Spec(json.loads(path.read_text(encoding="utf-8")))
