"""`python -m lib entities`: the people, places, organisations and groups the corpus names."""

from __future__ import annotations

import argparse
import json

from lib.cli.common import add_location_options, open_located_store
from lib.entities import article_counts, cooccurrence, entity_counts
from lib.errors import BadInputError
from lib.index.annotators import stored_copy_groups


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `entities` command."""
    parser = sub.add_parser("entities", help="List the entities the corpus names, most mentioned first.")
    parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")
    parser.add_argument("--article", help="Only this article id (its own counts).")
    parser.add_argument(
        "--all-copies", action="store_true", help="Count an article and its copies separately."
    )
    parser.add_argument("--limit", type=int, default=50, help="At most this many entities (default 50).")
    parser.add_argument(
        "--pairs",
        choices=("paragraph", "article"),
        help="Instead: which of the most mentioned entities are named together, by paragraph or article.",
    )
    add_location_options(parser)
    parser.set_defaults(run=run_entities)


def run_entities(args: argparse.Namespace) -> int:
    """Print entity counts of the whole corpus (copies once) or of one article."""
    _, store = open_located_store(args)
    entities = store.table("entities")
    articles = store.articles()
    if args.article:
        if args.article not in set(articles["article_id"]):
            raise BadInputError(f"There is no article '{args.article}': list them with `python -m lib list`.")
        counts = article_counts(entities)
        counts = counts[counts["article_id"] == args.article].drop(columns="article_id")
    elif args.pairs:
        groups = None if args.all_copies else stored_copy_groups(store)
        pairs = cooccurrence(entities, top_n=max(args.limit, 2), by=args.pairs, groups=groups)
        if args.json:
            print(json.dumps(pairs.to_dict("records"), ensure_ascii=False, indent=2, default=str))
            return 0
        for row in pairs.itertuples():
            print(f"{row.together:>5}  {row.a} + {row.b}")
        return 0
    else:
        groups = None if args.all_copies else stored_copy_groups(store)
        counts = entity_counts(entities, groups)
    counts = counts.head(max(args.limit, 1))
    if args.json:
        print(json.dumps(counts.to_dict("records"), ensure_ascii=False, indent=2, default=str))
        return 0
    for row in counts.itertuples():
        where = "" if args.article else f"  in {row.articles} article(s)"
        print(f"{row.mentions:>5}  {row.name:<32} {row.kind:<13}{where}".rstrip())
    if not args.article and not args.all_copies:
        print("note: an article and its copies count once (--all-copies counts them separately)")
    return 0
