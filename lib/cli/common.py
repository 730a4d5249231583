"""What every command shares: the `--corpus`/`--index`/`--no-build` options, opening the store
(building the index first when there is none), a progress bar with an ETA on stderr, and the
one parser of YYYY-MM-DD option values."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

from lib.errors import BadInputError, IndexCorruptError, IndexMissingError
from lib.index.build import BuildReport, Progress
from lib.index.update import update_index
from lib.settings import Settings, load_settings
from lib.store.factory import OpenStore, open_store


def add_location_options(parser: argparse.ArgumentParser, build_option: bool = True) -> None:
    """`--corpus` and `--index` (which corpus and index a command reads; defaults: settings) and,
    for commands that read the index, `--no-build`."""
    parser.add_argument("--corpus", type=Path, help="Corpus folder (default: the bundled corpus).")
    parser.add_argument("--index", type=Path, help="Index folder (default: one per corpus under .dossier/).")
    if build_option:
        parser.add_argument(
            "--no-build",
            action="store_true",
            help="Fail (exit 3) instead of building the index when there is none yet.",
        )


def add_cite_option(parser: argparse.ArgumentParser, what: str) -> None:
    """`--cite`: print each of `what` with its citation (lib.corpus.citations), as the pages'
    "Copy citation" control gives it (in --json, a `citation` field)."""
    parser.add_argument(
        "--cite",
        action="store_true",
        help=f"Also print each {what}'s citation: outlet, title, date, URL, paragraph and quote.",
    )


def located_settings(args: argparse.Namespace, **overrides: object) -> Settings:
    """The settings with `--corpus`/`--index` (and any other given options) applied."""
    return load_settings(corpus_dir=args.corpus, index_dir=args.index, **overrides)


def open_located_store(args: argparse.Namespace, **overrides: object) -> tuple[Settings, OpenStore]:
    """The settings and the configured store over the index they name. When no usable index exists
    yet it is built first, with a progress bar on stderr, unless `--no-build` was given (then
    `IndexMissingError`: a one-line message and exit code 3)."""
    settings = located_settings(args, **overrides)
    try:
        return settings, open_store(settings)
    except (IndexMissingError, IndexCorruptError):
        if getattr(args, "no_build", False):
            raise
    print(f"note: no usable index in {settings.resolved_index_dir}; building it first", file=sys.stderr)
    with progress_bar("Building the index") as progress:
        report = update_index(settings, progress, skip_when_ready=True)
    print_build_report(report, out=sys.stderr)
    return settings, open_store(settings)


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """A tqdm bar on stderr (percent done, elapsed time and ETA) fed by a build's `progress`."""
    from tqdm import tqdm  # heavy: imported on first use

    layout = "{l_bar}{bar}| {elapsed}<{remaining}{postfix}"
    with tqdm(total=100, unit="%", desc=description, file=sys.stderr, bar_format=layout) as bar:

        def progress(fraction: float, message: str) -> None:
            bar.set_postfix_str(message[:60])
            bar.update(max(0, round(min(max(fraction, 0.0), 1.0) * 100) - bar.n))

        yield progress


def print_build_report(report: BuildReport | None, verb: str = "Indexed", out: TextIO | None = None) -> None:
    """What a build did: notes and skipped files on stderr, the summary on `out` (stderr when the
    build only prepares another command's answer, so its output stays clean)."""
    out = out or sys.stdout
    if report is None:
        print("The index is already up to date.", file=out)
        return
    if report.rebuilt_because:
        print(f"note: {report.rebuilt_because}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped {problem.path}: {problem.message}", file=sys.stderr)
    print(
        f"{verb} {report.articles} articles, {report.paragraphs} paragraphs "
        f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f} s "
        f"→ {report.index_dir}",
        file=out,
    )
    if report.published_to:
        print(f"Published to Milvus collection {report.published_to}", file=out)


def parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value as a date (None when not given); `BadInputError` otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadInputError(
            f"{option} expects a date as YYYY-MM-DD (for example 2019-05-10), got '{value}'."
        ) from exc
