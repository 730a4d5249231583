"""(claim, passage) pairs for the cross-encoder, built from FNC-1-format data sets.

A body is reduced to its sentences most relevant to the claim (spaCy sentences ranked by the
claim's IDF-weighted words, `lib.stance.relevance`), most relevant first, as many as fit the
token budget: what the best FNC-1 systems feed their stance classifier, and close to what
Dossier scores (one sentence at a time). The splits keep every body, and for ARC every claim,
on one side (`lib.stance.fnc1`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.errors import BadInputError
from lib.settings import PROJECT_DIR
from lib.stance.fnc1 import (
    LABELS,
    RELATED,
    check_bodies_cover,
    read_bodies,
    read_stances,
    split_by_body,
    split_by_body_and_claim,
)
from lib.stance.relevance import content_words, fit_idf, rank_sentences, relevance_to_words
from lib.stance.sentences import cached_split_sentences

SPLIT_RULE = (
    "FNC-1: split_by_body(seed, 0.2): the sorted Body IDs permuted with numpy default_rng(seed), the "
    "first 20 % dev, every pair with its body (dev headlines also occur in train, with other bodies). "
    "ARC: split_by_body_and_claim(seed, 0.2): the same body split, and the sorted distinct claims "
    "permuted with default_rng(seed + 1), first 20 % dev; train keeps train bodies x train claims, dev "
    "keeps dev bodies x dev claims, crossing pairs dropped."
)
SENTENCE_CACHE = PROJECT_DIR / ".dossier" / "cache" / "stance" / "sentences.json"
"""Sentences of the FNC-1/ARC bodies, by content hash (spaCy over every body takes minutes)."""
DATA_FILES = {
    "fnc1": ("train_bodies.csv", "train_stances.csv"),
    "arc": ("arc_bodies.csv", "arc_stances_train.csv"),
}


@dataclass(frozen=True)
class SplitData:
    """One labelled FNC-1-format data set, split into train and dev stance rows."""

    name: str
    bodies: dict[int, str]
    train: pd.DataFrame
    dev: pd.DataFrame


def read_dataset(name: str, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bodies, labelled stances) of `fnc1` or `arc` from its folder; `BadInputError` if unusable."""
    if not Path(folder).is_dir():
        raise BadInputError(f"The {name} folder {folder} does not exist.")
    bodies_file, stances_file = DATA_FILES[name]
    bodies = read_bodies(Path(folder) / bodies_file)
    stances = read_stances(Path(folder) / stances_file)
    if "Stance" not in stances.columns:
        raise BadInputError(
            f"{Path(folder) / stances_file} has no Stance column: training needs labelled pairs."
        )
    check_bodies_cover(stances, bodies)
    return bodies, stances


def split_dataset(
    name: str,
    bodies: pd.DataFrame,
    stances: pd.DataFrame,
    seed: int,
    dev_fraction: float = 0.2,
    limit: int | None = None,
) -> SplitData:
    """Split by `SPLIT_RULE` (FNC-1 by body; ARC, whose claims are few, by body and claim);
    `limit` keeps the first N bodies of each side (quick runs)."""
    stances = stances.assign(Headline=stances["Headline"].str.strip())
    splitter = split_by_body if name == "fnc1" else split_by_body_and_claim
    train, dev = splitter(stances, dev_fraction, seed)
    if limit is not None:
        train, dev = _first_bodies(train, limit), _first_bodies(dev, limit)
    return SplitData(name, bodies.set_index("Body ID")["articleBody"].to_dict(), train, dev)


def _first_bodies(stances: pd.DataFrame, limit: int) -> pd.DataFrame:
    keep = stances["Body ID"].drop_duplicates().iloc[:limit]
    return stances[stances["Body ID"].isin(keep)].reset_index(drop=True)


def data_hash(files: Sequence[Path]) -> str:
    """sha256 over the data files' names and bytes: what a model was trained on."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.name):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def training_idf(datasets: Sequence[SplitData]) -> dict[str, float]:
    """IDF of content words over the train bodies and train claims of every data set."""
    texts: list[str] = []
    for data in datasets:
        texts += [data.bodies[b] for b in data.train["Body ID"].drop_duplicates()]
        texts += data.train["Headline"].drop_duplicates().tolist()
    return fit_idf(texts)


@dataclass
class RankedPairs:
    """Stance rows with each body's sentences ranked by relevance to the row's claim."""

    frame: pd.DataFrame
    """Columns: dataset, Headline, Body ID, Stance."""
    sentences: list[list[str]]
    """Per row, its body's sentences (lists shared between rows of one body)."""
    ranked: list[np.ndarray]
    """Per row, sentence indices, most relevant first."""
    best_relevance: np.ndarray
    """Per row, the relevance of its most relevant sentence (hard negatives are the highest)."""


