"""The timeline view: what the page and the command show from the build's derived tables
(`events`, `dates`, `mentions`): the key events and their sources, the attention over time and
the window it is drawn on, events filtered and laid out in lanes, traced to their sentences,
and the span of dates each article talks about. Nothing here merges or ranks: it filters and
sorts stored tables, so it stays fast at thousands of articles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import pandas as pd

from lib.corpus.paragraphs import paragraph_ordinals
from lib.corpus.titles import article_titles, display_title
from lib.store.base import Store
from lib.timeline.keyevents import day_mentions, top_key_dates

Lanes = Literal["article", "source", "actor"]
LANES: tuple[Lanes, ...] = ("article", "source", "actor")
ARTICLE_LANES_UP_TO = 12
"""Beyond this many articles, one lane per article is unreadable: lanes go by outlet (or actor)."""
CHART_EVENTS = 300
"""Most events drawn in the lanes chart (the ones told by most articles); filters narrow it."""
CHART_LANES = 20
"""Most lanes drawn (those holding most events): more are unreadable; filters narrow them."""
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
    """The build's stored mentions (without their vectors), events and ranked days, and what
    the user should know about the articles' dates."""

    mentions: pd.DataFrame
    events: pd.DataFrame
    dates: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    days: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The mentions naming one calendar day (`day_mentions`), with their paragraph `ordinal`."""
    spans: pd.DataFrame = field(default_factory=pd.DataFrame)
    """`article_spans`: what each article talks about."""


def read_timeline(store: Store, copies_once: bool = False) -> Timeline:
    """The timeline the build stored (`lib.timeline.tables`); with `copies_once`, an event's
    `n_articles` counts a story and its copies once (its `articles` still lists them all)."""
    mentions = store.table("mentions").drop(columns=["vector"], errors="ignore")
    events = store.table("events")
    if copies_once and "n_stories" in events.columns:
        events = events.assign(n_articles=events["n_stories"])
    articles = store.articles()
    days = day_mentions(mentions) if len(mentions) else mentions.assign(day="")
    days = days.assign(ordinal=paragraph_ordinals(days["paragraph_id"]) if len(days) else 0)
    return Timeline(
        mentions,
        events,
        store.table("dates"),
        corpus_notes(articles, mentions),
        days,
        article_spans(articles, mentions),
    )


def source_count(articles: list[str], stories: int) -> str:
    """ "2 articles", or "2 articles, 1 story" when some are copies of one story."""
    text = f"{len(articles)} article{'s' if len(articles) != 1 else ''}"
    return text if stories == len(articles) else f"{text}, {stories} stor{'ies' if stories != 1 else 'y'}"


def corpus_notes(articles: pd.DataFrame, mentions: pd.DataFrame) -> list[str]:
    """Plain-language notes: articles with no dates, unknown or inferred publication dates."""
    has_mentions = not mentions.empty and "article_id" in mentions.columns
    unresolved = (
        mentions.loc[~mentions["resolved"].astype(bool), "article_id"].value_counts() if has_mentions else {}
    )
    dated = set(mentions.loc[mentions["start_date"].astype(bool), "article_id"]) if has_mentions else set()
    notes = []
    for article in articles.itertuples():
        name = article.title or f"article {article.article_id}"
        if not article.published:
            notes.append(
                f"{name}: publication date unknown, so its relative dates ('Thursday', 'last year') "
                f"cannot be placed ({int(unresolved.get(article.article_id, 0))} left out). "
                "Add the date on the Corpus page or in the manifest."
            )
        elif getattr(article, "published_origin", "") == "inferred":
            notes.append(
                f"{name}: publication date {article.published} was inferred from the text "
                f"({article.published_evidence})."
            )
        if article.article_id not in dated:
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


def default_lanes(articles: pd.DataFrame) -> Lanes:
    """One lane per article for a handful of articles; beyond `ARTICLE_LANES_UP_TO`, one per
    outlet when there are several, else one per actor."""
    if len(articles) <= ARTICLE_LANES_UP_TO:
        return "article"
    return "source" if articles["source"].replace("", pd.NA).nunique() > 1 else "actor"


def busiest_events(events: pd.DataFrame, limit: int = CHART_EVENTS) -> pd.DataFrame:
    """The `limit` events told by most articles (then most mentions, then earliest), in their
    original order: what a chart can draw legibly."""
    if len(events) <= limit:
        return events
    ranked = events.sort_values(["n_articles", "n_mentions", "start_date"], ascending=[False, False, True])
    return events.loc[sorted(ranked.index[:limit])]


def plot_rows(events: pd.DataFrame, articles: pd.DataFrame, lanes: Lanes) -> pd.DataFrame:
    """One row per (event, lane) with the calendar span to draw: a day-level event covers its
    day, a month-level one its month, a year-level one its year (granularity shown honestly).
    Lanes are the event's articles, their outlets, or the actors its sentences name."""
    titles = article_titles(articles.drop(columns="text", errors="ignore"))
    outlet = dict(
        zip(articles["article_id"], articles["source"].replace("", "(source unknown)"), strict=True)
    )
    rows = []
    for event in events[~events["vague"].astype(bool)].itertuples():
        start = date.fromisoformat(event.start_date)
        end = date.fromisoformat(event.end_date) + timedelta(days=1)
        if lanes == "article":
            lane_names = [f"{a} · {titles.get(a, a)}"[:60] for a in event.articles]
        elif lanes == "source":
            lane_names = sorted({outlet.get(a, "(source unknown)") for a in event.articles})
        else:
            lane_names = list(event.actors) or ["(no actor named)"]
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
                    "articles": ", ".join(event.articles[:5]) + (" …" if len(event.articles) > 5 else ""),
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


