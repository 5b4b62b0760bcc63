"""``factdesk ask`` and ``factdesk search``: the bot's answer, offline, in a terminal.

``ask`` prints what a member would read on Discord: the question, verdict, "checked on"
date, summary, numbered sources and the dive-deeper follow-ups (each marked with whether
the corpus answers it). ``search`` prints ranked matches with ids and scores, for one text
or for a whole TSV file of queries in one process (one JSON line per query).

Both open the matching index the bot saved (``FACTDESK_INDEX_DIR``, else ``index/`` beside
``FACTDESK_DATABASE``, or ``--index-dir``) instead of building it, and build and save it
when it is missing; a stale or damaged index is said so on stderr and rebuilt, never used.

Exit codes: 0 answered, 1 no fact-check matched, 2 the input could not be used.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli.common import CliError, clean_unicode, settings_errors, settings_problems, shown

if TYPE_CHECKING:
    from bot.core.library import Library
    from bot.core.matching import MatchResult
    from bot.core.models import FactCheck

EXIT_ANSWERED = 0
EXIT_NO_MATCH = 1
EXIT_BAD_INPUT = 2
# Shown once on stderr; the full list is what `factdesk corpus check` is for.
PROBLEMS_SHOWN = 5
WRAP_WIDTH = 88


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="answer a question from the corpus, offline",
        description="Print the fact-check that answers QUESTION, as the bot would.",
    )
    ask.add_argument("question", metavar="QUESTION")
    _corpus_option(ask)
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.set_defaults(handler=handle_ask)

    search = subparsers.add_parser(
        "search",
        help="ranked matches with ids and scores",
        description="Rank the corpus against TEXT, or against every line of --queries.",
    )
    search.add_argument("text", nargs="?", metavar="TEXT")
    _corpus_option(search)
    search.add_argument("--k", type=int, default=5, help="how many matches (default 5)")
    search.add_argument(
        "--queries",
        type=Path,
        metavar="FILE.tsv",
        help="lines of query_id<TAB>text; prints one JSON line per query",
    )
    search.add_argument("--json", action="store_true", help="print JSON instead of text")
    search.set_defaults(handler=handle_search)


def _corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        metavar="PATH",
        help="a corpus directory, or a .jsonl / ClaimReview .json file "
        "(default: FACTDESK_CORPUS_DIR, else the bundled data/claims)",
    )
    parser.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the saved matching index is opened, or built and saved when missing "
        "(default: the bot's, FACTDESK_INDEX_DIR else index/ beside the database)",
    )


def corpus_path(args: argparse.Namespace) -> Path:
    """``--corpus`` when given, else ``FACTDESK_CORPUS_DIR`` (as ``factdesk run`` reads it)."""
    from bot.cli.common import corpus_setting

    return Path(args.corpus) if args.corpus is not None else corpus_setting()


def index_dir_setting() -> Path:
    """The bot's index directory (``FACTDESK_INDEX_DIR``, else ``index/`` beside
    ``FACTDESK_DATABASE``). Only those two variables are read, so ``ask`` still works when
    an unrelated setting is broken."""
    from pydantic import field_validator
    from pydantic_settings import BaseSettings

    from bot.settings import Settings

    class _IndexOnly(BaseSettings):
        model_config = Settings.model_config
        index_dir: Path | None = Settings.model_fields["index_dir"].default
        database: Path | str = Settings.model_fields["database"].default

        @field_validator("database", mode="before")
        @classmethod
        def _database_target(cls, value: object) -> object:
            return Settings._database_target(value)

    try:
        found = _IndexOnly()
    except settings_errors() as error:
        raise CliError(f"error: bad setting {settings_problems(error)[0].line()}") from None
    settings = Settings.model_construct(index_dir=found.index_dir, database=found.database)
    return settings.resolved_index_dir


def _load(path: Path, index_dir: Path | None) -> Library | None:
    from bot.core.library import Library

    if not path.exists():
        print(f"error: no corpus at {shown(str(path))}", file=sys.stderr)
        return None
    directory = index_dir if index_dir is not None else index_dir_setting()
    library, problems, outcome = Library.open(path, directory)
    if not outcome.reused and outcome.stale:
        print(f"note: {outcome.reason}: rebuilt it", file=sys.stderr)
    if not outcome.saved:
        print(f"note: the index was built but not saved ({outcome.reason})", file=sys.stderr)
    if problems:
        print(
            f"warning: {len(problems)} problem(s) in {path}; broken entries are left out "
            "(`factdesk corpus check` lists them all):",
            file=sys.stderr,
        )
        for problem in problems[:PROBLEMS_SHOWN]:
            print(f"  {problem}", file=sys.stderr)
    if len(library.corpus) == 0:
        print(f"error: the corpus at {path} holds no usable fact-check", file=sys.stderr)
        return None
    return library


# --- ask ------------------------------------------------------------------------------------


def handle_ask(args: argparse.Namespace) -> int:
    from bot.core.matching import EmptyQuestionError

    library = _load(corpus_path(args), args.index_dir)
    if library is None:
        return EXIT_BAD_INPUT
    try:
        result = library.matcher.match(args.question)
    except EmptyQuestionError:
        print(
            'error: the question is empty; ask something, e.g. factdesk ask "..."', file=sys.stderr
        )
        return EXIT_BAD_INPUT
    best = result.best
    fact_check = library.corpus.get(best.claim_id) if best else None
    if args.json:
        payload = _answer_json(library, result, fact_check)
        print(_json_text(payload, indent=2))
    elif fact_check is None:
        _print_no_match(result, sys.stdout)
    else:
        _print_answer(library, fact_check, sys.stdout)
    return EXIT_ANSWERED if fact_check is not None else EXIT_NO_MATCH


def _print_answer(library: Library, fc: FactCheck, out: TextIO) -> None:
    def para(body: str, indent: str = "") -> None:
        for paragraph in body.split("\n\n"):
            out.write(
                textwrap.fill(
                    " ".join(paragraph.split()),
                    WRAP_WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
                + "\n"
            )

    out.write(f"{fc.question}\n{'=' * min(len(fc.question), WRAP_WIDTH)}\n")
    if fc.verdict:
        out.write(f"Verdict: {fc.verdict}\n")
    checked = f"Checked on {fc.checked_on.isoformat()}"
    if fc.updated_on:
        checked += f" (updated {fc.updated_on.isoformat()})"
    out.write(checked + "\n\n")
    para(fc.summary)
    if fc.sources:
        out.write("\nSources\n")
        for source in fc.sources:
            details = ", ".join(
                part
                for part in (source.publisher, source.published and source.published.isoformat())
                if part
            )
            line = f"  [{source.number}] {source.title}"
            if details:
                line += f" ({details})"
            out.write(line + "\n")
            if source.url:
                out.write(f"      {source.url}\n")
    if fc.follow_ups:
        out.write("\nWant to dive deeper?\n")
        for number, follow_up in enumerate(fc.follow_ups, start=1):
            answered = follow_up.claim is not None and follow_up.claim in library.corpus
            mark = (
                f"answered: factdesk ask {follow_up.question!r}" if answered else "not yet checked"
            )
            out.write(f"  {number}. {follow_up.question}\n     ({mark})\n")
    out.write(
        f"\n{len(fc.sections)} section(s) of full analysis in the corpus entry `{fc.id}`. "
        "Fact-checks can be wrong or out of date: verify important information.\n"
    )


def _print_no_match(result: MatchResult, out: TextIO) -> None:
    out.write(f"No fact-check in the corpus answers: {shown(result.query.strip())}\n")
    nearest = result.nearest(3)
    if nearest:
        out.write("Nearest fact-checks:\n")
        for match in nearest:
            out.write(f"  {match.score:.0%}  {match.question}  [{match.claim_id}]\n")
    else:
        out.write("Nothing in the corpus is close.\n")


def _answer_json(library: Library, result: MatchResult, fc: FactCheck | None) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "query": result.query,
        "threshold": result.threshold,
        "matched": fc is not None,
        "matches": [_match_json(m) for m in result.matches],
    }
    if fc is not None:
        entry = fc.model_dump(mode="json", exclude_none=True)
        entry["follow_ups"] = [
            {**f, "answered": f.get("claim") in library.corpus} for f in entry.get("follow_ups", [])
        ]
        payload["fact_check"] = entry
    return payload


def _json_text(payload: Any, indent: int | None = None) -> str:
    """``payload`` as JSON that is always valid UTF-8: lone surrogates become U+FFFD."""
    return clean_unicode(json.dumps(payload, ensure_ascii=False, indent=indent))


def _match_json(match: Any) -> dict[str, Any]:
    # "score" stays for scripts written before the learned scorer; it is the probability.
    return {
        "id": match.claim_id,
        "question": match.question,
        "probability": match.probability,
        "score": match.score,
    }


def _result_json(result: MatchResult) -> dict[str, Any]:
    """What every JSON answer says about the decision: the threshold, whether the top
    match clears it, and each match's probability."""
    return {
        "threshold": result.threshold,
        "matched": result.best is not None,
        "matches": [_match_json(m) for m in result.matches],
    }


