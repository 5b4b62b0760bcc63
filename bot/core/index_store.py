"""The persisted index: a built :class:`~bot.core.library.Library` saved beside the
database, so a restart opens it instead of building it again (issue 15).

A saved index is named by a key: a hash of the corpus's bytes (every regular file of a
corpus directory, or the dataset file), of the code that builds the index (every module and
data file of ``bot/core``) and of :data:`FORMAT`. A changed corpus, changed code or a new
format gives a new key, so the old index is never served for it.

An index is a directory ``library-KEY.index/`` of two kinds of file:

- ``index``: a header (the key, and the size and SHA-256 of every part), the pickled
  library, then its large numpy arrays (vectors, binary codes, packed records and texts,
  offsets) as raw, aligned sections. A restart maps those sections read-only instead of
  copying them (:func:`read`): pages are loaded when touched and shared with the system's
  file cache, so a million claims' vectors cost no memory until a question reads them.
- ``db-N.sqlite``: each SQLite database of the library (the matcher's FTS index), opened
  read-only in place rather than loaded into memory.

Every part's size and SHA-256 are checked before anything is used: a damaged or truncated
file is rebuilt, never served. A build writes a temporary directory and renames it into
place, so two processes building at once each leave a whole index, and a reader sees a
whole index or none.

The payload is a pickle: load indexes only from a directory that only the bot's user can
write (the bot creates it 0700 and the files 0600), as with its database.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import mmap
import os
import pickle
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from bot.core import embedding

# Bump when the saved shape changes in a way the code hash would not notice.
FORMAT = 2
MAGIC = b"factdesk index\n"
_CHUNK = 1 << 20
_CORE = Path(__file__).resolve().parent
PREFIX = "library-"
SUFFIX = ".index"
MAIN = "index"
# Arrays at least this big become raw sections; smaller ones stay in the pickle.
SECTION_MIN_BYTES = 1 << 16
# Sections start at multiples of this (the page size, so a mapped array starts on a page).
_ALIGN = 4096


@dataclass(frozen=True)
class Outcome:
    """How the index was had: ``reused`` an existing file, else built (and why)."""

    reused: bool
    path: Path
    reason: str
    saved: bool = True
    # An index was there but could not be used (damaged, or of another corpus or code).
    stale: bool = False


def _corpus_files(corpus: Path) -> list[Path]:
    if corpus.is_file():
        return [corpus]
    return sorted(p for p in corpus.rglob("*") if p.is_file())


def _feed_file(digest: Any, path: Path) -> None:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)


def key_for(corpus: Path) -> str:
    """The key of the index built from ``corpus`` by this code."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"format {FORMAT}\n".encode())
    for module in sorted(_CORE.glob("*.py")) + sorted(_CORE.glob("*.json")):
        digest.update(f"code {module.name}\n".encode())
        _feed_file(digest, module)
    # The saved vectors are the model's: another wordllama release means other vectors.
    digest.update(f"model {embedding.identity()}\n".encode())
    for path in _corpus_files(corpus):
        name = path.name if corpus.is_file() else path.relative_to(corpus).as_posix()
        digest.update(f"\ncorpus {name} {path.stat().st_size}\n".encode())
        _feed_file(digest, path)
    return digest.hexdigest()


def path_for(directory: Path, key: str) -> Path:
    return directory / f"{PREFIX}{key}{SUFFIX}"


class DamagedIndex(Exception):
    """The index is not whole for the wanted key (the message says why)."""


def _read_header(handle: BinaryIO, key: str | None) -> dict[str, Any]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DamagedIndex("is not a factdesk index")
    line = handle.readline(1 << 20)
    try:
        header = json.loads(line)
    except ValueError as error:
        raise DamagedIndex("has an unreadable header") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DamagedIndex("is of another index format")
    if key is not None and header.get("key") != key:
        raise DamagedIndex("was built from another corpus or code")
    return header


def _digest(handle: BinaryIO, size: int) -> str:
    digest = hashlib.sha256()
    left = size
    while left > 0:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            break
        digest.update(chunk)
        left -= len(chunk)
    return digest.hexdigest()


