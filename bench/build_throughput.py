"""Index build throughput against raw encoding of the same paragraphs, in one run.

Writes N FNC-1 article bodies (../shared/bench/fnc1/train_bodies.csv) as .txt files, then, per
round and alternating to even out machine load:
- raw: `encoder.encode(texts)` with the configured encoder (`DOSSIER_ENCODER_BACKEND`, default
  int8 ONNX; `--backend`) on exactly the body paragraphs the build embeds;
- torch: the same texts with sentence-transformers on torch, float32 (`--skip-torch` leaves it
  out): the int8 encoder's speed-up;
- build: `lib.index.build.build_index` from scratch (read files, clean, split, embed with the
  sentence vectors, write SQLite + FTS5 + vectors) without the analyses;
- full build: the same with the registered analyses (time expressions, events, entities, copies,
  key dates).
The memo of recent spaCy parses is emptied before each build, so no build reuses another's.
Prints paragraphs/s for each (best round) and the ratios to raw (targets: build >= 0.9, full
build >= 0.7) and torch/raw.

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
from lib.settings import DEFAULT_MODEL, load_settings  # noqa: E402
from lib.text.embeddings import encoder_id, load_encoder  # noqa: E402
from lib.text.nlp import forget_parses  # noqa: E402

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
    parser.add_argument("--backend", help="Encoder backend (default: DOSSIER_ENCODER_BACKEND).")
    parser.add_argument("--skip-full", action="store_true", help="Do not time the build with analyses.")
    parser.add_argument("--skip-torch", action="store_true", help="Do not time torch float32 encoding.")
    args = parser.parse_args(argv)
    encoder = load_encoder(encoder_id(DEFAULT_MODEL, args.backend or load_settings().encoder_backend))
    torch = None if args.skip_torch else load_encoder(DEFAULT_MODEL)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.bodies)
        paragraphs, _ = split_corpus(load_corpus(corpus).articles)
        texts = paragraphs.loc[paragraphs["kind"] == "body", "text"].tolist()
        encoder.encode(texts[:64])  # warm up
        if torch is not None:
            torch.encode(texts[:64])
        times: dict[str, list[float]] = {"raw": [], "torch": [], "build": [], "full": []}
        for number in range(args.rounds):
            started = time.perf_counter()
            encoder.encode(texts, batch_size=args.batch_size)
            times["raw"].append(time.perf_counter() - started)
            if torch is not None:
                started = time.perf_counter()
                torch.encode(texts, batch_size=args.batch_size)
                times["torch"].append(time.perf_counter() - started)
            forget_parses()  # each build parses its paragraphs itself, as a fresh process would
            started = time.perf_counter()
            report = build_index(
                corpus, Path(tmp) / f"index-{number}", encoder, args.batch_size, annotators=()
            )
            times["build"].append(time.perf_counter() - started)
            assert report.embedded == len(texts)
            if not args.skip_full:
                forget_parses()
                started = time.perf_counter()
                build_index(corpus, Path(tmp) / f"index-full-{number}", encoder, args.batch_size)
                times["full"].append(time.perf_counter() - started)
        result: dict[str, float] = {"paragraphs": len(texts)}
        for name, seconds in times.items():
            if seconds:
                result[f"{name}_per_s"] = len(texts) / min(seconds)
        print(
            f"{len(texts):,} paragraphs from {args.bodies} articles, encoder {encoder.name}, "
            f"batch size {args.batch_size}, best of {args.rounds} rounds"
        )
        print(f"raw encoding        : {result['raw_per_s']:7.1f} paragraphs/s")
        if "torch_per_s" in result:
            result["raw_vs_torch"] = result["raw_per_s"] / result["torch_per_s"]
            print(
                f"torch float32       : {result['torch_per_s']:7.1f} paragraphs/s   "
                f"raw/torch = {result['raw_vs_torch']:.2f}"
            )
        result["ratio"] = result["build_per_s"] / result["raw_per_s"]
        print(
            f"index build         : {result['build_per_s']:7.1f} paragraphs/s   "
            f"build/raw = {result['ratio']:.2f}"
        )
        if "full_per_s" in result:
            result["full_ratio"] = result["full_per_s"] / result["raw_per_s"]
            print(
                f"build + analyses    : {result['full_per_s']:7.1f} paragraphs/s   "
                f"full/raw = {result['full_ratio']:.2f}"
            )
    return result


if __name__ == "__main__":
    main()