def rank_pairs(
    name: str,
    stances: pd.DataFrame,
    bodies: dict[int, str],
    idf: dict[str, float],
    cache_file: Path | None,
    log: Callable[[str], None] = print,
) -> RankedPairs:
    """Split the bodies of `stances` into sentences (cached) and rank them for each claim."""
    body_ids = list(dict.fromkeys(stances["Body ID"].tolist()))
    split = cached_split_sentences([bodies[b] for b in body_ids], cache_file, log)
    sentences_of = dict(zip(body_ids, split, strict=True))
    words_of = {b: [content_words(s) for s in sentences_of[b]] for b in body_ids}
    claim_words: dict[str, frozenset[str]] = {}
    sentences, ranked, best = [], [], []
    for claim, body_id in zip(stances["Headline"], stances["Body ID"], strict=True):
        if claim not in claim_words:
            claim_words[claim] = content_words(claim)
        relevance = relevance_to_words(claim_words[claim], words_of[body_id], idf)
        order = rank_sentences(relevance)
        sentences.append(sentences_of[body_id])
        ranked.append(order)
        best.append(float(relevance[order[0]]) if len(order) else 0.0)
    frame = stances.reset_index(drop=True).assign(dataset=name)
    return RankedPairs(frame, sentences, ranked, np.asarray(best, dtype=np.float32))


def build_passage(
    sentences: Sequence[str],
    ranked: Sequence[int] | np.ndarray,
    tokenizer: Any,
    claim: str,
    max_len: int,
    max_sentences: int = 0,
) -> str:
    """The most relevant sentences, most relevant first, as many as fit in `max_len` tokens
    beside the claim (3 special tokens); `max_sentences` > 0 caps their number. The first one is
    always kept (the tokenizer truncates it if it alone is too long)."""
    budget = max_len - len(tokenizer.tokenize(claim)) - 3
    chosen: list[str] = []
    used = 0
    for index in ranked:
        n = len(tokenizer.tokenize(sentences[index]))
        if chosen and used + n > budget:
            break
        chosen.append(sentences[index])
        used += n
        if max_sentences and len(chosen) >= max_sentences:
            break
    return " ".join(chosen)


def full_passages(
    pairs: RankedPairs, tokenizer: Any, max_len: int, rows: Sequence[int] | None = None
) -> list[str]:
    """Full-budget passages for `rows` (all by default): what dev and evaluation score."""
    chosen = range(len(pairs.frame)) if rows is None else rows
    frame = pairs.frame
    return [
        build_passage(pairs.sentences[r], pairs.ranked[r], tokenizer, frame.at[r, "Headline"], max_len)
        for r in chosen
    ]


@dataclass(frozen=True)
class ExampleBudget:
    """How many training examples to draw (a time budget on two CPU cores)."""

    fnc_cap: int = 2500
    """FNC-1 train pairs kept per related class."""
    arc_cap: int = 1000
    """ARC train pairs kept per related class."""
    unrelated_share: float = 0.08
    """Unrelated pairs, as a share of the related ones, drawn among the hardest."""
    short_share: float = 0.25
    """Share of examples whose passage is only their 1 or 2 most relevant sentences."""


def training_examples(
    prepared: Sequence[RankedPairs], tokenizer: Any, seed: int, max_len: int, budget: ExampleBudget
) -> tuple[list[str], list[str], np.ndarray, dict[str, int]]:
    """(claims, passages, label ids in `LABELS` order) and counts per kind.

    Every data set's related train pairs, at most `fnc_cap` / `arc_cap` of each class, drawn
    with the seed; plus `unrelated_share` x as many unrelated pairs drawn among the 3x as many
    whose best sentence shares most of the claim's words (hard negatives: Dossier has already
    filtered out the easy ones by retrieval). A `short_share` of passages are cut to their 1 or
    2 most relevant sentences, so single sentences (what Dossier scores) are in distribution.
    """
    rng = np.random.default_rng(seed + 7)
    claims: list[str] = []
    passages: list[str] = []
    labels: list[int] = []
    counts: dict[str, int] = {}
    pool: list[tuple[float, int, int]] = []

    def add(d: int, row: int) -> None:
        pairs = prepared[d]
        claim = pairs.frame.at[row, "Headline"]
        limit = int(rng.integers(1, 3)) if rng.random() < budget.short_share else 0
        claims.append(claim)
        labels.append(LABELS.index(pairs.frame.at[row, "Stance"]))
        passages.append(
            build_passage(pairs.sentences[row], pairs.ranked[row], tokenizer, claim, max_len, limit)
        )

    for d, pairs in enumerate(prepared):
        stance = pairs.frame["Stance"].to_numpy()
        name = str(pairs.frame["dataset"].iloc[0]) if len(pairs.frame) else f"set{d}"
        cap = budget.fnc_cap if name == "fnc1" else budget.arc_cap
        for label in RELATED:
            rows = np.flatnonzero(stance == label)
            if len(rows) > cap:
                rows = np.sort(rng.choice(rows, cap, replace=False))
            counts[f"{name}_{label}"] = len(rows)
            for row in rows:
                add(d, int(row))
        pool += [(-float(pairs.best_relevance[r]), d, int(r)) for r in np.flatnonzero(stance == "unrelated")]
    wanted = int(round(budget.unrelated_share * len(claims)))
    hardest = sorted(pool)[: 3 * wanted]
    picked = (
        np.sort(rng.choice(len(hardest), min(wanted, len(hardest)), replace=False))
        if hardest
        else np.zeros(0)
    )
    for k in picked.tolist():
        _, d, chosen = hardest[int(k)]
        add(d, chosen)
    counts["unrelated"] = len(picked)
    counts["total"] = len(claims)
    return claims, passages, np.asarray(labels, dtype=np.int64), counts
