"""``factdesk ask`` and ``factdesk search`` open the saved matching index (issue 15) instead
of building the library at every run, build and save it when it is missing, and say so on
stderr when the one they find is stale or damaged (rebuilt, never used)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.library import Library
from bot.paths import PROJECT_ROOT

BUNDLED = PROJECT_ROOT / "data" / "claims"
QUESTION = "did the US help the Mexican cartels?"
QUERIES = [
    "did the us help the mexican cartels",
    "Did the DEA make a deal with the Sinaloa cartel?",
    "¿Estados Unidos ayudó a los carteles?",
    "zebra quokka",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    directory = tmp_path / "claims"
    shutil.copytree(BUNDLED, directory)
    return directory


@pytest.fixture
def queries(tmp_path: Path) -> Path:
    path = tmp_path / "queries.tsv"
    path.write_text("".join(f"q{i}\t{q}\n" for i, q in enumerate(QUERIES)), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, building a library fails the test: only opening the index works."""

    def refuse(*args: object, **kwargs: object) -> object:
        raise AssertionError("the library was built instead of opened from the index")

    monkeypatch.setattr(Library, "load", classmethod(refuse))


def test_search_queries_opens_the_index_the_second_time_and_answers_the_same(
    corpus: Path,
    queries: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = tmp_path / "index"
    argv = ("search", "--queries", str(queries), "--corpus", str(corpus), "--index-dir", str(index))
    first = run(capsys, *argv)
    assert first[0] == 0
    assert len(list(index.glob("library-*.index"))) == 1
    no_build(monkeypatch)
    second = run(capsys, *argv)
    assert second == first
    assert len(first[1].splitlines()) == len(QUERIES)
    assert '"matched": true' in first[1]


def test_ask_uses_the_bots_index_directory(
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = tmp_path / "bot-index"
    monkeypatch.setenv("FACTDESK_INDEX_DIR", str(index))
    first = run(capsys, "ask", QUESTION, "--corpus", str(corpus))
    assert first[0] == 0
    assert first[2] == ""
    assert len(list(index.glob("library-*.index"))) == 1
    no_build(monkeypatch)
    assert run(capsys, "ask", QUESTION, "--corpus", str(corpus)) == first


def test_without_index_dir_the_index_goes_beside_the_database(
    corpus: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FACTDESK_INDEX_DIR", raising=False)
    monkeypatch.setenv("FACTDESK_DATABASE", str(tmp_path / "state" / "factdesk.db"))
    assert run(capsys, "ask", QUESTION, "--corpus", str(corpus))[0] == 0
    assert len(list((tmp_path / "state" / "index").glob("library-*.index"))) == 1


def test_a_damaged_index_is_reported_and_rebuilt(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    argv = ("ask", QUESTION, "--corpus", str(corpus), "--index-dir", str(index))
    code, answer, _ = run(capsys, *argv)
    (saved,) = index.glob("library-*.index/index")
    saved.write_bytes(saved.read_bytes()[:-100])
    again = run(capsys, *argv)
    assert again[:2] == (code, answer)
    assert again[2].startswith("note: the saved index ")
    assert "rebuilt it" in again[2]
    assert "Traceback" not in again[2]
    assert run(capsys, *argv) == (code, answer, "")  # the rebuilt one is whole


def test_an_index_of_another_corpus_is_reported_and_rebuilt(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = tmp_path / "index"
    argv = ("ask", "zebra quokka?", "--corpus", str(corpus), "--index-dir", str(index))
    assert run(capsys, *argv)[0] == 1  # nothing answers it yet
    entry = sorted(corpus.glob("*.md"))[0]
    entry.write_text(
        entry.read_text(encoding="utf-8").replace(
            "\nquestion = ", '\nquestion = "Zebra quokka? " \n#', 1
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, *argv)
    assert code == 0
    assert out.startswith("Zebra quokka?")
    assert err == "note: the saved index was built from another corpus or code: rebuilt it\n"
    assert len(list(index.glob("library-*.index"))) == 1


def test_an_index_directory_that_cannot_be_written_still_answers(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "index"
    blocked.write_text("a file, not a directory")
    code, out, err = run(
        capsys, "ask", QUESTION, "--corpus", str(corpus), "--index-dir", str(blocked)
    )
    assert code == 0
    assert out.startswith("Did the US help the cartels in Mexico in any way?")
    assert err.startswith("note: the index was built but not saved")
