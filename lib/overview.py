"""The corpus at a glance: one row per article with its size, for the Home page."""

from __future__ import annotations

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
