"""The brief as data: what Dossier found for an analyst's saved views, queries and claims (the key
events of the timeline, each article's stance on each claim with its deciding quotes, the top
passages for each query), every statement cited and numbered, and what corpus and index it
covers. `lib.brief.render` writes it as HTML or Markdown.

The timeline and the stance verdicts are read through one adapter each (`key_events`,
`claim_verdicts`), so the brief follows those analyses when they change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lib.brief.views import SavedView
from lib.corpus.citations import Citation, CitationBuilder
from lib.corpus.titles import article_titles
from lib.entities import paragraphs_with, resolve_names
from lib.errors import BadInputError
from lib.index.annotators import stored_copy_groups
from lib.search import Mode, search, search_options
from lib.settings import Settings
from lib.stance.verdicts import SentenceScorer, score_claims
from lib.store.base import SearchFilters
from lib.store.factory import OpenStore
from lib.text.embeddings import Encoder, describe_encoder
from lib.timeline.view import (
    Timeline,
    TimelineFilters,
    day_sources,
    filter_events,
    read_timeline,
)
from lib.timeline.view import (
    key_events as timeline_key_events,
)

APP_NAME = "Dossier"
KEY_EVENTS = 10
"""Key events a timeline section lists."""
PASSAGES = 5
"""Top passages for a typed query (a saved search view keeps its own number of results)."""
BRIEFABLE_PAGES = ("search", "stance", "timeline")
FILTER_LABELS = {
    "k": "results",
    "mode": "ranking",
    "source": "sources",
    "article": "articles",
    "entity": "naming",
    "since": "since",
    "until": "until",
    "copies": "copies counted once",
    "actor": "actors",
    "min_sources": "at least this many articles",
    "vague": "vague expressions",
}
"""The query parameters of search and timeline views that narrow what they show, in words (the
others are a view's subject or selection: its query, claims, selected hit or event, lanes)."""

Params = Mapping[str, Sequence[str]]

# ---- what the analyst asks for --------------------------------------------------------------------


@dataclass(frozen=True)
class PassagesRequest:
    """A query's top passages, with a search view's filters (typed queries have none)."""

    query: str
    k: int = PASSAGES
    mode: Mode = "hybrid"
    sources: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    copies_once: bool = True
    origin: str = ""
    """The saved view it comes from ("" for a typed query)."""
    filters: str = ""
    """The filters in words, for the section's heading."""


@dataclass(frozen=True)
class ClaimsRequest:
    """Claims to compare the articles on (a stance view's, or typed ones)."""

    claims: tuple[str, ...]
    origin: str = ""


@dataclass(frozen=True)
class EventsRequest:
    """Key events of a timeline view, with its filters (its query parameters)."""

    params: Mapping[str, Sequence[str]] = field(default_factory=dict)
    origin: str = ""
    filters: str = ""


@dataclass(frozen=True)
class BriefRequest:
    """Everything a brief covers. With no timeline view, the key events of the whole corpus."""

    passages: tuple[PassagesRequest, ...] = ()
    claims: tuple[ClaimsRequest, ...] = ()
    events: tuple[EventsRequest, ...] = ()

    @property
    def all_claims(self) -> list[str]:
        """Every claim asked for (they need the stance model)."""
        return [c for request in self.claims for c in request.claims]


def brief_request(
    views: Sequence[SavedView] = (),
    queries: Sequence[str] = (),
    claims: Sequence[str] = (),
    k: int = PASSAGES,
) -> BriefRequest:
    """The request for saved views (search, stance and timeline views), typed queries (`k`
    passages each) and typed claims. Raises `BadInputError` for a view of another page or one
    whose link holds unusable values."""
    passages, claim_requests, events = [], [], []
    for view in views:
        params = view.params
        described = describe_filters(params)
        if view.page == "search":
            passages.append(_search_request(view.name, params, described))
        elif view.page == "stance":
            if not params.get("claims"):
                raise BadInputError(f"The saved view '{view.name}' holds no claim.")
            claim_requests.append(ClaimsRequest(tuple(params["claims"]), view.name))
        elif view.page == "timeline":
            events.append(EventsRequest(params, view.name, described))
        else:
            raise BadInputError(
                f"The saved view '{view.name}' is of the {view.page or 'Home'} page: a brief is made from "
                "search, stance and timeline views."
            )
    passages += [PassagesRequest(q.strip(), k) for q in queries if q.strip()]
    typed = tuple(c for c in claims if c.strip())
    if typed:
        claim_requests.append(ClaimsRequest(typed))
    return BriefRequest(tuple(passages), tuple(claim_requests), tuple(events))


def describe_filters(params: Params) -> str:
    """A view's filters in words, e.g. `sources: CNN, Asia Times · since: 2019-01-01`."""
    return " · ".join(
        f"{FILTER_LABELS[key]}: {', '.join(values)}" for key, values in params.items() if key in FILTER_LABELS
    )


def _search_request(name: str, params: Params, described: str) -> PassagesRequest:
    query = _one(params, "q")
    if not query.strip():
        raise BadInputError(f"The saved view '{name}' holds no query.")
    mode = _one(params, "mode") or "hybrid"
    if mode not in ("hybrid", "dense", "keyword"):
        raise BadInputError(f"The saved view '{name}' has an unknown ranking '{mode}'.")
    try:
        k = min(max(int(_one(params, "k") or 10), 1), 50)
        since, until = (_day(_one(params, key)) for key in ("since", "until"))
    except ValueError as exc:
        raise BadInputError(f"The saved view '{name}' holds an unusable value: {exc}.") from exc
    return PassagesRequest(
        query=query,
        k=k,
        mode=mode,  # type: ignore[arg-type]  # checked just above
        sources=tuple(params.get("source", ())),
        articles=tuple(params.get("article", ())),
        entities=tuple(params.get("entity", ())),
        since=since,
        until=until,
        copies_once=_flag(_one(params, "copies"), True),
        origin=name,
        filters=described,
    )


def _one(params: Params, key: str) -> str:
    values = params.get(key) or [""]
    return str(values[0])


def _day(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def _flag(value: str, default: bool) -> bool:
    return default if not value else value.strip().lower() in ("1", "true", "yes", "on")


# ---- the adapters to the timeline and the stance verdicts ------------------------------------------


@dataclass(frozen=True)
class KeyEvent:
    """An event as the brief shows it: its date (`value` as written, e.g. 2019-12-31 or 2017,
    and the calendar span it covers), what happened, in how many articles, and its sources."""

    value: str
    start: str
    end: str
    granularity: str
    title: str
    articles: int
    sources: tuple[tuple[str, str], ...]
    """(paragraph id, sentence) of each mention."""


def key_events(store: OpenStore, params: Params, limit: int = KEY_EVENTS) -> list[KeyEvent]:
    """ADAPTER to the timeline (`lib.timeline.view`): the `limit` key events of a timeline view
    (its query parameters; {} for the whole corpus), in date order. A view narrowed only by
    dates lists the page's key events (the days ranked at build time); a view narrowed by
    articles, outlets, actors, entities, a minimum of articles or a selected event lists its
    events told by most articles, its selected event first."""
    try:
        since, until = (_day(_one(params, key)) for key in ("since", "until"))
        min_sources = int(_one(params, "min_sources") or 1)
    except ValueError as exc:
        raise BadInputError(f"A timeline view holds an unusable value: {exc}.") from exc
    timeline = read_timeline(store, copies_once=_flag(_one(params, "copies"), True))
    narrowed = any(params.get(key) for key in ("article", "source", "actor", "entity", "event"))
    if not narrowed and min_sources <= 1:
        return _key_days(store, timeline, limit, since, until)
    entities = tuple(resolve_names(store.table("entities"), params["entity"])) if params.get("entity") else ()
    filters = TimelineFilters(
        since=since,
        until=until,
        articles=tuple(params.get("article", ())),
        sources=tuple(params.get("source", ())),
        actors=tuple(params.get("actor", ())),
        entities=entities,
        min_sources=max(1, min_sources),
        show_vague=False,
    )
    events = filter_events(timeline.events, store.articles(), filters)
    events = events[events["start_date"].astype(bool) & events["end_date"].astype(bool)]  # placed in time
    ranked = events.assign(chosen=events["event_id"] == _one(params, "event")).sort_values(
        ["chosen", "n_articles", "start_date"], ascending=[False, False, True], kind="stable"
    )
    mentions = timeline.mentions.set_index("mention_id")
    top = ranked.head(limit).sort_values(["start_date", "end_date"], kind="stable")
    return [
        KeyEvent(
            value=str(e.value),
            start=str(e.start_date),
            end=str(e.end_date),
            granularity=str(e.granularity),
            title=str(e.label),
            articles=int(e.n_articles),
            sources=tuple(
                (str(mentions.at[m, "paragraph_id"]), str(mentions.at[m, "sentence"])) for m in e.mention_ids
            ),
        )
        for e in top.itertuples()
    ]


def _key_days(
    store: OpenStore, timeline: Timeline, limit: int, since: date | None, until: date | None
) -> list[KeyEvent]:
    """The timeline page's key events: the `limit` best-ranked days some article names (a day
    ranked only for the articles published on it has no sentence to cite), each with its title
    and the sentence of each article naming it."""
    articles = store.articles()
    named = timeline.dates[timeline.dates["n_articles"] > 0]
    return [
        KeyEvent(
            value=str(row.day),
            start=str(row.day),
            end=str(row.day),
            granularity="day",
            title=str(row.title or row.summary),
            articles=int(row.n_articles),
            sources=tuple(
                (str(s.paragraph_id), str(s.sentence))
                for s in day_sources(str(row.day), timeline.days, articles).itertuples()
            ),
        )
        for row in timeline_key_events(named, limit, since, until).itertuples()
    ]


@dataclass(frozen=True)
class ClaimVerdict:
    """One article's verdict on a claim (its copies counted with it), with its deciding quotes
    as (paragraph id, sentence)."""

    claim: str
    article_id: str
    copies: tuple[str, ...]
    verdict: str
    confidence: float | None
    """Calibrated probability of the deciding sentence's stance; None when not addressed."""
    quotes: tuple[tuple[str, str], ...]


def claim_verdicts(
    store: OpenStore, encoder: Encoder, model: SentenceScorer, claims: Sequence[str]
) -> list[ClaimVerdict]:
    """ADAPTER to the stance verdicts (`lib.stance.verdicts.score_claims`): every article's
    verdict on each claim (agree, disagree, discuss, not clear, not addressed), copies of one
    story counted once."""
    result = score_claims(store, encoder, model, claims, stored_copy_groups(store))
    return [
        ClaimVerdict(
            claim=str(v.claim),
            article_id=str(v.article_id),
            copies=tuple(v.copies),
            verdict=str(v.verdict),
            confidence=None if pd.isna(v.confidence) else float(v.confidence),
            quotes=tuple((str(q["paragraph_id"]), str(q["sentence"])) for q in v.quotes),
        )
        for v in result.verdicts.itertuples()
    ]


# ---- the brief ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CorpusFacts:
    """What the brief covers: the corpus folders (names only), its size, and the index."""

    folders: tuple[str, ...]
    articles: int
    paragraphs: int
    corpus_version: str
    built_at: str
    model: str


@dataclass(frozen=True)
class BriefEvent:
    """A key event with the numbers of its sources' citations."""

    event: KeyEvent
    notes: tuple[int, ...]


@dataclass(frozen=True)
class EventsSection:
    heading: str
    filters: str
    events: tuple[BriefEvent, ...]


@dataclass(frozen=True)
class StanceRow:
    """An article's verdict, by display title, with its deciding quotes and their citations."""

    article: str
    copies: tuple[str, ...]
    verdict: str
    confidence: float | None
    """None when no sentence addresses the claim."""
    quotes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class StanceSection:
    claim: str
    origin: str
    rows: tuple[StanceRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Articles (copies counted once) per verdict, in order of first appearance."""
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
        return counts


@dataclass(frozen=True)
class BriefPassage:
    rank: int
    text: str
    note: int


@dataclass(frozen=True)
class PassagesSection:
    query: str
    origin: str
    filters: str
    passages: tuple[BriefPassage, ...]
    remarks: tuple[str, ...]
    """What the search said about its hits (no strong match, folded copies, ...)."""


@dataclass(frozen=True)
class Brief:
    """The whole brief: its sections in order (events, stance, passages) and the numbered
    citations they refer to (`citations[n - 1]` is note n)."""

    made: datetime
    corpus: CorpusFacts
    events: tuple[EventsSection, ...]
    stances: tuple[StanceSection, ...]
    passages: tuple[PassagesSection, ...]
    citations: tuple[Citation, ...]
    title: str = f"{APP_NAME} brief"

    @property
    def sources(self) -> list[str]:
        """Every article cited, once, in the order first cited."""
        seen: dict[str, str] = {}
        for citation in self.citations:
            seen.setdefault(citation.article_id, citation.source)
        return list(seen.values())


class _Notes:
    """Numbers citations in the order first cited; the same quote of the same paragraph keeps its
    number."""

    def __init__(self, builder: CitationBuilder) -> None:
        self.builder = builder
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, str], int] = {}

    def cite(self, paragraph_id: str, quote: str | None = None) -> int:
        citation = self.builder.cite(paragraph_id, quote)
        key = (citation.paragraph_id, citation.quote)
        if key not in self._numbers:
            self.citations.append(citation)
            self._numbers[key] = len(self.citations)
        return self._numbers[key]


def make_brief(
    store: OpenStore,
    encoder: Encoder,
    request: BriefRequest,
    settings: Settings,
    stance_model: SentenceScorer | None = None,
    made: datetime | None = None,
) -> Brief:
    """Assemble the brief: key events (of each timeline view, or of the whole corpus), the stance
    of every article on each claim, the top passages of each query, all cited. `stance_model`
    is needed only when the request holds claims. Raises `BadInputError` for unusable input."""
    if request.all_claims and stance_model is None:
        raise BadInputError("Claims need the stance model.")
    articles, paragraphs = store.articles(), store.paragraphs()
    notes = _Notes(CitationBuilder(articles, paragraphs))
    titles = article_titles(articles, paragraphs)
    events = [
        EventsSection(
            f"Key events: {wanted.origin}" if wanted.origin else "Key events of the whole corpus",
            wanted.filters,
            tuple(
                BriefEvent(e, tuple(notes.cite(pid, sentence) for pid, sentence in e.sources))
                for e in key_events(store, wanted.params)
            ),
        )
        for wanted in request.events or (EventsRequest(),)
    ]
    stances = []
    for claims in request.claims:
        assert stance_model is not None  # checked above
        verdicts = claim_verdicts(store, encoder, stance_model, claims.claims)
        for claim in dict.fromkeys(v.claim for v in verdicts):
            rows = tuple(
                StanceRow(
                    titles[v.article_id],
                    tuple(titles[c] for c in v.copies),
                    v.verdict,
                    v.confidence,
                    tuple((sentence, notes.cite(pid, sentence)) for pid, sentence in v.quotes),
                )
                for v in verdicts
                if v.claim == claim
            )
            stances.append(StanceSection(claim, claims.origin, rows))
    passages = [_passages(store, encoder, settings, wanted, notes) for wanted in request.passages]
    return Brief(
        made=made or datetime.now(UTC),
        corpus=corpus_facts(store.meta),
        events=tuple(events),
        stances=tuple(stances),
        passages=tuple(passages),
        citations=tuple(notes.citations),
    )


def _passages(
    store: OpenStore, encoder: Encoder, settings: Settings, wanted: PassagesRequest, notes: _Notes
) -> PassagesSection:
    entities = store.table("entities")
    paragraph_ids = (
        tuple(paragraphs_with(entities, resolve_names(entities, wanted.entities)))
        if wanted.entities
        else None
    )
    result = search(
        store,
        encoder,
        wanted.query,
        k=wanted.k,
        filters=SearchFilters(
            articles=wanted.articles,
            sources=wanted.sources,
            since=wanted.since,
            until=wanted.until,
            paragraph_ids=paragraph_ids,
        ),
        mode=wanted.mode,
        groups=stored_copy_groups(store) if wanted.copies_once else None,
        **search_options(settings),
    )
    passages = tuple(
        BriefPassage(int(hit.rank), str(hit.text), notes.cite(str(hit.paragraph_id)))
        for hit in result.hits.itertuples()
    )
    return PassagesSection(result.query, wanted.origin, wanted.filters, passages, tuple(result.notes))


def corpus_facts(meta: Mapping[str, Any]) -> CorpusFacts:
    """What an index covers, from its metadata: folder names (never a server's full paths)."""
    return CorpusFacts(
        folders=tuple(Path(str(folder)).name for folder in meta.get("corpus_dirs", [])),
        articles=int(meta.get("n_articles", 0)),
        paragraphs=int(meta.get("n_vectors", 0)),
        corpus_version=str(meta.get("corpus_version", "")),
        built_at=str(meta.get("built_at", "")),
        model=describe_encoder(str(meta.get("model", ""))),
    )
