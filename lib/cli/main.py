"""The command line: a thin shell that parses arguments, calls `lib`, and turns a
`DossierError` into a one-line message and a non-zero exit code.

Each group of commands lives in its own `lib.cli.<group>` module with a `register(subparsers)`
function that sets `run` on its parser; shared options and helpers are in `lib.cli.common`.
"""

from __future__ import annotations

import argparse
import os
import sys

from lib.cli import brief, entities, index, library, reader, stance, timeline, timex
from lib.errors import DossierError

COMMAND_GROUPS = (index, reader, timex, timeline, stance, library, entities, brief)
"""Each registers its commands, in this order (the order `python -m lib --help` lists them)."""


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every command registered."""
    parser = argparse.ArgumentParser(prog="python -m lib", description="Dossier command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except DossierError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: nothing already stored was changed", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
