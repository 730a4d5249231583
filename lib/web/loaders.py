"""Cached loaders: every heavy object (models, the open index) in `st.cache_resource`, every
table read or computed from an index generation in `st.cache_data`, keyed by that generation so
a rebuild is picked up at once.

Pages get shared objects from here (never from session state only `app.py` sets), so each page
also runs on its own, as `AppTest.from_file("pages/x.py")` does.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path

import pandas as pd
import streamlit as st

from lib.corpus.citations import CitationBuilder
from lib.corpus.library import Library, list_articles
from lib.corpus.load import file_stats
from lib.corpus.titles import article_titles
from lib.entities import cooccurrence, entity_counts, of_kinds
from lib.errors import IndexMissingError
from lib.index.annotators import stored_copy_groups
from lib.index.build import IndexStatus, index_status
from lib.index.update import configured_encoder
from lib.settings import Settings, load_settings
from lib.stance.crossencoder import StanceCrossEncoder
from lib.stance.model import StanceModel
from lib.stance.verdicts import CorpusSentences, Progress, StanceResult, corpus_sentences, score_claims
from lib.store.embedded import CURRENT
from lib.store.factory import OpenStore, open_store
from lib.text.embeddings import Encoder, load_encoder
from lib.timeline.view import (
    Timeline,
    TimelineFilters,
    events_for_export,
    events_to_records,
    filter_events,
    read_timeline,
)


def page_settings() -> Settings:
    """Settings from the table and environment (shared by every page and the CLI)."""
    return load_settings()


@st.cache_resource(show_spinner="Loading the embedding model…")
def get_encoder(name: str) -> Encoder:
    """The sentence-transformers model, loaded once per process and shared by sessions."""
    return load_encoder(name)


@st.cache_resource(show_spinner="Opening the index…", max_entries=4)
def _open_store(settings: Settings, generation: str) -> OpenStore:
    return open_store(settings)


def get_store(settings: Settings) -> OpenStore:
    """The live index in the configured store (`lib.store.factory`), reopened automatically
    after a rebuild swaps generations."""
    pointer = settings.resolved_index_dir / CURRENT
    if not pointer.exists():
        raise IndexMissingError("No index has been built yet.")
    return _open_store(settings, pointer.read_text().strip())


@st.cache_data(show_spinner=False, max_entries=16)
def _status(
    corpus_dirs: tuple[str, ...], index_dir: str, model: str, max_bytes: int, signature: tuple
) -> IndexStatus:
    return index_status([Path(f) for f in corpus_dirs], Path(index_dir), model, max_bytes)


def folder_signature(settings: Settings) -> tuple:
    """Cheap fingerprint of the corpus folders and the live generation, so what is derived from
    them is recomputed only when a file or the index changed."""
    files = file_stats(settings.corpus_dirs)
    pointer = settings.resolved_index_dir / CURRENT
    return files, pointer.read_text() if pointer.exists() else ""


def current_status(settings: Settings) -> IndexStatus:
    """Whether the index can serve the configured corpus and model."""
    return _status(
        tuple(str(f) for f in settings.corpus_dirs),
        str(settings.resolved_index_dir),
        configured_encoder(settings),
        settings.max_file_mb * 1024 * 1024,
        folder_signature(settings),
    )


def forget_status() -> None:
    """Drop cached index statuses (after a build changed the index)."""
    _status.clear()


@st.cache_data(show_spinner="Reading the article files…", max_entries=4)
def _library_articles(_library: Library, signature: tuple) -> pd.DataFrame:
    return list_articles(_library)


def library_articles(settings: Settings) -> pd.DataFrame:
    """Every article file, bundled and added, with its origin (`lib.corpus.library`), parsed
    again only when a file changed."""
    return _library_articles(Library.from_settings(settings), folder_signature(settings))


@st.cache_data(show_spinner=False, max_entries=4)
def _titles(generation: str, _store: OpenStore) -> dict[str, str]:
    return article_titles(_store.articles(), _store.paragraphs())


def get_titles(store: OpenStore) -> dict[str, str]:
    """Display titles by article id (`lib.corpus.titles`), once per index generation."""
    return _titles(store.folder.name, store)


@st.cache_resource(show_spinner=False, max_entries=4)
def _citations(generation: str, _store: OpenStore) -> CitationBuilder:
    return CitationBuilder(_store.articles(), _store.paragraphs())


def get_citations(store: OpenStore) -> CitationBuilder:
    """Cites the index's paragraphs (`lib.corpus.citations`), built once per index generation."""
    return _citations(store.folder.name, store)


@st.cache_data(show_spinner=False, max_entries=4)
def _table(generation: str, name: str, _store: OpenStore) -> pd.DataFrame:
    return _store.table(name)


def get_entities(store: OpenStore) -> pd.DataFrame:
    """The index's entity mentions (`lib.entities`), read once per index generation."""
    return _table(store.folder.name, "entities", store)


@st.cache_data(show_spinner=False, max_entries=16)
def _entity_counts(
    generation: str, kinds: tuple[str, ...], copies_once: bool, _store: OpenStore
) -> pd.DataFrame:
    groups = get_copy_groups(_store) if copies_once else None
    return entity_counts(of_kinds(get_entities(_store), kinds), groups)


def get_entity_counts(store: OpenStore, kinds: tuple[str, ...], copies_once: bool) -> pd.DataFrame:
    """`lib.entities.entity_counts` of the entities of these kinds (all when none), computed once
    per index generation and choice: 200,000 entity rows are not regrouped on every click."""
    return _entity_counts(store.folder.name, kinds, copies_once, store)


