"""Approximate (usearch graph + exact re-score) against exact dense search, in one run, on the
same index generation: latency, recall@10 (unfiltered and filtered), build time and memory.

Vectors are real-like: real embeddings (FNC-1 body paragraphs and SciFact abstracts encoded with
the default encoder, cached in `.dossier/cache/`; or `--vectors FILE.npy`) tiled to the asked size,
each copy moved by Gaussian noise (`--noise`, the norm of the noise relative to the unit vector;
0.6 puts a copy at cosine ~0.86 of its source). Uniform random vectors are not used for recall: a
graph has nothing to navigate in them (docs/benchmarks.md). Queries are real: FNC-1 headlines and
SciFact claims (or `--queries FILE.npy`). Each size writes a generation with
`lib.store.embedded.write_generation(..., ann_min_rows=0)` and opens it twice: with its graph and
without (exact). Every query runs, interleaved: bare numpy (`matrix @ q` + argpartition), the
exact store, the approximate store; then the same with filters keeping about 25 %, 8 % and 1 %
of the rows (the last is searched exactly by design). recall@10 is against the exact store (ties
with the exact 10th count as found). `--ef` searches the same graph again at wider exploration
(usearch's `expansion_search`; the app's default is 64, and a search asked for more candidates
than that explores as many).

    python bench/ann_vs_exact.py --sizes 100000,1000000 --queries 200 --ef 128,256
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_latency import write_synthetic  # noqa: E402

from lib.store.ann import ANN_FILE  # noqa: E402
from lib.store.base import SearchFilters  # noqa: E402
from lib.store.embedded import VECTORS_FILE, EmbeddedStore  # noqa: E402

BENCH = Path(os.environ.get("DOSSIER_BENCH_DATA", ROOT.parent / "shared" / "bench"))  # a worktree: set it
CACHE = ROOT / ".dossier" / "cache"
K = 10


def real_vectors(limit_bodies: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(corpus vectors, query vectors) of FNC-1 and SciFact with the default encoder, cached."""
    path = CACHE / "ann-real-vectors.npz"
    if path.exists():
        with np.load(path) as stored:
            return stored["corpus"], stored["queries"]
    import pandas as pd

    from lib.corpus.load import load_corpus
    from lib.corpus.paragraphs import split_corpus
    from lib.settings import load_settings
    from lib.text.embeddings import load_encoder

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bodies = pd.read_csv(BENCH / "fnc1" / "train_bodies.csv").head(limit_bodies)
        for row in bodies.itertuples():
            (folder / f"b{row[1]}.txt").write_text(str(row[2]), encoding="utf-8")
        paragraphs, _ = split_corpus(load_corpus(folder).articles)
    texts = paragraphs.loc[paragraphs["kind"] == "body", "text"].tolist()
    with open(BENCH / "scifact" / "corpus.jsonl", encoding="utf-8") as handle:
        texts += [f"{d['title']} {d['text']}" for d in map(json.loads, handle)]
    queries = sorted(set(pd.read_csv(BENCH / "fnc1" / "train_stances.csv")["Headline"]))
    with open(BENCH / "scifact" / "queries.jsonl", encoding="utf-8") as handle:
        queries += [q["text"] for q in map(json.loads, handle)]
    settings = load_settings()
    from lib.text.embeddings import encoder_id

    encoder = load_encoder(encoder_id(settings.embedding_model, settings.encoder_backend))
    corpus, asked = encoder.encode(texts), encoder.encode(queries)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, corpus=corpus, queries=asked)
    return corpus, asked


