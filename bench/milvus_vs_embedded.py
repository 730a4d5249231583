"""Dense search in the embedded store (exact numpy) against Milvus Lite with FLAT, IVF_FLAT and HNSW.

For each size, writes a synthetic index generation with `lib.store.embedded.write_generation`: normalised
384-d vectors drawn around 2,000 topic centres (real sentence embeddings cluster; uniformly
random vectors would make every approximate index look worse than it is), short texts, 4
sources and 12 months. Queries are fresh points from the same distribution. Each backend is
then measured in its own fresh process (so its peak memory is its own):
- embedded: `EmbeddedStore(...).dense_search`, one query at a time;
- Milvus Lite: `publish_generation` (insert + index build), then `MilvusStore(...).dense_search`
  through the same interface. Lite builds its index in the background after reporting it done,
  so the "build" time runs until probe queries stop getting faster (`settle`).
Prints open/build time, p50/p95 latency without and with a source filter, recall@10 against the
exact top 10, and peak RSS of the measuring process.

    python bench/milvus_vs_embedded.py --sizes 100000 --queries 200
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search_latency import DIM, write_synthetic  # noqa: E402

from lib.store.base import SearchFilters  # noqa: E402

K = 10
CENTRES = 2000
SOURCE_FILTER = SearchFilters(sources=("source-1",))


def clustered_vectors(n: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Unit vectors scattered around random topic centres (cosine to the centre about 0.7)."""
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        block = centres[rng.integers(0, len(centres), m)] + 0.05 * rng.standard_normal(
            (m, DIM), dtype=np.float32
        )
        out[start : start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def write_index(folder: Path, n: int, queries: int, seed: int = 0) -> np.ndarray:
    """Write a synthetic generation of `n` clustered paragraphs; return the query vectors."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((CENTRES, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    write_synthetic(folder, clustered_vectors(n, rng, centres), rng)
    return clustered_vectors(queries, rng, centres)


def peak_rss_gb() -> float:
    """Peak resident memory of this process (VmHWM), in GB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def measure(backend: str, index_dir: str, uri: str, queries: np.ndarray) -> dict[str, Any]:
    """Open (or publish and open) one backend and time single queries; runs in a fresh process."""
    from lib.store.embedded import EmbeddedStore
    from lib.store.milvus import MilvusStore, publish_generation

    started = time.perf_counter()
    if backend == "embedded":
        store: Any = EmbeddedStore(index_dir)
    else:
        publish_generation(index_dir, uri, backend)  # type: ignore[arg-type]
        store = MilvusStore(index_dir, uri)
        settle(store, queries[:20])
    build = time.perf_counter() - started
    store.dense_search(queries[:5], K, SearchFilters())  # warm up
    timings: dict[str, list[float]] = {"plain": [], "filtered": []}
    hits: dict[str, list[list[str]]] = {"plain": [], "filtered": []}
    for query in queries:
        for name, filters in (("plain", SearchFilters()), ("filtered", SOURCE_FILTER)):
            t = time.perf_counter()
            found = store.dense_search(query[None, :], K, filters)[0]
            timings[name].append(time.perf_counter() - t)
            hits[name].append(found["paragraph_id"].tolist())
    return {"build": build, "timings": timings, "hits": hits, "peak_rss_gb": peak_rss_gb()}


def settle(store: Any, probes: np.ndarray, limit_s: float = 240.0) -> None:
    """Wait until Milvus Lite has finished indexing: it reports the index built at once but
    builds it in the background, and searches are brute force (and slow) until then. Probes
    every 5 s until two rounds in a row take about the same time."""
    started, last = time.perf_counter(), float("inf")
    while time.perf_counter() - started < limit_s:
        t = time.perf_counter()
        for probe in probes:
            store.dense_search(probe[None, :], K, SearchFilters())
        took = time.perf_counter() - t
        if took > 0.85 * last:
            return
        last = took
        time.sleep(5)


def recall(found: list[list[str]], exact: list[list[str]]) -> float:
    return float(np.mean([len(set(f) & set(e)) / max(len(e), 1) for f, e in zip(found, exact, strict=True)]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--backends", default="embedded,FLAT,IVF_FLAT,HNSW")
    parser.add_argument(
        "--milvus-uri", help="A Milvus server (http://host:19530) instead of Milvus Lite files."
    )
    args = parser.parse_args(argv)
    spawn = multiprocessing.get_context("spawn")
    print(
        "| paragraphs | backend | open or publish (s) | p50 / p95 (ms) | source filter p50 / p95 (ms) "
        "| recall@10 | filtered recall@10 | peak RSS (GB) |\n|---|---|---|---|---|---|---|---|"
    )
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            queries = write_index(Path(tmp) / "index", n, args.queries)
            print(f"<!-- wrote {n:,} paragraphs in {time.perf_counter() - started:.1f} s -->", flush=True)
            exact: dict[str, list[list[str]]] | None = None
            for backend in args.backends.split(","):
                uri = args.milvus_uri or str(Path(tmp) / f"milvus-{backend}.db")
                with spawn.Pool(1) as pool:
                    result = pool.apply(measure, (backend, str(Path(tmp) / "index"), uri, queries))
                if backend == "embedded":
                    exact = result["hits"]
                p = {k: np.percentile(np.array(v) * 1000, [50, 95]) for k, v in result["timings"].items()}
                plain_recall = recall(result["hits"]["plain"], exact["plain"]) if exact else float("nan")
                filtered_recall = (
                    recall(result["hits"]["filtered"], exact["filtered"]) if exact else float("nan")
                )
                engine = "Milvus" if args.milvus_uri else "Milvus Lite"
                label = "embedded (numpy, exact)" if backend == "embedded" else f"{engine} {backend}"
                print(
                    f"| {n:,} | {label} "
                    f"| {result['build']:.1f} | {p['plain'][0]:.1f} / {p['plain'][1]:.1f} "
                    f"| {p['filtered'][0]:.1f} / {p['filtered'][1]:.1f} | {plain_recall:.3f} "
                    f"| {filtered_recall:.3f} | {result['peak_rss_gb']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
