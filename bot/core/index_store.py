"""The persisted index: a built :class:`~bot.core.library.Library` saved beside the
database, so a restart opens it instead of building it again (issue 15).

A saved index is named by a key: a hash of the corpus's bytes (every regular file of a
corpus directory, or the dataset file), of the code that builds the index (every module and
data file of ``bot/core``) and of :data:`FORMAT`. A changed corpus, changed code or a new
format gives a new key, so the old index is never served for it. Each file carries a header
with its key and the SHA-256 of its payload, checked in full before anything is read from
it: a damaged or truncated file is rebuilt, never served. A build writes a temporary file
and renames it into place, so two processes building at once each leave a whole file.

The payload is a pickle: load indexes only from a directory that only the bot's user can
write (the bot creates it 0700 and the files 0600), as with its database.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from bot.core import embedding

# Bump when the saved shape changes in a way the code hash would not notice.
FORMAT = 1
MAGIC = b"factdesk index\n"
_CHUNK = 1 << 20
_CORE = Path(__file__).resolve().parent
PREFIX = "library-"
SUFFIX = ".index"


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
    """The file is not a whole index for the wanted key (the message says why)."""


def _read_header(handle: BinaryIO, key: str) -> dict[str, Any]:
    if handle.read(len(MAGIC)) != MAGIC:
        raise DamagedIndex("not a factdesk index")
    line = handle.readline(4096)
    try:
        header = json.loads(line)
    except ValueError as error:
        raise DamagedIndex("unreadable header") from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DamagedIndex("another index format")
    if header.get("key") != key:
        raise DamagedIndex("built from another corpus or code")
    return header


def read(path: Path, key: str) -> Any:
    """The object saved at ``path`` for ``key``; :class:`DamagedIndex` otherwise."""
    try:
        with path.open("rb") as handle:
            header = _read_header(handle, key)
            start = handle.tell()
            digest = hashlib.sha256()
            size = 0
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            if size != header.get("size") or digest.hexdigest() != header.get("sha256"):
                raise DamagedIndex("its contents do not match its checksum")
            handle.seek(start)
            return pickle.load(handle)
    except DamagedIndex:
        raise
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError) as error:
        raise DamagedIndex(f"cannot be read ({error})") from error


def write(directory: Path, key: str, value: Any) -> Path:
    """Save ``value`` as the index for ``key``; the old indexes of this directory go."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = {
        "format": FORMAT,
        "key": key,
        "size": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    final = path_for(directory, key)
    temporary = directory / f".{final.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(MAGIC)
            handle.write(json.dumps(header).encode() + b"\n")
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    for stale in _stale(directory, final):
        stale.unlink(missing_ok=True)
    return final


def _stale(directory: Path, keep: Path) -> Iterator[Path]:
    for path in directory.glob(f"{PREFIX}*{SUFFIX}"):
        if path != keep:
            yield path


def open_or_build(corpus: Path, directory: Path, build: Callable[[], Any]) -> tuple[Any, Outcome]:
    """The saved index of ``corpus`` in ``directory``, or ``build()`` saved there.

    Saving is best effort: a read-only directory still gives the built value (the outcome
    says it was not saved)."""
    key = key_for(corpus)
    path = path_for(directory, key)
    reason = "no index for this corpus yet"
    stale = False
    if path.is_file():
        try:
            return read(path, key), Outcome(True, path, "reused")
        except DamagedIndex as error:
            reason = f"the saved index {path.name} {error}"
            stale = True
    elif any(_stale(directory, path)):
        reason = "the saved index was built from another corpus or code"
        stale = True
    value = build()
    try:
        write(directory, key, value)
    except OSError as error:
        return value, Outcome(False, path, f"{reason}; not saved: {error}", False, stale)
    return value, Outcome(False, path, reason, stale=stale)
