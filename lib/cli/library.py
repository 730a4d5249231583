"""`python -m lib add`, `list` and `remove`: the user's article library from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from lib.cli.common import print_build_report, progress_bar
from lib.corpus.library import Library, add_files, delete_article, list_articles
from lib.corpus.titles import article_titles
from lib.errors import DossierError
from lib.index.annotators import stored_copy_groups
from lib.index.update import update_index
from lib.overview import corpus_overview
from lib.settings import Settings, load_settings
from lib.store.embedded import EmbeddedStore


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `add`, `list` and `remove` commands."""
    add = sub.add_parser("add", help="Add article files to the user corpus and update the index.")
    add.add_argument("files", nargs="+", type=Path, metavar="FILE", help="Article files to add.")
    add.add_argument("--title", default="", help="Title (for every file given).")
    add.add_argument("--source", default="", help="Source, e.g. the outlet (for every file given).")
    add.add_argument("--url", default="", help="Original address (for every file given).")
    add.add_argument("--published", default="", help="Publication date, YYYY-MM-DD.")
    add.add_argument("--no-index", action="store_true", help="Do not update the index afterwards.")
    add.set_defaults(run=run_add)

    listing = sub.add_parser("list", help="List every article, bundled and added.")
    listing.add_argument("--json", action="store_true", help="Print the list as JSON.")
    listing.set_defaults(run=run_list)

    remove = sub.add_parser("remove", help="Remove an added article and update the index.")
    remove.add_argument("article_id", metavar="ID", help="The article's id (see `python -m lib list`).")
    remove.add_argument("--no-index", action="store_true", help="Do not update the index afterwards.")
    remove.set_defaults(run=run_remove)


def run_add(args: argparse.Namespace) -> int:
    """Add each file, reporting it added or rejected; exit 2 if any was rejected."""
    settings = load_settings()
    _refuse_when_read_only(settings)
    library = Library.from_settings(settings)
    missing = [path for path in args.files if not path.is_file()]
    for path in missing:
        print(f"rejected {path}: no such file", file=sys.stderr)
    metadata = {"title": args.title, "source": args.source, "url": args.url, "published": args.published}
    found = [(path.name, path.read_bytes()) for path in args.files if path.is_file()]
    outcomes = add_files(library, found, **metadata)
    for outcome in outcomes:
        if outcome.added:
            print(f"added {outcome.name} as {', '.join(outcome.article_ids)}")
        else:
            print(f"rejected {outcome.error}", file=sys.stderr)
    rejected = len(missing) + sum(not o.added for o in outcomes)
    if any(o.added for o in outcomes) and not args.no_index:
        _update_index(settings)
    return 2 if rejected else 0


def run_list(args: argparse.Namespace) -> int:
    """Print every article with its origin and, once indexed, what the Home page's overview and
    the Corpus page's copies show of it (paragraphs, words, removed lines, copy group)."""
    settings = load_settings()
    articles = list_articles(Library.from_settings(settings))
    indexed = _indexed_facts(settings)
    titles = article_titles(articles)
    columns = ["article_id", "title", "source", "published", "origin"]
    rows = [
        {**row, **indexed.get(row["article_id"], dict.fromkeys(INDEXED_FACTS))}
        for row in articles[columns].to_dict("records")
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        paragraphs = "not indexed" if row["paragraphs"] is None else f"{row['paragraphs']} ¶"
        print(
            f"{row['article_id']:<24} {row['origin']:<7} {row['published'] or '----------'}  "
            f"{paragraphs:<11} "
            f"{titles[row['article_id']]}"
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Remove one user article, then update the index."""
    settings = load_settings()
    _refuse_when_read_only(settings)
    delete_article(Library.from_settings(settings), args.article_id)
    print(f"removed {args.article_id}")
    if not args.no_index:
        _update_index(settings)
    return 0


def _refuse_when_read_only(settings: Settings) -> None:
    """A read-only deployment (DOSSIER_READ_ONLY) changes no article, from the CLI either."""
    if settings.read_only:
        raise DossierError(
            "This is a read-only deployment (DOSSIER_READ_ONLY is set): articles cannot be added or "
            "removed. Unset DOSSIER_READ_ONLY to change the corpus."
        )


INDEXED_FACTS = ("paragraphs", "words", "furniture", "date_from", "copy_group", "copy_of", "copy_kind")
"""What `list` adds for an indexed article (None for one not indexed yet)."""


def _indexed_facts(settings: Settings) -> dict[str, dict[str, object]]:
    """Per indexed article: its overview counts (`lib.overview`) and its copy group."""
    try:
        store = EmbeddedStore(settings.resolved_index_dir)
    except DossierError:
        return {}
    overview = corpus_overview(store, store.furniture()).set_index("article_id")
    copies = stored_copy_groups(store).set_index("article_id")
    facts: dict[str, dict[str, object]] = {}
    for article_id, row in overview.iterrows():
        copy = copies.loc[article_id] if article_id in copies.index else pd.Series(dtype=object)
        copy_of = copy.get("copy_of")
        copy_of = None if copy_of is None or pd.isna(copy_of) else str(copy_of)
        facts[str(article_id)] = {
            "paragraphs": int(row["paragraphs"]),
            "words": int(row["words"]),
            "furniture": int(row["furniture"]),
            "date_from": row["date_from"],
            "copy_group": str(copy.get("group", article_id)),
            "copy_of": copy_of,
            "copy_kind": None if copy_of is None else str(copy["kind"]),
        }
    return facts


def _update_index(settings: Settings) -> None:
    """Incremental index update (`lib.index.update`) with a progress bar: only new paragraphs are
    embedded, and the new generation is published to the configured store."""
    with progress_bar("Updating index") as progress:
        report = update_index(settings, progress)
    print_build_report(report, verb="Index updated:")
