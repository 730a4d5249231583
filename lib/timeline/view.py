"""The timeline view: events filtered, laid out in lanes, traced to their sentences, and the
span of dates each article talks about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from lib.corpus.paragraphs import paragraph_ordinals
from lib.corpus.titles import article_titles, display_title
from lib.entities import names_in_spans
from lib.store.base import Store
from lib.timeline.events import merge_mentions

Lanes = Literal["article", "actor"]
SOURCE_COLUMNS = [
    "article_id",
    "title",
    "source",
    "published",
    "paragraph_id",
    "ordinal",
    "expression",
    "value",
    "sentence",
]


@dataclass(frozen=True)
class TimelineFilters:
    """What the analyst narrowed the timeline to (all empty: everything)."""

    since: date | None = None
    until: date | None = None
    articles: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    min_sources: int = 1
    show_vague: bool = False


@dataclass
class Timeline:
    """Stored mentions, merged events, and what the user should know about them."""

    mentions: pd.DataFrame
    events: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def build_timeline(store: Store, groups: pd.DataFrame | None = None) -> Timeline:
    """Events of the whole corpus from the index's stored mentions, with notes on articles
    that could not be placed (no dates, unknown publication date). With copy `groups`, a
    story and its copies count as one source. Each event lists the `entities` its sentences
    name (lib.entities names, short forms folded), for the entity filter."""
    mentions = store.table("mentions")
    events = merge_mentions(mentions, groups=groups)
    events["entities"] = event_entities(events, mentions, store.table("entities"))
    return Timeline(mentions, events, corpus_notes(store.articles(), mentions))


def event_entities(events: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame) -> list[list[str]]:
    """For each event, the entities named in any of its mentions' sentences, sorted."""
    if events.empty or "name" not in entities.columns:
        return [[] for _ in range(len(events))]
    spans = mentions[["mention_id", "paragraph_id", "sentence_start", "sentence"]].assign(
        start=mentions["sentence_start"].astype(int),
        end=mentions["sentence_start"].astype(int) + mentions["sentence"].str.len(),
    )
    named = dict(zip(spans["mention_id"], names_in_spans(entities, spans), strict=True))
    return [sorted({n for m in ids for n in named.get(m, [])}) for ids in events["mention_ids"]]


def source_count(articles: list[str], stories: int) -> str:
    """ "2 articles", or "2 articles, 1 story" when some are copies of one story."""
    text = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    return text if stories == len(articles) else f"{text}, {stories} stor{'ies' if stories != 1 else 'y'}"


def corpus_notes(articles: pd.DataFrame, mentions: pd.DataFrame) -> list[str]:
    """Plain-language notes: articles with no dates, unknown or inferred publication dates."""
    notes = []
    for article in articles.itertuples():
        own = mentions[mentions["article_id"] == article.article_id] if not mentions.empty else mentions
        name = article.title or f"article {article.article_id}"
        if not article.published:
            unresolved = int((~own["resolved"].astype(bool)).sum()) if not own.empty else 0
            notes.append(
                f"{name}: publication date unknown, so its relative dates ('Thursday', 'last year') "
                f"cannot be placed ({unresolved} left out). "
                "Add the date on the Corpus page or in the manifest."
            )
        elif getattr(article, "published_origin", "") == "inferred":
            notes.append(
                f"{name}: publication date {article.published} was inferred from the text "
                f"({article.published_evidence})."
            )
        if own.empty or not own["start_date"].astype(bool).any():
            notes.append(f"{name}: no calendar date found in its own text.")
    return notes


def filter_events(events: pd.DataFrame, articles: pd.DataFrame, filters: TimelineFilters) -> pd.DataFrame:
    """Events that pass the filters (an event passes an article/source filter when any of its
    sources does; a date filter keeps events whose span overlaps the range)."""
    vague = events["vague"].astype(bool)
    keep = (events["n_articles"] >= filters.min_sources) & (filters.show_vague | ~vague)
    if filters.since:
        keep &= vague | events["end_date"].ge(filters.since.isoformat())
    if filters.until:
        keep &= vague | events["start_date"].le(filters.until.isoformat())
    if filters.articles or filters.sources:
        chosen = articles
        if filters.articles:
            chosen = chosen[chosen["article_id"].isin(filters.articles)]
        if filters.sources:
            chosen = chosen[chosen["source"].isin(filters.sources)]
        wanted = set(chosen["article_id"])
        keep &= events["articles"].map(lambda ids: bool(wanted & set(ids)))
    if filters.actors:
        keep &= events["actors"].map(lambda names: bool(set(filters.actors) & set(names)))
    if filters.entities:
        keep &= events["entities"].map(lambda names: bool(set(filters.entities) & set(names)))
    return events[keep].reset_index(drop=True)


