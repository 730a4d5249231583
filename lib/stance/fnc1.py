"""FNC-1 format stance data: read it, split it by body, and score predictions.

The Fake News Challenge (FNC-1) format is two CSV files: bodies (`Body ID`, `articleBody`) and
stances (`Headline`, `Body ID`, and `Stance` in agree / disagree / discuss / unrelated, absent
for unlabelled files). The ARC corpus ships in the same format. The challenge's score gives 0.25
for a correct related/unrelated decision and 0.75 more for the correct agree/disagree/discuss
label on a related pair; we report it as a percentage of the maximum, beside macro-F1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lib.errors import BadInputError

LABELS = ("agree", "disagree", "discuss", "unrelated")
RELATED = ("agree", "disagree", "discuss")
BODY_COLUMNS = ("Body ID", "articleBody")
STANCE_COLUMNS = ("Headline", "Body ID")


@dataclass(frozen=True)
class StanceScores:
    """How well predicted stances match gold ones."""

    fnc_score: float
    """FNC-1 score as a percentage of the maximum possible on these pairs."""
    macro_f1: float
    per_class_f1: dict[str, float]
    accuracy: float
    confusion: pd.DataFrame = field(compare=False)
    """Rows: gold label, columns: predicted label, in `LABELS` order."""
    pairs: int

    def to_dict(self) -> dict:
        """JSON-ready figures (confusion as nested lists in `LABELS` order)."""
        return {
            "fnc_score_pct": round(self.fnc_score, 2),
            "macro_f1": round(self.macro_f1, 4),
            "per_class_f1": {label: round(value, 4) for label, value in self.per_class_f1.items()},
            "accuracy": round(self.accuracy, 4),
            "confusion": self.confusion.to_numpy().tolist(),
            "pairs": self.pairs,
        }


def _read_csv(path: Path, required: tuple[str, ...], what: str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise BadInputError(f"The {what} file {path} does not exist.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BadInputError(f"The {what} file {path} is not a readable UTF-8 CSV file: {exc}") from exc
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise BadInputError(
            f"The {what} file {path} lacks the column(s) {', '.join(missing)}; "
            f"FNC-1 format needs {', '.join(required)}."
        )
    return frame


def _body_ids(values: pd.Series, path: Path) -> pd.Series:
    ids = pd.to_numeric(values.str.strip(), errors="coerce")
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise BadInputError(
            f"{path}: 'Body ID' must be a whole number; row {row + 2} has '{values.iloc[row]}'."
        )
    return ids.astype("int64")


def read_bodies(path: Path) -> pd.DataFrame:
    """FNC-1 bodies CSV -> DataFrame with `Body ID` (int) and `articleBody` (str), one row per id."""
    frame = _read_csv(path, BODY_COLUMNS, "bodies")
    frame = frame.loc[:, list(BODY_COLUMNS)].copy()
    frame["Body ID"] = _body_ids(frame["Body ID"], Path(path))
    duplicated = frame["Body ID"].duplicated()
    if duplicated.any():
        raise BadInputError(f"{path}: Body ID {frame['Body ID'][duplicated].iloc[0]} appears more than once.")
    return frame.reset_index(drop=True)


def read_stances(path: Path) -> pd.DataFrame:
    """FNC-1 stances CSV -> DataFrame with `Headline`, `Body ID` (int) and `Stance` when present."""
    frame = _read_csv(path, STANCE_COLUMNS, "stances")
    columns = list(STANCE_COLUMNS) + (["Stance"] if "Stance" in frame.columns else [])
    frame = frame.loc[:, columns].copy()
    frame["Body ID"] = _body_ids(frame["Body ID"], Path(path))
    if "Stance" in frame.columns:
        frame["Stance"] = frame["Stance"].str.strip().str.lower()
        unknown = sorted(set(frame["Stance"]) - set(LABELS))
        if unknown:
            raise BadInputError(f"{path}: unknown Stance value(s) {unknown}; expected one of {list(LABELS)}.")
    return frame.reset_index(drop=True)


def check_bodies_cover(stances: pd.DataFrame, bodies: pd.DataFrame) -> None:
    """Raise `BadInputError` if a stance row names a Body ID that the bodies file lacks."""
    missing = sorted(set(stances["Body ID"]) - set(bodies["Body ID"]))
    if missing:
        raise BadInputError(
            f"{len(missing)} Body ID(s) in the stances file are not in the bodies file (first: {missing[0]})."
        )


def split_by_body(stances: pd.DataFrame, dev_fraction: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split stance rows into (train, dev) so that every body falls wholly on one side.

    The bodies are shuffled with `seed` and the first `dev_fraction` of them go to dev, so the same
    seed always gives the same split.
    """
    if not 0.0 < dev_fraction < 1.0:
        raise BadInputError(f"dev_fraction must be between 0 and 1, got {dev_fraction}.")
    bodies = np.sort(stances["Body ID"].unique())
    order = np.random.default_rng(seed).permutation(len(bodies))
    dev_count = max(1, round(len(bodies) * dev_fraction))
    dev_bodies = set(bodies[order[:dev_count]].tolist())
    in_dev = stances["Body ID"].isin(dev_bodies)
    return stances[~in_dev].reset_index(drop=True), stances[in_dev].reset_index(drop=True)


