"""Calibration: the temperature that makes probabilities honest, the error that measures it, and
the "not clear" threshold read from a coverage-accuracy table."""

import numpy as np

from lib.stance.calibration import (
    MIN_COVERAGE,
    choose_threshold,
    coverage_table,
    expected_calibration_error,
    fit_temperature,
    softmax,
)


def calibrated_sample(n: int = 4000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Logits whose softmax is exactly the probability of each label (labels drawn from it)."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, size=(n, 3))
    probabilities = softmax(logits)
    labels = np.array([rng.choice(3, p=p) for p in probabilities])
    return logits, labels


def test_temperature_undoes_an_overconfident_scale():
    logits, labels = calibrated_sample()
    overconfident = logits * 3.0
    temperature = fit_temperature(overconfident, labels)
    assert 2.5 < temperature < 3.5
    before = expected_calibration_error(softmax(overconfident), labels)
    after = expected_calibration_error(softmax(overconfident, temperature), labels)
    assert before > 0.1 and after < 0.03


def test_coverage_falls_and_accuracy_rises_with_the_threshold():
    logits, labels = calibrated_sample()
    table = coverage_table(softmax(logits), labels, [0.34, 0.6, 0.9])
    assert [row["coverage"] for row in table] == sorted((row["coverage"] for row in table), reverse=True)
    assert table[0]["coverage"] == 1.0
    assert table[2]["accuracy"] > table[1]["accuracy"] > table[0]["accuracy"]


def test_the_threshold_is_the_lowest_reaching_the_target_with_coverage_everywhere():
    logits, labels = calibrated_sample()
    confident, confident_labels = logits * 0.5 + np.eye(3)[labels] * 6.0, labels
    threshold, rows = choose_threshold(
        {"easy": (softmax(confident), confident_labels), "hard": (softmax(logits), labels)}
    )
    chosen = next(row for row in rows if row["threshold"] == threshold)
    assert chosen["mean_accuracy"] >= 0.85
    assert chosen["hard_coverage"] >= MIN_COVERAGE and chosen["easy_coverage"] >= MIN_COVERAGE
    lower = [row for row in rows if row["threshold"] < threshold and row["mean_accuracy"] is not None]
    assert all(row["mean_accuracy"] < 0.85 for row in lower)


def test_a_data_set_left_without_coverage_cannot_pick_the_threshold():
    logits, labels = calibrated_sample()
    flat = np.zeros_like(logits)  # never above 1/3: no pair is ever covered above the lowest threshold
    threshold, rows = choose_threshold(
        {"good": (softmax(logits * 4), labels), "flat": (softmax(flat), labels)}
    )
    assert threshold == rows[0]["threshold"]
