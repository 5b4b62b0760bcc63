"""One way from a database row to a dataclass of :mod:`bot.store.rows`: by column name.

``from_row(Flag, row)`` fills each field of the dataclass from the column of the same name
and converts by the field's annotation: ``datetime`` columns are the UTC ISO 8601 text of
:func:`bot.store.database.to_db_time`, ``date`` columns ``YYYY-MM-DD``, ``time`` columns
``HH:MM``, ``bool`` columns 0/1, ``tuple[int, ...]`` columns space-separated ids. Other
values pass through as the back-end gave them (SQLite and PostgreSQL give the same
types). A new table needs a dataclass, not a mapping function.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Hashable, Mapping
from datetime import date, datetime, time
from functools import cache
from typing import Any, TypeVar, cast

from bot.store.backends import Row

T = TypeVar("T")

_Convert = Callable[[Any], Any]


def _ids(value: Any) -> tuple[int, ...]:
    return tuple(int(part) for part in str(value).split())


def _converter(hint: Any) -> _Convert | None:
    """How to turn a column value into a field of type ``hint`` (None: as it is)."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        # X | None: convert the value when there is one.
        inner = [arg for arg in args if arg is not type(None)]
        convert = _converter(inner[0]) if len(inner) == 1 else None
        if convert is None:
            return None
        return lambda value: None if value is None else convert(value)
    if hint is datetime:
        return datetime.fromisoformat
    if hint is date:
        return date.fromisoformat
    if hint is time:
        return time.fromisoformat
    if hint is bool:
        return bool
    if typing.get_origin(hint) is tuple and args[:1] == (int,):
        return lambda value: _ids(value or "")
    return None


@cache
def _plan(cls: Any) -> tuple[tuple[str, _Convert | None], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((field.name, _converter(hints[field.name])) for field in dataclasses.fields(cls))


def from_row(cls: type[T], row: Row | Mapping[str, Any]) -> T:
    """The ``cls`` dataclass whose fields are ``row``'s columns of the same names."""
    values: dict[str, Any] = {}
    for name, convert in _plan(cast(Hashable, cls)):
        value = row[name]
        values[name] = value if convert is None else convert(value)
    return cls(**values)
