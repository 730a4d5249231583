"""Citations: where a quoted passage comes from, as one line of plain text an analyst pastes into
a memo. The search hits, stance quotes and timeline sources of the pages and commands, and every
statement of a brief, are cited with it.

    “Even though the Singapore Summit was a debacle, …” — NK News (opinion), “After the
    Pyongyang debacle, it's not clear where U.S. policy goes from here”, 2018-07-09, paragraph 12

The quote, then the outlet, the title (an untitled article gets the label Dossier shows for it,
by its first words), the publication date, the paragraph number and, when known, the URL.
Missing metadata is said ("source unknown", "date unknown"), never invented.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lib.corpus.titles import display_title, lead_texts
from lib.errors import BadInputError

UNKNOWN_OUTLET = "source unknown"
UNKNOWN_DATE = "date unknown"


@dataclass(frozen=True)
class Citation:
    """One quoted passage and where it is: the paragraph (`paragraph_id`, its number `ordinal`
    in the article) and the article's metadata as stored ("" when unknown)."""

    paragraph_id: str
    article_id: str
    ordinal: int
    outlet: str
    title: str
    """The article's title, or its untitled label (its first words, marked as having no title)."""
    titled: bool
    published: str
    url: str
    quote: str

    @property
    def source(self) -> str:
        """The article as a source, without the quote: outlet, title, date and URL (a brief's
        sources list)."""
        title = f"“{self.title}”" if self.titled else self.title
        parts = [self.outlet or UNKNOWN_OUTLET, title, self.published or UNKNOWN_DATE, self.url]
        return ", ".join(part for part in parts if part)

    @property
    def text(self) -> str:
        """The whole citation: the quote, then where it is (outlet, title, date, paragraph, URL)."""
        where = [
            self.outlet or UNKNOWN_OUTLET,
            f"“{self.title}”" if self.titled else self.title,
            self.published or UNKNOWN_DATE,
            f"paragraph {self.ordinal}",
            self.url,
        ]
        return f"“{self.quote}” — " + ", ".join(part for part in where if part)


class CitationBuilder:
    """Cites paragraphs of one index: built once from its articles and paragraphs tables, then
    `cite(paragraph_id, quote)` for each passage."""

    def __init__(self, articles: pd.DataFrame, paragraphs: pd.DataFrame) -> None:
        columns = ["article_id", "title", "source", "url", "published"]
        self._articles = articles.reindex(columns=columns).fillna("").set_index("article_id")
        self._paragraphs = paragraphs[["paragraph_id", "article_id", "ordinal", "text"]].set_index(
            "paragraph_id"
        )
        self._leads = lead_texts(articles, paragraphs)

    def cite(self, paragraph_id: str, quote: str | None = None) -> Citation:
        """The citation of `quote` (a sentence or a few of the paragraph; the whole paragraph when
        None). Raises `BadInputError` for a paragraph this index does not hold."""
        if paragraph_id not in self._paragraphs.index:
            raise BadInputError(f"There is no paragraph '{paragraph_id}' in this index.")
        paragraph = self._paragraphs.loc[paragraph_id]
        article_id = str(paragraph["article_id"])
        article = self._articles.loc[article_id]
        title = str(article["title"]).strip()
        return Citation(
            paragraph_id=paragraph_id,
            article_id=article_id,
            ordinal=int(paragraph["ordinal"]),
            outlet=str(article["source"]).strip(),
            title=title or display_title("", lead=self._leads.get(article_id, "")),
            titled=bool(title),
            published=str(article["published"]).strip(),
            url=str(article["url"]).strip(),
            quote=" ".join(str(paragraph["text"] if quote is None else quote).split()),
        )
