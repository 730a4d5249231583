"""Approximate dense search for large indexes: a usearch HNSW graph over the paragraph vectors,
kept in the index generation and re-scored exactly.

Why usearch (docs/search.md, measured in docs/benchmarks.md): float16 graph at 0.66x the float32
matrix, recall@10 ≥ 0.99 at well under a millisecond on real embeddings, a file that is
memory-mapped in a fraction of a second (replicas share the page cache, as they do the matrix),
incremental `add`/`remove` with stable 64-bit keys. Its Python search takes no filter, so a
filtered search over-fetches and drops the rows the filter excludes, and a very selective filter
is searched exactly over just its rows (`exact_limit`).

Keys: one per distinct paragraph text (`paragraph_keys`, from the text hash), so the next build
reuses the graph for every paragraph whose text did not change (`write_ann`); identical texts
share a key and map back to all their rows.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ANN_FILE = "ann.usearch"
KEYS_FILE = "ann_keys.npy"
PARAMETERS: dict[str, Any] = {
    "engine": "usearch",
    "dtype": "f16",
    "metric": "ip",
    "connectivity": 16,
    "expansion_add": 128,
}
"""Graph parameters, stored in the generation's metadata; a change rebuilds the graph."""
EXPANSION_SEARCH = 128
"""usearch searches with ef = max(this, count). At 1M paragraphs ef 64 found 0.96-0.97 of the
exact top 10, ef 128 0.985 at 1.1 ms p50, ef 256 0.988 at 1.5 ms (docs/benchmarks.md)."""
EXACT_MIN_ROWS = 20_000
"""A filter leaving at most this many rows (or `exact_limit`'s bound) is searched exactly."""
REBUILD_SHARE = 0.2
"""An update that removes more than this share of the previous graph's keys rebuilds it."""
ADD_CHUNK = 20_000
PARALLEL_FROM = 5_000
"""Chunks this large are added on every core (a graph of millions); smaller ones on one thread,
so a small index's graph, and its answers, are the same at every build."""


def paragraph_keys(text_hashes: Sequence[str]) -> np.ndarray:
    """A stable 63-bit key per paragraph text, from its text hash (SHA-1 of the hash string, so any
    string works; 63 bits keep collisions out of reach for millions of paragraphs)."""
    return np.array(
        [int.from_bytes(hashlib.sha1(h.encode()).digest()[:8], "big") >> 1 for h in text_hashes],
        dtype=np.uint64,
    )


