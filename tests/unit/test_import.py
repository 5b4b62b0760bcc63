"""Importers: ClaimReview JSON-LD and vclaims-style JSONL into fact-checks and corpus files."""

from __future__ import annotations

import json
import re
import time
from datetime import date
from pathlib import Path

import pytest

from bot.core.corpus import load_corpus, parse_fact_check
from bot.core.importers import (
    UNDATED,
    import_claimreview,
    import_jsonl,
    parse_loose_date,
    read_import_file,
    slug_for,
    write_fact_checks,
)
from bot.core.models import CLAIM_ID_PATTERN
from bot.paths import PROJECT_ROOT

IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"


def test_single_claimreview_maps_every_field() -> None:
    fact_checks, problems = read_import_file(IMPORTS / "claimreview-single.json")
    assert problems == []
    (fc,) = fact_checks
    assert fc.question == "The Moon is made of green cheese."
    assert fc.verdict == "False"
    assert fc.checked_on == date(2024, 5, 2)
    assert fc.updated_on == date(2024, 5, 10)
    assert fc.claimant == "A. Dairy Enthusiast"
    assert fc.external_id == "https://factcheck.example.org/2024/05/moon-cheese"
    assert fc.id.startswith("2024-05-moon-cheese-")
    assert fc.summary.startswith("Rock samples")
    review, post, video = fc.sources
    assert (review.title, review.publisher) == (
        "No, the Moon is not made of cheese",
        "Example Fact Desk",
    )
    assert str(review.url) == "https://factcheck.example.org/2024/05/moon-cheese"
    assert post.title == "Viral post about the Moon"
    assert str(video.url) == "https://video.example.net/watch?v=abc"


def test_list_reports_records_that_are_not_reviews() -> None:
    fact_checks, problems = read_import_file(IMPORTS / "claimreview-list.json")
    assert [fc.verdict for fc in fact_checks] == ["Falso", "Accurate"]
    assert fact_checks[0].language == "es"
    assert fact_checks[0].sources[0].publisher == "Verifica Ejemplo"
    assert [p.field for p in problems] == ["[2]"]


def test_graph_picks_the_review_among_other_nodes() -> None:
    fact_checks, problems = read_import_file(IMPORTS / "claimreview-graph.json")
    assert problems == []
    (fc,) = fact_checks
    assert fc.verdict == "Satire"
    assert fc.sources[0].publisher == "R. Checker, S. Editor"
    assert fc.external_id == "https://factcheck.example.org/page#review"


def test_google_fact_check_tools_answer() -> None:
    (fc,), problems = read_import_file(IMPORTS / "google-claims.json")
    assert problems == []
    assert fc.claimant == "Viral image"
    assert fc.verdict == "Mostly false"
    assert fc.checked_on == date(2021, 3, 5)
    assert fc.sources[0].title == "Turbines and birds: what the counts say"


def test_missing_required_fields_are_reported_per_record() -> None:
    fact_checks, problems = read_import_file(IMPORTS / "claimreview-broken.json")
    assert [fc.question for fc in fact_checks] == ["The one complete review in this file."]
    assert [p.field for p in problems] == [
        "[0].claimReviewed",
        "[1].datePublished",
        "[2].reviewRating.alternateName",
    ]
    assert all("missing" in p.message for p in problems)


def test_invalid_json_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "@type": "ClaimReview",\n  oops\n}\n')
    fact_checks, problems = read_import_file(bad)
    assert fact_checks == []
    assert [(p.line, p.message.startswith("invalid JSON")) for p in problems] == [(3, True)]


