"""What every store offers search and the analyses: the `Store` protocol and the `SearchFilters`
applied before a top-k is taken. The embedded store (`lib.store.embedded`) and the Milvus one
(`lib.store.milvus`) implement it; `lib.store.factory` opens the configured one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions applied before the top-k is taken (so results never silently vanish)."""

    articles: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    paragraph_ids: tuple[str, ...] | None = None
    """Only these paragraphs (the entity filter: those naming the chosen entities); None: all."""

    @property
    def active(self) -> bool:
        return (
            bool(self.articles or self.sources or self.since or self.until) or self.paragraph_ids is not None
        )


class Store(Protocol):
    """What search needs from an index backend (embedded default; scale-out engines later)."""

    model: str

    def articles(self) -> pd.DataFrame: ...
    def paragraphs(self) -> pd.DataFrame: ...
    def dense_search(
        self, query_vectors: np.ndarray, k: int, filters: SearchFilters
    ) -> list[pd.DataFrame]: ...
    def keyword_search(self, query: str, k: int, filters: SearchFilters) -> pd.DataFrame: ...
    def vectors_for(self, paragraph_ids: Iterable[str]) -> np.ndarray: ...
    def sentence_matches(self, query_vector: np.ndarray, paragraph_ids: Iterable[str]) -> pd.DataFrame: ...
    def idf(self, terms: Iterable[str]) -> dict[str, float]: ...
    def table(self, name: str) -> pd.DataFrame: ...
    def furniture(self, article_id: str | None = None) -> pd.DataFrame: ...
