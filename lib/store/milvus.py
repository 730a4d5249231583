"""The Milvus backend of the store: dense search served by Milvus, the rest by the embedded index.

A build writes an embedded generation as always (lib.store); `publish_generation` then copies
its vectors, with the paragraph metadata filters need (article, source, date), into a Milvus
collection named after the generation. `MilvusStore` serves dense search and stored vectors
from that collection and delegates text, keywords (SQLite FTS5), furniture and derived tables
to the embedded generation, so both backends return the same hits for an exact (FLAT) index.

The URI picks the deployment (pymilvus `MilvusClient`): a local file path runs Milvus Lite in
process (single machine, one process at a time); `http://host:19530` reaches a Milvus
standalone or cluster server shared by every dashboard replica.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.errors import DossierError, IndexCorruptError, IndexMissingError
from lib.store.base import SearchFilters
from lib.store.embedded import EmbeddedStore

IndexType = Literal["FLAT", "IVF_FLAT", "HNSW"]
INDEX_PARAMS: dict[str, dict[str, Any]] = {
    "FLAT": {},
    "IVF_FLAT": {"nlist": 1024},
    "HNSW": {"M": 16, "efConstruction": 200},
}
"""Build parameters per index type; FLAT is exact (same hits as the embedded store)."""
SEARCH_PARAMS: dict[str, dict[str, Any]] = {"FLAT": {}, "IVF_FLAT": {"nprobe": 32}, "HNSW": {"ef": 128}}
MAX_LIMIT = 16384  # Milvus's largest top-k
INSERT_ROWS = 5000
_KEPT_COLLECTIONS = 2  # the live generation and the one replicas may still be serving
PUBLISHED_FILE = "milvus-collections.json"


def collection_name(generation: Path | str) -> str:
    """The Milvus collection that holds a generation's vectors (`gen-…` → `dossier_gen_…`)."""
    return "dossier_" + re.sub(r"[^0-9A-Za-z_]", "_", Path(generation).name)


def _published_file(index_dir: Path | str) -> Path:
    """Where an index folder lists the collections it published, per Milvus URI, so pruning
    only ever drops this index's own collections on a shared server."""
    return Path(index_dir) / PUBLISHED_FILE


def connect(uri: str) -> Any:
    """A `MilvusClient` for `uri`; a clear error when the server cannot be reached."""
    from pymilvus import MilvusClient  # heavy: imported on first use

    if not uri:
        raise DossierError(
            "No Milvus URI is configured: set DOSSIER_MILVUS_URI (a file path or http://host:19530)."
        )
    if "://" not in uri:
        Path(uri).parent.mkdir(parents=True, exist_ok=True)
    try:
        return MilvusClient(uri=uri)
    except Exception as exc:  # pymilvus raises MilvusException and grpc errors alike
        raise DossierError(f"Could not reach Milvus at '{uri}': {exc}") from exc


def publish_generation(index_dir: Path | str, uri: str, index_type: IndexType = "FLAT") -> str:
    """Copy the live generation's vectors and paragraph metadata into its own collection
    (nothing to do when it is already there with this index type) and drop this index's older
    collections except the previous one; return the collection name."""
    from pymilvus import DataType, MilvusClient  # heavy: imported on first use

    store = EmbeddedStore(index_dir)
    client = connect(uri)
    name = collection_name(store.folder)
    n = int(store.meta["n_vectors"])
    if client.has_collection(name):
        if _row_count(client, name) == n and _index_type(client, name) == index_type:
            return name
        client.drop_collection(name)
    rows = _vector_rows(store)
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(store.meta["dim"]))
    for column in ("paragraph_id", "article_id", "source", "published"):
        longest = int(rows[column].str.len().max()) if len(rows) else 0
        schema.add_field(column, DataType.VARCHAR, max_length=min(65535, max(64, longest * 4)))  # UTF-8 bytes
    index_params = client.prepare_index_params()
    index_params.add_index(
        field_name="vector", index_type=index_type, metric_type="IP", params=INDEX_PARAMS[index_type]
    )
    client.create_collection(name, schema=schema, index_params=index_params)
    for start in range(0, n, INSERT_ROWS):
        part = rows.iloc[start : start + INSERT_ROWS]
        client.insert(
            name,
            [
                {"row": int(r.row), "vector": store.vectors[int(r.row)], **_text_fields(r)}
                for r in part.itertuples(index=False)
            ],
        )
    client.flush(name)
    client.load_collection(name)
    _prune(client, index_dir, uri, keep=name)
    return name


