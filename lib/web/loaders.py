"""Cached loaders: every heavy object (models, the open index) in `st.cache_resource`, every
table read or computed from an index generation in `st.cache_data`, keyed by that generation so
a rebuild is picked up at once.

Pages get shared objects from here (never from session state only `app.py` sets), so each page
also runs on its own, as `AppTest.from_file("pages/x.py")` does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from lib.corpus.citations import CitationBuilder
from lib.corpus.library import Library, list_articles
from lib.corpus.titles import article_titles
from lib.errors import IndexMissingError
from lib.index.annotators import stored_copy_groups
from lib.index.build import IndexStatus, index_status
from lib.index.update import configured_encoder
from lib.settings import Settings, load_settings
from lib.stance.model import StanceModel
from lib.stance.verdicts import StanceResult, candidate_claims, score_claims
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
    files = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for folder in settings.corpus_dirs
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.is_file()
    )
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
def get_stance_model(encoder_name: str) -> StanceModel:
    """The stance model, loaded once per process with the index's encoder."""
    return StanceModel.load(encoder=get_encoder(encoder_name))


@st.cache_data(show_spinner=False, max_entries=256)
def _verdicts(claim: str, generation: str, _store: OpenStore) -> StanceResult:
    model = get_stance_model(_store.model)
    return score_claims(_store, get_encoder(_store.model), model, [claim], get_copy_groups(_store))


def get_verdicts(store: OpenStore, claim: str) -> StanceResult:
    """Every article's verdict on one claim (`lib.stance.verdicts`), cached per claim and index
    generation."""
    return _verdicts(claim, store.folder.name, store)


@st.cache_data(show_spinner="Finding statements the articles address…", max_entries=4)
def _proposals(generation: str, _store: OpenStore) -> pd.DataFrame:
    return candidate_claims(_store)


def get_proposed_claims(store: OpenStore) -> pd.DataFrame:
    """Statements several articles address, proposed as claims, once per index generation."""
    return _proposals(store.folder.name, store)
