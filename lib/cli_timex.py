"""`python -m lib timex`: the time expressions of a text, resolved against a publication date, as JSON."""

from __future__ import annotations

import argparse
import json
from datetime import date

from lib.errors import BadInputError
from lib.timex import TAGGER_NAMES  # light: lib.timex imports its libraries lazily


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `timex` command."""
    timex = sub.add_parser("timex", help="Find and resolve the time expressions of a text (JSON).")
    timex.add_argument("text", help="The text to read (quote it).")
    timex.add_argument(
        "--published",
        help="Publication date YYYY-MM-DD (without it, relative expressions stay unresolved).",
    )
    timex.add_argument(
        "--tagger",
        default="rules",
        choices=TAGGER_NAMES,
        help="Which candidate design reads the text (default: rules).",
    )
    timex.set_defaults(run=run_timex)


def parse_published(value: str | None) -> date | None:
    """The --published value as a date; raises `BadInputError` with the expected format."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise BadInputError(
            f"--published expects a date as YYYY-MM-DD (for example 2019-05-10), got '{value}'."
        ) from exc


def run_timex(args: argparse.Namespace) -> int:
    """Print one JSON object per expression: text, start, end, value, granularity, vague, kind, ..."""
    from lib.timex import find_time_expressions, get_tagger

    if not args.text.strip():
        raise BadInputError("The text is empty: give the text to read, in quotes.")
    published = parse_published(args.published)
    expressions = find_time_expressions(args.text, published, get_tagger(args.tagger))
    print(json.dumps([expression.to_dict() for expression in expressions], indent=2))
    return 0
