"""FNC-1-format labelling with the models as the dev splits ranked them: the gradient-boosting
model decides related or not (stage 1, F1 0.99 on FNC-1 dev), then agree / disagree / discuss
comes from the cross-encoder, read on the body's sentences most relevant to the claim, stacked
with the gradient-boosting model's stance probabilities (the regression fitted on dev, stored in
the cross-encoder's metadata). `python -m lib stance-fnc1` runs it on any FNC-1-format files, so
a test set is scored exactly as the dev figures in docs/stance-model.md were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from lib.errors import ModelLoadError
from lib.stance.crossencoder import StanceCrossEncoder
from lib.stance.fnc1 import LABELS, RELATED
from lib.stance.model import StanceModel
from lib.stance.pairs import full_passages, rank_pairs
from lib.stance.stacking import apply_stack, boosting_stances

KINDS = ("stacked", "crossencoder", "gradient-boosting")
"""What decides agree / disagree / discuss on related pairs (stage 1 is always the boosting model)."""
BATCH = 256

Progress = Callable[[str, int, int], None]
"""Called as `progress(what, done, total)`: sentences embedded for the boosting model, then
related pairs scored by the cross-encoder."""


def label_stances(
    stances: pd.DataFrame,
    bodies: dict[int, str],
    boosting: StanceModel,
    crossencoder: StanceCrossEncoder | None,
    kind: str = "stacked",
    progress: Progress | None = None,
) -> list[str]:
    """One FNC-1 label per row of `stances` (Headline, Body ID): "unrelated" where the boosting
    model puts P(related) under 0.5, else the stance `kind` gives."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    claims = stances["Headline"].astype(str).tolist()
    texts = stances["Body ID"].map(bodies).tolist()
    embedded = (lambda done, total: progress("embedding sentences", done, total)) if progress else None
    gb = boosting.predict(claims, texts, progress=embedded)[[f"p_{label}" for label in LABELS]].to_numpy()
    if kind == "gradient-boosting":
        return [LABELS[i] for i in gb.argmax(axis=1)]
    if crossencoder is None:
        raise ModelLoadError(f"Labelling with '{kind}' needs the stance cross-encoder.")
    labels = ["unrelated"] * len(stances)
    related = np.flatnonzero(gb[:, LABELS.index("unrelated")] < 0.5)
    if not len(related):
        return labels
    chosen = stances.iloc[related].reset_index(drop=True)
    ranked = rank_pairs("input", chosen, bodies, crossencoder.idf, None, log=lambda _message: None)
    passages = full_passages(ranked, crossencoder.tokenizer, crossencoder.max_len)
    q_xenc = _stance_probabilities(crossencoder, chosen["Headline"].astype(str).tolist(), passages, progress)
    q_gb = boosting_stances(gb[related])
    if kind == "stacked":
        stack = crossencoder.metadata.get("stack")
        if not stack:
            raise ModelLoadError("This cross-encoder has no stacking weights: retrain it with train-stance.")
        q_xenc = apply_stack(stack, q_xenc, q_gb)
    for row, best in zip(related, q_xenc.argmax(axis=1), strict=True):
        labels[row] = RELATED[best]
    return labels


def _stance_probabilities(
    model: StanceCrossEncoder, claims: Sequence[str], passages: Sequence[str], progress: Progress | None
) -> np.ndarray:
    """The cross-encoder's calibrated agree / disagree / discuss probabilities, `BATCH` pairs at a time."""
    parts = []
    for start in range(0, len(claims), BATCH):
        predicted = model.predict(claims[start : start + BATCH], passages[start : start + BATCH])
        parts.append(predicted[[f"q_{label}" for label in RELATED]].to_numpy())
        if progress:
            progress("scoring related pairs", min(start + BATCH, len(claims)), len(claims))
    return np.vstack(parts)
