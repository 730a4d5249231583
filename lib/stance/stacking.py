"""Stacking the two stance models: a logistic regression over the log-probabilities that the
cross-encoder and the gradient-boosting model give agree / disagree / discuss, fitted on dev
pairs whose gold label is related. Scored honestly by cross-fitting: fitted on half of the dev
bodies, applied to the other half, and the reverse. Its weights are plain numbers (JSON).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lib.stance.calibration import softmax

STACK_NOTE = (
    "Multinomial logistic regression on [log q_crossencoder (3), log q_gradient_boosting (3)] -> agree / "
    "disagree / discuss, fitted on the gold-related dev pairs; 'crossfit' figures fit on one half of the "
    "dev bodies and score the other."
)


def boosting_stances(probabilities: np.ndarray) -> np.ndarray:
    """The gradient-boosting model's agree / disagree / discuss probabilities (its `LABELS`
    columns, unrelated last) renormalised over the three stances: what the stacking reads."""
    stances = probabilities[:, :3]
    return stances / np.clip(stances.sum(axis=1, keepdims=True), 1e-12, None)


def _features(q_xenc: np.ndarray, q_gb: np.ndarray) -> np.ndarray:
    return np.hstack([np.log(np.clip(q_xenc, 1e-6, None)), np.log(np.clip(q_gb, 1e-6, None))])


def fit_stack(q_xenc: np.ndarray, q_gb: np.ndarray, gold: np.ndarray, seed: int) -> dict[str, Any]:
    """JSON-ready weights of the stacking regression fitted on these (related) pairs."""
    from sklearn.linear_model import LogisticRegression  # heavy: imported on first use

    model = LogisticRegression(C=1.0, max_iter=2000, random_state=seed)
    model.fit(_features(q_xenc, q_gb), gold)
    coef = np.zeros((3, 6))
    intercept = np.zeros(3)
    coef[model.classes_] = model.coef_ if len(model.classes_) > 2 else 0.0
    intercept[model.classes_] = model.intercept_ if len(model.classes_) > 2 else 0.0
    return {"coef": coef.round(6).tolist(), "intercept": intercept.round(6).tolist(), "pairs": int(len(gold))}


def apply_stack(params: dict[str, Any], q_xenc: np.ndarray, q_gb: np.ndarray) -> np.ndarray:
    """Stacked agree / disagree / discuss probabilities from `fit_stack`'s weights."""
    logits = _features(q_xenc, q_gb) @ np.asarray(params["coef"]).T + np.asarray(params["intercept"])
    return softmax(logits)


def cross_fitted_stack(
    dev: pd.DataFrame, q_xenc: np.ndarray, q_gb: np.ndarray, gold: np.ndarray, related: np.ndarray, seed: int
) -> tuple[np.ndarray, list[dict[str, int]]]:
    """Stacked probabilities for every dev row, each from a regression fitted on the other half of
    the bodies (a body's rows never help predict themselves), and the fold sizes."""
    half = (dev["Body ID"].to_numpy() * 2654435761 % 2**32) % 2 == 0
    out = np.zeros_like(q_xenc)
    folds = []
    for part in (half, ~half):
        train = ~part & related
        if len(set(gold[train].tolist())) < 3:
            out[part] = q_xenc[part]  # too little to fit on (tiny runs): the cross-encoder alone
            continue
        out[part] = apply_stack(
            fit_stack(q_xenc[train], q_gb[train], gold[train], seed), q_xenc[part], q_gb[part]
        )
        folds.append({"fitted_on": int(train.sum()), "applied_to": int(part.sum())})
    return out, folds
