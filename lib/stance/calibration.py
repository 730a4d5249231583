"""Probabilities that mean what they say, and the "not clear" threshold.

A model's softmax is rarely calibrated: temperature scaling (Guo et al. 2017) divides the logits
by one number fitted on dev pairs so that, among verdicts given with probability 0.8, about 80 %
are right. The expected calibration error (ECE) measures how far that holds. Below the
threshold chosen on dev, a verdict is "not clear" rather than a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

THRESHOLD_GRID = tuple(round(float(x), 2) for x in np.arange(0.34, 0.96, 0.01))
TARGET_ACCURACY = 0.85
"""The "not clear" threshold is the lowest at which the verdicts given are this often right."""
MIN_COVERAGE = 0.2
"""...while every data set keeps at least this share of its pairs covered."""


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of `logits / temperature`."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of `softmax(logits / T)` for the
    gold `labels` (a log grid from 0.25 to 8, then a finer one around the best)."""
    rows = np.arange(len(labels))

    def nll(t: float) -> float:
        return float(-np.log(np.clip(softmax(logits, t)[rows, labels], 1e-12, None)).mean())

    grid = np.exp(np.linspace(np.log(0.25), np.log(8.0), 141))
    best = float(grid[np.argmin([nll(t) for t in grid])])
    fine = np.linspace(best * 0.95, best * 1.05, 41)
    return float(fine[np.argmin([nll(t) for t in fine])])


def expected_calibration_error(probabilities: np.ndarray, labels: np.ndarray, bins: int = 15) -> float:
    """ECE of the top-class probability: the bin-weighted |accuracy - mean confidence| over
    `bins` equal-width bins."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            ece += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(ece)


def coverage_table(
    probabilities: np.ndarray, labels: np.ndarray, thresholds: Sequence[float] = THRESHOLD_GRID
) -> list[dict[str, float]]:
    """For each threshold: the share of pairs whose top probability reaches it (`coverage`),
    and the `accuracy` on those pairs (NaN when none is covered)."""
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == labels
    rows = []
    for threshold in thresholds:
        keep = confidence >= threshold
        rows.append(
            {
                "threshold": float(threshold),
                "coverage": float(keep.mean()) if len(keep) else 0.0,
                "accuracy": float(correct[keep].mean()) if keep.any() else float("nan"),
                "n": int(keep.sum()),
            }
        )
    return rows


def choose_threshold(
    per_dataset: dict[str, tuple[np.ndarray, np.ndarray]],
) -> tuple[float, list[dict[str, Any]]]:
    """The "not clear" threshold from each data set's (calibrated probabilities, gold ids), and
    the coverage-accuracy table it was read from.

    The lowest threshold of `THRESHOLD_GRID` whose accuracy on the covered pairs, averaged over
    the data sets, reaches `TARGET_ACCURACY` while every data set keeps `MIN_COVERAGE`; if none
    does, the one with the best mean accuracy under that coverage condition.
    """
    tables = {name: coverage_table(p, y) for name, (p, y) in per_dataset.items()}
    rows: list[dict[str, Any]] = []
    for i, threshold in enumerate(THRESHOLD_GRID):
        row: dict[str, Any] = {"threshold": threshold}
        for name, table in tables.items():
            row[f"{name}_coverage"] = round(table[i]["coverage"], 4)
            row[f"{name}_accuracy"] = round(table[i]["accuracy"], 4)
        enough = all(table[i]["coverage"] >= MIN_COVERAGE for table in tables.values())
        mean = float(np.mean([table[i]["accuracy"] for table in tables.values()]))
        row["mean_accuracy"] = round(mean, 4) if enough else None
        rows.append(row)
    eligible = [row for row in rows if row["mean_accuracy"] is not None]
    reaching = [row for row in eligible if row["mean_accuracy"] >= TARGET_ACCURACY]
    if reaching:
        return reaching[0]["threshold"], rows
    if eligible:
        return max(eligible, key=lambda row: (row["mean_accuracy"], -row["threshold"]))["threshold"], rows
    return THRESHOLD_GRID[0], rows
