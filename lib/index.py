"""Build and check the search index of a corpus: corpus → paragraphs → embeddings → store.

Incremental: a paragraph whose text (and the model) is unchanged reuses its stored vector,
so only new or edited articles are embedded again. Every build writes a new generation
and swaps it in atomically (see lib.store); a damaged or mismatched index is detected and
rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from lib.corpus import LoadProblem, load_corpus
from lib.embeddings import Encoder
from lib.errors import BadInputError, IndexCorruptError, IndexMissingError
from lib.paragraphs import split_corpus
from lib.published import fill_publication_dates
from lib.store import EmbeddedStore, write_generation

CLEANING_VERSION = "1"
Progress = Callable[[float, str], None]
"""Called as `progress(fraction_done, message)` during a build."""

IndexState = Literal["ready", "missing", "stale", "corrupt", "other-model"]
Folders = Path | str | Sequence[Path | str]


@dataclass(frozen=True)
class Annotator:
    """A table derived per article and stored in the index (time expressions, entities, ...).

    `annotate(articles, paragraphs, encoder)` gets some articles, all their paragraphs and the
    index's encoder (for annotators that compare sentences) and returns rows that each carry
    an `article_id`; bump `version` when its output would change, so stored rows are
    recomputed.
    """

    name: str
    version: str
    description: str
    annotate: Callable[[pd.DataFrame, pd.DataFrame, Encoder], pd.DataFrame]


@dataclass
class BuildReport:
    """What a build did: counts, reuse, timing and the files it had to skip."""

    index_dir: Path
    articles: int
    paragraphs: int
    embedded: int
    reused: int
    seconds: float
    corpus_version: str
    problems: list[LoadProblem] = field(default_factory=list)
    rebuilt_because: str = ""


@dataclass(frozen=True)
class IndexStatus:
    """Whether the index on disk can serve this corpus and model, and why not."""

    state: IndexState
    message: str
    corpus_version: str = ""
    built_at: str = ""


def corpus_version(articles: pd.DataFrame, model: str) -> str:
    """A short hash that changes whenever an article's text or metadata, the model, or the
    cleaning rules change: the key for staleness checks and caches."""
    digest = hashlib.sha256(f"{model}\x00{CLEANING_VERSION}".encode())
    cols = ["article_id", "title", "source", "url", "published", "notes", "content_hash"]
    for row in articles.sort_values("article_id")[cols].itertuples(index=False, name=None):
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def index_status(
    corpus_dirs: Folders,
    index_dir: Path,
    model: str,
    max_bytes: int | None = None,
    annotators: Sequence[Annotator] | None = None,
) -> IndexStatus:
    """Compare the index on disk with the corpus folder(s), the model and the annotators."""
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    current = corpus_version(load_corpus(corpus_dirs, **kwargs).articles, model)
    try:
        store = EmbeddedStore(index_dir)
    except IndexMissingError as exc:
        return IndexStatus("missing", str(exc), current)
    except IndexCorruptError as exc:
        return IndexStatus("corrupt", str(exc), current)
    built_at = str(store.meta.get("built_at", ""))
    if store.model != model:
        return IndexStatus(
            "other-model", f"The index was built with '{store.model}', not '{model}'.", current, built_at
        )
    if store.meta.get("corpus_version") != current:
        return IndexStatus("stale", "The corpus changed since the index was built.", current, built_at)
    if store.meta.get("annotators", {}) != _versions(_default(annotators)):
        return IndexStatus(
            "stale", "Dossier's analyses changed since the index was built.", current, built_at
        )
    return IndexStatus("ready", "The index is up to date.", current, built_at)


def build_index(
    corpus_dirs: Folders,
    index_dir: Path,
    encoder: Encoder,
    batch_size: int = 64,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    annotators: Sequence[Annotator] | None = None,
) -> BuildReport:
    """Build (or update) the index of the corpus folder(s) in `index_dir` with `encoder`."""
    started = time.perf_counter()
    report_progress = progress or (lambda fraction, message: None)
    report_progress(0.0, "Reading articles")
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    loaded = load_corpus(corpus_dirs, **kwargs)
    articles = loaded.articles
    if articles.empty:
        details = "; ".join(f"{p.path}: {p.message}" for p in loaded.problems[:5])
        raise BadInputError(
            f"No readable article in {_names(corpus_dirs)}." + (f" {details}" if details else "")
        )
    version = corpus_version(articles, encoder.name)
    articles = fill_publication_dates(articles)
    report_progress(0.02, f"Splitting {len(articles)} articles into paragraphs")
    paragraphs, furniture = split_corpus(articles)
    paragraphs["text_hash"] = [hashlib.sha1(t.encode()).hexdigest() for t in paragraphs["text"]]
    body = paragraphs["kind"] == "body"
    paragraphs["vec_row"] = pd.array([pd.NA] * len(paragraphs), dtype="Int64")
    paragraphs.loc[body, "vec_row"] = np.arange(int(body.sum()))

    previous_store, rebuilt_because = _previous_store(index_dir, encoder.name)
    previous = _previous_vectors(previous_store)
    body_hashes = paragraphs.loc[body, "text_hash"].tolist()
    body_texts = paragraphs.loc[body, "text"].tolist()
    vectors = np.zeros((len(body_hashes), encoder.dim), dtype=np.float32)
    todo = [i for i, h in enumerate(body_hashes) if h not in previous]
    for i, h in enumerate(body_hashes):
        if h in previous:
            vectors[i] = previous[h]

    def on_batch(done: int, total: int) -> None:
        report_progress(0.05 + 0.9 * done / max(total, 1), f"Embedding paragraphs: {done:,} of {total:,}")

    if todo:
        vectors[todo] = encoder.encode(
            [body_texts[i] for i in todo], batch_size=batch_size, progress=on_batch
        )
    chosen = _default(annotators)
    tables = {}
    for number, annotator in enumerate(chosen):
        report_progress(0.9 + 0.05 * number / len(chosen), f"Finding {annotator.description}")
        tables[annotator.name] = annotate(annotator, articles, paragraphs, encoder, previous_store)
    report_progress(0.96, "Writing the index")
    meta = {
        "model": encoder.name,
        "corpus_version": version,
        "corpus_dirs": [str(Path(f).resolve()) for f in _folders(corpus_dirs)],
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_articles": len(articles),
        "annotators": _versions(chosen),
    }
    write_generation(Path(index_dir), articles, paragraphs, furniture, vectors, meta, tables)
    report_progress(1.0, "Index ready")
    return BuildReport(
        index_dir=Path(index_dir),
        articles=len(articles),
        paragraphs=len(body_hashes),
        embedded=len(todo),
        reused=len(body_hashes) - len(todo),
        seconds=time.perf_counter() - started,
        corpus_version=version,
        problems=loaded.problems,
        rebuilt_because=rebuilt_because,
    )


def annotate(
    annotator: Annotator,
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    encoder: Encoder,
    previous: EmbeddedStore | None,
) -> pd.DataFrame:
    """Run one annotator over the articles whose text or metadata changed; reuse the rows
    of the previous index for the others (same annotator version)."""
    keys = ["article_id", "content_hash", "published"]
    reuse = pd.Series(False, index=articles.index)
    old_rows = None
    if previous is not None and previous.meta.get("annotators", {}).get(annotator.name) == annotator.version:
        old_rows = previous.table(annotator.name)
        before = previous.articles()[keys]
        reuse = articles[keys].merge(before, on=keys, how="left", indicator=True)["_merge"].eq("both")
        reuse.index = articles.index
    todo = articles[~reuse]
    fresh = annotator.annotate(todo, paragraphs[paragraphs["article_id"].isin(todo["article_id"])], encoder)
    if old_rows is None:
        return fresh.reset_index(drop=True)
    kept = old_rows[old_rows["article_id"].isin(articles.loc[reuse, "article_id"])]
    parts = [part for part in (kept, fresh) if not part.empty]
    return pd.concat(parts, ignore_index=True) if parts else fresh


def _previous_store(index_dir: Path, model: str) -> tuple[EmbeddedStore | None, str]:
    """The live index when it is sound and of this model, else None and why it is ignored."""
    try:
        store = EmbeddedStore(index_dir)
    except IndexMissingError:
        return None, ""
    except IndexCorruptError as exc:
        return None, f"rebuilt from scratch: {exc}"
    if store.model != model:
        return None, f"rebuilt from scratch: the index was built with '{store.model}', now '{model}'"
    return store, ""


def _previous_vectors(store: EmbeddedStore | None) -> dict[str, np.ndarray]:
    """Vectors of the previous index by paragraph text hash."""
    if store is None:
        return {}
    body = store.paragraphs().dropna(subset=["vec_row"])
    return {h: store.vectors[int(r)] for h, r in zip(body["text_hash"], body["vec_row"], strict=True)}


def _default(annotators: Sequence[Annotator] | None) -> Sequence[Annotator]:
    if annotators is not None:
        return annotators
    from lib.annotators import ANNOTATORS

    return ANNOTATORS


def _versions(annotators: Sequence[Annotator]) -> dict[str, str]:
    return {a.name: a.version for a in annotators}


def _folders(corpus_dirs: Folders) -> list[Path]:
    return [Path(corpus_dirs)] if isinstance(corpus_dirs, (str, Path)) else [Path(f) for f in corpus_dirs]


def _names(corpus_dirs: Folders) -> str:
    return ", ".join(f"'{f}'" for f in _folders(corpus_dirs))
