"""``factdesk corpus``: check a corpus directory, and import fact-checks published elsewhere.

``factdesk corpus check [DIR]`` prints every problem as ``file:line: field: message``, then
a summary line, and exits 1 when there is any problem (0 otherwise). ``factdesk corpus
build`` saves the matching index the bot opens at start. ``factdesk corpus import FILE
--format claimreview|jsonl --out DIR`` writes one corpus file per record;
``factdesk corpus export [DIR] --format claimreview [--out FILE]`` writes the corpus as
ClaimReview JSON-LD (to stdout by default).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bot.cli.common import corpus_setting, load_settings, shown


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    corpus = subparsers.add_parser("corpus", help="check, index or import fact-check files")
    actions = corpus.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)

    check = actions.add_parser(
        "check",
        help="report every problem in a corpus (exit 1 if there is any)",
        description="Load a corpus the way the bot does and print every problem found.",
    )
    check.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=None,
        metavar="DIR",
        help="directory of *.md files, or a .jsonl / ClaimReview .json file "
        "(default: FACTDESK_CORPUS_DIR, else the bundled data/claims)",
    )
    check.set_defaults(handler=handle_check)

    build = actions.add_parser(
        "build",
        help="build and save the matching index, so the bot starts without building it",
        description="Build the corpus's matching index into the index directory the bot "
        "opens at start (FACTDESK_INDEX_DIR, else index/ beside FACTDESK_DATABASE). An "
        "index that is already there for the same corpus and code is kept.",
    )
    build.add_argument(
        "--corpus",
        type=Path,
        default=None,
        metavar="PATH",
        help="the corpus (default: FACTDESK_CORPUS_DIR, else the bundled data/claims)",
    )
    build.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to save it (default: the bot's index directory)",
    )
    build.set_defaults(handler=handle_build)

    importer = actions.add_parser(
        "import",
        help="write one corpus file per fact-check of a ClaimReview or JSONL file",
        description="Convert ClaimReview JSON-LD or vclaims-style JSONL into corpus files.",
    )
    importer.add_argument("file", type=Path, metavar="FILE")
    importer.add_argument(
        "--format",
        choices=("claimreview", "jsonl"),
        default=None,
        help="input format (default: jsonl for *.jsonl, claimreview otherwise)",
    )
    importer.add_argument("--out", type=Path, required=True, metavar="DIR")
    importer.add_argument("--force", action="store_true", help="replace files that exist")
    importer.set_defaults(handler=handle_import)

    exporter = actions.add_parser(
        "export",
        help="write the corpus as schema.org ClaimReview JSON-LD",
        description="Write every fact-check with a verdict as ClaimReview JSON-LD "
        "(one document with an @graph, which `corpus import` reads back).",
    )
    exporter.add_argument(
        "path",
        type=Path,
        nargs="?",
        default=None,
        metavar="DIR",
        help="the corpus to export (default: FACTDESK_CORPUS_DIR, else the bundled data/claims)",
    )
    exporter.add_argument("--format", choices=("claimreview",), default="claimreview")
    exporter.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="write here (default: stdout)"
    )
    exporter.set_defaults(handler=handle_export)


def handle_check(args: argparse.Namespace) -> int:
    from bot.core.corpus import load_corpus

    path = args.path if args.path is not None else corpus_setting()
    started = time.perf_counter()
    report = load_corpus(path)
    elapsed = time.perf_counter() - started
    for problem in report.problems:
        print(problem)
    files = len({problem.file for problem in report.problems})
    print(
        f"{path}: {_plural(len(report.corpus), 'fact-check')} loaded, "
        f"{_plural(len(report.problems), 'problem')} in {_plural(files, 'file')} "
        f"({elapsed:.2f} s)"
    )
    return 0 if report.ok else 1


def handle_build(args: argparse.Namespace) -> int:
    from bot.core.library import Library

    corpus = args.corpus if args.corpus is not None else corpus_setting()
    index_dir = args.index_dir if args.index_dir is not None else load_settings().resolved_index_dir
    if not corpus.exists():
        print(f"error: corpus {shown(str(corpus))} does not exist", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        library, problems, outcome = Library.open(corpus, index_dir)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"error: cannot read corpus {shown(str(corpus))}: {reason}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - started
    if not outcome.saved:
        print(f"error: {outcome.reason}", file=sys.stderr)
        return 1
    done = "already built, kept" if outcome.reused else f"built ({outcome.reason})"
    print(
        f"{outcome.path}: {done}: {_plural(len(library.corpus), 'fact-check')}, "
        f"{_plural(len(problems), 'problem')} ({elapsed:.2f} s)"
    )
    return 0


def handle_import(args: argparse.Namespace) -> int:
    from bot.core.importers import read_import_file, write_fact_checks

    if not args.file.is_file():
        print(f"{shown(str(args.file))}: no such file", file=sys.stderr)
        return 2
    out_problem = _out_dir_problem(args.out)
    if out_problem is not None:
        print(f"error: --out {shown(str(args.out))}: {out_problem}", file=sys.stderr)
        return 2
    fact_checks, problems = read_import_file(args.file, args.format)
    try:
        written, write_problems = write_fact_checks(fact_checks, args.out, overwrite=args.force)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"error: cannot write to --out {shown(str(args.out))}: {reason}", file=sys.stderr)
        return 2
    for problem in problems + write_problems:
        print(problem)
    print(
        f"{args.file}: {_plural(len(written), 'file')} written to {args.out}, "
        f"{_plural(len(problems) + len(write_problems), 'problem')}"
    )
    return 0 if not problems and not write_problems else 1


def handle_export(args: argparse.Namespace) -> int:
    import json

    from bot.core.corpus import load_corpus
    from bot.core.exporters import export_claimreview

    path = args.path if args.path is not None else corpus_setting()
    report = load_corpus(path)
    for problem in report.problems:
        print(problem, file=sys.stderr)
    document, skipped = export_claimreview(report.corpus)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as error:
            reason = error.strerror or str(error)
            print(f"error: cannot write --out {shown(str(args.out))}: {reason}", file=sys.stderr)
            return 2
    if skipped:
        print(
            f"{_plural(len(skipped), 'fact-check')} without a verdict left out "
            f"(ClaimReview requires a rating): {', '.join(skipped)}",
            file=sys.stderr,
        )
    exported = len(document["@graph"])
    print(f"{path}: {_plural(exported, 'fact-check')} exported", file=sys.stderr)
    return 0 if report.ok else 1


def _out_dir_problem(out: Path) -> str | None:
    """Why ``out`` cannot be (or become) the directory to write into, or None."""
    if out.exists():
        return None if out.is_dir() else "is a file, not a directory"
    for parent in out.parents:
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is a file, not a directory"
    return None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
