"""The derived tables every index build stores: per-article `Annotator`s (time expressions,
entities), reused for unchanged articles, and `CorpusTable`s computed over the whole corpus
(copies of one story). Each analysis that must be stored with the index registers here; the
single-process and distributed builds both run these lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from lib.corpus.copies import copy_table
from lib.entities import find_entities
from lib.store.base import Store
from lib.text.embeddings import Encoder
from lib.timeline.events import find_mentions


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
    # mentions 3, entities 2: sentences from the light pipeline's splitter instead of the parser,
    # and mention vectors from the paragraph's own forward pass (lib.index.build.analyse_batch).
    Annotator("mentions", "3", "time expressions and events", find_mentions),
    Annotator("entities", "2", "people, places, organisations and groups", find_entities),
)


@dataclass(frozen=True)
class CorpusTable:
    """A table derived from the whole corpus at build time (it depends on several articles at
    once, so it is recomputed by every build that changes an article): `compute(articles,
    paragraphs)` returns its rows; bump `version` when its output would change."""

    name: str
    version: str
    description: str
    compute: Callable[[pd.DataFrame, pd.DataFrame], pd.DataFrame]


CORPUS_TABLES: tuple[CorpusTable, ...] = (
    CorpusTable("copies", "1", "copies of one story (exact, near, abridged) and their groups", copy_table),
)


def stored_copy_groups(store: Store) -> pd.DataFrame:
    """The copy groups the build stored (`lib.corpus.copies.copy_table`: every article, its group,
    and for a copy what it copies): the one place pages and commands read them from."""
    return store.table("copies")
