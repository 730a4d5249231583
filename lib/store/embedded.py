"""The embedded index store: one folder, no server.

Layout: `<index_dir>/CURRENT` names the live generation folder, which holds
`index.sqlite` (articles, paragraphs, removed furniture, an FTS5 table for keyword search
and build metadata), `embeddings.npy` (one normalised float32 row per body paragraph,
row `i` ↔ FTS rowid `i`), the paragraphs' sentences (`sentences.npy`: float16 vectors,
`sentence_spans.npy`, `sentence_offsets.npy`: row i's sentences are `offsets[i]:offsets[i+1]`)
and, past `ann_min_rows` paragraphs, an approximate index (`lib.store.ann`). A build writes a
whole new generation and then swaps CURRENT atomically, so a build killed half-way leaves the
previous index usable. Every array is memory-mapped when read.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.corpus.load import ARTICLE_COLUMNS
from lib.errors import IndexCorruptError, IndexMissingError
from lib.store.ann import ANN_FILE, EXACT_MIN_ROWS, AnnIndex, exact_limit, paragraph_keys, write_ann
from lib.store.base import SearchFilters
from lib.text.embeddings import Sentences
from lib.text.terms import query_terms, stems

FORMAT_VERSION = 4
CURRENT = "CURRENT"
DB_FILE = "index.sqlite"
VECTORS_FILE = "embeddings.npy"
SENTENCE_FILES = {
    "offsets": "sentence_offsets.npy",
    "spans": "sentence_spans.npy",
    "vectors": "sentences.npy",
}

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    article_id TEXT PRIMARY KEY, title TEXT, source TEXT, url TEXT, published TEXT, notes TEXT,
    path TEXT, format TEXT, text TEXT, content_hash TEXT, published_origin TEXT, published_evidence TEXT);
CREATE TABLE paragraphs (
    paragraph_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL, kind TEXT NOT NULL, text_hash TEXT NOT NULL,
    vec_row INTEGER);
CREATE INDEX paragraphs_article ON paragraphs (article_id, ordinal);
CREATE TABLE furniture (article_id TEXT, rule TEXT, text TEXT, start INTEGER, "end" INTEGER);
CREATE TABLE terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, article_id UNINDEXED, source UNINDEXED, published UNINDEXED, tokenize = 'porter unicode61');
"""


def write_generation(
    index_dir: Path,
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    furniture: pd.DataFrame,
    vectors: np.ndarray,
    meta: dict[str, Any],
    tables: dict[str, pd.DataFrame] | None = None,
    sentences: Sentences | None = None,
    ann_min_rows: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write a complete new generation and make it the live one; return its folder.

    `paragraphs` must carry `text_hash` and `vec_row` (row of `vectors`, or NA for headings);
    `tables` are derived per-article tables (see `lib.index.annotators.Annotator`), read back with `table`;
    `sentences` the body paragraphs' sentences in `vec_row` order (each paragraph is its own one
    sentence when not given). With `ann_min_rows` paragraphs or more, an approximate index is
    written too, updating the live generation's where it can (`progress(done, total)` as it grows).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"  # names sort by creation time
    tmp = index_dir / f".{name}.tmp"
    tmp.mkdir()
    try:
        np.save(tmp / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
        _save_sentences(tmp, sentences or _whole_paragraphs(paragraphs, vectors))
        ann: dict[str, Any] = {}
        if ann_min_rows is not None and len(vectors) >= ann_min_rows:
            body_hashes = paragraphs.dropna(subset=["vec_row"]).sort_values("vec_row")["text_hash"]
            ann = write_ann(
                tmp, vectors, paragraph_keys(body_hashes.tolist()), _live_or_none(index_dir), progress
            )
        with sqlite3.connect(tmp / DB_FILE) as db:
            db.executescript(_SCHEMA)
            full_meta = {
                **meta,
                "format_version": FORMAT_VERSION,
                "n_vectors": int(vectors.shape[0]),
                "dim": int(vectors.shape[1]),
                **({"ann": ann} if ann else {}),
            }
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in full_meta.items()]
            )
            cols = list(ARTICLE_COLUMNS)
            db.executemany(
                f"INSERT INTO articles VALUES ({','.join('?' * len(cols))})",
                articles[cols].itertuples(index=False, name=None),
            )
            pcols = [
                "paragraph_id",
                "article_id",
                "ordinal",
                "text",
                "start",
                "end",
                "kind",
                "text_hash",
                "vec_row",
            ]
            prows = (
                (
                    r[0],
                    r[1],
                    int(r[2]),
                    r[3],
                    int(r[4]),
                    int(r[5]),
                    r[6],
                    r[7],
                    None if pd.isna(r[8]) else int(r[8]),
                )
                for r in paragraphs[pcols].itertuples(index=False, name=None)
            )
            db.executemany(f"INSERT INTO paragraphs VALUES ({','.join('?' * len(pcols))})", prows)
            db.executemany(
                "INSERT INTO furniture VALUES (?, ?, ?, ?, ?)",
                furniture[["article_id", "rule", "text", "start", "end"]].itertuples(index=False, name=None),
            )
            info = articles.set_index("article_id")[["source", "published"]]
            body = paragraphs[paragraphs["vec_row"].notna()]
            df = Counter(term for text in body["text"] for term in stems(text))
            db.executemany("INSERT INTO terms VALUES (?, ?)", df.items())
            for table_name, table in (tables or {}).items():
                _to_sql(table, table_name, db)
            db.executemany(
                "INSERT INTO paragraphs_fts (rowid, text, article_id, source, published) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    (
                        int(r.vec_row),
                        r.text,
                        r.article_id,
                        info.at[r.article_id, "source"],
                        info.at[r.article_id, "published"],
                    )
                    for r in body.itertuples()
                ),
            )
        _fsync_dir(tmp)
        final = index_dir / name
        tmp.rename(final)
        pointer = index_dir / f".{CURRENT}.{uuid.uuid4().hex[:8]}"
        pointer.write_text(name)
        os.replace(pointer, index_dir / CURRENT)
        _fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _remove_old_generations(index_dir, keep=name)
    return final


