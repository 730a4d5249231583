"""The command line: a thin shell that parses arguments, calls `lib`, and turns a
`DossierError` into a one-line message and a non-zero exit code.

Each concept's commands live in their own `cli_<concept>` module with a
`register(subparsers)` function that sets `run` on its parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lib.errors import DossierError

if TYPE_CHECKING:
    from lib.backends import OpenStore
    from lib.settings import Settings

COMMAND_MODULES = (
    "lib.cli_index",
    "lib.cli_timex",
    "lib.cli_stance_model",
    "lib.cli_timeline",
    "lib.cli_stance",
    "lib.cli_library",
    "lib.cli_entities",
)


def add_location_options(parser: argparse.ArgumentParser) -> None:
    """`--corpus` and `--index`: which corpus and index a command reads (defaults: settings)."""
    parser.add_argument("--corpus", type=Path, help="Corpus folder (default: the bundled corpus).")
    parser.add_argument("--index", type=Path, help="Index folder (default: one per corpus under .dossier/).")


def open_located_store(args: argparse.Namespace) -> tuple[Settings, OpenStore]:
    """The settings with `--corpus`/`--index` applied, and the configured store over that index
    (`IndexMissingError`, a clear message, when it has not been built)."""
    from lib.backends import open_store
    from lib.settings import load_settings

    settings = load_settings(corpus_dir=args.corpus, index_dir=args.index)
    return settings, open_store(settings)


def build_parser() -> argparse.ArgumentParser:
    """The full parser, with every command registered."""
    parser = argparse.ArgumentParser(prog="python -m lib", description="Dossier command line.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
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
