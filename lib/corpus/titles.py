"""What to call an article wherever it is listed: its own title, or, when it has none, where and
when it appeared and its first words, marked as having no title. Dossier never invents a title."""

from __future__ import annotations

import pandas as pd

LEAD_WORDS = 8
"""Words of the first paragraph shown for an untitled article."""
NO_TITLE = "(no title)"


def display_title(title: str, source: str = "", published: str = "", lead: str = "") -> str:
    """The title, or e.g. `CNN, 2019-05-10: “It used to be North Korea that…” (no title)`."""
    if title and str(title).strip():
        return str(title).strip()
    where = ", ".join(str(part) for part in (source, published) if part and str(part).strip())
    words = str(lead or "").split()
    opening = f"“{' '.join(words[:LEAD_WORDS])}{'…' if len(words) > LEAD_WORDS else ''}”" if words else ""
    label = ": ".join(part for part in (where, opening) if part)
    return f"{label} {NO_TITLE}" if label else NO_TITLE


def lead_texts(articles: pd.DataFrame, paragraphs: pd.DataFrame | None = None) -> dict[str, str]:
    """Each article's opening text, for naming an untitled one: its first body paragraph in
    `paragraphs` (or, for articles not indexed yet, their text)."""
    if paragraphs is None and "text" in articles.columns:  # files not indexed yet: their raw text
        return dict(zip(articles["article_id"], articles["text"].fillna(""), strict=True))
    if paragraphs is not None and not paragraphs.empty:
        body = paragraphs[paragraphs["kind"] == "body"].sort_values(["article_id", "ordinal"])
        return body.drop_duplicates("article_id").set_index("article_id")["text"].to_dict()
    return {}


def article_titles(articles: pd.DataFrame, paragraphs: pd.DataFrame | None = None) -> dict[str, str]:
    """Display titles by article id, in corpus order (for pickers, labels and commands); an
    untitled article's first words come from `lead_texts`."""
    leads = lead_texts(articles, paragraphs)
    return {
        a: display_title(t, s, p, leads.get(a, ""))
        for a, t, s, p in zip(
            articles["article_id"],
            articles["title"].fillna(""),
            articles["source"].fillna(""),
            articles["published"].fillna(""),
            strict=True,
        )
    }