@st.cache_data(show_spinner=False, max_entries=16)
def _cooccurrence(
    generation: str, kinds: tuple[str, ...], copies_once: bool, top: int, by: str, _store: OpenStore
) -> pd.DataFrame:
    groups = get_copy_groups(_store) if copies_once else None
    return cooccurrence(of_kinds(get_entities(_store), kinds), top, by, groups)


def get_cooccurrence(
    store: OpenStore, kinds: tuple[str, ...], copies_once: bool, top: int, by: str
) -> pd.DataFrame:
    """`lib.entities.cooccurrence` for these kinds, computed once per index generation and choice."""
    return _cooccurrence(store.folder.name, kinds, copies_once, top, by, store)


@st.cache_data(show_spinner=False, max_entries=4)
def _copy_groups(generation: str, _store: OpenStore) -> pd.DataFrame:
    return stored_copy_groups(_store)


def get_copy_groups(store: OpenStore) -> pd.DataFrame:
    """The copy groups the build stored (`lib.index.annotators.stored_copy_groups`), read once
    per index generation."""
    return _copy_groups(store.folder.name, store)


@st.cache_resource(show_spinner="Reading the timeline…", max_entries=8)
def _timeline(generation: str, copies_once: bool, _store: OpenStore) -> Timeline:
    return read_timeline(_store, copies_once)


def get_timeline(store: OpenStore, copies_once: bool) -> Timeline:
    """The timeline the build stored (`lib.timeline.view.read_timeline`), read once per index
    generation and copy mode and shared by sessions as it is (`cache_resource`: tens of
    thousands of mentions are not copied on every rerun; nothing changes it)."""
    return _timeline(store.folder.name, copies_once, store)


@st.cache_data(show_spinner=False, max_entries=16)
def _events_export(
    generation: str, copies_once: bool, filters: TimelineFilters, _store: OpenStore
) -> tuple[str, str]:
    timeline = get_timeline(_store, copies_once)
    events = filter_events(timeline.events, _store.articles(), filters)
    records = events_to_records(events, timeline.mentions)
    return events_for_export(events).to_csv(index=False), json.dumps(
        records, ensure_ascii=False, indent=2, default=str
    )


def get_events_export(store: OpenStore, copies_once: bool, filters: TimelineFilters) -> tuple[str, str]:
    """The filtered events as CSV and JSON text (`lib.timeline.view`), written once per index
    generation, copy mode and filters: thousands of events are not serialised on every rerun."""
    return _events_export(store.folder.name, copies_once, filters, store)


@st.cache_resource(show_spinner="Loading the stance model…")
def get_stance_model(folder: str) -> StanceCrossEncoder:
    """The stance cross-encoder (`lib.stance.crossencoder`), loaded once per process."""
    return StanceCrossEncoder.load(Path(folder))


@st.cache_resource(show_spinner="Loading the pair-view model…")
def get_pair_model(encoder_name: str) -> StanceModel:
    """The gradient-boosting stance model the pair view reads paragraphs with."""
    return StanceModel.load(encoder=get_encoder(encoder_name))


@st.cache_resource(show_spinner="Reading the articles' sentences…", max_entries=4)
def _sentences(generation: str, _store: OpenStore) -> CorpusSentences:
    return corpus_sentences(_store)


def get_corpus_sentences(store: OpenStore) -> CorpusSentences:
    """Every paragraph's sentences and words (`lib.stance.verdicts`), once per index generation."""
    return _sentences(store.folder.name, store)


VERDICTS_KEPT = 256
"""Claims whose verdicts stay in memory (per index generation and stance model)."""


class _VerdictCache:
    """Verdicts already scored, most recently used last, shared by every session. Not
    `st.cache_data`: scoring draws its own progress bar, which a cached function may not touch."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.kept: OrderedDict[tuple[str, str, str], StanceResult] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> StanceResult | None:
        with self.lock:
            if key in self.kept:
                self.kept.move_to_end(key)
            return self.kept.get(key)

    def put(self, key: tuple[str, str, str], result: StanceResult) -> None:
        with self.lock:
            self.kept[key] = result
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)


@st.cache_resource
def _verdict_cache() -> _VerdictCache:
    return _VerdictCache(VERDICTS_KEPT)


def get_verdicts(
    store: OpenStore, claim: str, settings: Settings, progress: Progress | None = None
) -> StanceResult:
    """Every article's verdict on one claim (`lib.stance.verdicts`), kept per claim, index
    generation and stance model; `progress` hears how the scoring advances (only when scored)."""
    key = (claim, store.folder.name, str(settings.stance_model))
    cache = _verdict_cache()
    found = cache.get(key)
    if found is None:
        found = score_claims(
            store,
            get_encoder(store.model),
            get_stance_model(key[2]),
            [claim],
            get_copy_groups(store),
            progress=progress,
            corpus=get_corpus_sentences(store),
        )
        cache.put(key, found)
    return found


@st.cache_data(show_spinner=False, max_entries=4)
def _proposals(generation: str, _store: OpenStore) -> pd.DataFrame:
    return _store.table("proposed_claims")


def get_proposed_claims(store: OpenStore) -> pd.DataFrame:
    """Statements several articles address, proposed as claims: the table the build stored
    (`lib.stance.proposals`), read once per index generation."""
    return _proposals(store.folder.name, store)
