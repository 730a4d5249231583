"""Stance verdicts on the bundled articles against a careful reader's, claim by claim.

    python bench/stance_dossier.py [--claims tests/data/dossier_stance_dev.jsonl] [--model DIR] [--grid]

Each line of the claims file holds a claim and the verdict a reader gives each bundled article
(agree, disagree, discuss, not addressed), with a note quoting the deciding sentences. Every
article is judged on its own text (000, the abridged copy of 001, lacks some of its passages).
Prints the share of cells whose verdict is the reader's (agreement), coverage (cells not "not
clear"), agreement on the covered cells, agree<->disagree swaps (wrong-sided), the confusion of
reader x verdict, and beside them answering "not addressed" everywhere. `--grid` also scores a
grid of retrieval floors and thresholds (for the dev claims only: never tune on the held-out file).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.settings import BUNDLED_CORPUS, DEFAULT_MODEL, PROJECT_DIR  # noqa: E402
from lib.stance.crossencoder import DEFAULT_CROSS_ENCODER_DIR, StanceCrossEncoder  # noqa: E402
from lib.stance.verdicts import (  # noqa: E402
    NOT_ADDRESSED,
    NOT_CLEAR,
    VerdictRules,
    article_verdicts,
    candidate_sentences,
    claim_weights,
    corpus_sentences,
    score_sentences,
    select_candidates,
)
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402

READER = ("agree", "disagree", "discuss", NOT_ADDRESSED)
LOOSE = VerdictRules(
    paragraphs_per_article=6, min_paragraph_relevance=0.0, min_lexical=0.0, sentences_per_article=8
)
"""Every candidate any rule of the grid could keep is scored once, with these floors."""
GRID = {
    "paragraphs_per_article": (2, 4, 6),
    "min_paragraph_relevance": (0.1, 0.2, 0.3, 0.4),
    "min_lexical": (0.2, 0.3, 0.35, 0.4, 0.5),
    "sentences_per_article": (1, 2, 3, 4),
}


def load_claims(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def bundled_store(cache: Path) -> EmbeddedStore:
    """An index of the bundled corpus, built once into `cache`."""
    from lib.index.build import build_index

    if not (cache / "CURRENT").exists():
        build_index(BUNDLED_CORPUS, cache, load_encoder(DEFAULT_MODEL))
    return EmbeddedStore(cache)


def agreement(claims: list[dict[str, Any]], verdicts: pd.DataFrame) -> dict[str, Any]:
    """Reader vs verdict over every (claim, article) cell."""
    got = {(v.claim, v.article_id): v.verdict for v in verdicts.itertuples()}
    gold = np.array([c["verdicts"][a] for c in claims for a in sorted(c["verdicts"])])
    said = np.array([got[c["claim"], a] for c in claims for a in sorted(c["verdicts"])])
    covered = said != NOT_CLEAR
    confusion = pd.crosstab(
        pd.Categorical(gold, categories=READER),
        pd.Categorical(said, categories=[*READER, NOT_CLEAR]),
        dropna=False,
    )
    per_kind = {k: round(float((said[gold == k] == k).mean()), 3) for k in READER if (gold == k).any()}
    return {
        "cells": len(gold),
        "agreement": round(float((gold == said).mean()), 4),
        "agreeing_cells": int((gold == said).sum()),
        "coverage": round(float(covered.mean()), 4),
        "agreement_on_covered": round(float((gold[covered] == said[covered]).mean()), 4)
        if covered.any()
        else None,
        "recall_per_reader_verdict": per_kind,
        "wrong_sided": int(
            ((gold == "agree") & (said == "disagree")).sum()
            + ((gold == "disagree") & (said == "agree")).sum()
        ),
        "confusion_rows_reader_columns_verdict": confusion.to_numpy().tolist(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=Path, default=ROOT / "tests" / "data" / "dossier_stance_dev.jsonl")
    parser.add_argument("--model", type=Path, default=DEFAULT_CROSS_ENCODER_DIR)
    parser.add_argument("--grid", action="store_true", help="Also score a grid of rules (dev claims only).")
    parser.add_argument("--out", type=Path, default=None, help="Write the figures and every verdict as JSON.")
    parser.add_argument("--index", type=Path, default=PROJECT_DIR / ".dossier" / "bench" / "bundled-index")
    args = parser.parse_args()

    started = time.time()
    claims = load_claims(args.claims)
    store = bundled_store(args.index)
    encoder = load_encoder(store.model)
    model = StanceCrossEncoder.load(args.model)
    corpus = corpus_sentences(store)
    article_ids = store.articles()["article_id"].tolist()
    vectors = encoder.encode([c["claim"] for c in claims])
    scored = []
    for item, vector in zip(claims, vectors, strict=True):
        found = candidate_sentences(corpus, vector, claim_weights(store, item["claim"]), LOOSE)
        scored.append(score_sentences(model, item["claim"], select_candidates(found, LOOSE, None)))
    seconds = time.time() - started

    def verdicts_for(rules: VerdictRules) -> pd.DataFrame:
        parts = [
            article_verdicts(item["claim"], article_ids, select_candidates(frame, rules, None), None, rules)
            for item, frame in zip(claims, scored, strict=True)
        ]
        return pd.concat(parts, ignore_index=True)

    rules = VerdictRules(threshold=model.threshold)
    chosen = verdicts_for(rules)
    figures = agreement(claims, chosen)
    everywhere = pd.DataFrame(
        [
            {"claim": c["claim"], "article_id": a, "verdict": NOT_ADDRESSED}
            for c in claims
            for a in c["verdicts"]
        ]
    )
    report: dict[str, Any] = {
        "claims_file": str(
            args.claims.relative_to(ROOT) if args.claims.is_relative_to(ROOT) else args.claims
        ),
        "model": str(args.model),
        "rules": asdict(rules),
        "verdicts": figures,
        "not_addressed_everywhere": agreement(claims, everywhere),
        "seconds": round(seconds, 1),
    }
    print(f"{report['claims_file']}: {len(claims)} claims, {figures['cells']} cells, rules {asdict(rules)}")
    for name, f in (
        ("verdicts", figures),
        ("'not addressed' everywhere", report["not_addressed_everywhere"]),
    ):
        print(
            f"{name:28s} agreement {f['agreement']:.3f} ({f['agreeing_cells']}/{f['cells']})  coverage "
            f"{f['coverage']:.3f}  on covered {f['agreement_on_covered']}  wrong-sided {f['wrong_sided']}  "
            f"recall {f['recall_per_reader_verdict']}"
        )
    print("confusion (rows reader agree/disagree/discuss/not addressed; columns the same + not clear):")
    for label, row in zip(READER, figures["confusion_rows_reader_columns_verdict"], strict=True):
        print(f"    {label:14s} {row}")
    if args.grid:
        grid = []
        thresholds = sorted({0.4, 0.45, 0.5, 0.55, 0.6, 0.7, model.threshold})
        for values in itertools.product(*GRID.values(), thresholds):
            tried = replace(rules, **dict(zip(GRID, values[:-1], strict=True)), threshold=values[-1])
            f = agreement(claims, verdicts_for(tried))
            grid.append(asdict(tried) | {k: f[k] for k in ("agreement", "coverage", "wrong_sided")})
        report["grid"] = sorted(grid, key=lambda g: (-g["agreement"], g["wrong_sided"]))
        for row in report["grid"][:15]:
            print("grid", row)
    if args.out:
        report["details"] = chosen.assign(
            reader=[
                next(c["verdicts"][v.article_id] for c in claims if c["claim"] == v.claim)
                for v in chosen.itertuples()
            ]
        ).to_dict("records")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
