"""Events: every time expression placed in its sentence, with who is involved, and mentions of
the same happening across articles merged into one event that lists all its sources.

Mentions are found per article at index time (the `mentions` annotator), so they are
stored and reused for unchanged articles; merging needs the whole corpus and runs on the
stored mentions. Two mentions merge when their dates are compatible and their sentences
say the same thing (sentence-embedding cosine); a vague one ("recently") joins a dated
event only when its sentence is nearly the same. What differs is never merged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of
from lib.entities import entities_from_docs
from lib.text.embeddings import Encoder
from lib.text.nlp import parse_texts
from lib.timex.registry import find_time_expressions

ACTOR_LABELS = ("PERSON", "GPE", "ORG", "NORP")
NOT_EVENTS = ("duration", "set", "metadata")
MENTION_COLUMNS = [
    "mention_id",
    "article_id",
    "paragraph_id",
    "expression",
    "start",
    "end",
    "value",
    "granularity",
    "kind",
    "vague",
    "resolved",
    "start_date",
    "end_date",
    "is_end_point",
    "sentence",
    "sentence_start",
    "label",
    "actors",
    "vector",
]
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()]|\s[–—-]\s)\s*")


@dataclass(frozen=True)
class MergeRules:
    """Similarity thresholds for merging mentions (cosine of their sentences).

    Tuned by hand on the bundled corpus (docs/timeline.md says how); conservative, because
    a wrong merge hides a difference while a missed one only shows two markers.
    """

    same_day: float = 0.45
    same_month: float = 0.5
    same_coarser: float = 0.6
    overlapping_dates: float = 0.7
    vague_to_dated: float = 0.75

    def same_date(self, granularity: str) -> float:
        """The threshold for two mentions of the same value: the coarser the date, the more
        things happened in it, so the more alike the sentences must be."""
        if granularity in ("day", "week"):
            return self.same_day
        return self.same_month if granularity == "month" else self.same_coarser


def find_mentions(articles: pd.DataFrame, paragraphs: pd.DataFrame, encoder: Encoder) -> pd.DataFrame:
    """Every time expression in the paragraphs that places something in time (durations,
    sets and page metadata left out), with its sentence, label, actors and sentence vector."""
    published = {a: _day(p) for a, p in zip(articles["article_id"], articles["published"], strict=True)}
    rows: list[dict[str, Any]] = []
    docs = parse_texts(paragraphs["text"].tolist())
    entities = entities_from_docs(paragraphs, docs)
    actors_in = {p: g for p, g in entities[entities["label"].isin(ACTOR_LABELS)].groupby("paragraph_id")}
    for para, doc in zip(paragraphs.itertuples(), docs, strict=True):
        for number, found in enumerate(find_time_expressions(para.text, published.get(para.article_id))):
            if found.kind in NOT_EVENTS:
                continue
            sentence = next((s for s in doc.sents if s.start_char <= found.start < s.end_char), doc[:])
            actors = _names_between(actors_in.get(para.paragraph_id), sentence.start_char, sentence.end_char)
            rows.append(
                {
                    "mention_id": f"{para.paragraph_id}#{number}",
                    "article_id": para.article_id,
                    "paragraph_id": para.paragraph_id,
                    "expression": found.text,
                    "start": found.start,
                    "end": found.end,
                    "value": found.value,
                    "granularity": found.granularity,
                    "kind": found.kind,
                    "vague": bool(found.vague),
                    "resolved": bool(found.resolved),
                    "start_date": found.start_date.isoformat() if found.start_date else "",
                    "end_date": found.end_date.isoformat() if found.end_date else "",
                    "is_end_point": bool(found.is_end_point),
                    "sentence": sentence.text.strip(),
                    "sentence_start": sentence.start_char,
                    "label": clause_label(
                        sentence.text, found.start - sentence.start_char, found.end - sentence.start_char
                    ),
                    "actors": actors,
                }
            )
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS[:-1])
    vectors = encoder.encode(mentions["sentence"].tolist()) if len(mentions) else np.zeros((0, encoder.dim))
    mentions["vector"] = [pack_vector(v) for v in vectors]
    return mentions


def clause_label(sentence: str, start: int, end: int, limit: int = 140) -> str:
    """The clause of `sentence` around the span [start, end), widened to a readable length."""
    cuts = [0, *[m.end() for m in _CLAUSE_BREAK.finditer(sentence)], len(sentence)]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    index = next((i for i, (a, b) in enumerate(pieces) if a <= start < b), 0)
    lo, hi = pieces[index]
    while len(sentence[lo:hi].split()) < 6 and (index > 0 or hi < len(sentence)):
        if hi < len(sentence):
            hi = next((b for a, b in pieces if a >= hi), len(sentence))
        else:
            index -= 1
            lo = pieces[index][0]
    label = re.sub(r"\s+", " ", sentence[lo:hi]).strip(" ,;:–—-\"“”‘’'")
    return label if len(label) <= limit else label[: limit - 1].rsplit(" ", 1)[0] + "…"


def _names_between(named: pd.DataFrame | None, start: int, end: int) -> list[str]:
    """The normalised names of a paragraph's entities that start in [start, end)."""
    if named is None:
        return []
    return sorted(set(named.loc[(named["start"] >= start) & (named["start"] < end), "name"]))


