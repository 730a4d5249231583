"""`python -m lib timex`: the time expressions of a text, resolved against a publication date, as JSON."""

from __future__ import annotations

import argparse
import json

from lib.cli.common import parse_day
from lib.errors import BadInputError
from lib.timex.registry import (
    TAGGER_NAMES,
    find_time_expressions,
    get_tagger,
)


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


def run_timex(args: argparse.Namespace) -> int:
    """Print one JSON object per expression: text, start, end, value, granularity, vague, kind, ..."""
    if not args.text.strip():
        raise BadInputError("The text is empty: give the text to read, in quotes.")
    published = parse_day(args.published, "--published")
    expressions = find_time_expressions(args.text, published, get_tagger(args.tagger))
    print(json.dumps([expression.to_dict() for expression in expressions], indent=2))
    return 0