# --- search ---------------------------------------------------------------------------------


def handle_search(args: argparse.Namespace) -> int:
    from bot.core.matching import EmptyQuestionError

    if (args.text is None) == (args.queries is None):
        print("error: give either TEXT or --queries FILE.tsv", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.k < 1:
        print("error: --k must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.queries is not None and not args.queries.is_file():
        print(f"error: no queries file at {shown(str(args.queries))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    library = _load(corpus_path(args), args.index_dir)
    if library is None:
        return EXIT_BAD_INPUT
    if args.queries is not None:
        return _search_many(library, args.queries, args.k)
    try:
        result = library.matcher.match(args.text, k=args.k)
    except EmptyQuestionError:
        print("error: the text is empty", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.json:
        print(_json_text({"query": args.text, **_result_json(result)}))
    else:
        for rank, match in enumerate(result.matches, start=1):
            print(f"{rank}. {match.score:.3f}  {match.claim_id}  {match.question}")
    return EXIT_ANSWERED if result.best is not None else EXIT_NO_MATCH


def _search_many(library: Library, path: Path, k: int) -> int:
    from bot.core.matching import EmptyQuestionError

    with path.open(encoding="utf-8", errors="replace") as lines:
        for line_number, line in enumerate(lines, start=1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            query_id, tab, query = line.partition("\t")
            if not tab:
                print(f"{path}:{line_number}: no TAB after the query id; skipped", file=sys.stderr)
                continue
            try:
                found = _result_json(library.matcher.match(query, k=k))
            except EmptyQuestionError:
                found = {"threshold": library.matcher.threshold, "matched": False, "matches": []}
            print(_json_text({"query_id": query_id, **found}))
    return EXIT_ANSWERED
