"""`python -m lib read ID` and `python -m lib copies`: an article as the reader page shows it
(numbered paragraphs, the furniture removed from it), and the groups of copies the Corpus page
lists, from a terminal."""

from __future__ import annotations

import argparse
import json

from lib.cli.common import add_location_options, open_located_store
from lib.corpus.copies import copy_pairs
from lib.corpus.titles import article_titles
from lib.errors import BadInputError
from lib.index.annotators import stored_copy_groups
from lib.reader import article_view


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `read` and `copies` commands."""
    read = sub.add_parser("read", help="Print an article's cleaned paragraphs, numbered (the reader page).")
    read.add_argument("article_id", metavar="ID", help="The article's id (see `python -m lib list`).")
    read.add_argument("--paragraph", type=int, help="Only this paragraph number.")
    read.add_argument("--furniture", action="store_true", help="Also list the lines removed as furniture.")
    read.add_argument("--json", action="store_true", help="Print the article as JSON.")
    add_location_options(read)
    read.set_defaults(run=run_read)

    copies = sub.add_parser("copies", help="List the groups of copies of one story, with their overlap.")
    copies.add_argument("--json", action="store_true", help="Print the groups as JSON.")
    add_location_options(copies)
    copies.set_defaults(run=run_copies)


def run_read(args: argparse.Namespace) -> int:
    """Print one article: title, source, date, then each paragraph with its id."""
    _, store = open_located_store(args)
    view = article_view(store, args.article_id)
    paragraphs = view.paragraphs
    if args.paragraph is not None:
        if view.paragraph(args.paragraph) is None:
            raise BadInputError(
                f"Article '{args.article_id}' has paragraphs 1 to {len(paragraphs)}, not {args.paragraph}."
            )
        paragraphs = paragraphs[paragraphs["ordinal"] == args.paragraph]
    article = view.article
    title = article_titles(store.articles(), store.paragraphs())[args.article_id]
    if args.json:
        record = {
            **{k: article.get(k, "") for k in ("article_id", "title", "source", "url", "published")},
            "display_title": title,
            "paragraphs": paragraphs[["paragraph_id", "ordinal", "kind", "text"]].to_dict("records"),
        }
        if args.furniture:
            record["furniture"] = view.furniture[["rule", "text"]].to_dict("records")
        print(json.dumps(record, ensure_ascii=False, indent=2, default=str))
        return 0
    print(title)
    print(" · ".join(str(article.get(k) or "?") for k in ("source", "published")) + f" · {args.article_id}")
    for p in paragraphs.itertuples():
        marker = "#" if p.kind == "heading" else "¶"
        print(f"\n{marker}{p.ordinal} [{p.paragraph_id}]\n{p.text}")
    if args.furniture:
        print(f"\nRemoved as furniture ({len(view.furniture)} lines):")
        for f in view.furniture.itertuples():
            print(f"  [{f.rule}] {f.text}")
    return 0


def run_copies(args: argparse.Namespace) -> int:
    """Print each group of copies: the original first, then each copy with its overlap."""
    _, store = open_located_store(args)
    groups = stored_copy_groups(store)
    pairs = copy_pairs(groups)
    titles = article_titles(store.articles(), store.paragraphs())
    records = []
    for original, members in groups[groups["group_size"] > 1].groupby("group", sort=True):
        copies = pairs[pairs["article_id"].isin(members["article_id"])].sort_values("article_id")
        records.append(
            {
                "group": original,
                "title": titles.get(original, original),
                "articles": sorted(members["article_id"]),
                "copies": copies.to_dict("records"),
            }
        )
    if args.json:
        print(json.dumps(records, ensure_ascii=False, indent=2, default=str))
        return 0
    if not records:
        print("No article is a copy of another.")
    for record in records:
        print(f"{record['group']}  {record['title']}")
        for copy in record["copies"]:
            print(
                f"  ← {copy['article_id']:<20} {copy['kind']:<9} copy of {copy['copy_of']}: "
                f"containment {copy['containment']:.2f}, jaccard {copy['jaccard']:.2f}"
            )
    return 0
