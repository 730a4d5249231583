"""Build and check the search index of a corpus: corpus → paragraphs → embeddings → store.

Incremental: a paragraph whose text (and the model) is unchanged reuses its stored vector,
so only new or edited articles are embedded again. Every build writes a new generation
and swaps it in atomically (see lib.store); a damaged or mismatched index is detected and
rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
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
from lib.store import EmbeddedStore, write_generation

CLEANING_VERSION = "1"
Progress = Callable[[float, str], None]
"""Called as `progress(fraction_done, message)` during a build."""

IndexState = Literal["ready", "missing", "stale", "corrupt", "other-model"]


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


def index_status(corpus_dir: Path, index_dir: Path, model: str, max_bytes: int | None = None) -> IndexStatus:
    """Compare the index on disk with the corpus folder and configured model."""
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    current = corpus_version(load_corpus(corpus_dir, **kwargs).articles, model)
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
    return IndexStatus("ready", "The index is up to date.", current, built_at)


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    encoder: Encoder,
    batch_size: int = 64,
    progress: Progress | None = None,
    max_bytes: int | None = None,
) -> BuildReport:
    """Build (or update) the index of `corpus_dir` in `index_dir` with `encoder`."""
    started = time.perf_counter()
    report_progress = progress or (lambda fraction, message: None)
    report_progress(0.0, "Reading articles")
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    loaded = load_corpus(corpus_dir, **kwargs)
    articles = loaded.articles
    if articles.empty:
        details = "; ".join(f"{p.path}: {p.message}" for p in loaded.problems[:5])
        raise BadInputError(f"No readable article in '{corpus_dir}'." + (f" {details}" if details else ""))
    report_progress(0.02, f"Splitting {len(articles)} articles into paragraphs")
    paragraphs, furniture = split_corpus(articles)
    paragraphs["text_hash"] = [hashlib.sha1(t.encode()).hexdigest() for t in paragraphs["text"]]
    body = paragraphs["kind"] == "body"
    paragraphs["vec_row"] = pd.array([pd.NA] * len(paragraphs), dtype="Int64")
    paragraphs.loc[body, "vec_row"] = np.arange(int(body.sum()))

    previous, rebuilt_because = _previous_vectors(index_dir, encoder.name)
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
    version = corpus_version(articles, encoder.name)
    report_progress(0.96, "Writing the index")
    meta = {
        "model": encoder.name,
        "corpus_version": version,
        "corpus_dir": str(Path(corpus_dir).resolve()),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_articles": len(articles),
    }
    write_generation(Path(index_dir), articles, paragraphs, furniture, vectors, meta)
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


def _previous_vectors(index_dir: Path, model: str) -> tuple[dict[str, np.ndarray], str]:
    """Vectors of the live index by paragraph text hash, when it is sound and of this model."""
    try:
        store = EmbeddedStore(index_dir)
    except IndexMissingError:
        return {}, ""
    except IndexCorruptError as exc:
        return {}, f"rebuilt from scratch: {exc}"
    if store.model != model:
        return {}, f"rebuilt from scratch: the index was built with '{store.model}', now '{model}'"
    body = store.paragraphs().dropna(subset=["vec_row"])
    return {h: store.vectors[int(r)] for h, r in zip(body["text_hash"], body["vec_row"], strict=True)}, ""
