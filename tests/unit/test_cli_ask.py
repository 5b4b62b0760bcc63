"""``factdesk ask`` and ``factdesk search``, through the real argument parser.

Most tests call ``bot.cli.main`` in-process; one runs ``python -m bot ask`` in a fresh
interpreter, the way the README tells a newcomer to try it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.paths import PROJECT_ROOT

README_QUESTION = "did the US help the Mexican cartels?"
CARTELS = "us-aid-to-cartels"
FIXTURE_CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus" / "good"


def ask(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["ask", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_readme_question_prints_the_seed_answer(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, README_QUESTION)
    assert code == 0
    assert out.startswith("Did the US help the cartels in Mexico in any way?\n")
    assert "Verdict: Unproven" in out
    assert "Checked on 2025-11-11" in out
    assert "\nSources\n" in out
    assert "  [1] " in out
    assert "InSight Crime" in out
    assert "Want to dive deeper?" in out
    # follow-ups are marked with whether the corpus answers them
    deeper = out.split("Want to dive deeper?", 1)[1]
    assert "How has US drug policy contributed to cartel power in Mexico?" in deeper
    assert "answered: factdesk ask" in deeper
    numbered = re.findall(r"^  \d+\. ", deeper, flags=re.MULTILINE)
    marks = re.findall(r"^ +\((?:answered: .+|not yet checked)\)$", deeper, flags=re.MULTILINE)
    assert len(numbered) == len(marks) >= 1
    assert CARTELS in out


def test_readme_question_through_python_dash_m(tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", README_QUESTION],
        cwd=tmp_path,  # not the checkout: the bundled corpus is found from the package
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Did the US help the cartels in Mexico in any way?")
    assert "Sources" in done.stdout
    assert "Want to dive deeper?" in done.stdout
    assert "Traceback" not in done.stderr


def test_json_answer_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, README_QUESTION, "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["query"] == README_QUESTION
    assert payload["matched"] is True
    assert 0 < payload["threshold"] < 1
    first = payload["matches"][0]
    assert set(first) == {"id", "question", "probability", "score"}
    assert first["probability"] == first["score"] >= payload["threshold"]
    assert first["id"] == CARTELS
    assert 0 <= first["score"] <= 1
    entry = payload["fact_check"]
    assert entry["id"] == CARTELS
    assert entry["checked_on"] == "2025-11-11"
    assert entry["summary"]
    assert all({"number", "title"} <= set(source) for source in entry["sources"])
    assert entry["follow_ups"]
    assert all(isinstance(f["answered"], bool) for f in entry["follow_ups"])
    drug_policy = [
        f for f in entry["follow_ups"] if f.get("claim") == "us-drug-policy-cartel-power"
    ]
    assert drug_policy
    assert drug_policy[0]["answered"] is True


def test_no_match_exits_one_and_lists_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, "Is there water on the Moon?", "--corpus", str(FIXTURE_CORPUS))
    assert code == 1
    assert "No fact-check in the corpus answers: Is there water on the Moon?" in out
    assert "Nearest fact-checks:" in out
    assert "[tides-and-the-moon]" in out


def test_no_match_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(
        capsys, "Is there water on the Moon?", "--corpus", str(FIXTURE_CORPUS), "--json"
    )
    assert code == 1
    payload = json.loads(out)
    assert payload["matched"] is False
    assert "fact_check" not in payload
    assert payload["matches"][0]["id"] == "tides-and-the-moon"
    assert payload["matches"][0]["score"] < payload["threshold"]


def test_nothing_close_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = ask(capsys, "Why is the sea salty?", "--corpus", str(FIXTURE_CORPUS))
    assert code == 1
    assert "Nothing in the corpus is close." in out


def test_corpus_option_answers_from_another_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = ask(capsys, "are tides caused by the moon", "--corpus", str(FIXTURE_CORPUS))
    assert code == 0
    assert out.startswith("Does the Moon cause the ocean tides?\n")
    assert "Checked on 2025-10-01 (updated 2025-10-15)" in out
    assert "(answered: factdesk ask 'Does the Sun affect tides too?')" in out
    assert "(not yet checked)" in out  # the second follow-up names no entry
    assert err == ""  # the fixture corpus is clean


def test_corpus_option_with_a_jsonl_file(capsys: pytest.CaptureFixture[str]) -> None:
    sample = FIXTURE_CORPUS.parent.parent / "imports" / "vclaims-sample.jsonl"
    code, out, err = ask(capsys, "was the moon landing filmed in a studio", "--corpus", str(sample))
    assert code == 0
    assert out.startswith("The 1969 Moon landing was filmed in a studio.")
    assert "problem(s)" in err  # the sample holds broken lines; they are reported


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_empty_question_exits_two(capsys: pytest.CaptureFixture[str], blank: str) -> None:
    code, out, err = ask(capsys, blank)
    assert code == 2
    assert out == ""
    assert "empty" in err


def test_missing_corpus_exits_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = ask(capsys, README_QUESTION, "--corpus", str(tmp_path / "none"))
    assert code == 2
    assert "no corpus" in err


# --- search ---------------------------------------------------------------------------------


def test_search_json_ranks_with_ids_and_scores(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["search", README_QUESTION, "--k", "2", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    assert payload["query"] == README_QUESTION
    assert len(payload["matches"]) == 2
    assert payload["matches"][0]["id"] == CARTELS
    scores = [m["score"] for m in payload["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_search_queries_file_prints_one_json_line_per_query(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text(
        "q-cartels\tdid the US help the Mexican cartels?\n"
        "q-stratfor\tleaked STRATFOR emails about the Sinaloa cartel\n"
        "\n"
        "q-blank\t   \n"
        "q-nothing\twhy is the sea salty\n",
        encoding="utf-8",
    )
    code = main(["search", "--queries", str(queries), "--k", "3"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    records = [json.loads(line) for line in lines]
    assert [r["query_id"] for r in records] == ["q-cartels", "q-stratfor", "q-blank", "q-nothing"]
    for record in records:
        assert set(record) == {"query_id", "threshold", "matched", "matches"}
        assert len(record["matches"]) <= 3
        for match in record["matches"]:
            assert {"id", "probability", "score"} <= set(match)
            assert 0 <= match["probability"] <= 1
    assert len(records[0]["matches"]) == 3
    assert records[0]["matches"][0]["id"] == CARTELS
    assert records[1]["matches"][0]["id"] == "stratfor-mx1-sinaloa"
    assert records[2]["matches"] == []
    assert records[3]["matches"] == []
    assert [r["matched"] for r in records] == [True, True, False, False]
    assert records[0]["matches"][0]["probability"] >= records[0]["threshold"]


def test_search_needs_text_or_queries(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search"]) == 2
    assert "TEXT or --queries" in capsys.readouterr().err
