"""`python -m lib timeline`: the corpus's events with their sources, from a terminal."""

from __future__ import annotations

import argparse
import json
from typing import cast

import pandas as pd

from lib.cli.common import add_cite_option, add_location_options, open_located_store
from lib.corpus.citations import CitationBuilder
from lib.entities import resolve_names
from lib.errors import BadInputError
from lib.timeline.view import (
    TimelineFilters,
    events_to_records,
    filter_events,
    key_events,
    read_timeline,
)


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `timeline` command."""
    parser = sub.add_parser("timeline", help="Print the events found in the corpus, with their sources.")
    parser.add_argument("--json", action="store_true", help="Print the events as JSON.")
    parser.add_argument(
        "--min-sources", type=int, default=1, help="Only events in at least this many articles."
    )
    parser.add_argument("--vague", action="store_true", help="Include vague expressions (recently, now...).")
    parser.add_argument(
        "--entity",
        action="append",
        default=[],
        help="Only events whose sentence names this person, place, organisation or group (repeatable).",
    )
    parser.add_argument(
        "--all-copies", action="store_true", help="Count an article and its copies as separate sources."
    )
    parser.add_argument(
        "--key",
        type=int,
        nargs="?",
        const=0,
        default=None,
        metavar="N",
        help="Instead: the N key events (default: as many as stand out), in date order, with their "
        "title and numbers of articles and outlets; --json adds the ranking score and summary.",
    )
    parser.add_argument(
        "--spans",
        action="store_true",
        help="Instead: per article, its publication date and the first and last dates it talks about.",
    )
    add_cite_option(parser, "event source")
    add_location_options(parser)
    parser.set_defaults(run=run_timeline)


def run_timeline(args: argparse.Namespace) -> int:
    """Print events in date order (the index is built first when there is none)."""
    _, store = open_located_store(args)
    entities = tuple(resolve_names(store.table("entities"), args.entity)) if args.entity else ()
    timeline = read_timeline(store, copies_once=not args.all_copies)
    if args.key is not None:
        return _print_key_events(timeline.dates, args.key, args.json)
    if args.spans:
        spans = timeline.spans
        if args.json:
            print(json.dumps(spans.to_dict("records"), ensure_ascii=False, indent=2, default=str))
            return 0
        for row in spans.itertuples():
            talks = f"{row.first_date} … {row.last_date} ({row.dates} dates)" if row.dates else "no dates"
            print(f"{row.article_id:<20} published {row.published or '?':<10}  talks about {talks}")
        return 0
    filters = TimelineFilters(min_sources=max(1, args.min_sources), show_vague=args.vague, entities=entities)
    events = filter_events(timeline.events, store.articles(), filters).sort_values(["start_date", "value"])
    citations = CitationBuilder(store.articles(), store.paragraphs()) if args.cite else None
    if args.json:
        records = events_to_records(events, timeline.mentions)
        if citations is not None:
            for record in records:
                for source in cast(list[dict[str, str]], record["sources"]):
                    source["citation"] = citations.cite(source["paragraph_id"], source["sentence"]).text
        print(
            json.dumps(
                {"notes": timeline.notes, "events": records},
                ensure_ascii=False,
                indent=2,
                default=str,
            )
        )
        return 0
    mentions = timeline.mentions.set_index("mention_id")
    for event in events.itertuples():
        when = event.value if not event.is_end_point else f"by {event.value}"
        print(f"{when:<14} [{event.granularity}] {event.label}")
        for mention_id in event.mention_ids:
            m = mentions.loc[mention_id]
            print(f"    {m['paragraph_id']:<8} “{m['expression']}”: {m['sentence'][:160]}")
            if citations is not None:
                print(f"        cite: {citations.cite(m['paragraph_id'], m['sentence']).text}")
    for note in timeline.notes:
        print(f"note: {note}")
    return 0


def _print_key_events(dates: pd.DataFrame, count: int, as_json: bool) -> int:
    """The key events (`count` 0: as many as stand out), in date order."""
    if count < 0:
        raise BadInputError("--key takes a positive number of key events.")
    chosen = key_events(dates, count or None)
    if as_json:
        columns = ["day", "title", "n_articles", "n_outlets", "score", "rank", "summary", "event_id"]
        print(json.dumps(chosen[columns].to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return 0
    for row in chosen.itertuples():
        outlets = f", {row.n_outlets} outlets" if row.n_outlets > 1 else ""
        print(f"{row.day}  {row.title or row.summary[:100]}  ({row.n_articles} articles{outlets})")
    return 0
