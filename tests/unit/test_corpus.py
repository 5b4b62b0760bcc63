"""The corpus loader: parsing, problems with file/line/field, duplicates, links, rendering."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.corpus import (
    MAX_FILE_BYTES,
    Corpus,
    LoadReport,
    Problem,
    load_corpus,
    parse_fact_check,
    render_fact_check,
)
from bot.core.models import CITATION_RE, FactCheck, FollowUp, Section, Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
GOOD = FIXTURES / "good"
BROKEN = FIXTURES / "broken"


@pytest.fixture(scope="module")
def broken_report() -> LoadReport:
    return load_corpus(BROKEN)


def problems_of(report: LoadReport, filename: str) -> list[Problem]:
    return [p for p in report.problems if Path(p.file).name == filename]


def only_problem(report: LoadReport, filename: str) -> Problem:
    found = problems_of(report, filename)
    assert len(found) == 1, found
    return found[0]


def test_problem_str_names_file_line_and_field() -> None:
    problem = Problem("data/claims/x.md", 12, "checked_on", "not a date")
    assert str(problem) == "data/claims/x.md:12: checked_on: not a date"
    assert str(Problem("x.md", None, None, "file is empty")) == "x.md: file is empty"


def test_good_directory_loads_cleanly_in_id_order() -> None:
    report = load_corpus(GOOD)
    assert report.ok, [str(p) for p in report.problems]
    assert report.corpus.ids == ("sun-and-tides", "tides-and-the-moon")
    moon = report.corpus.get("tides-and-the-moon")
    assert moon is not None
    assert moon.checked_on == date(2025, 10, 1)
    assert moon.updated_on == date(2025, 10, 15)
    assert moon.verdict == "Mostly accurate"
    assert moon.summary.startswith("Mostly: the Moon's gravity")
    assert [s.heading for s in moon.sections] == ["The Moon's pull", "The Sun's share"]
    assert moon.sections[1].body == "The Sun's effect is a bit less than half the Moon's [2]."
    assert [s.number for s in moon.sources] == [1, 2]
    assert str(moon.sources[0].url) == "https://example.org/tides"
    assert moon.sources[1].url is None
    assert moon.follow_ups[0].claim == "sun-and-tides"
    assert moon.follow_ups[1].claim is None
    assert moon.aliases == ("Are tides caused by the moon?", "why do we have tides")


def test_corpus_container_behaviour() -> None:
    corpus = load_corpus(GOOD).corpus
    assert len(corpus) == 2
    assert "sun-and-tides" in corpus
    assert "nope" not in corpus
    assert corpus.get("nope") is None
    assert [fc.id for fc in corpus] == list(corpus.ids)
    with pytest.raises(AttributeError):
        corpus.extra = 1  # type: ignore[attr-defined]


def test_corpus_rejects_duplicate_ids_when_built_directly() -> None:
    fc = parse_fact_check((GOOD / "sun-and-tides.md").read_text(), "x.md")[0]
    assert fc is not None
    with pytest.raises(ValueError, match="duplicate"):
        Corpus([fc, fc])


def test_missing_field(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "missing-field.md")
    assert problem.field == "question"
    assert "missing" in problem.message


def test_bad_date_names_the_line_of_the_key(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "bad-date.md")
    assert (problem.line, problem.field) == (4, "checked_on")
    assert "11/31/2025" in problem.message


def test_unknown_citation_names_the_line_it_sits_on(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "unknown-citation.md")
    assert (problem.line, problem.field) == (16, "sections[0].body")
    assert "[7]" in problem.message


def test_duplicate_id_first_file_wins(broken_report: LoadReport) -> None:
    assert problems_of(broken_report, "duplicate-a.md") == []
    problem = only_problem(broken_report, "duplicate-b.md")
    assert (problem.line, problem.field) == (3, "id")
    assert "duplicate-a.md" in problem.message
    kept = broken_report.corpus.get("same-id")
    assert kept is not None
    assert kept.question == "Which file wins?"


def test_invalid_toml_line_is_offset_by_the_fence(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "invalid-toml.md")
    assert problem.line == 3
    assert problem.message.startswith("invalid TOML")


def test_broken_markdown_structure(broken_report: LoadReport) -> None:
    no_summary = only_problem(broken_report, "no-summary.md")
    assert (no_summary.line, no_summary.field) == (7, "summary")
    assert "no-fence.md" in {Path(p.file).name for p in broken_report.problems}
    unclosed = only_problem(broken_report, "unclosed-fence.md")
    assert unclosed.line == 1
    assert "closing" in unclosed.message


def test_empty_file(broken_report: LoadReport) -> None:
    assert only_problem(broken_report, "empty.md").message == "file is empty"


def test_non_utf8_bytes_name_the_line(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "not-utf8.md")
    assert problem.line == 3
    assert "UTF-8" in problem.message


def test_dangling_follow_up_is_reported_and_the_link_dropped(broken_report: LoadReport) -> None:
    problem = only_problem(broken_report, "dangling-follow-up.md")
    assert (problem.line, problem.field) == (8, "follow_ups[0].claim")
    assert "no-such-entry" in problem.message
    entry = broken_report.corpus.get("dangling-follow-up")
    assert entry is not None
    assert entry.follow_ups[0].claim is None


def test_broken_files_do_not_stop_the_others(broken_report: LoadReport) -> None:
    assert not broken_report.ok
    assert broken_report.corpus.ids == ("dangling-follow-up", "same-id")


def test_huge_file_is_refused_and_others_load(tmp_path: Path) -> None:
    (tmp_path / "a-fine.md").write_text((GOOD / "sun-and-tides.md").read_text())
    huge = tmp_path / "huge.md"
    with huge.open("wb") as out:
        out.write(b"+++\nid = 'huge'\n+++\n")
        out.write(b"x" * (5 * 1024 * 1024))
    assert huge.stat().st_size > MAX_FILE_BYTES
    report = load_corpus(tmp_path)
    problem = only_problem(report, "huge.md")
    assert "MB" in problem.message
    assert report.corpus.ids == ("sun-and-tides",)


def test_missing_directory_is_a_problem(tmp_path: Path) -> None:
    report = load_corpus(tmp_path / "nowhere")
    assert not report.ok
    assert len(report.corpus) == 0


def test_several_problems_in_one_file_are_all_reported() -> None:
    text = (
        '+++\nid = "Bad Id"\nquestion = "q?"\nchecked_on = 2025-01-01\nlanguage = "English"\n'
        "surprise = 1\n+++\n\nSummary cites [3].\n"
    )
    fc, problems = parse_fact_check(text, "many.md")
    assert fc is None
    by_field = {p.field: p.line for p in problems}
    assert by_field == {"id": 2, "language": 5, "surprise": 6, "summary": 9}


def test_body_fields_in_front_matter_are_refused() -> None:
    text = '+++\nid = "x"\nquestion = "q?"\nchecked_on = 2025-01-01\nsummary = "s"\n+++\n\nS.\n'
    fc, problems = parse_fact_check(text, "x.md")
    assert fc is None
    assert [(p.line, p.field) for p in problems] == [(5, "summary")]


def test_source_field_error_points_into_its_table() -> None:
    text = (
        '+++\nid = "x"\nquestion = "q?"\nchecked_on = 2025-01-01\n\n'
        '[[sources]]\nnumber = 1\ntitle = "a"\n\n[[sources]]\nnumber = 2\ntitle = "b"\n'
        'url = "not a url"\n+++\n\nS [1] [2].\n'
    )
    _, problems = parse_fact_check(text, "x.md")
    assert [(p.line, p.field) for p in problems] == [(13, "sources[1].url")]


def test_updated_before_checked_is_a_problem() -> None:
    text = (
        '+++\nid = "x"\nquestion = "q?"\nchecked_on = 2025-01-02\n'
        "updated_on = 2025-01-01\n+++\nS.\n"
    )
    _, problems = parse_fact_check(text, "x.md")
    assert [(p.line, p.field) for p in problems] == [(5, "updated_on")]


def test_render_round_trips_every_bundled_and_fixture_entry() -> None:
    corpus = load_corpus(GOOD).corpus
    for fc in corpus:
        parsed, problems = parse_fact_check(render_fact_check(fc), "again.md")
        assert problems == []
        assert parsed == fc


def test_render_round_trips_awkward_text() -> None:
    fc = FactCheck(
        id="awkward_1",
        question='Quotes " and \\ backslashes, tabs\tand ünïcödé ¿sí? 🙂',
        language="pt-BR",
        checked_on=date(2024, 2, 29),
        verdict="Falso",
        summary="Line one [1].\n\nSecond paragraph with +++ in it.",
        sections=(Section(heading="Heading with [1] and # hash", body="Body\nmore [1]"),),
        sources=(Source(number=1, title="T \x7f", url="https://example.org/a?b=c&d=e"),),
        follow_ups=(FollowUp(question="Next?", claim="other"),),
        aliases=("a", "b"),
        tags=("t",),
        claimant="Someone",
        external_id="Orig ID/with:chars",
    )
    parsed, problems = parse_fact_check(render_fact_check(fc), "awkward.md")
    assert problems == []
    assert parsed == fc


# Text as people write it: any characters except line breaks, surrogates and the
# control characters the Markdown body cannot carry verbatim.
_line = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029"),
    min_size=1,
    max_size=40,
).filter(
    lambda s: s.strip() == s and s != "" and not s.startswith("#") and not CITATION_RE.search(s)
)
_paragraphs = st.lists(_line, min_size=1, max_size=3).map("\n\n".join)


@st.composite
def fact_checks(draw: st.DrawFn) -> FactCheck:
    sources = tuple(
        Source(number=n, title=draw(_line), publisher=draw(st.none() | _line))
        for n in range(1, draw(st.integers(0, 3)) + 1)
    )
    cite = " [1]" if sources else ""
    return FactCheck(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9_-]{0,20}", fullmatch=True)),
        question=draw(_line),
        checked_on=draw(st.dates(min_value=date(1900, 1, 1))),
        verdict=draw(st.none() | _line),
        summary=draw(_paragraphs) + cite,
        sections=tuple(
            Section(heading=draw(_line), body=draw(_paragraphs))
            for _ in range(draw(st.integers(0, 3)))
        ),
        sources=sources,
        follow_ups=tuple(FollowUp(question=q) for q in draw(st.lists(_line, max_size=2))),
        aliases=tuple(draw(st.lists(_line, max_size=3))),
        tags=tuple(draw(st.lists(_line, max_size=2))),
        external_id=draw(st.none() | _line),
    )


@settings(max_examples=150, deadline=None)
@given(fact_checks())
def test_render_then_parse_is_identity(fc: FactCheck) -> None:
    parsed, problems = parse_fact_check(render_fact_check(fc), "generated.md")
    assert problems == []
    assert parsed == fc


def test_toml_error_without_position_points_at_the_closing_fence() -> None:
    text = '+++\nid = "x"\nid = "y"\n+++\n\nS.\n'
    _, problems = parse_fact_check(text, "x.md")
    assert [p.line for p in problems] == [4]
    assert problems[0].message.startswith("invalid TOML")


def test_directory_without_md_files_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a fact-check")
    report = load_corpus(tmp_path)
    assert [p.message for p in report.problems] == ["no *.md files in this directory"]