def plot_rows(events: pd.DataFrame, articles: pd.DataFrame, lanes: Lanes) -> pd.DataFrame:
    """One row per (event, lane) with the calendar span to draw: a day-level event covers its
    day, a month-level one its month, a year-level one its year (granularity shown honestly)."""
    titles = article_titles(articles.drop(columns="text", errors="ignore"))
    rows = []
    for event in events[~events["vague"].astype(bool)].itertuples():
        start = date.fromisoformat(event.start_date)
        end = date.fromisoformat(event.end_date) + timedelta(days=1)
        lane_names = (
            [f"{a} · {titles.get(a, a)}"[:60] for a in event.articles]
            if lanes == "article"
            else (list(event.actors) or ["(no actor named)"])
        )
        for lane in lane_names:
            rows.append(
                {
                    "event_id": event.event_id,
                    "lane": lane,
                    "start": start,
                    "end": end,
                    "middle": start + (end - start) / 2,
                    "label": event.label,
                    "value": event.value,
                    "granularity": event.granularity,
                    "sources": event.n_articles,
                    "articles": ", ".join(event.articles),
                    "deadline": bool(event.is_end_point),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "event_id",
            "lane",
            "start",
            "end",
            "middle",
            "label",
            "value",
            "granularity",
            "sources",
            "articles",
            "deadline",
        ],
    )


def event_sources(
    event_id: str, events: pd.DataFrame, mentions: pd.DataFrame, articles: pd.DataFrame
) -> pd.DataFrame:
    """The sentences behind one event, one row per mention, with where each came from."""
    match = events[events["event_id"] == event_id]
    if match.empty:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    ids = set(match.iloc[0]["mention_ids"])
    own = mentions[mentions["mention_id"].isin(ids)].merge(
        articles[["article_id", "title", "source", "published"]], on="article_id", how="left"
    )
    own = own.assign(ordinal=paragraph_ordinals(own["paragraph_id"]))
    return own[SOURCE_COLUMNS].sort_values(["article_id", "ordinal"]).reset_index(drop=True)


def article_spans(articles: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Per article: its publication date and the earliest and latest dates it talks about."""
    placed = (
        mentions[mentions["start_date"].astype(bool) & ~mentions["vague"].astype(bool)]
        if len(mentions)
        else mentions
    )
    rows = []
    for article in articles.itertuples():
        own = placed[placed["article_id"] == article.article_id] if len(placed) else placed
        rows.append(
            {
                "article_id": article.article_id,
                "title": display_title(article.title, article.source, article.published),
                "published": article.published or None,
                "first_date": own["start_date"].min() if len(own) else None,
                "last_date": own["end_date"].max() if len(own) else None,
                "dates": len(own),
            }
        )
    return pd.DataFrame(
        rows, columns=["article_id", "title", "published", "first_date", "last_date", "dates"]
    )


def events_to_records(events: pd.DataFrame, mentions: pd.DataFrame) -> list[dict[str, object]]:
    """Events with their source mentions, ready for JSON export."""
    by_id = mentions.set_index("mention_id") if len(mentions) else mentions
    out = []
    for event in events.to_dict("records"):
        sources = [
            {
                "mention_id": m,
                "article_id": by_id.at[m, "article_id"],
                "paragraph_id": by_id.at[m, "paragraph_id"],
                "expression": by_id.at[m, "expression"],
                "sentence": by_id.at[m, "sentence"],
            }
            for m in event["mention_ids"]
        ]
        out.append({**{k: v for k, v in event.items() if k != "mention_ids"}, "sources": sources})
    return out
