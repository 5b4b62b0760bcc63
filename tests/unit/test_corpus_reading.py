"""Issue 12 §4.9 and issue 13: corpus files are read safely, reloads block on lost entries only.

Only regular files are read (a FIFO or device named ``*.md`` is a problem of that file, it
never blocks a start or a reload); :func:`bot.core.corpus.split_problems` decides what
refuses a reload; ``bot.core.corpus`` and ``bot.core.importers`` no longer import each other.
"""

from __future__ import annotations

import ast
import json
import os
import threading
from pathlib import Path

import pytest

from bot.core.corpus import LoadReport, Problem, load_corpus, split_problems
from bot.core.corpus_file import read_regular_file
from bot.paths import PROJECT_ROOT

GOOD = PROJECT_ROOT / "tests" / "fixtures" / "corpus" / "good"
CORE = PROJECT_ROOT / "bot" / "core"


def corpus_with(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for file in sorted(GOOD.glob("*.md")):
        (corpus / file.name).write_bytes(file.read_bytes())
    return corpus


def load_in_thread(path: Path) -> tuple[threading.Thread, list[LoadReport]]:
    result: list[LoadReport] = []
    thread = threading.Thread(target=lambda: result.append(load_corpus(path)), daemon=True)
    thread.start()
    return thread, result


def test_a_fifo_named_md_is_a_problem_and_does_not_block_the_load(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path)
    fifo = corpus / "zz-pipe.md"
    os.mkfifo(fifo)
    thread, result = load_in_thread(corpus)
    # A hang guard, not a timing assertion: the fixed loader never waits on the FIFO; the
    # old one blocked in open() until a writer came.
    thread.join(60)
    if thread.is_alive():  # release the blocked reader so the test run can go on
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
        pytest.fail("load_corpus blocked on a FIFO named *.md")
    report = result[0]
    assert len(report.corpus) == len(list(GOOD.glob("*.md")))
    assert [str(p) for p in report.problems] == [
        f"{fifo}: is a FIFO (named pipe), not a regular file (only regular files are read)"
    ]


def test_a_device_named_md_is_a_problem_naming_the_kind(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path)
    device = corpus / "zz-null.md"
    device.symlink_to(os.devnull)
    report = load_corpus(corpus)
    assert len(report.corpus) == len(list(GOOD.glob("*.md")))
    assert [p.message for p in report.problems] == [
        "is a character device, not a regular file (only regular files are read)"
    ]
    assert report.problems[0].file == str(device)


def test_read_regular_file_reads_at_most_the_cap(tmp_path: Path) -> None:
    small = tmp_path / "small.md"
    small.write_bytes(b"x" * 10)
    assert read_regular_file(small, limit=10) == (b"x" * 10, None)
    data, problem = read_regular_file(small, limit=9)
    assert data is None
    assert problem is not None
    assert problem.file == str(small)
    assert "may be at most" in problem.message


# --- which problems refuse a reload -------------------------------------------------------

# CheckThat! 2022 task 2A vclaims, the way ../shared/datasets ships them: some lack a date.
CHECKTHAT_RECORDS = [
    {
        "id": "vclaim-sno-undated-one",
        "claim": "A claim whose record carries no date.",
        "title": "Undated claim",
        "subtitle": "Rumor: no date here.",
        "author": "Fixture Writer",
    },
    {
        "id": "vclaim-sno-undated-two",
        "claim": "A claim whose date field is empty.",
        "title": "Empty date",
        "subtitle": "",
        "author": "",
        "date": "",
    },
    {
        "id": "vclaim-sno-dated",
        "claim": "A claim with a date.",
        "title": "Dated claim",
        "subtitle": "",
        "author": "",
        "date": "20 July 2019",
    },
]


def write_jsonl(path: Path, records: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_undated_checkthat_records_warn_and_do_not_block_a_reload(tmp_path: Path) -> None:
    report = load_corpus(write_jsonl(tmp_path / "vclaims.jsonl", CHECKTHAT_RECORDS))
    assert len(report.corpus) == 3  # the start serves all three
    assert [p.field for p in report.problems] == ["date", "date"]
    blocking, warnings = split_problems(report.problems)
    assert blocking == []
    assert warnings == report.problems


def test_a_record_that_is_left_out_blocks_a_reload(tmp_path: Path) -> None:
    records = [*CHECKTHAT_RECORDS, {"id": "vclaim-sno-no-claim", "title": "No claim"}]
    report = load_corpus(write_jsonl(tmp_path / "vclaims.jsonl", records))
    assert len(report.corpus) == 3
    blocking, warnings = split_problems(report.problems)
    assert [(p.line, p.field, p.message) for p in blocking] == [(4, "claim", "missing (required)")]
    assert [p.field for p in warnings] == ["date", "date"]


def test_a_dangling_follow_up_warns_and_a_broken_file_blocks(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path)
    (corpus / "zz-broken.md").write_text("no front matter here\n", encoding="utf-8")
    dangling = Problem("a.md", 3, "follow_ups[0].claim", "names 'x' (link dropped)", warning=True)
    blocking, warnings = split_problems([*load_corpus(corpus).problems, dangling])
    assert [p.file for p in blocking] == [str(corpus / "zz-broken.md")]
    assert warnings == [dangling]


def test_problems_are_warnings_only_when_marked() -> None:
    assert Problem("f.md", 1, "id", "bad").warning is False


# --- issue 13: no import cycle in the core -----------------------------------------------


def core_imports(module: Path) -> set[str]:
    """Every ``bot.core`` module ``module`` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("bot.core.") and (CORE / f"{name.split('.')[2]}.py").is_file():
                found.add(name.split(".")[2])
    found.discard(module.stem)
    return found


def test_the_core_modules_import_each_other_without_a_cycle() -> None:
    graph = {path.stem: core_imports(path) for path in CORE.glob("*.py")}
    assert "corpus" not in graph["importers"]

    def cycle_from(start: str, node: str, seen: tuple[str, ...]) -> tuple[str, ...] | None:
        for target in sorted(graph.get(node, ())):
            if target == start:
                return (*seen, target)
            if target not in seen:
                found = cycle_from(start, target, (*seen, target))
                if found:
                    return found
        return None

    cycles = [c for name in sorted(graph) if (c := cycle_from(name, name, (name,)))]
    assert cycles == []