class _Saver(pickle.Pickler):
    """Pickles a library, taking its big arrays and its SQLite databases out of the pickle."""

    def __init__(self, file: BinaryIO, directory: Path) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.directory = directory
        self.sections: list[np.ndarray[Any, Any]] = []
        self.databases: list[str] = []

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, np.ndarray) and obj.dtype != object and obj.nbytes >= SECTION_MIN_BYTES:
            self.sections.append(np.ascontiguousarray(obj))
            return ("array", len(self.sections) - 1, obj.dtype.str, list(obj.shape))
        if isinstance(obj, sqlite3.Connection):
            if obj.in_transaction:  # a backup would wait for the commit forever
                raise pickle.PicklingError("a database in the middle of a transaction")
            name = f"db-{len(self.databases)}.sqlite"
            target = sqlite3.connect(self.directory / name)
            try:
                obj.backup(target)
            finally:
                target.close()
            os.chmod(self.directory / name, 0o600)
            self.databases.append(name)
            return ("sqlite", name)
        return None


class _Loader(pickle.Unpickler):
    def __init__(self, file: BinaryIO, directory: Path, mapped: mmap.mmap, base: int) -> None:
        super().__init__(file)
        self.directory = directory
        self.mapped = mapped
        self.base = base
        self.sections: list[dict[str, Any]] = []

    def persistent_load(self, pid: Any) -> Any:
        if pid[0] == "array":
            _, number, dtype, shape = pid
            part = self.sections[number]
            count = int(np.prod(shape, dtype=np.int64))
            array = np.frombuffer(
                self.mapped, dtype=np.dtype(dtype), count=count, offset=self.base + part["offset"]
            )
            return array.reshape(shape)
        if pid[0] == "sqlite":
            # immutable: nobody writes a saved index, so SQLite need not lock or check it
            uri = (self.directory / pid[1]).resolve().as_uri() + "?mode=ro&immutable=1"
            return sqlite3.connect(uri, uri=True, check_same_thread=False)
        raise pickle.UnpicklingError(f"unknown persistent id {pid[0]!r}")


def read(path: Path, key: str | None) -> Any:
    """The object saved in the index directory ``path`` for ``key`` (any key: None);
    :class:`DamagedIndex` otherwise. Every byte is checked first: the data against its size
    and SHA-256, the header by parsing it (and its padding is zeros)."""
    try:
        with (path / MAIN).open("rb") as handle:
            header = _read_header(handle, key)
            base, size = int(header["base"]), int(header["size"])
            if handle.tell() > base or handle.read(base - handle.tell()).strip(b"\0"):
                raise DamagedIndex("has a damaged header")
            if os.fstat(handle.fileno()).st_size != base + size:
                raise DamagedIndex("is truncated or too long")
            if _digest(handle, size) != header["sha256"]:
                raise DamagedIndex("does not match its checksum")
            for name, part in header["databases"].items():
                with (path / name).open("rb") as database:
                    if os.fstat(database.fileno()).st_size != part["size"]:
                        raise DamagedIndex(f"has a truncated or too long {name}")
                    if _digest(database, int(part["size"])) != part["sha256"]:
                        raise DamagedIndex(f"has a {name} that does not match its checksum")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            handle.seek(base + int(header["pickle"]["offset"]))
            payload = io.BytesIO(handle.read(int(header["pickle"]["size"])))
            loader = _Loader(payload, path, mapped, base)
            loader.sections = header["sections"]
            return loader.load()
    except DamagedIndex:
        raise
    except (
        OSError,
        EOFError,
        ValueError,
        KeyError,
        TypeError,
        pickle.UnpicklingError,
        AttributeError,
        ImportError,
        sqlite3.Error,
    ) as error:
        raise DamagedIndex(f"cannot be read ({error})") from error


def _padding(offset: int) -> int:
    return -offset % _ALIGN