def busiest_lanes(rows: pd.DataFrame, limit: int = CHART_LANES) -> pd.DataFrame:
    """The `plot_rows` of the `limit` lanes holding most events (ties: alphabetical)."""
    counts = rows.groupby("lane")["event_id"].nunique()
    kept = counts.sort_index().sort_values(ascending=False, kind="stable").index[:limit]
    return rows[rows["lane"].isin(kept)].reset_index(drop=True)


def key_events(
    dates: pd.DataFrame, k: int | None = None, since: date | None = None, until: date | None = None
) -> pd.DataFrame:
    """The key events to list: the `k` best-ranked days (`k` None: the knee of the scores, 5 to
    40) inside [since, until], in date order, each with its title, summary sentence, number of
    articles and outlets, score and event."""
    return top_key_dates(dates, k, since.isoformat() if since else None, until.isoformat() if until else None)


def day_sources(day: str, days: pd.DataFrame, articles: pd.DataFrame) -> pd.DataFrame:
    """The sentences naming one day (`days`: `Timeline.days`), one per article (its first), with
    where each came from (`SOURCE_COLUMNS`), latest-published first: a key event's sources."""
    own = (
        days[days["day"] == day].sort_values(["article_id", "ordinal", "start"]).drop_duplicates("article_id")
    )
    own = own.drop(columns=["published"], errors="ignore").merge(
        articles[["article_id", "title", "source", "published"]], on="article_id", how="left"
    )
    return (
        own[SOURCE_COLUMNS]
        .sort_values(["published", "article_id"], ascending=[False, True])
        .reset_index(drop=True)
    )


def attention(dates: pd.DataFrame, since: date, until: date) -> tuple[pd.DataFrame, str]:
    """How much the articles talk about each day of [since, until]: the number of articles
    naming it, per day, or per week (weeks starting on Monday) when the range is longer than
    half a year. Returns the series (`day`, `articles`) and its unit ("day" or "week")."""
    named = dates[
        (dates["n_articles"] > 0) & (dates["day"] >= since.isoformat()) & (dates["day"] <= until.isoformat())
    ]
    days = pd.to_datetime(named["day"])
    unit = "week" if (until - since).days > 183 else "day"
    bucket = days - pd.to_timedelta(days.dt.weekday, unit="D") if unit == "week" else days
    series = (
        named.groupby(bucket.to_numpy())["n_articles"].sum().rename_axis("day").reset_index(name="articles")
    )
    return series, unit


def bucket_heights(series: pd.DataFrame, days: pd.Series, unit: str) -> list[int]:
    """The height of the `attention` bar each day falls in (to mark key events on their bar)."""
    stamps = pd.to_datetime(days)
    buckets = stamps - pd.to_timedelta(stamps.dt.weekday, unit="D") if unit == "week" else stamps
    heights = dict(zip(series["day"], series["articles"], strict=True))
    return [int(heights.get(b, 0)) for b in buckets]


