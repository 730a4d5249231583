"""`python -m lib timeline`: the corpus's events with their sources, from a terminal."""

from __future__ import annotations

import argparse
import json
from typing import cast

from lib.cli.common import add_cite_option, add_location_options, open_located_store
from lib.corpus.citations import CitationBuilder
from lib.entities import resolve_names
from lib.index.annotators import stored_copy_groups
from lib.timeline.view import (
    TimelineFilters,
    article_spans,
    build_timeline,
    events_to_records,
    filter_events,
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
    groups = None if args.all_copies else stored_copy_groups(store)
    entities = tuple(resolve_names(store.table("entities"), args.entity)) if args.entity else ()
    timeline = build_timeline(store, groups)
    if args.spans:
        spans = article_spans(store.articles(), timeline.mentions)
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
