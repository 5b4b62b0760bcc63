"""The persisted index (issue 15): a restart opens the saved index instead of building it,
and never serves one built from another corpus, other code, another format, or a damaged
file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core import index_store
from bot.core.library import Library
from bot.paths import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "data" / "claims"
QUESTIONS = [
    "did the us help the mexican cartels",
    "Did the DEA make a deal with the Sinaloa cartel?",
    "¿Estados Unidos ayudó a los carteles?",
    "merida initiative",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "claims"
    shutil.copytree(BUNDLED, directory)
    return directory


def answers(library: Library) -> list[object]:
    found: list[object] = [
        [(m.claim_id, round(m.score, 6)) for m in library.matcher.match(q).matches]
        for q in QUESTIONS
    ]
    found.append(library.matcher.autocomplete("cart", 5))
    found.append(sorted(library.corpus.ids))
    return found


def test_a_restart_opens_the_saved_index_and_answers_the_same(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    built, problems, first = Library.open(corpus, index)
    assert not first.reused
    assert first.saved
    reopened, problems_again, second = Library.open(corpus, index)
    assert second.reused
    assert answers(reopened) == answers(built) == answers(Library.load(corpus)[0])
    assert problems_again == problems
    assert [p.name for p in index.iterdir()] == [first.path.name]
    assert sorted(p.name for p in first.path.iterdir()) == ["db-0.sqlite", "index"]
    for saved in first.path.iterdir():
        assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert oct(first.path.stat().st_mode & 0o777) == "0o700"
    assert oct(index.stat().st_mode & 0o777) == "0o700"


def test_a_changed_corpus_is_indexed_anew_and_the_old_index_goes(
    corpus: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    _, _, first = Library.open(corpus, index)
    entry = sorted(corpus.glob("*.md"))[0]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "\nquestion = ", '\nquestion = "Zebra quokka? " \n#', 1
        ),
        encoding="utf-8",
    )
    library, _, second = Library.open(corpus, index)
    assert not second.reused
    assert second.path != first.path
    assert not first.path.exists()
    assert answers(library) == answers(Library.load(corpus)[0])


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-100],  # truncated
        lambda data: data[:-50] + bytes([data[-50] ^ 0xFF]) + data[-49:],  # one byte flipped
        lambda data: b"not an index at all",
        lambda data: b"",
    ],
    ids=["truncated", "flipped-byte", "garbage", "empty"],
)
@pytest.mark.parametrize("part", ["index", "db-0.sqlite"])
def test_a_damaged_index_is_rebuilt_never_served(
    corpus: Path,
    tmp_path: Path,
    damage: Callable[[bytes], bytes],
    part: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(index_store, "SECTION_MIN_BYTES", 0)  # every array a mapped section
    index = tmp_path / "index"
    _, _, first = Library.open(corpus, index)
    damaged = first.path / part
    damaged.write_bytes(damage(damaged.read_bytes()))
    library, _, second = Library.open(corpus, index)
    assert not second.reused
    assert "saved index" in second.reason
    assert answers(library) == answers(Library.load(corpus)[0])
    assert Library.open(corpus, index)[2].reused  # and the rebuilt one is whole


def test_another_format_or_other_code_means_another_key(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = index_store.key_for(corpus)
    monkeypatch.setattr(index_store, "FORMAT", index_store.FORMAT + 1)
    assert index_store.key_for(corpus) != key
    monkeypatch.undo()

    code = tmp_path / "core"
    shutil.copytree(Path(index_store.__file__).parent, code)
    monkeypatch.setattr(index_store, "_CORE", code)
    assert index_store.key_for(corpus) == key
    (code / "matching.py").write_text(
        (code / "matching.py").read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8"
    )
    assert index_store.key_for(corpus) != key


def test_a_read_only_index_directory_still_serves(corpus: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root writes anywhere; a file where the directory should be refuses root too
        blocked = tmp_path / "index"
        blocked.write_text("a file, not a directory")
    else:
        blocked = tmp_path / "index"
        blocked.mkdir(mode=0o500)
    library, _, outcome = Library.open(corpus, blocked)
    assert not outcome.saved
    assert "not saved" in outcome.reason
    assert answers(library) == answers(Library.load(corpus)[0])


def test_two_processes_building_at_once_leave_one_whole_index(corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    code = (
        "import sys; from pathlib import Path; from bot.core.library import Library;"
        f"lib, _, out = Library.open(Path({str(corpus)!r}), Path({str(index)!r}));"
        "print(len(lib.corpus), out.reused)"
    )
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0].split() for p in processes]
    assert all(p.returncode == 0 for p in processes)
    assert all(out[0] == "13" for out in outputs)
    assert len(list(index.glob("library-*.index"))) == 1
    assert not list(index.glob(".*.tmp"))
    assert Library.open(corpus, index)[2].reused


def test_every_byte_of_the_index_file_is_checked(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flipped bit anywhere (header, its padding, the pickle, an array, the padding
    between arrays) is caught, never served."""
    monkeypatch.setattr(index_store, "SECTION_MIN_BYTES", 0)
    index = tmp_path / "index"
    _, _, first = Library.open(corpus, index)
    main = first.path / index_store.MAIN
    original = main.read_bytes()
    key = index_store.key_for(corpus)
    header_end = original.index(b"\n", len(index_store.MAGIC)) + 1
    base = int(json.loads(original[len(index_store.MAGIC) : header_end])["base"])
    spots = {0, header_end - 2, header_end + 1, base - 1, base, base + 1, len(original) - 1}
    spots |= set(range(base, len(original), max(1, (len(original) - base) // 97)))
    for spot in sorted(spots):
        flipped = bytearray(original)
        flipped[spot] ^= 0x01
        main.write_bytes(bytes(flipped))
        with pytest.raises(index_store.DamagedIndex):
            index_store.read(first.path, key)
    main.write_bytes(original)
    assert index_store.read(first.path, key) is not None


def test_a_dataset_file_restarts_with_its_arrays_mapped_not_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .jsonl corpus (packed records) restarts from the index with the vectors, codes,
    packed records and texts as read-only views of the mapped file, and answers the same."""
    monkeypatch.setattr(index_store, "SECTION_MIN_BYTES", 0)
    dataset = tmp_path / "claims.jsonl"
    with dataset.open("w", encoding="utf-8") as out:
        for number in range(300):
            record = {
                "id": f"claim-{number:04d}",
                "claim": f"Claim number {number} says the {WORDS[number % len(WORDS)]} "
                f"of {WORDS[(number * 7) % len(WORDS)]} caused {number % 13} floods",
                "title": f"Title {number}: {WORDS[(number * 3) % len(WORDS)]} report",
                "date": "2020-01-02",
            }
            out.write(json.dumps(record) + "\n")
    built, _, first = Library.open(dataset, tmp_path / "index")
    assert not first.reused
    reopened, _, second = Library.open(dataset, tmp_path / "index")
    assert second.reused
    questions = ["did the river of stone cause 4 floods", "claim number 17", "title 5 report"]
    for question in questions:
        assert reopened.matcher.match(question) == built.matcher.match(question)
    assert reopened.corpus.get("claim-0042") == built.corpus.get("claim-0042") is not None
    assert list(reopened.corpus.ids) == list(built.corpus.ids)
    matcher = reopened.matcher
    for array in (
        matcher._vectors,
        matcher._codes,
        matcher._offsets,
        matcher._ids._data,
        reopened.corpus._items._data,  # type: ignore[union-attr]
    ):
        assert not array.flags.owndata
        assert not array.flags.writeable


WORDS = ["river", "stone", "mayor", "vaccine", "bridge", "senate", "harvest", "storm", "coal"]
