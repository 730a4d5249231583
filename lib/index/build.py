"""Build and check the search index of a corpus: corpus → paragraphs → embeddings → store.

Incremental: a paragraph whose text (and the model) is unchanged reuses its stored vector,
so only new or edited articles are embedded again. Every build writes a new generation
and swaps it in atomically (see lib.store.embedded); a damaged or mismatched index is detected and
rebuilt from scratch.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

import numpy as np
import pandas as pd

from lib.corpus.load import DEFAULT_MAX_BYTES, LoadProblem, file_stats, load_corpus
from lib.corpus.paragraphs import split_corpus
from lib.corpus.published import fill_publication_dates
from lib.errors import BadInputError, IndexCorruptError, IndexMissingError
from lib.index.annotators import ANNOTATORS, Annotator, CorpusInputs, corpus_tables_for
from lib.store.embedded import EmbeddedStore, checked_meta, write_generation
from lib.text.embeddings import Encoder, Sentences, encode_paragraphs
from lib.text.nlp import PIPE_BATCH, parse_texts, sentence_spans

CLEANING_VERSION = "1"
Progress = Callable[[float, str], None]
"""Called as `progress(fraction_done, message)` during a build."""

IndexState = Literal["ready", "missing", "stale", "corrupt", "other-model"]
Folders = Path | str | Sequence[Path | str]


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
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per step: `analyses` (splitting, embedding, annotating), then each corpus table
    by name, then `write` (for measuring what a step adds to a build)."""
    published_to: str | None = None
    """The Milvus collection the generation was published to (`lib.index.update`), if any."""


@dataclass(frozen=True)
class IndexStatus:
    """Whether the index on disk can serve this corpus and model, and why not."""

    state: IndexState
    message: str
    corpus_version: str = ""
    built_at: str = ""
    articles: int = 0
    """Readable articles in the corpus folder(s) now."""