class MilvusStore:
    """The `Store` protocol over Milvus (dense search, vectors) and the embedded generation
    (articles, paragraphs, keywords, tables). Safe to share between sessions."""

    def __init__(self, index_dir: Path | str, uri: str) -> None:
        self.local = EmbeddedStore(index_dir)
        self.index_dir = self.local.index_dir
        self.folder = self.local.folder
        self.meta = self.local.meta
        self.model: str = self.local.model
        self.uri = uri
        self.collection = collection_name(self.folder)
        self._client = connect(uri)
        if not self._client.has_collection(self.collection):
            raise IndexMissingError(
                f"The index generation {self.folder.name} is not in Milvus at '{uri}': publish it with "
                f"`python -m lib build --milvus {uri}`."
            )
        if _row_count(self._client, self.collection) != int(self.meta["n_vectors"]):
            raise IndexCorruptError(
                f"Milvus collection {self.collection} does not match the index: rebuild with "
                f"`python -m lib build --milvus {uri}`."
            )
        self._client.load_collection(self.collection)
        index_type = _index_type(self._client, self.collection)
        self.search_params = {"metric_type": "IP", "params": SEARCH_PARAMS.get(index_type, {})}
        body = self.local.paragraphs().dropna(subset=["vec_row"])
        self._row_of = pd.Series(body["vec_row"].astype(int).to_numpy(), index=body["paragraph_id"])

    def articles(self) -> pd.DataFrame:
        return self.local.articles()

    def paragraphs(self) -> pd.DataFrame:
        return self.local.paragraphs()

    def furniture(self, article_id: str | None = None) -> pd.DataFrame:
        return self.local.furniture(article_id)

    def keyword_search(self, query: str, k: int, filters: SearchFilters) -> pd.DataFrame:
        """BM25 over the embedded generation's FTS5 table (Milvus holds vectors only)."""
        return self.local.keyword_search(query, k, filters)

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        return self.local.idf(terms)

    def table(self, name: str) -> pd.DataFrame:
        return self.local.table(name)

    def sentence_matches(self, query_vector: np.ndarray, paragraph_ids: Iterable[str]) -> pd.DataFrame:
        """The best sentence of each paragraph, from the embedded generation's sentence vectors."""
        return self.local.sentence_matches(query_vector, paragraph_ids)

    def dense_search(self, query_vectors: np.ndarray, k: int, filters: SearchFilters) -> list[pd.DataFrame]:
        """Top-k by inner product (cosine) per query in Milvus, filters applied inside the search."""
        queries = np.atleast_2d(np.asarray(query_vectors, dtype=np.float32))
        limit = min(int(k), MAX_LIMIT)
        if limit < 1 or filters.paragraph_ids == ():
            return [_hits([], []) for _ in queries]
        found = self._client.search(
            self.collection,
            data=list(queries),
            limit=limit,
            filter=filter_expression(filters),
            output_fields=["paragraph_id"],
            search_params=self.search_params,
        )
        results = []
        for hits in found:
            ranked = sorted(hits, key=lambda h: (-h["distance"], h["row"]))
            results.append(
                _hits([h["entity"]["paragraph_id"] for h in ranked], [h["distance"] for h in ranked])
            )
        return results

    def vectors_for(self, paragraph_ids: Iterable[str]) -> np.ndarray:
        """The stored vectors of body paragraphs, in the order given, fetched from Milvus."""
        ids = list(paragraph_ids)
        unknown = [p for p in ids if p not in self._row_of.index]
        if unknown:
            raise KeyError(f"no vector for {unknown[:3]} (headings have none)")
        rows = [int(r) for r in self._row_of.loc[ids]]
        if not rows:
            return np.zeros((0, int(self.meta["dim"])), dtype=np.float32)
        got = self._client.get(self.collection, ids=sorted(set(rows)), output_fields=["vector"])
        by_row = {int(g["row"]): g["vector"] for g in got}
        return np.asarray([by_row[r] for r in rows], dtype=np.float32)


def filter_expression(filters: SearchFilters) -> str:
    """A Milvus boolean expression for `filters`, mirroring the embedded store (dated bounds leave
    undated articles out). Values are quoted string literals, never raw user text."""
    clauses: list[str] = []
    if filters.articles:
        clauses.append(f"article_id in {_strings(filters.articles)}")
    if filters.sources:
        clauses.append(f"source in {_strings(filters.sources)}")
    if filters.since:
        clauses.append(f'published != "" and published >= {_string(filters.since.isoformat())}')
    if filters.until:
        clauses.append(f'published != "" and published <= {_string(filters.until.isoformat())}')
    if filters.paragraph_ids is not None:
        clauses.append(f"paragraph_id in {_strings(filters.paragraph_ids)}")
    return " and ".join(f"({c})" for c in clauses)


def _string(value: str) -> str:
    """A Milvus string literal: double-quoted, backslashes and quotes escaped."""
    return json.dumps(value, ensure_ascii=False)


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join(_string(v) for v in values) + "]"


def _vector_rows(store: EmbeddedStore) -> pd.DataFrame:
    """One row per vector: row number, paragraph id and its article's id, source and date."""
    body = store.paragraphs().dropna(subset=["vec_row"])[["vec_row", "paragraph_id", "article_id"]]
    info = store.articles()[["article_id", "source", "published"]].fillna("")
    rows = body.merge(info, on="article_id", how="left").fillna("")
    rows["row"] = rows.pop("vec_row").astype(int)
    return rows.sort_values("row").reset_index(drop=True)


def _text_fields(row: Any) -> dict[str, str]:
    return {
        "paragraph_id": str(row.paragraph_id),
        "article_id": str(row.article_id),
        "source": str(row.source),
        "published": str(row.published),
    }


def _row_count(client: Any, name: str) -> int:
    return int(client.get_collection_stats(name).get("row_count", 0))


def _index_type(client: Any, name: str) -> str:
    return str(client.describe_index(name, "vector").get("index_type", ""))


def _prune(client: Any, index_dir: Path | str, uri: str, keep: str) -> None:
    """Record `keep` as published from this index and drop the older collections it published
    to this URI, except the newest few (names sort by creation time)."""
    path = _published_file(index_dir)
    published = json.loads(path.read_text()) if path.exists() else {}
    names = sorted({*published.get(uri, []), keep})
    for name in names[: max(0, len(names) - _KEPT_COLLECTIONS)]:
        if client.has_collection(name):
            client.drop_collection(name)
    published[uri] = names[-_KEPT_COLLECTIONS:]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(published, indent=1))
    tmp.replace(path)


def _hits(paragraph_ids: list[str], scores: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "paragraph_id": pd.Series(paragraph_ids, dtype=object),
            "score": pd.Series(scores, dtype=np.float32),
        }
    )