def dense_window(dates: pd.DataFrame, share: float = 0.9) -> tuple[date, date] | None:
    """The range of days holding the central `share` of the articles' references to days (by
    count): where the story happens. Background dates (a treaty, a decade ago) fall outside
    it, so a chart drawn on it is not stretched to them. None when no day is named."""
    named = dates[dates["n_articles"] > 0].sort_values("day")
    if named.empty:
        return None
    cumulative = named["n_articles"].cumsum() / named["n_articles"].sum()
    tail = (1 - share) / 2
    first = named["day"].iloc[int((cumulative >= tail).to_numpy().argmax())]
    last = named["day"].iloc[int((cumulative >= 1 - tail).to_numpy().argmax())]
    return date.fromisoformat(first), date.fromisoformat(last)


def background_events(events: pd.DataFrame, window: tuple[date, date], limit: int = 12) -> pd.DataFrame:
    """Placed events entirely outside the `window` (years or decades ago, far-off plans), told
    by most articles first: listed beside the chart instead of stretching its axis."""
    placed = events[~events["vague"].astype(bool)]
    outside = placed[
        (placed["end_date"] < window[0].isoformat()) | (placed["start_date"] > window[1].isoformat())
    ]
    ranked = outside.sort_values(["n_articles", "n_mentions", "start_date"], ascending=[False, False, True])
    return ranked.head(limit).sort_values("start_date").reset_index(drop=True)


def event_sources(
    event_id: str, events: pd.DataFrame, mentions: pd.DataFrame, articles: pd.DataFrame
) -> pd.DataFrame:
    """The sentences behind one event, one row per mention, with where each came from."""
    match = events[events["event_id"] == event_id]
    if match.empty:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    ids = set(match.iloc[0]["mention_ids"])
    own = (
        mentions[mentions["mention_id"].isin(ids)]
        .drop(columns=["published"], errors="ignore")
        .merge(articles[["article_id", "title", "source", "published"]], on="article_id", how="left")
    )
    own = own.assign(ordinal=paragraph_ordinals(own["paragraph_id"]))
    return own[SOURCE_COLUMNS].sort_values(["article_id", "ordinal"]).reset_index(drop=True)


def article_spans(articles: pd.DataFrame, mentions: pd.DataFrame) -> pd.DataFrame:
    """Per article: its publication date and the earliest and latest dates it talks about."""
    columns = ["article_id", "title", "published", "first_date", "last_date", "dates"]
    placed = (
        mentions[mentions["start_date"].astype(bool) & ~mentions["vague"].astype(bool)]
        if len(mentions)
        else pd.DataFrame(columns=["article_id", "start_date", "end_date"])
    )
    spans = placed.groupby("article_id").agg(
        first_date=("start_date", "min"), last_date=("end_date", "max"), dates=("start_date", "size")
    )
    out = articles[["article_id", "title", "source", "published"]].merge(
        spans, left_on="article_id", right_index=True, how="left"
    )
    out["title"] = [
        display_title(t, s, p) for t, s, p in zip(out["title"], out["source"], out["published"], strict=True)
    ]
    out["published"] = out["published"].replace("", None)
    out["dates"] = out["dates"].fillna(0).astype(int)
    out = out.astype({"first_date": object, "last_date": object})
    out.loc[out["dates"] == 0, ["first_date", "last_date"]] = None
    return out[columns].reset_index(drop=True)


def events_for_export(events: pd.DataFrame) -> pd.DataFrame:
    """Events as flat rows for a CSV: list cells joined with commas, mention ids left out."""
    return events.drop(columns=["mention_ids"]).assign(
        articles=events["articles"].map(", ".join),
        actors=events["actors"].map(", ".join),
        entities=events["entities"].map(", ".join),
    )


def events_to_records(events: pd.DataFrame, mentions: pd.DataFrame) -> list[dict[str, object]]:
    """Events with their source mentions, ready for JSON export (a dict of the mentions, not a
    pandas look-up per source: 23,000 events export in a fraction of the time)."""
    fields = ["mention_id", "article_id", "paragraph_id", "expression", "sentence"]
    rows = mentions[fields].to_dict("records") if len(mentions) else []
    source_of = {row["mention_id"]: row for row in rows}
    out = []
    for event in events.to_dict("records"):
        sources = [dict(source_of[m]) for m in event["mention_ids"]]
        out.append({**{k: v for k, v in event.items() if k != "mention_ids"}, "sources": sources})
    return out
