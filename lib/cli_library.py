"""`python -m lib add`, `list` and `remove`: the user's article library from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lib.settings import Settings


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
    from lib.library import Library, add_files
    from lib.settings import load_settings

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
    """Print every article with its origin and, when indexed, its paragraph count."""
    from lib.library import Library, list_articles
    from lib.settings import load_settings

    settings = load_settings()
    articles = list_articles(Library.from_settings(settings))
    counts = _paragraph_counts(settings)
    columns = ["article_id", "title", "source", "published", "origin"]
    rows = [
        {**row, "paragraphs": counts.get(row["article_id"])} for row in articles[columns].to_dict("records")
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        paragraphs = "not indexed" if row["paragraphs"] is None else f"{row['paragraphs']} ¶"
        print(
            f"{row['article_id']:<24} {row['origin']:<7} {row['published'] or '----------'}  "
            f"{paragraphs:<11} "
            f"{row['title'] or '(untitled)'} · {row['source'] or '?'}"
        )
    return 0


def run_remove(args: argparse.Namespace) -> int:
    """Remove one user article, then update the index."""
    from lib.library import Library, delete_article
    from lib.settings import load_settings

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
        from lib.errors import DossierError

        raise DossierError(
            "This is a read-only deployment (DOSSIER_READ_ONLY is set): articles cannot be added or "
            "removed. Unset DOSSIER_READ_ONLY to change the corpus."
        )


def _paragraph_counts(settings: Settings) -> dict[str, int]:
    from lib.errors import DossierError
    from lib.store import EmbeddedStore

    try:
        paragraphs = EmbeddedStore(settings.resolved_index_dir).paragraphs()
    except DossierError:
        return {}
    body = paragraphs[paragraphs["kind"] == "body"]
    return {str(k): int(v) for k, v in body.groupby("article_id").size().items()}


def _update_index(settings: Settings) -> None:
    """Incremental index update with a tqdm bar: only new paragraphs are embedded."""
    from tqdm import tqdm

    from lib.embeddings import load_encoder
    from lib.index import build_index

    encoder = load_encoder(settings.embedding_model)
    with tqdm(total=100, unit="%", desc="Updating index", file=sys.stderr) as bar:

        def progress(fraction: float, message: str) -> None:
            bar.set_postfix_str(message[:60])
            bar.update(round(fraction * 100) - bar.n)

        report = build_index(
            settings.corpus_dirs,
            settings.resolved_index_dir,
            encoder,
            settings.batch_size,
            progress,
            max_bytes=settings.max_file_mb * 1024 * 1024,
        )
    print(
        f"Index updated: {report.articles} articles, {report.paragraphs} paragraphs "
        f"({report.embedded} embedded, {report.reused} reused)"
    )
