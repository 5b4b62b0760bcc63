"""Logging set-up: structlog for factdesk, with discord.py's stdlib records in the same pipeline.

``log_format="json"`` writes one JSON object per line (for log collectors);
``"console"`` writes readable, coloured-when-a-terminal lines. A last processor replaces the
bot token wherever it appears, so it never reaches a log line, whatever logged it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, Literal, TextIO

import structlog

REDACTED = "[redacted]"


class TokenRedactor:
    """A structlog processor that replaces the secret wherever it occurs in an event."""

    def __init__(self, secrets: list[str]) -> None:
        # Very short "secrets" would redact ordinary words: only real tokens are kept.
        self._secrets = [s for s in secrets if len(s) >= 8]

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self._clean(v) for v in value)
        if isinstance(value, BaseException | int | float | bool) or value is None:
            return value
        return self._clean(str(value)) if self._secrets else value

    def __call__(
        self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        if not self._secrets:
            return event_dict
        return {key: self._clean(value) for key, value in event_dict.items()}


class _RedactingRenderer:
    """Runs the final renderer, then redacts its output (tracebacks are rendered late)."""

    def __init__(self, renderer: Any, redactor: TokenRedactor) -> None:
        self._renderer = renderer
        self._redactor = redactor

    def __call__(self, logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> Any:
        return self._redactor._clean(self._renderer(logger, method_name, event_dict))


def configure_logging(
    *,
    log_format: Literal["console", "json"] = "console",
    level: str = "INFO",
    secrets: list[str] | None = None,
    stream: TextIO | None = None,
) -> None:
    """Route structlog and stdlib logging (discord.py's) through one formatter on ``stream``."""
    redactor = TokenRedactor(secrets or [])
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any
    if log_format == "json":
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        out = stream or sys.stderr
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty())

    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            redactor,
            _RedactingRenderer(renderer, redactor),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    reset_logging()
    root = logging.getLogger()
    handler._factdesk = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's HTTP debug lines are noisy even at DEBUG; keep them one notch quieter.
    logging.getLogger("discord.http").setLevel(max(logging.INFO, logging.getLevelName(level)))


def reset_logging() -> None:
    """Remove the handler :func:`configure_logging` installed (tests restore the default)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_factdesk", False):
            root.removeHandler(handler)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
