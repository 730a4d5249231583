"""Retrieval quality of dense, keyword (BM25) and fused search, through Dossier's own code path.

Data (read from ../shared/bench, never copied):
- FNC-1: every distinct headline is a query; its relevant documents are the bodies it is
  related to (agree, disagree or discuss). Bodies are written as files, indexed with
  `lib.index.build.build_index` (split into paragraphs the Dossier way) and searched with
  `lib.search.search`; a body is found at the rank of its best paragraph. Fusion settings
  are tuned on half of the headlines (split by hash) and reported on the other half.
- SciFact: 5,183 abstracts (title + text), tuned on the train queries, reported on the 300
  test queries.
Prints nDCG@10 and recall@100 per method.

    python bench/retrieval_quality.py            # both data sets, every method (~30 min on 2 cores)
    python bench/retrieval_quality.py --methods "dense,bm25,coverage w=0.1" --sentence-weights 0,0.5
    python bench/retrieval_quality.py --fnc1-bodies 200 --skip-scifact   # a quick look

The encoder is the configured one (`DOSSIER_ENCODER_BACKEND`, `--backend`); each method runs once
per sentence weight (`--sentence-weights`, the meaning score's mix of paragraph and best
sentence: docs/search.md), its name suffixed with `s=<weight>`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.index.build import build_index  # noqa: E402
from lib.search import search  # noqa: E402
from lib.settings import DEFAULT_MODEL, load_settings  # noqa: E402
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import encoder_id, load_encoder  # noqa: E402

BENCH = Path(os.environ.get("DOSSIER_BENCH_DATA", ROOT.parent / "shared" / "bench"))  # a worktree: set it
DEPTH = 400  # paragraphs ranked per query, enough to place 100 documents
METHODS: list[tuple[str, dict]] = [
    ("dense", {"mode": "dense"}),
    ("bm25", {"mode": "keyword"}),
    ("rrf", {"mode": "hybrid", "fusion": "rrf"}),
    *[
        (f"weighted w={w}", {"mode": "hybrid", "fusion": "weighted", "keyword_weight": w})
        for w in (0.2, 0.3, 0.5, 0.7)
    ],
    *[
        (f"coverage w={w}", {"mode": "hybrid", "fusion": "coverage", "keyword_weight": w})
        for w in (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
    ],
]


class CachedEncoder:
    """The real encoder behind a disk cache keyed by text hash (`.dossier/cache/`), so reruns
    and every method reuse the same vectors."""

    def __init__(self, encoder) -> None:  # noqa: ANN001
        self.encoder, self.name, self.dim = encoder, encoder.name, encoder.dim
        safe = encoder.name.replace("#", "-")
        self.path = ROOT / ".dossier" / "cache" / f"bench-{safe}.npz"
        self.cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as stored:
                self.cache = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    def encode(self, texts, batch_size=64, progress=None):  # noqa: ANN001, ANN201
        keys = [hashlib.sha1(t.strip().encode()).hexdigest() for t in texts]
        missing = [i for i, k in enumerate(keys) if k not in self.cache]
        if missing:
            fresh = self.encoder.encode([texts[i] for i in missing], batch_size=batch_size, progress=progress)
            self.cache.update({keys[i]: v for i, v in zip(missing, fresh, strict=True)})
            self.save()
        elif progress:
            progress(len(texts), len(texts))
        return np.vstack([self.cache[k] for k in keys]) if keys else np.zeros((0, self.dim), np.float32)

    def encode_in_context(self, texts, spans, batch_size=32):  # noqa: ANN001, ANN201
        """Paragraph and in-context sentence vectors (not cached: the build computes them once)."""
        return self.encoder.encode_in_context(texts, spans, batch_size=batch_size)

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = list(self.cache)
        np.savez(self.path, keys=np.array(keys), vectors=np.vstack([self.cache[k] for k in keys]))


def document_ranking(hits: pd.DataFrame, doc_of: Callable[[str], str]) -> list[str]:
    seen: dict[str, None] = {}
    for article in hits["article_id"]:
        seen.setdefault(doc_of(article), None)
    return list(seen)


def ndcg_at_10(ranked: list[str], relevant: set[str]) -> float:
    gains = sum(1 / np.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    ideal = sum(1 / np.log2(i + 2) for i in range(min(10, len(relevant))))
    return gains / ideal if ideal else 0.0


def recall_at_100(ranked: list[str], relevant: set[str]) -> float:
    return len(set(ranked[:100]) & relevant) / len(relevant) if relevant else 0.0


def methods() -> list[tuple[str, dict]]:
    """The chosen methods, each once per sentence weight."""
    return [
        (f"{name} s={w}", {**options, "sentence_weight": w})
        for name, options in METHODS
        if CHOSEN is None or name in CHOSEN
        for w in SENTENCE_WEIGHTS
    ]


CHOSEN: set[str] | None = None
SENTENCE_WEIGHTS: list[float] = [load_settings().sentence_weight]


def evaluate(
    store,
    encoder,
    queries: dict[str, str],
    qrels: dict[str, set[str]],  # noqa: ANN001
    doc_of: Callable[[str], str],
) -> pd.DataFrame:
    rows = []
    for name, options in methods():
        scores = []
        for qid, text in queries.items():
            hits = search(store, encoder, text, k=DEPTH, candidates=DEPTH, **options).hits
            ranked = document_ranking(hits, doc_of)
            scores.append((qid, ndcg_at_10(ranked, qrels[qid]), recall_at_100(ranked, qrels[qid])))
        frame = pd.DataFrame(scores, columns=["qid", "ndcg10", "recall100"])
        frame["method"] = name
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def half(key: str) -> str:
    return "tune" if int(hashlib.md5(key.encode()).hexdigest(), 16) % 2 == 0 else "test"


def report(title: str, results: pd.DataFrame, tune_ids: set[str], test_ids: set[str]) -> dict:
    tune = results[results["qid"].isin(tune_ids)].groupby("method")[["ndcg10", "recall100"]].mean()
    test = results[results["qid"].isin(test_ids)].groupby("method")[["ndcg10", "recall100"]].mean()
    order = [m for m, _ in methods()]
    table = tune.add_prefix("tune_").join(test.add_prefix("test_")).reindex(order)
    print(f"\n## {title} ({len(tune_ids)} tuning / {len(test_ids)} held-out queries)")
    print(table.round(3).to_string())
    best = table["tune_ndcg10"].idxmax()
    print(
        f"best on tuning queries: {best} → held-out nDCG@10 {table.loc[best, 'test_ndcg10']:.3f}, "
        f"recall@100 {table.loc[best, 'test_recall100']:.3f}"
    )
    return {"table": table.round(4).reset_index().to_dict("records"), "best": best}


def fnc1(encoder, bodies_limit: int | None, tmp: Path) -> dict:  # noqa: ANN001
    bodies = pd.read_csv(BENCH / "fnc1" / "train_bodies.csv")
    stances = pd.read_csv(BENCH / "fnc1" / "train_stances.csv")
    if bodies_limit:
        bodies = bodies.head(bodies_limit)
        stances = stances[stances["Body ID"].isin(bodies["Body ID"])]
    corpus = tmp / "fnc1"
    corpus.mkdir()
    for row in bodies.itertuples():
        (corpus / f"b{row[1]}.txt").write_text(str(row[2]), encoding="utf-8")
    build_index(corpus, tmp / "fnc1-index", encoder, annotators=(), progress=_progress("FNC-1 bodies"))
    related = stances[stances["Stance"] != "unrelated"]
    qrels: dict[str, set[str]] = {}
    for headline, body in zip(related["Headline"], related["Body ID"], strict=True):
        qrels.setdefault(headline, set()).add(f"b{body}")
    queries = {h: h for h in qrels}
    encoder.encode(list(queries))
    results = evaluate(EmbeddedStore(tmp / "fnc1-index"), encoder, queries, qrels, lambda a: a)
    tune_ids = {q for q in queries if half(q) == "tune"}
    return report("FNC-1 headlines → bodies", results, tune_ids, set(queries) - tune_ids)


def scifact(encoder, tmp: Path) -> dict:  # noqa: ANN001
    folder = BENCH / "scifact"
    corpus = tmp / "scifact"
    corpus.mkdir()
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            (corpus / f"d{doc['_id']}.txt").write_text(
                f"{doc['title']} {doc['text']}".replace("\n", " "), encoding="utf-8"
            )
    build_index(
        corpus, tmp / "scifact-index", encoder, annotators=(), progress=_progress("SciFact abstracts")
    )
    texts = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as handle:
        for line in handle:
            q = json.loads(line)
            texts[str(q["_id"])] = q["text"]
    qrels: dict[str, set[str]] = {}
    split: dict[str, str] = {}
    for name in ("train", "test"):
        table = pd.read_csv(folder / "qrels" / f"{name}.tsv", sep="\t", dtype=str)
        for qid, doc in zip(table.iloc[:, 0], table.iloc[:, 1], strict=True):
            qrels.setdefault(qid, set()).add(f"d{doc}")
            split[qid] = name
    queries = {q: texts[q] for q in qrels if q in texts}
    encoder.encode(list(queries.values()))
    results = evaluate(EmbeddedStore(tmp / "scifact-index"), encoder, queries, qrels, lambda a: a)
    return report(
        "SciFact claims → abstracts",
        results,
        {q for q in queries if split[q] == "train"},
        {q for q in queries if split[q] == "test"},
    )


def _progress(label: str) -> Callable[[float, str], None]:
    state = {"last": -1}

    def show(fraction: float, message: str) -> None:
        step = int(fraction * 10)
        if step != state["last"]:
            state["last"] = step
            print(f"  {label}: {message}", file=sys.stderr, flush=True)

    return show


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fnc1-bodies", type=int, default=None, help="Use only the first N bodies.")
    parser.add_argument("--skip-scifact", action="store_true")
    parser.add_argument("--skip-fnc1", action="store_true")
    parser.add_argument("--methods", help="Comma-separated method names (default: all).")
    parser.add_argument("--sentence-weights", help="Comma-separated weights (default: the setting's).")
    parser.add_argument("--backend", help="Encoder backend (default: DOSSIER_ENCODER_BACKEND).")
    args = parser.parse_args(argv)
    global CHOSEN, SENTENCE_WEIGHTS
    CHOSEN = set(args.methods.split(",")) if args.methods else None
    if args.sentence_weights:
        SENTENCE_WEIGHTS = [float(w) for w in args.sentence_weights.split(",")]
    backend = args.backend or load_settings().encoder_backend
    encoder = CachedEncoder(load_encoder(encoder_id(DEFAULT_MODEL, backend)))
    print(f"encoder {encoder.name}; sentence weights {SENTENCE_WEIGHTS}", flush=True)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_fnc1:
            out["fnc1"] = fnc1(encoder, args.fnc1_bodies, Path(tmp))
        if not args.skip_scifact:
            out["scifact"] = scifact(encoder, Path(tmp))
    return out


if __name__ == "__main__":
    main()
