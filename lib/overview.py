"""The corpus at a glance: one row per article with its size, and its coverage over time, for
the Home page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.store.base import Store

OVERVIEW_COLUMNS = [
    "article_id",
    "title",
    "source",
    "published",
    "date_from",
    "paragraphs",
    "words",
    "furniture",
]
_DATE_FROM = {"manifest": "manifest", "file": "file", "inferred": "inferred from the text", "": "unknown"}


def corpus_overview(store: Store, furniture: pd.DataFrame) -> pd.DataFrame:
    """Title, source, date, body paragraphs, words and removed furniture lines per article."""
    paragraphs = store.paragraphs()
    body = paragraphs[paragraphs["kind"] == "body"]
    counts = body.groupby("article_id").agg(
        paragraphs=("paragraph_id", "size"), words=("text", lambda s: int(s.str.split().str.len().sum()))
    )
    removed = furniture.groupby("article_id").size().rename("furniture")
    articles = store.articles()
    table = articles.assign(date_from=articles["published_origin"].fillna("").map(_DATE_FROM)).set_index(
        "article_id"
    )[["title", "source", "published", "date_from"]]
    table = table.join(counts).join(removed).fillna({"paragraphs": 0, "words": 0, "furniture": 0})
    table = table.astype({"paragraphs": int, "words": int, "furniture": int}).reset_index()
    return table[OVERVIEW_COLUMNS]


MAX_POINTS = 200
"""Articles drawn one point each on the coverage chart; beyond, counts per week or month."""
MAX_OUTLETS = 10
OTHER_OUTLETS = "other outlets"


@dataclass(frozen=True)
class Coverage:
    """The Home page's articles-over-time chart: one row per dated article (`by` "article"), or
    per period and outlet with its number of articles and their ids (`by` "week" or "month")."""

    by: str
    table: pd.DataFrame
    undated: int

    def articles_in(self, period: str, outlet: str) -> list[str]:
        """The ids of the articles one bar (a period and an outlet) counts."""
        bar = self.table[(self.table["period"] == period) & (self.table["outlet"] == outlet)]
        return [article for ids in bar["article_ids"] for article in ids]


def coverage_over_time(
    overview: pd.DataFrame, max_points: int = MAX_POINTS, max_outlets: int = MAX_OUTLETS
) -> Coverage:
    """Dated articles as points while they are few; past `max_points`, the articles published
    each week (a span up to two years) or month, by outlet: the `max_outlets` largest, the rest
    as one "other outlets", so the chart reads at 5,000 articles and 300 outlets."""
    when = pd.to_datetime(overview["published"], errors="coerce", format="ISO8601")
    dated = overview.assign(when=when)[when.notna()]
    undated = len(overview) - len(dated)
    if len(dated) <= max_points:
        return Coverage("article", dated.drop(columns="when"), undated)
    span = dated["when"].max() - dated["when"].min()
    by = "week" if span <= pd.Timedelta(days=731) else "month"
    periods = dated["when"].dt.to_period("W-SUN" if by == "week" else "M").dt.start_time
    outlet = dated["source"].fillna("").replace("", "(no source)")
    largest = outlet.value_counts().index[:max_outlets]
    table = (
        dated.assign(
            period=periods.dt.date.astype(str), outlet=outlet.where(outlet.isin(largest), OTHER_OUTLETS)
        )
        .groupby(["period", "outlet"], sort=True)
        .agg(articles=("article_id", "size"), article_ids=("article_id", list))
        .reset_index()
    )
    return Coverage(by, table, undated)
