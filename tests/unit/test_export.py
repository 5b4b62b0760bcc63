"""``factdesk corpus export --format claimreview``: valid JSON-LD that imports back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.corpus import load_corpus
from bot.core.exporters import export_claimreview
from bot.core.importers import import_claimreview, read_import_file
from bot.paths import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"
BUNDLED = PROJECT_ROOT / "data" / "claims"


@pytest.mark.parametrize(
    "name", ["claimreview-single.json", "claimreview-list.json", "claimreview-graph.json"]
)
def test_imported_claimreviews_export_and_import_back_identical(name: str) -> None:
    imported, _ = read_import_file(FIXTURES / name)
    assert imported
    document, skipped = export_claimreview(imported)
    assert skipped == []
    again, problems = import_claimreview(json.loads(json.dumps(document)), "export")
    assert problems == []
    assert again == imported  # every field, the ids and external ids included


def test_the_bundled_corpus_keeps_everything_claimreview_can_carry() -> None:
    corpus = list(load_corpus(BUNDLED).corpus)
    document, skipped = export_claimreview(corpus)
    assert document["@context"] == "https://schema.org"
    assert all(node["@type"] == "ClaimReview" for node in document["@graph"])
    again, problems = import_claimreview(document, "export")
    assert problems == []
    by_id = {fc.id: fc for fc in again}
    assert sorted(by_id) == sorted(fc.id for fc in corpus if fc.id not in skipped)
    for fc in corpus:
        if fc.id in skipped:
            assert fc.verdict is None
            continue
        back = by_id[fc.id]
        kept = ("question", "language", "checked_on", "updated_on", "verdict", "summary")
        assert {k: getattr(back, k) for k in kept} == {k: getattr(fc, k) for k in kept}
        assert back.claimant == fc.claimant
        assert back.external_id == fc.external_id
        # Sources in order, with title, publisher and link; the first one is the review
        # itself in ClaimReview, dated by the review.
        shown = [(s.number, s.title, s.publisher, s.url) for s in back.sources]
        assert shown == [(s.number, s.title, s.publisher, s.url) for s in fc.sources]
        assert [s.published for s in back.sources[1:]] == [s.published for s in fc.sources[1:]]


def test_the_cli_writes_the_file_and_says_what_it_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "corpus.jsonld"
    assert (
        main(["corpus", "export", str(BUNDLED), "--format", "claimreview", "--out", str(out)]) == 0
    )
    err = capsys.readouterr().err
    assert "fact-checks exported" in err
    imported, problems = read_import_file(out, "claimreview")
    assert problems == []
    assert len(imported) == len(json.loads(out.read_text(encoding="utf-8"))["@graph"])
    assert main(["corpus", "export", str(BUNDLED)]) == 0
    assert json.loads(capsys.readouterr().out)["@graph"]
