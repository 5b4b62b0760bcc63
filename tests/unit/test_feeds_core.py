"""The pure part of live feeds (bot/core/feeds.py): every body shape a feed may serve
becomes entries, bad records are named, unusable bodies say so, and feed entries join the
file corpus with the files winning every id clash."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.core.corpus import Corpus
from bot.core.feeds import FeedParse, merge, merged_library, parse_feed
from bot.core.library import Library
from bot.core.models import FactCheck

URL = "https://feeds.example.org/claims.json"
OTHER = "https://other.example.org/feed"
IMPORTS = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def review(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example.org/2026/12/claim-{n}",
        "claimReviewed": f"Claim number {n} is true.",
        "datePublished": "2026-12-01",
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "author": {"@type": "Organization", "name": "Example Fact Desk"},
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


def body(document: Any) -> bytes:
    return json.dumps(document).encode()


def entry(claim_id: str, question: str = "A file entry?") -> FactCheck:
    return FactCheck(
        id=claim_id, question=question, checked_on=date(2026, 1, 1), summary="From a file."
    )


def test_a_single_object_becomes_one_entry_with_its_source_publisher_and_rating() -> None:
    parsed = parse_feed(body(review(1)), URL)
    assert parsed.usable
    assert parsed.problems == ()
    (fc,) = parsed.entries
    assert fc.question == "Claim number 1 is true."
    assert fc.verdict == "False"
    assert fc.sources[0].publisher == "Example Fact Desk"
    assert str(fc.sources[0].url) == "https://factcheck.example.org/2026/12/claim-1"
    assert fc.external_id == "https://factcheck.example.org/2026/12/claim-1"


def test_a_list_and_a_graph_each_give_every_review() -> None:
    listed = parse_feed(body([review(1), review(2)]), URL)
    graph = parse_feed(
        body({"@graph": [{"@type": "WebPage", "name": "x"}, review(1), review(2)]}), URL
    )
    assert [fc.id for fc in listed.entries] == [fc.id for fc in graph.entries]
    assert len(listed.entries) == 2
    assert graph.problems == ()


def test_a_data_feed_with_bare_reviews_and_data_feed_items() -> None:
    document = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            review(1),
            {"@type": "DataFeedItem", "item": review(2)},
            {"@type": "DataFeedItem", "item": [review(3), review(4)]},
        ],
    }
    parsed = parse_feed(body(document), URL)
    assert parsed.problems == ()
    assert sorted(fc.question for fc in parsed.entries) == [
        f"Claim number {n} is true." for n in (1, 2, 3, 4)
    ]


def test_a_data_feed_inside_a_graph_is_found() -> None:
    document = {"@graph": [{"@type": "DataFeed", "dataFeedElement": [review(1)]}]}
    assert len(parse_feed(body(document), URL).entries) == 1


def test_bad_records_are_named_by_position_and_field_and_the_others_load() -> None:
    document = {
        "@type": "DataFeed",
        "dataFeedElement": [
            review(1),
            {"@type": "DataFeedItem", "item": [review(2), review(3, datePublished=None)]},
            {"@type": "DataFeedItem", "item": {"@type": "Person", "name": "Not a review"}},
            review(4, reviewRating={"@type": "Rating"}),
        ],
    }
    parsed = parse_feed(body(document), URL)
    assert len(parsed.entries) == 2
    assert [(p.file, p.field) for p in parsed.problems] == [
        (URL, "dataFeedElement[1].item[1].datePublished"),
        (URL, "dataFeedElement[2]"),
        (URL, "dataFeedElement[3].reviewRating.alternateName"),
    ]
    assert parsed.usable


def test_a_list_names_its_bad_records_too() -> None:
    parsed = parse_feed(body([review(1), review(2, claimReviewed="  ")]), URL)
    assert [p.field for p in parsed.problems] == ["[1].claimReviewed"]


def test_ids_are_the_same_each_time_the_feed_is_read() -> None:
    without_url = review(7, url=None)
    first = parse_feed(body([review(1), without_url]), URL)
    again = parse_feed(body([without_url, review(1)]), URL)
    assert sorted(fc.id for fc in first.entries) == sorted(fc.id for fc in again.entries)
    assert len({fc.id for fc in first.entries}) == 2


def test_the_same_record_twice_in_one_body_is_served_once_with_a_warning() -> None:
    parsed = parse_feed(body([review(1), review(1)]), URL)
    assert len(parsed.entries) == 1
    (problem,) = parsed.problems
    assert problem.warning
    assert problem.field == "id"


def test_bodies_that_hold_nothing_usable_say_why() -> None:
    cases = {
        b"\xff\xfe not utf-8": "not valid UTF-8",
        b"<html>oops</html>": "invalid JSON",
        b"[]": "no ClaimReview found",
        body({"@type": "DataFeed", "dataFeedElement": []}): "no ClaimReview found",
        body({"@type": "DataFeed"}): "missing",
        body([review(1, datePublished="someday")]): "no date",
    }
    for raw, expected in cases.items():
        parsed = parse_feed(raw, URL)
        assert not parsed.usable, raw
        assert parsed.entries == ()
        assert any(expected in p.message for p in parsed.problems), (raw, parsed.problems)
        assert all(p.file == URL for p in parsed.problems)


def test_the_importer_fixtures_parse_as_feeds() -> None:
    for name in ("claimreview-single.json", "claimreview-graph.json", "google-claims.json"):
        assert parse_feed((IMPORTS / name).read_bytes(), URL).usable, name


def test_merge_keeps_file_entries_on_a_clash_and_says_so() -> None:
    feed = parse_feed(body([review(1), review(2)]), URL)
    clashing_id = feed.entries[0].id
    files = [entry(clashing_id, "The file's question?"), entry("other")]
    merged, problems = merge(files, [feed])
    by_id = {fc.id: fc for fc in merged}
    assert len(by_id) == len(merged) == 3
    assert by_id[clashing_id].question == "The file's question?"
    (problem,) = problems
    assert problem.file == URL
    assert problem.warning
    assert "corpus files" in problem.message
    assert clashing_id in problem.message


def test_merge_lets_the_feed_listed_first_win_between_feeds() -> None:
    first = parse_feed(body(review(1)), URL)
    second = parse_feed(body(review(1, reviewRating={"alternateName": "True"})), OTHER)
    merged, problems = merge([], [first, second])
    assert [fc.verdict for fc in merged] == ["False"]
    (problem,) = problems
    assert problem.file == OTHER
    assert URL in problem.message


def test_merged_library_serves_feed_entries_and_keeps_the_threshold() -> None:
    base = Library.build(Corpus([entry("file-one", "Is the file entry served?")]), threshold=0.7)
    feed = parse_feed(body(review(5, claimReviewed="Penguins can fly over the Alps.")), URL)
    library, problems = merged_library(base, [feed])
    assert problems == []
    assert len(library.corpus) == 2
    assert library.matcher.threshold == 0.7
    found = library.answer("Penguins can fly over the Alps")
    assert found is not None
    assert found.id == feed.entries[0].id
    assert library.answer("Is the file entry served?") is not None


def test_merged_library_without_feed_entries_is_the_same_library() -> None:
    base = Library.build(Corpus([entry("file-one")]))
    empty = FeedParse(URL, (), ())
    assert merged_library(base, [empty]) == (base, [])
    assert merged_library(base, []) == (base, [])


def test_a_dataset_sized_merge_stays_packed_and_serves_every_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.core.feeds as feeds_module

    monkeypatch.setattr(feeds_module, "PACK_ABOVE", 2)
    base = Library.build(Corpus([entry("file-one"), entry("file-two", "Another file entry?")]))
    feed = parse_feed(body([review(1), review(2)]), URL)
    library, _ = merged_library(base, [feed])
    assert len(library.corpus) == 4
    assert library.corpus._packer is not None
    for fc in feed.entries:
        assert library.corpus.get(fc.id) == fc
