"""One article as the reader shows it: numbered paragraphs and the furniture removed from it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.errors import BadInputError
from lib.store.base import Store


@dataclass
class ArticleView:
    """An article's metadata, its paragraphs in order, and its removed furniture."""

    article: dict[str, str]
    paragraphs: pd.DataFrame
    furniture: pd.DataFrame

    def paragraph(self, ordinal: int) -> pd.Series | None:
        """The paragraph with this number, if the article has it."""
        found = self.paragraphs[self.paragraphs["ordinal"] == ordinal]
        return None if found.empty else found.iloc[0]


def article_view(store: Store, article_id: str) -> ArticleView:
    """Everything the reader needs for one article; raises `BadInputError` for an unknown id."""
    articles = store.articles()
    match = articles[articles["article_id"] == article_id]
    if match.empty:
        raise BadInputError(f"There is no article '{article_id}' in this corpus.")
    paragraphs = store.paragraphs()
    own = paragraphs[paragraphs["article_id"] == article_id].sort_values("ordinal").reset_index(drop=True)
    return ArticleView(match.iloc[0].to_dict(), own, store.furniture(article_id))
