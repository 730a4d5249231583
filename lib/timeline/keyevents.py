"""Key events: which days of a collection matter, and what happened on them.

A day is salient when many distinct articles refer to it, above all *after the fact* (an article
of 2 March recalling "the 12 February massacre": the day mattered enough to be recalled), less
as same-day reporting, least when announced ahead; a burst of articles published that day adds
a little. Only day-level mentions nominate a date: months and years stay events on the timeline
but are never key dates. Each named day is summarised by the sentence nearest the centroid of
the sentences naming it, and titled by that mention's "who did what" title.

`key_dates` makes the derived `dates` table at build time (O(n)); `top_key_dates` is the page's
query on it. `date_f1` and `pubcount_dates` are the evaluation and baseline of
bench/timeline_quality.py (docs/timeline.md says how the weights were chosen).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of

DAY_KINDS = ("date", "relative", "deadline", "period")
"""Kinds of day-level mention that nominate a date (durations, sets, page metadata and vague
words never do)."""

FEATURE_COLUMNS = [
    "day",
    "n_articles",
    "n_after",
    "n_same",
    "n_before",
    "n_sentences",
    "n_outlets",
    "n_published",
]


@dataclass(frozen=True)
class DateWeights:
    """How much one article's reference to a day counts, by when the article appeared.

    Fixed on principle before any measurement (NOTES.md, "Date selection"): a reference made
    after the fact counts fully, same-day reporting half (it is what PubCount already sees), an
    announcement ahead of the day a quarter (plans change); `published` adds a little for a burst
    of coverage on the day itself (articles published that day, whether or not they name it).
    """

    after: float = 1.0
    same: float = 0.5
    before: float = 0.25
    published: float = 0.25


def day_mentions(mentions: pd.DataFrame) -> pd.DataFrame:
    """The mentions that place something on one calendar day (resolved, not vague, day-level, of a
    kind in DAY_KINDS), with a `day` column (ISO date: the day named; for "since May 3" the 3rd)."""
    keep = (
        (mentions["granularity"] == "day")
        & mentions["resolved"].astype(bool)
        & ~mentions["vague"].astype(bool)
        & mentions["kind"].isin(DAY_KINDS)
        & mentions["start_date"].astype(bool)
    )
    out = mentions.loc[keep].copy()
    out["day"] = out["start_date"].str[:10]
    return out


def date_features(mentions: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """Per day named by at least one article or on which an article was published: how many
    distinct articles name it, split by when they appeared (after / on / before the day), how
    many sentences, outlets, and articles were published that day. One row per day, sorted.

    `articles` needs `article_id`, `published` (ISO date, "" when unknown) and optionally
    `source`. Articles without a publication date still count in `n_articles` (relation unknown
    counts as same-day)."""
    days = day_mentions(mentions)
    published = articles.set_index("article_id")["published"].astype(str).str[:10]
    source = (
        articles.set_index("article_id")["source"]
        if "source" in articles.columns
        else pd.Series(articles["article_id"].to_numpy(), index=articles["article_id"])
    )
    per_article = days.groupby(["day", "article_id"], sort=False).size().rename("n").reset_index()
    pub = per_article["article_id"].map(published).fillna("")
    per_article["rel"] = np.where(
        pub == "",
        "same",
        np.where(pub > per_article["day"], "after", np.where(pub < per_article["day"], "before", "same")),
    )
    per_article["source"] = per_article["article_id"].map(source)
    relation = pd.crosstab(per_article["day"], per_article["rel"]).reindex(
        columns=["after", "same", "before"], fill_value=0
    )
    features = pd.DataFrame(
        {
            "n_articles": per_article.groupby("day").size(),
            "n_after": relation["after"],
            "n_same": relation["same"],
            "n_before": relation["before"],
            "n_sentences": days.drop_duplicates(["day", "article_id", "sentence"]).groupby("day").size(),
            "n_outlets": per_article.groupby("day")["source"].nunique(),
        }
    )
    pub_counts = published[published != ""].value_counts()
    features = features.reindex(features.index.union(pub_counts.index)).fillna(0)
    features["n_published"] = pub_counts.reindex(features.index).fillna(0)
    features = features.astype(int).rename_axis("day").reset_index()
    return features[FEATURE_COLUMNS].sort_values("day").reset_index(drop=True)


def score_dates(features: pd.DataFrame, weights: DateWeights | None = None) -> pd.Series:
    """Salience of each day (index: ISO day): weighted count of the distinct articles naming it,
    plus the burst term."""
    w = weights or DateWeights()
    score = (
        w.after * features["n_after"]
        + w.same * features["n_same"]
        + w.before * features["n_before"]
        + w.published * features["n_published"]
    )
    return pd.Series(score.to_numpy(dtype=float), index=features["day"].to_numpy(), name="score")


def select_dates(
    scores: pd.Series, k: int, start: date | str | None = None, end: date | str | None = None,
    tie_break: pd.Series | None = None,
) -> list[str]:  # fmt: skip
    """The `k` best days (ISO strings, in date order) inside [start, end]. Ties go to the day
    with more `tie_break` (e.g. articles naming it), then to the earlier day."""
    s = scores[scores > 0]
    if start is not None:
        s = s[s.index >= str(start)]
    if end is not None:
        s = s[s.index <= str(end)]
    frame = pd.DataFrame(
        {"score": s, "tie": (tie_break.reindex(s.index).fillna(0) if tie_break is not None else 0)}
    )
    frame = frame.assign(day=frame.index).sort_values(["score", "tie", "day"], ascending=[False, False, True])
    return sorted(frame["day"].iloc[:k].tolist())


def pubcount_dates(
    articles: pd.DataFrame, k: int, start: date | str | None = None, end: date | str | None = None
) -> list[str]:
    """The PubCount baseline: the `k` days on which most articles were published (ties: earlier)."""
    counts = articles["published"].astype(str).str[:10].value_counts()
    counts = counts[counts.index != ""]
    return select_dates(counts.astype(float), k, start, end)


def date_f1(selected: Iterable[str | date], gold: Iterable[str | date]) -> dict[str, float]:
    """Date precision, recall and F1 exactly as tilse / news-tls `evaluate_dates`."""
    pred = {str(d)[:10] for d in selected}
    ref = {str(d)[:10] for d in gold}
    shared = len(pred & ref)
    precision = shared / len(pred) if pred else 0.0
    recall = shared / len(ref) if ref else 0.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return {"precision": precision, "recall": recall, "f1": f1}


def knee_count(scores: Sequence[float], least: int = 5, most: int = 40) -> int:
    """How many key dates to show by default when no one says: the knee of the sorted score curve
    (farthest point from the line joining its ends), kept within [least, most]."""
    values = np.sort(np.asarray([s for s in scores if s > 0], dtype=float))[::-1]
    if len(values) <= least:
        return len(values)
    x = np.arange(len(values), dtype=float)
    line = np.array([x[-1] - x[0], values[-1] - values[0]])
    line /= np.linalg.norm(line) or 1.0
    rel = np.stack([x - x[0], values - values[0]], axis=1)
    distance = np.abs(rel[:, 0] * line[1] - rel[:, 1] * line[0])
    return int(min(max(int(np.argmax(distance)) + 1, least), most))


MIN_WORDS, MAX_WORDS = 6, 60
"""Summary candidates: sentences of 6 to 60 words (shorter ones are headlines or furniture,
longer ones run-ons of page text)."""
PAGE_FURNITURE = re.compile(
    r"(?i)\b(?:page\s+)?last\s+updated\b|\bupdated\s+at\b"
    r"|\b\d{1,2}[.:]\d{2}\s*(?:[ap]\.?m\.?\s*)?(?:BST|GMT|UTC|IST|CES?T|[ECMP][SD]T|ET|PT)\b"
)
"""A page timestamp ("Page last updated at 05:32 GMT", "25 April 2009 22.09 BST", "Thu May 27, 2010
7:33 pm EDT") marks a line of page furniture glued to text: never the summary when another
sentence is there."""


def summary_candidates(sentences: Sequence[str]) -> np.ndarray:
    """Boolean mask: sentences fit to summarise a date (6-60 words, no page timestamp)."""
    words = np.array([len(s.split()) for s in sentences])
    clean = np.array([not PAGE_FURNITURE.search(s) for s in sentences], dtype=bool)
    return (words >= MIN_WORDS) & (words <= MAX_WORDS) & clean


def centroid_order(vectors: np.ndarray, redundancy: float = 0.8) -> list[int]:
    """Rows of `vectors` (unit rows) ranked by cosine to their normalised centroid, skipping any
    row more similar than `redundancy` to one ranked before it (so k picks say k things)."""
    if len(vectors) == 0:
        return []
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    ranked = np.argsort(-(vectors @ centroid), kind="stable")
    chosen: list[int] = []
    for i in ranked.tolist():
        if all(float(vectors[i] @ vectors[j]) < redundancy for j in chosen):
            chosen.append(i)
    return chosen


def summarise_date(sentences: Sequence[str], vectors: np.ndarray, k: int = 1) -> list[int]:
    """Positions of the `k` most representative sentences among those that mention a date: the
    ones nearest the centroid of their embeddings, 6-60 words without a page timestamp, not
    near-duplicates of each other. Falls back to every sentence when none is fit."""
    fit = np.flatnonzero(summary_candidates(sentences))
    pool = fit if len(fit) else np.arange(len(sentences))
    order = centroid_order(vectors[pool])
    return [int(pool[i]) for i in order[:k]]


KEY_DATE_COLUMNS = [
    *FEATURE_COLUMNS,
    "score",
    "rank",
    "summary",
    "summary_mention_id",
    "title",
    "event_id",
]


def key_dates(
    mentions: pd.DataFrame,
    articles: pd.DataFrame,
    vectors: np.ndarray,
    event_of: Mapping[str, str],
    groups: pd.DataFrame | None = None,
    weights: DateWeights | None = None,
) -> pd.DataFrame:
    """The derived `dates` table (build time): one row per day any article names or was
    published on, with its features (a story and its copies counted once with copy `groups`),
    `score`, `rank` (1 = most salient; ties: more articles, then earlier) and, for named days,
    the most representative sentence (`summary`: nearest the centroid of the day's sentence
    vectors, 6-60 words without a page timestamp preferred), its `summary_mention_id`, that
    mention's `title` (its `label`) and `event_id` (`event_of`: mention id -> event id).
    `vectors` are the mentions' sentence vectors, row-aligned. O(n)."""
    story = story_of(groups)
    stories = articles.assign(article_id=articles["article_id"].map(lambda a: story.get(a, a)))
    features = date_features(
        mentions.assign(article_id=mentions["article_id"].map(lambda a: story.get(a, a))),
        stories.drop_duplicates("article_id"),
    )
    out = features.assign(score=score_dates(features, weights).to_numpy())
    order = out.sort_values(["score", "n_articles", "day"], ascending=[False, False, True]).index
    out.loc[order, "rank"] = np.arange(1, len(out) + 1)
    out["rank"] = out["rank"].astype(int)
    named = day_mentions(mentions.reset_index(drop=True).assign(_row=np.arange(len(mentions))))
    picks: dict[str, int] = {}
    if len(named):
        named = named.sort_values(["day", "_row"], kind="stable")
        rows_vectors = np.asarray(vectors, dtype=np.float32)[named["_row"].to_numpy()]
        days = named["day"].to_numpy()
        starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
        centroids = np.add.reduceat(rows_vectors, starts, axis=0)
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
        group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(days)]))
        closeness = np.einsum("ij,ij->i", rows_vectors, centroids[group])
        closeness = closeness + np.where(summary_candidates(named["sentence"].tolist()), 2.0, 0.0)
        best = pd.Series(closeness).groupby(group).idxmax().to_numpy()
        picks = dict(zip(days[starts], named["_row"].to_numpy()[best], strict=True))
    rows = mentions.reset_index(drop=True)
    chosen = out["day"].map(picks)
    has = chosen.notna()
    idx = chosen[has].astype(int).to_numpy()
    for column in ("summary", "summary_mention_id", "title"):
        out[column] = ""
    out.loc[has, "summary"] = rows["sentence"].to_numpy()[idx]
    out.loc[has, "summary_mention_id"] = rows["mention_id"].to_numpy()[idx]
    out.loc[has, "title"] = rows["label"].to_numpy()[idx]
    out["event_id"] = out["summary_mention_id"].map(lambda m: event_of.get(m, "") if m else "")
    return out[KEY_DATE_COLUMNS]


def top_key_dates(
    dates: pd.DataFrame, k: int | None = None, since: str | None = None, until: str | None = None
) -> pd.DataFrame:
    """Page time: the `k` best days inside [since, until] (all ISO; `k` None: the knee of the
    scores, 5 to 40), in date order. A filter and a sort on the stored table: milliseconds."""
    window = dates[dates["score"] > 0]
    if since:
        window = window[window["day"] >= since]
    if until:
        window = window[window["day"] <= until]
    k = knee_count(window["score"].tolist()) if k is None else k
    return window.nsmallest(k, "rank").sort_values("day").reset_index(drop=True)