def write_ann(
    folder: Path,
    vectors: np.ndarray,
    keys: np.ndarray,
    previous: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the graph of `vectors` (row i has key `keys[i]`) into the generation `folder`; return
    its metadata. The `previous` generation's graph is updated in place of a rebuild when it has
    the same parameters and lost at most `REBUILD_SHARE` of its keys."""
    from usearch.index import Index  # heavy: imported on first use

    unique, first = np.unique(keys, return_index=True)
    index, reused = _previous_graph(previous, unique)
    if index is None:
        index = Index(
            ndim=int(vectors.shape[1]),
            metric=PARAMETERS["metric"],
            dtype=PARAMETERS["dtype"],
            connectivity=PARAMETERS["connectivity"],
            expansion_add=PARAMETERS["expansion_add"],
        )
        new = np.ones(len(unique), dtype=bool)
    else:
        new = ~np.isin(unique, reused)
    rows, fresh = first[new], unique[new]
    for start in range(0, len(fresh), ADD_CHUNK):
        part = rows[start : start + ADD_CHUNK]
        threads = 1 if len(part) < PARALLEL_FROM else 0  # one thread: the same graph every build
        index.add(
            fresh[start : start + ADD_CHUNK], np.asarray(vectors[part], dtype=np.float32), threads=threads
        )
        if progress:
            progress(min(start + ADD_CHUNK, len(fresh)), len(fresh))
    index.save(str(folder / ANN_FILE))
    np.save(folder / KEYS_FILE, np.asarray(keys, dtype=np.uint64))
    return {**PARAMETERS, "keys": len(unique), "added": int(new.sum()), "reused": int((~new).sum())}


def _previous_graph(previous: Path | None, keep: np.ndarray) -> tuple[Any, np.ndarray]:
    """The previous generation's graph with the keys not in `keep` removed, and the keys it keeps;
    (None, empty) when there is none to reuse."""
    from usearch.index import Index  # heavy: imported on first use

    none = (None, np.zeros(0, dtype=np.uint64))
    if previous is None or not (previous / ANN_FILE).exists() or not (previous / KEYS_FILE).exists():
        return none
    old = np.unique(np.load(previous / KEYS_FILE))
    gone = old[~np.isin(old, keep)]
    if len(gone) > REBUILD_SHARE * len(old):
        return none
    try:
        index = Index.restore(str(previous / ANN_FILE))
    except (ValueError, RuntimeError, OSError):
        return none
    if (
        index is None
        or index.dtype.name.lower() != PARAMETERS["dtype"]
        or index.connectivity != PARAMETERS["connectivity"]
    ):
        return none
    if len(gone):
        index.remove(gone)
    return index, old[np.isin(old, keep)]


def exact_limit(pool: int, n: int, exact_min_rows: int = EXACT_MIN_ROWS) -> int:
    """Rows a filter may leave for exact search to beat the post-filtered graph search.

    Exact search costs about one unit per allowed row; the graph search asked for
    `2·pool/share` candidates costs about four units per candidate, so exact wins while
    allowed² < 8·pool·N (measured: docs/benchmarks.md); never below `exact_min_rows`."""
    return max(exact_min_rows, int(math.sqrt(8 * pool * n)))


class AnnIndex:
    """A generation's graph, memory-mapped, with its keys mapped back to vector rows."""

    def __init__(self, folder: Path) -> None:
        from usearch.index import Index  # heavy: imported on first use

        index = Index.restore(str(folder / ANN_FILE), view=True)
        if index is None:
            raise ValueError(f"{folder / ANN_FILE} is not a usearch index")
        index.expansion_search = EXPANSION_SEARCH  # type: ignore[misc]  # usearch has the setter
        self.index = index
        keys = np.load(folder / KEYS_FILE)
        self._order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[self._order]
        self.size = len(keys)

    def candidate_rows(self, query: np.ndarray, count: int) -> np.ndarray:
        """Vector rows of (about) the `count` nearest keys to `query`, graph order."""
        found = self.index.search(np.asarray(query, dtype=np.float32), count)
        keys = np.asarray(found.keys, dtype=np.uint64)
        lo = np.searchsorted(self._sorted_keys, keys, side="left")
        hi = np.searchsorted(self._sorted_keys, keys, side="right")
        if np.all(hi - lo == 1):
            return self._order[lo]
        return np.concatenate([self._order[a:b] for a, b in zip(lo, hi, strict=True)])

    def top_k(
        self, matrix: np.ndarray, query: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """(scores, rows) of the best `k` allowed rows, best first, scored exactly from `matrix`;
        None when the filtered shortlist holds fewer than `k` allowed rows (search exactly then).
        A filter that keeps a share s of the rows over-fetches 2·k/s candidates."""
        n = matrix.shape[0]
        n_allowed = n if allowed is None else int(allowed.sum())
        k = min(k, n_allowed)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        count = k if allowed is None else math.ceil(2 * k * n / n_allowed)
        rows = self.candidate_rows(query, min(max(count, k), self.size))
        if allowed is not None:
            rows = rows[allowed[rows]]
        if len(rows) < k:
            return None
        rows = np.sort(rows)  # memory-map friendly
        scores = np.asarray(matrix[rows], dtype=np.float32) @ np.asarray(query, dtype=np.float32)
        best = np.argsort(-scores, kind="stable")[:k]
        return scores[best], rows[best]
