"""The ``factdesk`` command line.

Each ``bot/cli/cmd_*.py`` module adds its sub-commands through ``register(subparsers)``
and binds a handler with ``set_defaults(handler=...)``; the handler takes the parsed
arguments and returns the exit code. Modules import heavy things (discord, the database)
inside their handlers so ``factdesk ask`` stays quick and never imports discord.

Exit codes shared by every command: 2 for unusable input or settings (one line on stderr,
raised as :class:`bot.cli.common.CliError`), 130 on Ctrl-C, and 141 (128 + SIGPIPE, what a
shell reports for ``yes | head``) when the reader of stdout went away, e.g.
``factdesk doctor | head -1``; that case prints nothing more.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli.common import CliError

EXIT_BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="factdesk",
        description="Careful, sourced fact-checks for Discord servers.",
    )
    parser.add_argument("--version", action="version", version=f"factdesk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("cmd_"):
            module = importlib.import_module(f"{__name__}.{module_info.name}")
            module.register(subparsers)
    return parser


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout is not a real file (a test's capture)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code = int(args.handler(args))
        # Flush here, inside the try: a closed pipe must surface now, not at exit.
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except CliError as error:
        print(str(error), file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