def _save_sentences(folder: Path, sentences: Sentences) -> None:
    np.save(folder / SENTENCE_FILES["offsets"], np.asarray(sentences.offsets, dtype=np.int64))
    np.save(folder / SENTENCE_FILES["spans"], np.asarray(sentences.spans, dtype=np.int32))
    np.save(folder / SENTENCE_FILES["vectors"], np.asarray(sentences.vectors, dtype=np.float16))


def _whole_paragraphs(paragraphs: pd.DataFrame, vectors: np.ndarray) -> Sentences:
    """Each body paragraph as its own single sentence (for callers that split none)."""
    body = paragraphs.dropna(subset=["vec_row"]).sort_values("vec_row")
    spans = [np.array([[0, len(t)]]) for t in body["text"]]
    return Sentences.from_lists(spans, list(np.asarray(vectors)[:, None, :]), int(vectors.shape[1]))


def _live_or_none(index_dir: Path) -> Path | None:
    try:
        return live_generation(index_dir)
    except (IndexMissingError, IndexCorruptError):
        return None


# ---- kernels: exact dense top-k over the matrix, a safe FTS5 query ---------------------------


def dense_top_k(
    query_vectors: np.ndarray, matrix: np.ndarray, k: int, mask: np.ndarray | None = None
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Exact top-k by dot product (cosine for normalised rows): (scores, row indices) per query,
    best first. Rows where `mask` is False are never returned: only the allowed rows are
    gathered and scored (a selective filter costs a fraction of the full product)."""
    queries = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
    rows = None if mask is None else np.flatnonzero(mask)
    n = matrix.shape[0] if rows is None else len(rows)
    k = max(0, min(k, n))
    if k == 0:
        return [(np.zeros(0, np.float32), np.zeros(0, np.int64)) for _ in queries]
    scores = queries @ (matrix if rows is None else np.asarray(matrix[rows])).T
    results = []
    for row in scores:
        top = np.argpartition(-row, k - 1)[:k] if k < n else np.arange(n)
        top = top[np.argsort(-row[top], kind="stable")]
        results.append((row[top], top if rows is None else rows[top]))
    return results


def fts_query(query: str) -> str:
    """A safe FTS5 MATCH expression: each content word quoted, joined by OR (no user syntax)."""
    return " OR ".join(f'"{term}"' for term in query_terms(query)[:64])


def live_generation(index_dir: Path) -> Path:
    """The folder of the live generation; raises `IndexMissingError` if none was built."""
    pointer = Path(index_dir) / CURRENT
    if not pointer.exists():
        raise IndexMissingError(
            f"No index in '{index_dir}': build it with `python -m lib build` or the Home page's button."
        )
    folder = Path(index_dir) / pointer.read_text().strip()
    if not folder.is_dir():
        raise IndexCorruptError(f"The index in '{index_dir}' points to a missing folder: rebuild it.")
    return folder


def checked_meta(index_dir: Path | str) -> dict[str, Any]:
    """The live generation's meta, after the same consistency checks as opening the store (its
    format, the vectors', sentences' and search graph's sizes against the embedded paragraphs)
    but without reading the paragraphs' text: what a status check needs, in milliseconds where
    opening the store reads 150,000 paragraphs. Raises `IndexMissingError`/`IndexCorruptError`."""
    folder = live_generation(Path(index_dir))
    try:
        with sqlite3.connect(f"file:{folder / DB_FILE}?mode=ro", uri=True) as db:
            meta = _read_meta(db)
            body = int(db.execute("SELECT COUNT(*) FROM paragraphs WHERE vec_row IS NOT NULL").fetchone()[0])
        vectors, sentences, ann = _open_arrays(folder)
    except (sqlite3.DatabaseError, OSError, ValueError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"The index in '{index_dir}' is damaged ({exc}): rebuild it.") from exc
    _check(Path(index_dir), meta, vectors, sentences, ann, body)
    return meta


def _read_meta(db: sqlite3.Connection) -> dict[str, Any]:
    return {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}


def _open_arrays(folder: Path) -> tuple[np.ndarray, Sentences, AnnIndex | None]:
    """A generation's vectors and sentence arrays (memory-mapped) and its search graph, if any."""
    vectors = np.load(folder / VECTORS_FILE, mmap_mode="r")
    sentences = Sentences(**{k: np.load(folder / f, mmap_mode="r") for k, f in SENTENCE_FILES.items()})
    ann = AnnIndex(folder) if (folder / ANN_FILE).exists() else None
    return vectors, sentences, ann


def _check(
    index_dir: Path,
    meta: dict[str, Any],
    vectors: np.ndarray,
    sentences: Sentences,
    ann: AnnIndex | None,
    body: int,
) -> None:
    """Raise `IndexCorruptError` unless the generation's parts agree with each other."""
    if meta.get("format_version") != FORMAT_VERSION:
        raise IndexCorruptError(f"The index in '{index_dir}' has an old format: rebuild it.")
    n, dim = int(meta.get("n_vectors", -1)), int(meta.get("dim", -1))
    if (
        vectors.ndim != 2
        or vectors.shape != (n, dim)
        or body != n
        or sentences.offsets.shape != (n + 1,)
        or sentences.vectors.shape != (int(sentences.offsets[-1]), dim)
        or len(sentences.spans) != len(sentences.vectors)
        or (ann is not None and ann.size != n)
    ):
        raise IndexCorruptError(
            f"The index in '{index_dir}' is inconsistent ({vectors.shape} vectors for {body} "
            "paragraphs): rebuild it."
        )


class EmbeddedStore:
    """A read-only view of the live generation: SQLite for text and keywords, numpy for vectors.

    Safe to share between sessions: every query opens its own read-only SQLite connection.
    """

    def __init__(self, index_dir: Path | str, exact_min_rows: int = EXACT_MIN_ROWS) -> None:
        self.index_dir = Path(index_dir)
        self.exact_min_rows = exact_min_rows
        """A filter leaving fewer rows than `lib.store.ann.exact_limit` is searched exactly."""
        self.folder = live_generation(self.index_dir)
        self._db_uri = f"file:{self.folder / DB_FILE}?mode=ro"
        try:
            with self._connect() as db:
                self.meta = _read_meta(db)
                self._paragraphs = pd.read_sql_query(
                    'SELECT paragraph_id, article_id, ordinal, text, start, "end", kind, text_hash, vec_row '
                    "FROM paragraphs ORDER BY article_id, ordinal",
                    db,
                )
                self._articles = pd.read_sql_query("SELECT * FROM articles ORDER BY article_id", db)
            # Memory-mapped: replicas on one host share the page cache, and a Milvus-backed
            # store that never searches here never reads the matrix.
            self.vectors, self.sentences, self.ann = _open_arrays(self.folder)
        except (sqlite3.DatabaseError, OSError, ValueError, json.JSONDecodeError) as exc:
            raise IndexCorruptError(
                f"The index in '{self.index_dir}' is damaged ({exc}): rebuild it."
            ) from exc
        body = int(self._paragraphs["vec_row"].notna().sum())
        _check(self.index_dir, self.meta, self.vectors, self.sentences, self.ann, body)
        self.model: str = self.meta["model"]
        self._lock = threading.Lock()
        self._row_meta()

    def _row_meta(self) -> None:
        body = self._paragraphs.dropna(subset=["vec_row"]).sort_values("vec_row")
        self._row_paragraph = body["paragraph_id"].to_numpy()
        self._row_of = pd.Index(self._row_paragraph)
        codes, uniques = pd.factorize(body["article_id"])
        self._row_article_code = codes
        self._article_codes = pd.Index(uniques)
        per_article = self._articles.set_index("article_id").reindex(self._article_codes)
        self._article_source = per_article["source"].fillna("").to_numpy(dtype=str)
        self._article_published = per_article["published"].fillna("").to_numpy(dtype=str)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self._db_uri, uri=True, check_same_thread=False)

    def articles(self) -> pd.DataFrame:
        """One row per article (see lib.corpus.load.ARTICLE_COLUMNS)."""
        return self._articles

    def paragraphs(self) -> pd.DataFrame:
        """Every paragraph, headings included (`vec_row` is NA for those)."""
        return self._paragraphs

    def furniture(self, article_id: str | None = None) -> pd.DataFrame:
        """Removed site furniture, for one article or all."""
        with self._connect() as db:
            sql = 'SELECT article_id, rule, text, start, "end" FROM furniture'
            if article_id is None:
                return pd.read_sql_query(sql + " ORDER BY article_id, start", db)
            return pd.read_sql_query(sql + " WHERE article_id = ? ORDER BY start", db, params=(article_id,))

    def allowed_rows(self, filters: SearchFilters) -> np.ndarray | None:
        """Boolean mask over vector rows that pass `filters`, or None when nothing is filtered."""
        if not filters.active:
            return None
        keep = np.ones(len(self._article_codes), dtype=bool)
        if filters.articles:
            keep &= self._article_codes.isin(filters.articles)
        if filters.sources:
            keep &= np.isin(self._article_source, filters.sources)
        published = self._article_published
        if filters.since:
            keep &= (published != "") & (published >= filters.since.isoformat())
        if filters.until:
            keep &= (published != "") & (published <= filters.until.isoformat())
        rows = keep[self._row_article_code]
        if filters.paragraph_ids is not None:
            rows &= np.isin(self._row_paragraph, filters.paragraph_ids)
        return rows

    def dense_search(self, query_vectors: np.ndarray, k: int, filters: SearchFilters) -> list[pd.DataFrame]:
        """Cosine top-k per query, filters applied before the cut: exact, or with an approximate
        index its shortlist re-scored exactly (a very selective filter is searched exactly over
        its rows, and so is a filtered shortlist that comes back too short)."""
        queries = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
        mask = self.allowed_rows(filters)
        n = self.vectors.shape[0]
        allowed = n if mask is None else int(mask.sum())
        use_ann = self.ann is not None and (mask is None or allowed > exact_limit(k, n, self.exact_min_rows))
        results = []
        for query in queries:
            found = self.ann.top_k(self.vectors, query, k, mask) if use_ann and self.ann else None
            scores, rows = found if found is not None else dense_top_k(query, self.vectors, k, mask)[0]
            results.append(pd.DataFrame({"paragraph_id": self._row_paragraph[rows], "score": scores}))
        return results

    def sentence_matches(self, query_vector: np.ndarray, paragraph_ids: Iterable[str]) -> pd.DataFrame:
        """For each body paragraph given, its sentence closest to the query: paragraph_id,
        sentence_score (cosine), sentence_start and sentence_end (offsets in the paragraph)."""
        ids = list(paragraph_ids)
        rows = self._row_of.get_indexer(ids)
        if (rows < 0).any():
            raise KeyError("headings and unknown paragraphs have no sentences")
        sentence_rows, owner = self.sentences.rows_of(rows)
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        scores = np.asarray(self.sentences.vectors[sentence_rows], dtype=np.float32) @ query
        # Best sentence per paragraph: sort by (paragraph, -score) and take each paragraph's first.
        order = np.lexsort((-scores, owner))
        first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]] if len(order) else order
        spans = np.asarray(self.sentences.spans[sentence_rows[first]])
        return pd.DataFrame(
            {
                "paragraph_id": np.asarray(ids, dtype=object)[owner[first]],
                "sentence_score": scores[first],
                "sentence_start": spans[:, 0] if len(spans) else np.zeros(0, int),
                "sentence_end": spans[:, 1] if len(spans) else np.zeros(0, int),
            }
        )

    def keyword_search(self, query: str, k: int, filters: SearchFilters) -> pd.DataFrame:
        """BM25 (SQLite FTS5) top-k; higher score is better."""
        match = fts_query(query)
        if not match:
            return pd.DataFrame({"paragraph_id": pd.Series(dtype=str), "score": pd.Series(dtype=float)})
        where, params = ["paragraphs_fts MATCH ?"], [match]
        if filters.articles:
            where.append(f"article_id IN ({','.join('?' * len(filters.articles))})")
            params.extend(filters.articles)
        if filters.sources:
            where.append(f"source IN ({','.join('?' * len(filters.sources))})")
            params.extend(filters.sources)
        if filters.since:
            where.append("published != '' AND published >= ?")
            params.append(filters.since.isoformat())
        if filters.until:
            where.append("published != '' AND published <= ?")
            params.append(filters.until.isoformat())
        if filters.paragraph_ids is not None:
            where.append("rowid IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(self._rows_of(filters.paragraph_ids)))
        sql = (
            f"SELECT rowid, -bm25(paragraphs_fts) AS score FROM paragraphs_fts WHERE {' AND '.join(where)} "
            "ORDER BY bm25(paragraphs_fts) LIMIT ?"
        )
        with self._connect() as db:
            rows = db.execute(sql, [*params, int(k)]).fetchall()
        return pd.DataFrame(
            {"paragraph_id": [self._row_paragraph[r[0]] for r in rows], "score": [float(r[1]) for r in rows]}
        )

    def _rows_of(self, paragraph_ids: Iterable[str]) -> list[int]:
        """Vector rows (= FTS rowids) of these paragraphs; headings and unknown ids have none."""
        rows = self._row_of.get_indexer(list(paragraph_ids))
        return [int(r) for r in rows if r >= 0]

    def table(self, name: str) -> pd.DataFrame:
        """A derived table stored by the build (empty when the build did not make it)."""
        if name not in self.meta.get("annotators", {}):
            return pd.DataFrame(columns=["article_id"])
        with self._connect() as db:
            table = pd.read_sql_query(f'SELECT * FROM "{_table_name(name)}"', db)
        for column in table.columns:
            if column.endswith("_json"):
                table[column[: -len("_json")]] = [json.loads(v) for v in table.pop(column)]
        return table

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25-style inverse document frequency of stemmed terms over body paragraphs
        (a term in no paragraph gets the highest weight)."""
        wanted = list(dict.fromkeys(terms))
        n = int(self.meta.get("n_vectors", 0))
        with self._connect() as db:
            found = (
                dict(
                    db.execute(
                        f"SELECT term, df FROM terms WHERE term IN ({','.join('?' * len(wanted))})", wanted
                    ).fetchall()
                )
                if wanted
                else {}
            )
        return {t: float(np.log(1 + (n - found.get(t, 0) + 0.5) / (found.get(t, 0) + 0.5))) for t in wanted}

    def vectors_for(self, paragraph_ids: Iterable[str]) -> np.ndarray:
        """The stored vectors of body paragraphs, in the order given."""
        rows = self._paragraphs.set_index("paragraph_id").loc[list(paragraph_ids), "vec_row"]
        if rows.isna().any():
            raise KeyError("headings have no vector")
        return self.vectors[rows.astype(int).to_numpy()]


def _table_name(name: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise ValueError(f"bad table name {name!r}")
    return f"derived_{name}"


def _to_sql(table: pd.DataFrame, name: str, db: sqlite3.Connection) -> None:
    """Store a derived table; list and dict cells go in as JSON (`<column>_json`)."""
    out = table.copy()
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, (list, dict, tuple))).any():
            out[f"{column}_json"] = [json.dumps(v, default=str) for v in out.pop(column)]
    if "article_id" not in out.columns:
        out["article_id"] = pd.Series(dtype=str)
    out.to_sql(_table_name(name), db, index=False)


def _fsync_dir(folder: Path) -> None:
    for path in [*folder.iterdir(), folder]:
        if path.is_dir() and path != folder:
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_old_generations(index_dir: Path, keep: str) -> None:
    """Drop superseded generations, except the one just replaced (a running app may still read
    it until it notices the swap), and leftovers of killed builds older than a minute."""
    generations = sorted(
        p.name for p in index_dir.iterdir() if re.fullmatch(r"gen-\d{20}-[0-9a-f]{8}", p.name)
    )
    previous = [g for g in generations if g < keep][-1:]
    for path in index_dir.iterdir():
        if not path.is_dir() or path.name == keep or path.name in previous:
            continue
        stale_tmp = path.name.endswith(".tmp") and time.time() - path.stat().st_mtime > 60
        if path.name in generations or stale_tmp:
            shutil.rmtree(path, ignore_errors=True)