def fnc_score(gold: pd.Series | list[str], predicted: pd.Series | list[str]) -> float:
    """The FNC-1 score as a percentage of its maximum (100 = all right)."""
    gold_arr = np.asarray(gold, dtype=object)
    pred_arr = np.asarray(predicted, dtype=object)
    if len(gold_arr) != len(pred_arr):
        raise BadInputError(f"{len(gold_arr)} gold labels but {len(pred_arr)} predictions.")
    gold_related = np.isin(gold_arr, RELATED)
    pred_related = np.isin(pred_arr, RELATED)
    score = 0.25 * (gold_related == pred_related).sum() + 0.75 * (gold_related & (gold_arr == pred_arr)).sum()
    maximum = 0.25 * len(gold_arr) + 0.75 * gold_related.sum()
    return float(100.0 * score / maximum) if maximum else 0.0


def confusion_matrix(gold: pd.Series | list[str], predicted: pd.Series | list[str]) -> pd.DataFrame:
    """Counts with gold labels as rows and predicted labels as columns, in `LABELS` order."""
    table = pd.crosstab(
        pd.Categorical(np.asarray(gold, dtype=object), categories=LABELS),
        pd.Categorical(np.asarray(predicted, dtype=object), categories=LABELS),
        dropna=False,
    )
    table.index.name, table.columns.name = "gold", "predicted"
    return table.reindex(index=list(LABELS), columns=list(LABELS), fill_value=0).astype(int)


def score_stances(gold: pd.Series | list[str], predicted: pd.Series | list[str]) -> StanceScores:
    """FNC-1 score, macro-F1 over the four classes, per-class F1, accuracy and confusion matrix."""
    confusion = confusion_matrix(gold, predicted)
    counts = confusion.to_numpy()
    true_positive = np.diag(counts).astype(float)
    precision_den = counts.sum(axis=0)
    recall_den = counts.sum(axis=1)
    f1_den = precision_den + recall_den
    f1 = np.divide(2 * true_positive, f1_den, out=np.zeros_like(true_positive), where=f1_den > 0)
    total = int(counts.sum())
    return StanceScores(
        fnc_score=fnc_score(gold, predicted),
        macro_f1=float(f1.mean()),
        per_class_f1={label: float(value) for label, value in zip(LABELS, f1, strict=True)},
        accuracy=float(true_positive.sum() / total) if total else 0.0,
        confusion=confusion,
        pairs=total,
    )


def split_by_body_and_claim(
    stances: pd.DataFrame, dev_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stricter split: dev bodies AND dev headlines never occur in train.

    With `split_by_body` alone every dev headline also appears in train (FNC-1 pairs one headline
    with many bodies). Here headlines are split as well, with the same seed, and the pairs that
    cross the two splits (train body with dev headline or the reverse) are dropped.
    """
    train, dev = split_by_body(stances, dev_fraction, seed)
    headlines = np.sort(stances["Headline"].str.strip().unique())
    order = np.random.default_rng(seed + 1).permutation(len(headlines))
    dev_headlines = set(headlines[order[: max(1, round(len(headlines) * dev_fraction))]].tolist())
    keep_train = ~train["Headline"].str.strip().isin(dev_headlines)
    keep_dev = dev["Headline"].str.strip().isin(dev_headlines)
    return train[keep_train].reset_index(drop=True), dev[keep_dev].reset_index(drop=True)
