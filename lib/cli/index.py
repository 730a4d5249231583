"""`python -m lib build`, `python -m lib search` and `python -m lib export-onnx`: the index, search
and the int8 encoder from a terminal."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lib.cli.common import (
    add_cite_option,
    add_location_options,
    located_settings,
    open_located_store,
    parse_day,
    print_build_report,
    progress_bar,
)
from lib.corpus.citations import CitationBuilder
from lib.corpus.titles import article_titles
from lib.entities import paragraphs_with, resolve_names
from lib.index.annotators import stored_copy_groups
from lib.index.build import BatchRunner
from lib.index.distributed import ray_cluster
from lib.index.update import configured_encoder, update_index
from lib.search import best_sentence, hits_to_records, search, search_options, validate_query
from lib.settings import load_settings
from lib.store.base import SearchFilters
from lib.text.embeddings import export_onnx, load_encoder


def register(sub: argparse._SubParsersAction) -> None:
    """Add the `build` and `search` commands."""
    build = sub.add_parser("build", help="Build or update the search index (for deployment).")
    _corpus_options(build, build_option=False)
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
    add_cite_option(search, "hit")
    _corpus_options(search)
    search.set_defaults(run=run_search)

    export = sub.add_parser(
        "export-onnx", help="Export the embedding model to an int8 ONNX graph (the onnx-int8 backend)."
    )
    export.add_argument("--model", help="sentence-transformers model name or path (default: the setting).")
    export.add_argument(
        "--out", type=Path, help="Where to write it (default: models/onnx/<model>-int8.onnx)."
    )
    export.set_defaults(run=run_export_onnx)


def _corpus_options(parser: argparse.ArgumentParser, build_option: bool = True) -> None:
    add_location_options(parser, build_option)
    parser.add_argument("--model", help="sentence-transformers model name or path.")


def run_build(args: argparse.Namespace) -> int:
    """Build the index with a progress bar; print what was embedded, reused and skipped."""
    settings = located_settings(args, embedding_model=args.model, ray_address=args.ray)
    with _runner(settings.ray_address) as runner, progress_bar("Building index") as progress:
        report = update_index(settings, progress, runner=runner, publish_uri=args.milvus)
    print_build_report(report)
    return 0


def run_export_onnx(args: argparse.Namespace) -> int:
    """Export the model's transformer to ONNX and quantise it to int8 (about a minute)."""
    model = args.model or load_settings().embedding_model
    path = export_onnx(model, args.out)
    print(f"Wrote {path} ({path.stat().st_size / 2**20:.1f} MiB, sha256 {_sha256(path)[:16]})")
    return 0


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def _runner(ray_address: str) -> Iterator[BatchRunner | None]:
    """The Ray runner when a cluster is configured, else None (the build runs in this process)."""
    if not ray_address:
        yield None
        return
    with ray_cluster(ray_address) as runner:
        yield runner


def run_search(args: argparse.Namespace) -> int:
    """Search an existing index; a missing or corrupt index is a clear error, not a rebuild."""
    validate_query(args.query)
    since, until = parse_day(args.since, "--since"), parse_day(args.until, "--until")
    settings, store = open_located_store(args, embedding_model=args.model)
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
    encoder = load_encoder(store.model if args.model is None else configured_encoder(settings))
    result = search(
        store,
        encoder,
        args.query,
        k=args.k,
        filters=filters,
        mode=args.mode,
        groups=None if args.all_copies else stored_copy_groups(store),
        **search_options(settings),
    )
    citations = CitationBuilder(store.articles(), store.paragraphs()) if args.cite else None
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
        records = [
            {**{k: r[k] for k in keep}, "best_sentence": best_sentence(r)}
            for r in hits_to_records(result.hits)
        ]
        if citations is not None:
            for record in records:
                record["citation"] = citations.cite(str(record["paragraph_id"])).text
        print(
            json.dumps(
                {"query": result.query, "notes": result.notes, "hits": records}, ensure_ascii=False, indent=2
            )
        )
        return 0
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    titles = article_titles(store.articles(), store.paragraphs())
    for hit in result.hits.itertuples():
        where = f" · {hit.source or '?'} · {hit.published or 'date unknown'}" if hit.title else ""
        print(f"{hit.rank:>2}. [{hit.score:.4f}] {hit.paragraph_id}  {titles[hit.article_id]}{where}")
        print(f"    {hit.text[:300]}{'…' if len(hit.text) > 300 else ''}")
        if citations is not None:
            print(f"    cite: {citations.cite(hit.paragraph_id).text}")
    return 0
