"""Training the stance classifier on FNC-1 (and ARC) train splits, scored on the dev splits:
what `python -m lib train-stance` runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.settings import DEFAULT_MODEL
from lib.stance.embedding_cache import DEFAULT_CACHE_DIR
from lib.stance.features import (
    MAX_SENTENCES,
    _stop_words,
    feature_names,
    pair_features,
    prepare_texts,
    tokens,
)
from lib.stance.fnc1 import LABELS, score_stances, split_by_body, split_by_body_and_claim
from lib.stance.model import StanceModel
from lib.text.embeddings import Encoder, ProgressCallback, load_encoder


@dataclass(frozen=True)
class StanceData:
    """One FNC-1-format data set: bodies (`Body ID`, `articleBody`) and labelled stances."""

    name: str
    bodies: pd.DataFrame
    stances: pd.DataFrame


def _limit_bodies(stances: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    if limit is None:
        return stances
    keep = stances["Body ID"].drop_duplicates().iloc[:limit]
    return stances[stances["Body ID"].isin(keep)].reset_index(drop=True)


def _new_vectorizer() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: imported on first use

    return TfidfVectorizer(
        tokenizer=tokens, token_pattern=None, lowercase=False, stop_words=sorted(_stop_words()),
        max_features=20000, sublinear_tf=True, min_df=2, dtype=np.float32,
    )  # fmt: skip


def _new_classifier(seed: int, dim: int, rows: int) -> Any:
    """Gradient boosting over the scalar features plus a 48-dimension PCA of the vector products.

    Boosting over all ~1,200 raw columns is many times slower for no better score (measured).
    """
    from sklearn.compose import ColumnTransformer  # heavy: imported on first use
    from sklearn.decomposition import PCA  # heavy: imported on first use
    from sklearn.ensemble import HistGradientBoostingClassifier  # heavy: imported on first use
    from sklearn.pipeline import Pipeline  # heavy: imported on first use

    scalars = len(feature_names(dim)) - 3 * dim
    reduce = ColumnTransformer(
        [
            ("scalars", "passthrough", list(range(scalars))),
            ("vectors", PCA(min(48, rows - 1), random_state=seed), list(range(scalars, scalars + 3 * dim))),
        ]
    )
    boosting = HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.1, max_leaf_nodes=31, l2_regularization=1.0,
        early_stopping=False, random_state=seed,
    )  # fmt: skip
    return Pipeline([("reduce", reduce), ("boosting", boosting)])


def _class_weights(labels: np.ndarray, disagree_boost: float) -> np.ndarray:
    """Sample weights: 1 for every class, `disagree_boost` for the rare disagree class."""
    weights = np.ones(len(labels), dtype=np.float64)
    weights[labels == LABELS.index("disagree")] = disagree_boost
    return weights


def _dataset_features(
    data: StanceData,
    stances: pd.DataFrame,
    encoder: Encoder,
    vectorizer: Any,
    cache_dir: Path | None,
    progress: Callable[[str, int, int], None] | None,
) -> np.ndarray:
    bodies = data.bodies.set_index("Body ID")["articleBody"]
    claim_list = list(dict.fromkeys(stances["Headline"].str.strip()))
    body_ids = list(dict.fromkeys(stances["Body ID"]))

    def report(step: str) -> ProgressCallback | None:
        return (lambda done, total: progress(f"{data.name} {step}", done, total)) if progress else None

    prepared_claims = prepare_texts(claim_list, encoder, vectorizer, False, cache_dir, report("claims"))
    prepared_bodies = prepare_texts(
        [bodies[body_id] for body_id in body_ids], encoder, vectorizer, True, cache_dir, report("bodies")
    )
    claim_position = {claim: i for i, claim in enumerate(claim_list)}
    body_position = {body_id: i for i, body_id in enumerate(body_ids)}
    return pair_features(
        prepared_claims,
        prepared_bodies,
        stances["Headline"].str.strip().map(claim_position).to_numpy(dtype=int),
        stances["Body ID"].map(body_position).to_numpy(dtype=int),
    )


def train_stance_model(
    fnc1: StanceData,
    seed: int = 0,
    arc: StanceData | None = None,
    dev_fraction: float = 0.2,
    limit: int | None = None,
    encoder: Encoder | None = None,
    encoder_name: str = DEFAULT_MODEL,
    cache_dir: Path | None = DEFAULT_CACHE_DIR,
    disagree_boost: float = 6.0,
    unseen_claims: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[StanceModel, dict]:
    """Train on the train split of FNC-1 (and of ARC if given); score on the dev splits.

    Each data set is split by body with `seed` (`dev_fraction` of the bodies for dev); `limit`
    keeps only the first `limit` bodies of each split, for quick tests. The returned model was
    trained on the train splits only, so the report's dev figures are its honest scores. With
    `unseen_claims` the headlines are split too (`split_by_body_and_claim`): no dev claim is seen
    in training, a stricter test closer to new claims typed by a user.
    """

    split = split_by_body_and_claim if unseen_claims else split_by_body

    encoder = encoder or load_encoder(encoder_name)
    datasets = [data for data in (fnc1, arc) if data is not None]
    splits = {}
    for data in datasets:
        train, dev = split(data.stances, dev_fraction, seed)
        splits[data.name] = (_limit_bodies(train, limit), _limit_bodies(dev, limit))
    vectorizer = _new_vectorizer()
    fit_texts: list[str] = []
    for data in datasets:
        train = splits[data.name][0]
        fit_texts += list(data.bodies[data.bodies["Body ID"].isin(train["Body ID"])]["articleBody"])
        fit_texts += list(train["Headline"].drop_duplicates())
    vectorizer.fit(fit_texts)
    features, labels = {}, {}
    for data in datasets:
        for part, stances in zip(("train", "dev"), splits[data.name], strict=True):
            features[data.name, part] = _dataset_features(
                data, stances, encoder, vectorizer, cache_dir, progress
            )
            labels[data.name, part] = stances["Stance"].map(LABELS.index).to_numpy(dtype=int)
    train_x = np.vstack([features[data.name, "train"] for data in datasets])
    train_y = np.concatenate([labels[data.name, "train"] for data in datasets])
    classifier = _new_classifier(seed, encoder.dim, len(train_x))
    if progress:
        progress("classifier", 0, 1)
    classifier.fit(train_x, train_y, boosting__sample_weight=_class_weights(train_y, disagree_boost))
    if progress:
        progress("classifier", 1, 1)
    model = StanceModel(classifier, vectorizer, encoder.name, encoder=encoder)
    report: dict[str, Any] = {
        "seed": seed,
        "dev_fraction": dev_fraction,
        "split": "by body and claim" if unseen_claims else "by body",
        "limit": limit,
        "scores": {},
    }
    for data in datasets:
        predicted = model.predict_features(features[data.name, "dev"])["label"]
        gold = [LABELS[i] for i in labels[data.name, "dev"]]
        report["scores"][f"{data.name}_dev"] = score_stances(gold, predicted).to_dict()
        train, dev = splits[data.name]
        report[f"{data.name}_pairs"] = {"train": len(train), "dev": len(dev)}
        report[f"{data.name}_bodies"] = {"train": train["Body ID"].nunique(), "dev": dev["Body ID"].nunique()}
    import sklearn  # heavy: imported on first use

    model.metadata = {
        "what": "Stance classifier for (claim, text) pairs: agree / disagree / discuss / unrelated.",
        "encoder": encoder.name,
        "classifier": "PCA(48) of vector products + HistGradientBoostingClassifier",
        "scikit_learn": sklearn.__version__,
        "trained_on": [f"{data.name} train split" for data in datasets],
        "disagree_boost": disagree_boost,
        "max_sentences": MAX_SENTENCES,
        "features": len(feature_names(encoder.dim)),
        **report,
    }
    return model, report