def pack_vector(vector: np.ndarray) -> str:
    """A sentence vector as compact text (float16, base64) for the index's tables."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: pd.Series) -> np.ndarray:
    """The inverse of `pack_vector` for a column of packed vectors → float32 rows."""
    if packed.empty:
        return np.zeros((0, 0), dtype=np.float32)
    rows = [np.frombuffer(base64.b64decode(v), dtype=np.float16) for v in packed]
    return np.vstack(rows).astype(np.float32)


def merge_mentions(
    mentions: pd.DataFrame, rules: MergeRules | None = None, groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Group mentions of the same happening into events (one row per event).

    Columns: event_id, value, start_date, end_date, granularity, is_end_point, vague, label,
    sentence, n_articles, articles, mention_ids, actors. With copy `groups` (lib.corpus.copies),
    `n_articles` counts a story and its copies once; `articles` still lists them all.
    """
    rules = rules or MergeRules()
    if mentions.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    mentions = mentions.reset_index(drop=True)
    vectors = unpack_vectors(mentions["vector"])
    similarity = vectors @ vectors.T
    parent = list(range(len(mentions)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    dated = [i for i in range(len(mentions)) if _placed(mentions.iloc[i])]
    for position, i in enumerate(dated):
        for j in dated[position + 1 :]:
            if _dates_merge(mentions.iloc[i], mentions.iloc[j], similarity[i, j], rules):
                parent[root(j)] = root(i)
    for i in range(len(mentions)):
        if i in dated or not mentions.at[i, "vague"] or not dated:
            continue
        best = max(dated, key=lambda j: similarity[i, j])
        if (
            similarity[i, best] >= rules.vague_to_dated
            and mentions.at[i, "article_id"] != mentions.at[best, "article_id"]
        ):
            parent[root(i)] = root(best)
    clusters: dict[int, list[int]] = {}
    for i in range(len(mentions)):
        clusters.setdefault(root(i), []).append(i)
    group_of = story_of(groups)
    return pd.DataFrame(
        [_event(mentions.iloc[members], group_of) for members in clusters.values()], columns=EVENT_COLUMNS
    )


EVENT_COLUMNS = [
    "event_id",
    "value",
    "start_date",
    "end_date",
    "granularity",
    "is_end_point",
    "vague",
    "label",
    "sentence",
    "n_articles",
    "articles",
    "mention_ids",
    "actors",
]
_FINENESS = {"day": 0, "week": 1, "month": 2, "season": 3, "quarter": 3, "year": 4, "range": 5, "decade": 6}


def _placed(mention: pd.Series) -> bool:
    return bool(mention["start_date"]) and not mention["vague"] and bool(mention["resolved"])


def _dates_merge(a: pd.Series, b: pd.Series, similarity: float, rules: MergeRules) -> bool:
    if a["paragraph_id"] == b["paragraph_id"] and a["sentence_start"] == b["sentence_start"]:
        return False  # two dates in one sentence are two different things
    if a["value"] == b["value"]:
        return similarity >= rules.same_date(a["granularity"])
    overlap = a["start_date"] <= b["end_date"] and b["start_date"] <= a["end_date"]
    return overlap and similarity >= rules.overlapping_dates


def _event(members: pd.DataFrame, group_of: dict[str, str]) -> dict[str, Any]:
    placed = members[[_placed(m) for _, m in members.iterrows()]]
    pool = placed if not placed.empty else members
    lead = (
        pool.assign(_fine=pool["granularity"].map(_FINENESS).fillna(9))
        .sort_values(["_fine", "article_id", "start"])
        .iloc[0]
    )
    ids = sorted(members["mention_id"])
    return {
        "event_id": hashlib.sha1("|".join(ids).encode()).hexdigest()[:12],
        "value": lead["value"],
        "start_date": lead["start_date"],
        "end_date": lead["end_date"],
        "granularity": lead["granularity"],
        "is_end_point": bool(lead["is_end_point"]),
        "vague": placed.empty,
        "label": lead["label"],
        "sentence": lead["sentence"],
        "n_articles": len({group_of.get(a, a) for a in members["article_id"]}),
        "articles": sorted(members["article_id"].unique()),
        "mention_ids": ids,
        "actors": sorted({a for actors in members["actors"] for a in actors}),
    }


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
