"""The derived tables every index build stores: per-article `Annotator`s (time expressions,
entities), reused for unchanged articles, and `CorpusTable`s computed over the whole corpus
(copies of one story, the timeline's events and key dates). Each analysis that must be stored
with the index registers here; the single-process and distributed builds both run these lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from lib.corpus.copies import copy_table
from lib.entities import find_entities
from lib.stance.proposals import proposed_claims
from lib.stance.sentences import sentence_table
from lib.store.base import Store
from lib.text.embeddings import Encoder
from lib.timeline.events import find_mentions
from lib.timeline.tables import merge_events, rank_dates


@dataclass(frozen=True)
class Annotator:
    """A table derived per article and stored in the index (time expressions, entities, ...).

    `annotate(articles, paragraphs, encoder)` gets some articles, all their paragraphs and the
    index's encoder (for annotators that compare sentences) and returns rows that each carry
    an `article_id`; bump `version` when its output would change, so stored rows are
    recomputed.
    """

    name: str
    version: str
    description: str
    annotate: Callable[[pd.DataFrame, pd.DataFrame, Encoder], pd.DataFrame]


ANNOTATORS: tuple[Annotator, ...] = (
    # Both read the same spaCy parses (lib.text.nlp.parse_texts): the second reuses the first's.
    # mentions 5 (a title always holds a word), entities 2: sentences from the light pipeline's
    # splitter instead of the parser,
    # titles from a full parse of the paragraphs with a time expression (lib.timeline.events).
    Annotator("mentions", "5", "time expressions, their sentences and titles", find_mentions),
    Annotator("entities", "2", "people, places, organisations and groups", find_entities),
    Annotator("sentences", "1", "sentences of each paragraph (spaCy), quoted by stance", sentence_table),
)


@dataclass(frozen=True)
class CorpusInputs:
    """What a corpus table is computed from: this build's articles and paragraphs, its derived
    tables so far (every annotator's, then the corpus tables listed before this one), and, for a
    table that can extend its previous result (the events merge), the previous generation's
    table of the same name: given only when that generation's analyses had the same versions
    and every article it held is still there, unchanged (otherwise None)."""

    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    tables: Mapping[str, pd.DataFrame]
    previous: pd.DataFrame | None = None


@dataclass(frozen=True)
class CorpusTable:
    """A table derived from the whole corpus at build time (it depends on several articles at
    once, so every build that changes an article computes it again, from `CorpusInputs`, or
    extends the previous one); bump `version` when its output would change."""

    name: str
    version: str
    description: str
    compute: Callable[[CorpusInputs], pd.DataFrame]
    needs: tuple[str, ...] = ()
    """The derived tables it reads: a build without one of them (a build run with fewer
    annotators) leaves this table out."""


def _copies(inputs: CorpusInputs) -> pd.DataFrame:
    return copy_table(inputs.articles, inputs.paragraphs)


def _events(inputs: CorpusInputs) -> pd.DataFrame:
    t = inputs.tables
    return merge_events(t["mentions"], t["entities"], t["copies"], inputs.previous)


def _dates(inputs: CorpusInputs) -> pd.DataFrame:
    t = inputs.tables
    return rank_dates(t["mentions"], inputs.articles, t["events"], t["copies"])


def _proposals(inputs: CorpusInputs) -> pd.DataFrame:
    return proposed_claims(inputs.articles, inputs.paragraphs, inputs.tables["copies"])


CORPUS_TABLES: tuple[CorpusTable, ...] = (
    CorpusTable("copies", "2", "copies of one story (exact, near, abridged) and their groups", _copies),
    CorpusTable(
        "events",
        "1",
        "mentions of one happening merged into events (incremental)",
        _events,
        ("mentions", "entities", "copies"),
    ),
    CorpusTable(
        "dates",
        "1",
        "days ranked as key dates, with summary sentence and title",
        _dates,
        ("mentions", "copies", "events"),
    ),
    CorpusTable(
        "proposed_claims",
        "1",
        "statements several articles take positions on",
        _proposals,
        ("copies",),
    ),
)


def corpus_tables_for(annotators: Sequence[Annotator]) -> list[CorpusTable]:
    """The corpus tables a build with these annotators computes (those whose inputs it has)."""
    available = {a.name for a in annotators}
    chosen = []
    for table in CORPUS_TABLES:
        if set(table.needs) <= available:
            chosen.append(table)
            available.add(table.name)
    return chosen


def stored_copy_groups(store: Store) -> pd.DataFrame:
    """The copy groups the build stored (`lib.corpus.copies.copy_table`: every article, its group,
    and for a copy what it copies): the one place pages and commands read them from."""
    return store.table("copies")
