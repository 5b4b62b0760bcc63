"""Many strings or byte strings kept as two arrays: one buffer and the offsets into it.

A million Python ``str`` objects cost about 50 bytes each on top of their text, and a
restart would have to make each one again from the saved index. As two numpy arrays they
cost their bytes alone, and :mod:`bot.core.index_store` saves them as raw sections of the
index file that a restart maps instead of reading (pages shared, loaded when touched).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import overload

import numpy as np
from numpy.typing import NDArray


class _Packed:
    __slots__ = ("_data", "_offsets")

    def __init__(self, data: NDArray[np.uint8], offsets: NDArray[np.int64]) -> None:
        self._data = data
        self._offsets = offsets

    @staticmethod
    def _arrays(items: Iterable[bytes]) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
        items = list(items)
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum([len(item) for item in items], out=offsets[1:])
        return np.frombuffer(b"".join(items), dtype=np.uint8), offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _raw(self, index: int) -> bytes:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("index out of range")
        start, end = self._offsets[index : index + 2].tolist()
        return self._data[start:end].tobytes()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Packed)
        return np.array_equal(self._offsets, other._offsets) and np.array_equal(
            self._data, other._data
        )

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> tuple[NDArray[np.uint8], NDArray[np.int64]]:
        return self._data, self._offsets

    def __setstate__(self, state: tuple[NDArray[np.uint8], NDArray[np.int64]]) -> None:
        self._data, self._offsets = state


class PackedBytes(_Packed, Sequence[bytes]):
    """An immutable sequence of ``bytes``, stored in one buffer."""

    __slots__ = ()

    @classmethod
    def of(cls, items: Iterable[bytes]) -> PackedBytes:
        return cls(*cls._arrays(items))

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self._raw(i) for i in range(*index.indices(len(self)))]
        return self._raw(index)

    def __iter__(self) -> Iterator[bytes]:
        return (self._raw(i) for i in range(len(self)))


class PackedTexts(_Packed, Sequence[str]):
    """An immutable sequence of ``str``, stored as UTF-8 in one buffer."""

    __slots__ = ()

    @classmethod
    def of(cls, texts: Iterable[str]) -> PackedTexts:
        return cls(*cls._arrays(t.encode("utf-8", "surrogatepass") for t in texts))

    def _text(self, index: int) -> str:
        return self._raw(index).decode("utf-8", "surrogatepass")

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self._text(i) for i in range(*index.indices(len(self)))]
        return self._text(index)

    def __iter__(self) -> Iterator[str]:
        return (self._text(i) for i in range(len(self)))
