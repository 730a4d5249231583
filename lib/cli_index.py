"""`python -m lib build` and `python -m lib search`: the index and search from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

from lib.cli import add_location_options
from lib.errors import BadInputError

if TYPE_CHECKING:
    from lib.index import BatchRunner


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `build` and `search` commands."""
    build = sub.add_parser("build", help="Build or update the search index (for deployment).")
    _corpus_options(build)
    build.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="Run cleaning, embedding and annotation on a Ray cluster (`local`, `auto`, `host:6379`).",
    )
    build.add_argument(
        "--milvus",
        metavar="URI",
        help="Also publish the index to Milvus (a Milvus Lite file or http://host:19530).",
    )
    build.set_defaults(run=run_build)

    search = sub.add_parser("search", help="Search the corpus's paragraphs.")
    search.add_argument("query", help="What to look for, in your own words.")
    search.add_argument("-k", type=int, default=10, help="Number of hits (default 10).")
    search.add_argument("--source", action="append", default=[], help="Only this source (repeatable).")
    search.add_argument("--article", action="append", default=[], help="Only this article id (repeatable).")
    search.add_argument("--since", help="Only articles published on or after YYYY-MM-DD.")
    search.add_argument("--until", help="Only articles published on or before YYYY-MM-DD.")
    search.add_argument(
        "--entity",
        action="append",
        default=[],
        help="Only paragraphs naming this person, place, organisation or group (repeatable: any of them).",
    )
    search.add_argument("--mode", choices=("hybrid", "dense", "keyword"), default="hybrid")
    search.add_argument("--json", action="store_true", help="Print the hits as JSON.")
    search.add_argument(
        "--all-copies",
        action="store_true",
        help="Show passages repeated by copies of the same story separately.",
    )
    _corpus_options(search)
    search.set_defaults(run=run_search)


def _corpus_options(parser: argparse.ArgumentParser) -> None:
    add_location_options(parser)
    parser.add_argument("--model", help="sentence-transformers model name or path.")


def parse_day(value: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option value as a date; raises `BadInputError` for anything else."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadInputError(f"{option} expects a date as YYYY-MM-DD, got '{value}'.") from exc


def run_build(args: argparse.Namespace) -> int:
    """Build the index with a progress bar; print what was embedded, reused and skipped."""
    from tqdm import tqdm

    from lib.backends import publish_index
    from lib.embeddings import load_encoder
    from lib.index import build_index
    from lib.settings import load_settings

    settings = load_settings(
        corpus_dir=args.corpus, index_dir=args.index, embedding_model=args.model, ray_address=args.ray
    )
    encoder = load_encoder(settings.embedding_model)
    with (
        _runner(settings.ray_address) as runner,
        tqdm(total=100, unit="%", desc="Building index", file=sys.stderr) as bar,
    ):

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
            runner=runner,
        )
    collection = publish_index(settings, args.milvus)
    if report.rebuilt_because:
        print(f"note: {report.rebuilt_because}", file=sys.stderr)
    for problem in report.problems:
        print(f"skipped {problem.path}: {problem.message}", file=sys.stderr)
    print(
        f"Indexed {report.articles} articles, {report.paragraphs} paragraphs "
        f"({report.embedded} embedded, {report.reused} reused) in {report.seconds:.1f} s "
        f"→ {report.index_dir}"
    )
    if collection:
        print(f"Published to Milvus collection {collection} at {args.milvus or settings.milvus_uri}")
    return 0


@contextmanager
def _runner(ray_address: str) -> Iterator[BatchRunner | None]:
    """The Ray runner when a cluster is configured, else None (the build runs in this process)."""
    if not ray_address:
        yield None
        return
    from lib.distributed import ray_cluster

    with ray_cluster(ray_address) as runner:
        yield runner


def run_search(args: argparse.Namespace) -> int:
    """Search an existing index; a missing or corrupt index is a clear error, not a rebuild."""
    from lib.backends import open_store
    from lib.copies import corpus_copy_groups
    from lib.embeddings import load_encoder
    from lib.entities import paragraphs_with, resolve_names
    from lib.search import hits_to_records, search, validate_query
    from lib.settings import load_settings
    from lib.store import SearchFilters

    validate_query(args.query)
    since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    settings = load_settings(corpus_dir=args.corpus, index_dir=args.index, embedding_model=args.model)
    store = open_store(settings)
    paragraph_ids = None
    if args.entity:
        entities = store.table("entities")
        paragraph_ids = tuple(paragraphs_with(entities, resolve_names(entities, args.entity)))
    filters = SearchFilters(
        articles=tuple(args.article),
        sources=tuple(args.source),
        since=since,
        until=until,
        paragraph_ids=paragraph_ids,
    )
    encoder = load_encoder(store.model if args.model is None else settings.embedding_model)
    result = search(
        store,
        encoder,
        args.query,
        k=args.k,
        filters=filters,
        mode=args.mode,
        fusion=settings.fusion,
        keyword_weight=settings.keyword_weight,
        candidates=settings.candidates,
        min_similarity=settings.min_similarity,
        groups=None if args.all_copies else corpus_copy_groups(store.articles()),
    )
    if args.json:
        keep = [
            "rank",
            "score",
            "article_id",
            "title",
            "paragraph_id",
            "text",
            "source",
            "published",
            "also_in",
        ]
        records = [{k: r[k] for k in keep} for r in hits_to_records(result.hits)]
        print(
            json.dumps(
                {"query": result.query, "notes": result.notes, "hits": records}, ensure_ascii=False, indent=2
            )
        )
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    for hit in result.hits.itertuples():
        title = hit.title or "(untitled)"
        print(
            f"{hit.rank:>2}. [{hit.score:.4f}] {hit.paragraph_id}  {title} · {hit.source or '?'} · "
            f"{hit.published or 'date unknown'}"
        )
        print(f"    {hit.text[:300]}{'…' if len(hit.text) > 300 else ''}")
    return 0