def test_jsonl_sample() -> None:
    fact_checks, problems = read_import_file(IMPORTS / "vclaims-sample.jsonl")
    by_external = {fc.external_id: fc for fc in fact_checks}
    assert len(by_external) == 5
    assert [(p.line, p.field) for p in problems] == [(5, "date"), (6, "claim"), (7, None)]

    plain = by_external["vclaim-sno-moon-landing-hoax"]
    assert plain.id == "vclaim-sno-moon-landing-hoax"
    assert plain.checked_on == date(2019, 7, 20)
    assert plain.summary == "Was the Moon Landing Faked?"  # a "Rumor:" subtitle adds nothing
    assert plain.aliases == ("Was the Moon Landing Faked?",)

    politifact = by_external["vclaim-pol-00042"]
    assert politifact.verdict == "Pants on Fire"
    assert politifact.claimant == "A Mayor"
    assert politifact.checked_on == date(2019, 10, 22)
    assert str(politifact.sources[0].url).startswith("https://www.example.com/")

    assert by_external["vclaim-sno-undated"].checked_on == UNDATED
    long_ones = [fc for key, fc in by_external.items() if key and len(key) > 80]
    assert len(long_ones) == 1
    assert len(long_ones[0].id) <= 80
    odd = by_external["vclaim-sno-McDonald's_Fries!"]
    assert re.fullmatch(r"vclaim-sno-mcdonald-s_fries-[0-9a-f]{8}", odd.id)


def test_jsonl_can_skip_undated_records() -> None:
    lines = [json.dumps({"id": "a", "claim": "c"}), json.dumps({"id": "b", "claim": "c"})]
    fact_checks, problems = import_jsonl(lines, "x.jsonl", undated=None)
    assert fact_checks == []
    assert [(p.line, p.field) for p in problems] == [(1, "date"), (2, "date")]


def test_slugs_are_valid_stable_and_distinct() -> None:
    pattern = re.compile(CLAIM_ID_PATTERN)
    ids = [
        "x" * 108,
        "x" * 107 + "y",
        "Ünïcode Id",
        "unicode-id",
        "UNICODE ID",
        "!!!",
        "vclaim-sno-ok",
    ]
    slugs = [slug_for(i) for i in ids]
    assert all(pattern.match(s) for s in slugs), slugs
    assert len(set(slugs)) == len(ids)
    assert slugs == [slug_for(i) for i in ids]
    assert slug_for("vclaim-sno-ok") == "vclaim-sno-ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("26 May 2015", date(2015, 5, 26)),
        ("stated on October 22, 2019 in a campaign mailer.:", date(2019, 10, 22)),
        ("2024-05-02T09:30:00+00:00", date(2024, 5, 2)),
        ("21February 2009", date(2009, 2, 21)),
        ("Sept. 3, 2020", date(2020, 9, 3)),
        ("31 February 2020", None),
        ("no date here", None),
    ],
)
def test_parse_loose_date(text: str, expected: date | None) -> None:
    assert parse_loose_date(text) == expected


def test_write_fact_checks_round_trips_and_keeps_existing_files(tmp_path: Path) -> None:
    fact_checks, _ = read_import_file(IMPORTS / "vclaims-sample.jsonl")
    written, problems = write_fact_checks(fact_checks, tmp_path)
    assert problems == []
    assert len(written) == 5
    for path in written:
        parsed, file_problems = parse_fact_check(path.read_text(encoding="utf-8"), str(path))
        assert file_problems == []
        assert parsed in fact_checks
    report = load_corpus(tmp_path)
    assert report.ok
    assert len(report.corpus) == 5

    again, problems = write_fact_checks(fact_checks, tmp_path)
    assert again == []
    assert len(problems) == 5
    replaced, problems = write_fact_checks(fact_checks, tmp_path, overwrite=True)
    assert (len(replaced), problems) == (5, [])


def test_import_claimreview_accepts_parsed_documents() -> None:
    document = {
        "@type": "ClaimReview",
        "claimReviewed": "Claim",
        "datePublished": "2020-01-01",
        "reviewRating": {"alternateName": "True"},
    }
    fact_checks, problems = import_claimreview(document, "inline")
    assert problems == []
    assert fact_checks[0].summary == "The fact-checker rated this claim: True."


@pytest.mark.dataset
@pytest.mark.parametrize(
    ("name", "records"), [("checkthat-2022-2a", 14_231), ("politifact", 19_250)]
)
def test_datasets_load_whole(name: str, records: int) -> None:
    path = DATASETS / name / "vclaims.jsonl"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    started = time.perf_counter()
    report = load_corpus(path)
    elapsed = time.perf_counter() - started
    assert len(report.corpus) == records
    # every problem is an undated record that still loaded
    assert all(p.field == "date" for p in report.problems)
    assert elapsed < 20, f"loading {name} took {elapsed:.1f} s"
    external = {fc.external_id for fc in report.corpus}
    assert len(external) == records
