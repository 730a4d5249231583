"""The pair view: two articles' paragraphs paired by similarity (each used once, best pairs
first), each pair marked agreeing, contradicting or unrelated by a stance model read in both
directions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from lib.corpus.paragraphs import paragraph_ordinals
from lib.errors import BadInputError
from lib.store.base import Store


class StancePredictor(Protocol):
    """What the pair view needs from a stance model (`lib.stance.model.StanceModel`): a `label`
    (agree / disagree / discuss / unrelated) per (claim, text) pair."""

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> pd.DataFrame: ...


def align_articles(
    store: Store, model: StancePredictor, left: str, right: str, min_similarity: float = 0.5
) -> pd.DataFrame:
    """Pair two articles' paragraphs by similarity (each used once, best pairs first) and mark
    each pair agreeing, contradicting or unrelated with the stance model in both directions."""
    paragraphs = store.paragraphs().dropna(subset=["vec_row"])
    a = paragraphs[paragraphs["article_id"] == left].reset_index(drop=True)
    b = paragraphs[paragraphs["article_id"] == right].reset_index(drop=True)
    if a.empty or b.empty:
        raise BadInputError("Choose two articles that both have paragraphs.")
    similarity = store.vectors_for(a["paragraph_id"]) @ store.vectors_for(b["paragraph_id"]).T
    pairs, used_a, used_b = [], set(), set()
    for flat in np.argsort(-similarity, axis=None):
        i, j = divmod(int(flat), similarity.shape[1])
        if similarity[i, j] < min_similarity:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j, float(similarity[i, j])))
    if not pairs:
        return pd.DataFrame(
            columns=["left_paragraph", "right_paragraph", "similarity", "relation", "left_text", "right_text"]
        )
    left_texts = [a.at[i, "text"] for i, _, _ in pairs]
    right_texts = [b.at[j, "text"] for _, j, _ in pairs]
    forward = model.predict(left_texts, right_texts)
    backward = model.predict(right_texts, left_texts)
    relations = [_relation(f, r) for f, r in zip(forward["label"], backward["label"], strict=True)]
    return pd.DataFrame(
        {
            "left_paragraph": [a.at[i, "paragraph_id"] for i, _, _ in pairs],
            "right_paragraph": [b.at[j, "paragraph_id"] for _, j, _ in pairs],
            "similarity": [s for _, _, s in pairs],
            "relation": relations,
            "left_text": left_texts,
            "right_text": right_texts,
        }
    ).sort_values("left_paragraph", key=paragraph_ordinals, ignore_index=True)


def _relation(forward: str, backward: str) -> str:
    labels = {forward, backward}
    if "disagree" in labels:
        return "contradicting"
    if labels & {"agree", "discuss"}:
        return "agreeing"
    return "unrelated"