def tiled(base: np.ndarray, n: int, noise: float, seed: int = 0) -> np.ndarray:
    """`n` unit vectors: copies of `base` rows, each moved by noise of norm ~`noise`."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):
        count = min(50_000, n - start)
        rows = base[(np.arange(start, start + count)) % len(base)]
        block = rows + rng.standard_normal(rows.shape, dtype=np.float32) * (noise / np.sqrt(base.shape[1]))
        out[start : start + count] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(
    n: int, base: np.ndarray, queries: np.ndarray, noise: float, folder: Path, efs: list[int]
) -> dict[str, float]:
    vectors = tiled(base, n, noise)
    started = time.perf_counter()
    write_synthetic(folder, vectors, np.random.default_rng(0), ann_min_rows=0)
    write_s = time.perf_counter() - started
    del vectors
    exact = EmbeddedStore(folder)
    exact.ann = None
    before = rss_mb()
    approximate = EmbeddedStore(folder)
    open_mb = rss_mb() - before
    meta = approximate.meta["ann"]
    matrix = exact.vectors
    filters = {
        "none": SearchFilters(),
        "25%": SearchFilters(sources=("source-1",)),
        "8%": SearchFilters(since=date_of(5), until=date_of(5)),
        "1%": SearchFilters(articles=tuple(f"a{i}" for i in range(0, max(1, n // 20), 100))),
    }
    times: dict[str, list[float]] = {"numpy": [], "exact": [], "approximate": [], "approximate k=100": []}
    recall: dict[str, list[float]] = {name: [] for name in filters}
    recall["none k=100"] = []
    filtered_times: dict[str, list[float]] = {name: [] for name in filters if name != "none"}
    shares = {
        name: (1.0 if name == "none" else float(exact.allowed_rows(f).mean())) for name, f in filters.items()
    }
    for q in queries[:5]:  # warm up the caches of every path
        approximate.dense_search(q[None, :], K, SearchFilters())
        exact.dense_search(q[None, :], K, SearchFilters())
    truths = []
    for q in queries:
        t = time.perf_counter()
        scores = matrix @ q
        top = np.argpartition(-scores, K - 1)[:K]
        top[np.argsort(-scores[top])]
        times["numpy"].append(time.perf_counter() - t)
        t = time.perf_counter()
        truth = exact.dense_search(q[None, :], K, SearchFilters())[0]
        times["exact"].append(time.perf_counter() - t)
        truths.append(truth)
        t = time.perf_counter()
        found = approximate.dense_search(q[None, :], K, SearchFilters())[0]
        times["approximate"].append(time.perf_counter() - t)
        recall["none"].append(tie_aware_recall(found, truth))
        t = time.perf_counter()
        pool = approximate.dense_search(q[None, :], 100, SearchFilters())[0].head(K)
        times["approximate k=100"].append(time.perf_counter() - t)
        recall["none k=100"].append(tie_aware_recall(pool, truth))
        for name, only in filters.items():
            if name == "none":
                continue
            truth = exact.dense_search(q[None, :], K, only)[0]
            t = time.perf_counter()
            found = approximate.dense_search(q[None, :], K, only)[0]
            filtered_times[name].append(time.perf_counter() - t)
            recall[name].append(tie_aware_recall(found, truth))
    for ef in efs:  # the same graph searched wider: its exploration `ef`, asked for 10 and for 100
        approximate.ann.index.expansion_search = ef  # type: ignore[union-attr]
        for label, count in ((f"ef={ef}", K), (f"ef={ef} k=100", 100)):
            taken, found_share = [], []
            for q, truth in zip(queries, truths, strict=True):
                t = time.perf_counter()
                found = approximate.dense_search(q[None, :], count, SearchFilters())[0].head(K)
                taken.append(time.perf_counter() - t)
                found_share.append(tie_aware_recall(found, truth))
            times[label] = taken
            recall[label] = found_share
    matrix_mb = (approximate.folder / VECTORS_FILE).stat().st_size / 2**20
    row: dict[str, float] = {
        "n": n,
        "write_s": write_s,
        "graph_keys": meta["keys"],
        "graph_file_vs_f32": (approximate.folder / ANN_FILE).stat().st_size / 2**20 / matrix_mb,
        "open_rss_mb": open_mb,
        "touched_rss_vs_f32": (rss_mb() - before) / matrix_mb,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }
    for name, samples in times.items():
        row[f"{name}_p50_ms"] = float(np.percentile(samples, 50) * 1000)
        row[f"{name}_p95_ms"] = float(np.percentile(samples, 95) * 1000)
    for name, samples in filtered_times.items():
        row[f"filter {name}_p50_ms"] = float(np.percentile(samples, 50) * 1000)
    for name, values in recall.items():
        row[f"recall {name}"] = float(np.mean(values))
    for name, share in shares.items():
        row[f"share {name}"] = share
    return row


def tie_aware_recall(found, truth) -> float:  # noqa: ANN001 - hits frames (paragraph_id, score)
    """Share of the exact top 10 the approximate top 10 recovers; a hit scoring the same as the
    exact 10th (an identical text: real corpora repeat paragraphs) counts as found. The
    approximate scores are exact re-scores, so they compare with the exact ones."""
    if truth.empty:
        return 1.0
    cut = float(truth["score"].iloc[-1]) - 1e-6
    return min(len(truth), int((found["score"] >= cut).sum())) / len(truth)


def date_of(month: int):  # noqa: ANN201 - a datetime.date
    from datetime import date

    return date(2019, month, 1)


def main(argv: list[str] | None = None) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--noise", type=float, default=0.6)
    parser.add_argument("--vectors", type=Path, help="Real corpus vectors (.npy) instead of encoding.")
    parser.add_argument("--query-vectors", type=Path, help="Real query vectors (.npy) instead of encoding.")
    parser.add_argument(
        "--ef", default="", help="Also search the same graph at these exploration widths (comma-separated)."
    )
    parser.add_argument("--out", type=Path, help="Also append each size's figures here (JSON lines).")
    args = parser.parse_args(argv)
    if args.vectors and args.query_vectors:
        base, asked = np.load(args.vectors), np.load(args.query_vectors)
    else:
        base, asked = real_vectors()
    rng = np.random.default_rng(2)
    queries = asked[rng.choice(len(asked), size=min(args.queries, len(asked)), replace=False)].astype(
        np.float32
    )
    print(
        f"{len(base):,} real vectors tiled with noise {args.noise}; {len(queries)} real queries", flush=True
    )
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory(dir=os.environ.get("DOSSIER_BENCH_TMP")) as tmp:
            efs = [int(e) for e in args.ef.split(",") if e]
            row = measure(n, base.astype(np.float32), queries, args.noise, Path(tmp), efs)
        rows.append(row)
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
        if args.out:
            with open(args.out, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(row) + "\n")
        print(
            f"{n:>10,} paragraphs: numpy {row['numpy_p50_ms']:.1f} ms, "
            f"exact store {row['exact_p50_ms']:.1f} ms, "
            f"approximate {row['approximate_p50_ms']:.2f} ms p50 (pool of 100: "
            f"{row['approximate k=100_p50_ms']:.2f} ms); recall@10 {row['recall none']:.3f} "
            f"(pool 100: {row['recall none k=100']:.3f}), filtered 25 % {row['recall 25%']:.3f}, "
            f"8 % {row['recall 8%']:.3f}, 1 % {row['recall 1%']:.3f}; graph file "
            f"{row['graph_file_vs_f32']:.2f}x the float32 matrix; write {row['write_s']:.0f} s",
            flush=True,
        )
    return rows


if __name__ == "__main__":
    main()