def corpus_version(articles: pd.DataFrame, model: str) -> str:
    """A short hash that changes whenever an article's text or metadata, the model, or the
    cleaning rules change: the key for staleness checks and caches."""
    digest = hashlib.sha256(f"{model}\x00{CLEANING_VERSION}".encode())
    cols = ["article_id", "title", "source", "url", "published", "notes", "content_hash"]
    for row in articles.sort_values("article_id")[cols].itertuples(index=False, name=None):
        digest.update("\x1f".join(map(str, row)).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def files_fingerprint(corpus_dirs: Folders, model: str, max_bytes: int | None = None) -> str:
    """A short hash of the corpus files' paths, sizes and modification times (one `stat` each,
    `lib.corpus.load.file_stats`), the model, the size limit and the cleaning rules. Stored
    with the index: while it matches, the index serves the corpus without the files being read."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    digest = hashlib.sha256(f"{model}\x00{CLEANING_VERSION}\x00{limit}".encode())
    for path, mtime, size in file_stats(corpus_dirs):
        digest.update(f"{path}\x1f{mtime}\x1f{size}\x1e".encode())
    return digest.hexdigest()[:16]


def index_status(
    corpus_dirs: Folders,
    index_dir: Path,
    model: str,
    max_bytes: int | None = None,
    annotators: Sequence[Annotator] | None = None,
) -> IndexStatus:
    """Compare the index on disk with the corpus folder(s), the model and the annotators. When
    no file's size or modification time changed since the build (`files_fingerprint`), the
    files are not read again: a page opens on thousands of articles without parsing them."""
    fingerprint = files_fingerprint(corpus_dirs, model, max_bytes)
    versions = _versions(_default(annotators))
    meta: dict[str, Any] | None = None
    try:
        meta = checked_meta(index_dir)  # the store's checks, without reading its paragraphs
    except IndexMissingError as exc:
        problem: tuple[IndexState, str] = ("missing", str(exc))
    except IndexCorruptError as exc:
        problem = ("corrupt", str(exc))
    built = meta or {}
    built_at, built_model = str(built.get("built_at", "")), str(built.get("model", ""))
    unchanged = built.get("files_fingerprint") == fingerprint and built.get("annotators", {}) == versions
    if meta is not None and built_model == model and unchanged:
        current, n = str(built.get("corpus_version", "")), int(built.get("n_articles", 0))
        return IndexStatus("ready", "The index is up to date.", current, built_at, n)
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    articles = load_corpus(corpus_dirs, **kwargs).articles
    current, n = corpus_version(articles, model), len(articles)
    if meta is None:
        return IndexStatus(*problem, corpus_version=current, articles=n)
    if built_model != model:
        message = f"The index was built with '{built_model}', not '{model}'."
        return IndexStatus("other-model", message, current, built_at, n)
    if built.get("corpus_version") != current:
        return IndexStatus("stale", "The corpus changed since the index was built.", current, built_at, n)
    if built.get("annotators", {}) != versions:
        message = "Dossier's analyses changed since the index was built."
        return IndexStatus("stale", message, current, built_at, n)
    return IndexStatus("ready", "The index is up to date.", current, built_at, n)


def build_index(
    corpus_dirs: Folders,
    index_dir: Path,
    encoder: Encoder,
    batch_size: int = 64,
    progress: Progress | None = None,
    max_bytes: int | None = None,
    annotators: Sequence[Annotator] | None = None,
    runner: BatchRunner | None = None,
    texts_per_batch: int = 1024,
    ann_min_rows: int | None = None,
    spacy_processes: int = 1,
) -> BuildReport:
    """Build (or update) the index of the corpus folder(s) in `index_dir` with `encoder`.

    Per-article work (cleaning and splitting, then embedding and annotating what changed) runs
    in batches through `runner`: in this process by default, as Ray tasks with
    `lib.index.distributed`; either way the same steps produce the same index. Past
    `ann_min_rows` paragraphs the index gets an approximate search graph (`lib.store.ann`).
    """
    started = time.perf_counter()
    report_progress = progress or (lambda fraction, message: None)
    run = runner or run_here
    report_progress(0.0, "Reading articles")
    kwargs = {} if max_bytes is None else {"max_bytes": max_bytes}
    fingerprint = files_fingerprint(corpus_dirs, encoder.name, max_bytes)  # before reading: a file
    loaded = load_corpus(corpus_dirs, **kwargs)  # changed while the build reads it shows as stale
    if loaded.articles.empty:
        details = "; ".join(f"{p.path}: {p.message}" for p in loaded.problems[:5])
        raise BadInputError(
            f"No readable article in {_names(corpus_dirs)}." + (f" {details}" if details else "")
        )
    version = corpus_version(loaded.articles, encoder.name)
    report_progress(0.02, f"Cleaning and splitting {len(loaded.articles)} articles into paragraphs")
    batches = [
        loaded.articles.iloc[i : i + ARTICLES_PER_BATCH]
        for i in range(0, len(loaded.articles), ARTICLES_PER_BATCH)
    ]
    prepared = run(
        prepare_articles, batches, encoder, _stage(report_progress, 0.02, 0.1, "Splitting articles")
    )
    articles = pd.concat([a for a, _, _ in prepared], ignore_index=True)
    paragraphs = pd.concat([p for _, p, _ in prepared], ignore_index=True)
    furniture = _concat([f for _, _, f in prepared])
    body = paragraphs["kind"] == "body"
    paragraphs["vec_row"] = pd.array([pd.NA] * len(paragraphs), dtype="Int64")
    paragraphs.loc[body, "vec_row"] = np.arange(int(body.sum()))

    previous_store, rebuilt_because = _previous_store(index_dir, encoder.name)
    previous = _previous_rows(previous_store)
    body_hashes = paragraphs.loc[body, "text_hash"].tolist()
    chosen = _default(annotators)
    reuse = {a.name: _reusable(a, articles, previous_store) for a in chosen}
    redo = {name: set(articles["article_id"]) - same for name, (same, _) in reuse.items()}
    work = plan_analysis(articles, paragraphs, set(previous), chosen, redo, batch_size, texts_per_batch)
    work = [replace(w, spacy_processes=spacy_processes) for w in work]
    todo = sum(len(w.rows) for w in work)
    results = run(
        analyse_batch,
        work,
        encoder,
        _stage(report_progress, 0.1, 0.94, f"Embedding {todo:,} paragraphs and annotating"),
    )
    vectors, sentences = _assemble_vectors(body_hashes, previous, previous_store, work, results, encoder.dim)
    tables = {
        a.name: _merge_rows(
            a,
            [t[a.name] for _, _, t in results if a.name in t],
            reuse[a.name][1],
            articles,
            paragraphs,
            encoder,
        )
        for a in chosen
    }
    timings = {"analyses": time.perf_counter() - started}
    extends = _extends_previous(articles, previous_store, chosen)
    for table in corpus_tables_for(chosen):
        report_progress(0.95, f"Computing {table.description}")
        began = time.perf_counter()
        previous_table = previous_store.table(table.name) if extends and previous_store else None
        tables[table.name] = table.compute(CorpusInputs(articles, paragraphs, dict(tables), previous_table))
        timings[table.name] = time.perf_counter() - began
    report_progress(0.96, "Writing the index")
    began = time.perf_counter()
    meta = {
        "model": encoder.name,
        "corpus_version": version,
        "files_fingerprint": fingerprint,
        "corpus_dirs": [str(Path(f).resolve()) for f in _folders(corpus_dirs)],
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "n_articles": len(articles),
        "annotators": _versions(chosen),
    }
    ann_stage = _stage(report_progress, 0.96, 0.995, "Building the approximate search index")
    write_generation(
        Path(index_dir),
        articles,
        paragraphs,
        furniture,
        vectors,
        meta,
        tables,
        sentences=sentences,
        ann_min_rows=ann_min_rows,
        progress=ann_stage,
    )
    timings["write"] = time.perf_counter() - began
    report_progress(1.0, "Index ready")
    return BuildReport(
        index_dir=Path(index_dir),
        articles=len(articles),
        paragraphs=len(body_hashes),
        embedded=todo,
        reused=len(body_hashes) - todo,
        seconds=time.perf_counter() - started,
        corpus_version=version,
        problems=loaded.problems,
        rebuilt_because=rebuilt_because,
        timings=timings,
    )


# ---- the per-batch steps a runner executes (module-level, so Ray can ship them by reference) ----

ARTICLES_PER_BATCH = 64
Batch = TypeVar("Batch")
Result = TypeVar("Result")


class BatchRunner(Protocol):
    """Runs one build step over batches and returns the results in batch order, calling
    `on_done(done, total)` as batches finish. `run_here` runs them in this process;
    `lib.index.distributed.RayRunner` runs them as Ray tasks."""

    def __call__(
        self,
        step: Callable[[Batch, Encoder], Result],
        batches: Sequence[Batch],
        encoder: Encoder,
        on_done: Callable[[int, int], None],
    ) -> list[Result]: ...


def run_here(
    step: Callable[[Batch, Encoder], Result],
    batches: Sequence[Batch],
    encoder: Encoder,
    on_done: Callable[[int, int], None],
) -> list[Result]:
    """The single-process runner: each batch in turn, with this process's encoder."""
    results = []
    for number, batch in enumerate(batches, start=1):
        results.append(step(batch, encoder))
        on_done(number, len(batches))
    return results


def prepare_articles(
    articles: pd.DataFrame, encoder: Encoder
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cleaning step for some articles: publication dates filled in from the text, paragraphs
    (with `text_hash`) and the removed furniture. Per article, so any batching gives the same.
    (`encoder` is unused: every step takes one, so runners treat all steps alike.)"""
    filled = fill_publication_dates(articles)
    paragraphs, furniture = split_corpus(filled)
    paragraphs["text_hash"] = [hashlib.sha1(t.encode()).hexdigest() for t in paragraphs["text"]]
    return filled, paragraphs, furniture


@dataclass(frozen=True)
class AnalysisBatch:
    """Work for one `analyse_batch` call: body paragraphs to embed (`rows` of the vector
    matrix, `texts`), and for each annotator the articles it must run on (the rest reuse the
    previous index's rows)."""

    rows: tuple[int, ...]
    texts: tuple[str, ...]
    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    annotate: tuple[tuple[Annotator, tuple[str, ...]], ...]
    batch_size: int = 64
    spacy_processes: int = 1


def analyse_batch(
    batch: AnalysisBatch, encoder: Encoder
) -> tuple[np.ndarray, Sentences, dict[str, pd.DataFrame]]:
    """Embedding and annotating step: the batch's paragraph vectors, their sentences (split by
    spaCy, vectors from the same forward pass), and each annotator's rows.

    The encoder runs on a second thread while this one splits the next chunk of paragraphs
    into sentences, then runs the annotators: the encoder's runtime releases the GIL, so the
    spaCy and rule work uses the core the encoder leaves idle. The annotators read the parses
    made here (`lib.text.nlp.parse_texts`' memo). They encode the sentences they compare on
    their own: a sentence vector pooled in its paragraph's context is closer to its
    neighbours' and merged two unrelated events of one paragraph on the bundled corpus."""
    texts = list(batch.texts)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dossier-encode") as pool:
        encoded = []
        for start in range(0, len(texts), PIPE_BATCH):
            chunk = texts[start : start + PIPE_BATCH]
            spans = sentence_spans(parse_texts(chunk, processes=batch.spacy_processes))
            encoded.append(pool.submit(encode_paragraphs, encoder, chunk, spans, batch.batch_size))
        tables = {}
        for annotator, article_ids in batch.annotate:
            chosen = batch.articles[batch.articles["article_id"].isin(article_ids)]
            own = batch.paragraphs[batch.paragraphs["article_id"].isin(article_ids)]
            tables[annotator.name] = annotator.annotate(chosen, own, encoder)
        parts = [future.result() for future in encoded]
    if not parts:
        return np.zeros((0, encoder.dim), np.float32), Sentences.concat([], encoder.dim), tables
    vectors = np.vstack([vectors for vectors, _ in parts])
    return vectors, Sentences.concat([sentences for _, sentences in parts], encoder.dim), tables


def plan_analysis(
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    known_hashes: set[str],
    annotators: Sequence[Annotator],
    redo: dict[str, set[str]],
    batch_size: int,
    texts_per_batch: int,
) -> list[AnalysisBatch]:
    """Group articles, in order, into batches of about `texts_per_batch` paragraphs to embed
    (or `ARTICLES_PER_BATCH` articles); `redo` names, per annotator, the articles it must run
    on. Articles with nothing to embed or annotate are left out."""
    body = paragraphs[paragraphs["vec_row"].notna()]
    new = body[~body["text_hash"].isin(known_hashes)]
    new_by_article = {a: g for a, g in new.groupby("article_id", sort=False)}
    paragraphs_by_article = {a: g for a, g in paragraphs.groupby("article_id", sort=False)}
    batches: list[AnalysisBatch] = []
    chosen: list[str] = []

    def close() -> None:
        if not chosen:
            return
        texts = [new_by_article[a] for a in chosen if a in new_by_article]
        embed = _concat(texts) if texts else new.iloc[:0]
        batches.append(
            AnalysisBatch(
                rows=tuple(int(r) for r in embed["vec_row"]),
                texts=tuple(embed["text"]),
                articles=articles[articles["article_id"].isin(chosen)],
                paragraphs=_concat([paragraphs_by_article[a] for a in chosen if a in paragraphs_by_article]),
                annotate=tuple(
                    (a, ids) for a in annotators if (ids := tuple(x for x in chosen if x in redo[a.name]))
                ),
                batch_size=batch_size,
            )
        )
        chosen.clear()

    pending_texts = 0
    for article_id in articles["article_id"]:
        texts = len(new_by_article.get(article_id, ()))
        if not texts and not any(article_id in ids for ids in redo.values()):
            continue
        chosen.append(article_id)
        pending_texts += texts
        if pending_texts >= texts_per_batch or len(chosen) >= ARTICLES_PER_BATCH:
            close()
            pending_texts = 0
    close()
    return batches


def _reusable(
    annotator: Annotator, articles: pd.DataFrame, previous: EmbeddedStore | None
) -> tuple[set[str], pd.DataFrame]:
    """Articles whose text and date did not change since the previous index (same annotator
    version), and that index's rows of this annotator for them."""
    keys = ["article_id", "content_hash", "published"]
    if previous is None or previous.meta.get("annotators", {}).get(annotator.name) != annotator.version:
        return set(), pd.DataFrame(columns=["article_id"])
    same = set(articles[keys].merge(previous.articles()[keys], on=keys, how="inner")["article_id"])
    old = previous.table(annotator.name)
    return same, old[old["article_id"].isin(same)]


def _extends_previous(
    articles: pd.DataFrame, previous: EmbeddedStore | None, annotators: Sequence[Annotator]
) -> bool:
    """Whether this build only adds to the previous generation: same analyses (versions), and
    every article it held still here with the same text and date. Then incremental corpus
    tables extend their previous result instead of starting again."""
    if previous is None or previous.meta.get("annotators", {}) != _versions(annotators):
        return False
    keys = ["article_id", "content_hash", "published"]
    before = previous.articles()[keys]
    return len(before.merge(articles[keys], on=keys, how="inner")) == len(before)


def _merge_rows(
    annotator: Annotator,
    fresh: list[pd.DataFrame],
    kept: pd.DataFrame,
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    encoder: Encoder,
) -> pd.DataFrame:
    """The annotator's table: rows kept from the previous index, then the fresh ones."""
    if not fresh:  # nothing was annotated: the annotator's own empty table gives the columns
        fresh = [annotator.annotate(articles.iloc[:0], paragraphs.iloc[:0], encoder)]
    return _concat([kept, *fresh]) if not kept.empty else _concat(fresh)


def _stage(report: Progress, start: float, end: float, message: str) -> Callable[[int, int], None]:
    """Progress for one stage of the build, mapped onto [start, end]."""

    def on_done(done: int, total: int) -> None:
        report(start + (end - start) * done / max(total, 1), f"{message}: batch {done:,} of {total:,}")

    return on_done


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate frames, ignoring empty ones (their columns are kept when all are empty)."""
    full = [f for f in frames if not f.empty]
    if not full:
        return frames[0].iloc[:0] if frames else pd.DataFrame()
    return pd.concat(full, ignore_index=True)


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


def _previous_rows(store: EmbeddedStore | None) -> dict[str, int]:
    """Vector rows of the previous index by paragraph text hash."""
    if store is None:
        return {}
    body = store.paragraphs().dropna(subset=["vec_row"])
    return dict(zip(body["text_hash"], body["vec_row"].astype(int), strict=True))


def _assemble_vectors(
    body_hashes: list[str],
    previous: dict[str, int],
    previous_store: EmbeddedStore | None,
    work: Sequence[AnalysisBatch],
    results: Sequence[tuple[np.ndarray, Sentences, dict[str, pd.DataFrame]]],
    dim: int,
) -> tuple[np.ndarray, Sentences]:
    """The new generation's vectors and sentences in `vec_row` order: those of unchanged
    paragraphs from the previous index, the rest from the batches just embedded."""
    source = np.array([previous.get(h, -1) for h in body_hashes], dtype=np.int64)
    reused = np.flatnonzero(source >= 0)
    vectors = np.zeros((len(body_hashes), dim), dtype=np.float32)
    parts, positions = [], []
    if previous_store is not None and len(reused):
        vectors[reused] = previous_store.vectors[source[reused]]
        parts.append(previous_store.sentences.take(source[reused]))
        positions.append(reused)
    for batch, (batch_vectors, batch_sentences, _) in zip(work, results, strict=True):
        rows = np.array(batch.rows, dtype=np.int64)
        vectors[rows] = batch_vectors
        parts.append(batch_sentences)
        positions.append(rows)
    order = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    return vectors, Sentences.concat(parts, dim).take(np.argsort(order, kind="stable"))


def _default(annotators: Sequence[Annotator] | None) -> Sequence[Annotator]:
    return ANNOTATORS if annotators is None else annotators


def _versions(annotators: Sequence[Annotator]) -> dict[str, str]:
    """Version of every stored derived table, per-article and corpus-wide (kept in the metadata,
    so a changed analysis makes the index stale and its table is recomputed)."""
    return {a.name: a.version for a in annotators} | {
        t.name: t.version for t in corpus_tables_for(annotators)
    }


def _folders(corpus_dirs: Folders) -> list[Path]:
    return [Path(corpus_dirs)] if isinstance(corpus_dirs, (str, Path)) else [Path(f) for f in corpus_dirs]


def _names(corpus_dirs: Folders) -> str:
    return ", ".join(f"'{f}'" for f in _folders(corpus_dirs))