def write(directory: Path, key: str, value: Any) -> Path:
    """Save ``value`` as the index for ``key``; the old indexes of this directory go."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    final = path_for(directory, key)
    temporary = directory / f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    temporary.mkdir(mode=0o700)
    try:
        buffer = io.BytesIO()
        saver = _Saver(buffer, temporary)
        saver.dump(value)
        payload = buffer.getbuffer()
        # The data: the pickle, then each array section, each starting on a page boundary.
        pieces: list[memoryview | bytes] = [payload]
        sections = []
        offset = len(payload)
        for array in saver.sections:
            pieces.append(b"\0" * _padding(offset))
            offset += _padding(offset)
            raw = array.data.cast("B")
            pieces.append(raw)
            sections.append({"offset": offset, "size": len(raw)})
            offset += len(raw)
        digest = hashlib.sha256()
        for piece in pieces:
            digest.update(piece)
        databases = {}
        for name in saver.databases:
            with (temporary / name).open("rb") as database:
                size = os.fstat(database.fileno()).st_size
                databases[name] = {"size": size, "sha256": _digest(database, size)}
        header: dict[str, Any] = {
            "format": FORMAT,
            "key": key,
            "size": offset,
            "sha256": digest.hexdigest(),
            "pickle": {"offset": 0, "size": len(payload)},
            "sections": sections,
            "databases": databases,
            "base": 0,
        }
        # the data starts on the first page boundary past the header itself
        base = len(MAGIC + json.dumps(header).encode()) + 64
        header["base"] = base + _padding(base)
        line = MAGIC + json.dumps(header).encode() + b"\n"
        assert len(line) <= header["base"]
        descriptor = os.open(temporary / MAIN, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(line.ljust(header["base"], b"\0"))
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
        del pieces, payload
        _install(temporary, final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    for stale in _stale(directory, final):
        _remove(stale)
    return final


def _install(temporary: Path, final: Path) -> None:
    """Rename the built ``temporary`` directory to ``final``, moving aside one found there
    (damaged, or just installed by a process that raced this one: either way whole)."""
    try:
        os.rename(temporary, final)
        return
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
            raise
    aside = final.with_name(f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.old")
    with contextlib.suppress(FileNotFoundError):
        os.rename(final, aside)
    try:
        os.rename(temporary, final)
    except OSError as error:
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        shutil.rmtree(temporary, ignore_errors=True)  # another process's is there: whole
    _remove(aside)


def _remove(path: Path) -> None:
    # a process still serving from an old index keeps its open files and mappings
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _stale(directory: Path, keep: Path) -> Iterator[Path]:
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        if path != keep:
            yield path


def previous(directory: Path, keep: Path) -> Any | None:
    """The newest whole index of ``directory`` other than ``keep`` (built from an older
    corpus or code), or None: a build reuses what of it still holds (its vectors)."""
    found = sorted(_stale(directory, keep), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in found:
        try:
            return read(path, None)
        except DamagedIndex:
            continue
    return None


def open_or_build(
    corpus: Path, directory: Path, build: Callable[[Any | None], Any]
) -> tuple[Any, Outcome]:
    """The saved index of ``corpus`` in ``directory``, or ``build(previous)`` saved there,
    where ``previous`` is the value of an older index found there (see :func:`previous`).

    Saving is best effort: a read-only directory still gives the built value (the outcome
    says it was not saved)."""
    key = key_for(corpus)
    path = path_for(directory, key)
    reason = "no index for this corpus yet"
    stale = False
    if path.exists():
        try:
            return read(path, key), Outcome(True, path, "reused")
        except DamagedIndex as error:
            reason = f"the saved index {path.name} {error}"
            stale = True
    elif any(_stale(directory, path)):
        reason = "the saved index was built from another corpus or code"
        stale = True
    older = previous(directory, path) if stale else None
    value = build(older)
    del older
    try:
        write(directory, key, value)
    except OSError as error:
        return value, Outcome(False, path, f"{reason}; not saved: {error}", False, stale)
    return value, Outcome(False, path, reason, stale=stale)
