"""Entities: the people, places, organisations and groups each paragraph names, with one
normalised name per entity so "Kim", "Kim Jong Un" and "Kim Jong-un's" count together.

Found per article at index time (the `entities` annotator), so they are stored with the index
and reused for unchanged articles. Normalisation is deliberately simple and explainable
(docs/entities.md): spelling variants are unified everywhere (`normalise_name`), and a
person's short name is folded into their full name only inside one article, and only when
that article names exactly one full name it can stand for (`fold_short_names`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lib.corpus.copies import story_of
from lib.errors import BadInputError
from lib.text.embeddings import Encoder
from lib.text.nlp import parse_texts

KINDS: dict[str, str] = {
    "PERSON": "person",
    "GPE": "place",
    "LOC": "place",
    "ORG": "organisation",
    "NORP": "group",
}
"""spaCy labels kept, and the kind of entity each one is."""
ENTITY_COLUMNS = ["article_id", "paragraph_id", "start", "end", "text", "label", "kind", "name"]
COUNT_COLUMNS = ["name", "kind", "mentions", "articles", "paragraphs", "article_ids"]
_POSSESSIVE = re.compile(r"[’']s?$")
_THE = re.compile(r"^the\s+", re.IGNORECASE)
_INITIALISM = re.compile(r"(?:[A-Z]\.)+[A-Z]?")
_NOT_IN_NAMES = re.compile(r"[^\w\s&.'’\-‐‑–]")
_EDGE_PUNCTUATION = " \t\n\"“”‘’'.,;:!?()[]"


def normalise_name(text: str) -> str:
    """One spelling per name: no possessive or leading "the", hyphens and runs of spaces as
    one space, initialisms without dots, all-lowercase words capitalised, and nothing but
    letters, digits, spaces and & . ' kept (so a name is plain text wherever it is shown).

    "Kim Jong-un's" → "Kim Jong Un", "the U.S." → "US", "kim jong un" → "Kim Jong Un".
    Used for stored entities, event actors and the names a user types alike.
    """
    name = _NOT_IN_NAMES.sub("", text).strip().strip(_EDGE_PUNCTUATION)
    name = _POSSESSIVE.sub("", name) if re.search(r"\w[’']s?$", name) else name
    name = _THE.sub("", name.strip())
    words = []
    for part in re.split(r"[\s\-‐‑–]+", name):
        part = part.strip(_EDGE_PUNCTUATION) if not _INITIALISM.fullmatch(part) else part.replace(".", "")
        if part:
            words.append(part[:1].upper() + part[1:] if part.islower() else part)
    return " ".join(words)


def fold_short_names(names: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For the (name, kind) pairs of one article, the full name each short form stands for.

    A short form is the first or last words of a longer person's name ("Kim" of "Kim Jong Un",
    "Trump" of "Donald Trump"). It folds into the longest such name when that name is the
    only candidate; when two full names share it ("Kim" with "Kim Jong Un" and "Kim Yo Jong")
    it stays as written. Only people fold: the first words of a place or organisation are
    usually another one ("UN" of "UN Security Council"). Other names map to themselves.
    """
    pairs = set(names)
    folded = {}
    for name, kind in pairs:
        words = name.split()
        longer = [o for o, k in pairs if k == kind == "person" and _extends(o.split(), words)]
        widest = [c for c in longer if not any(_extends(o.split(), c.split()) for o in longer)]
        folded[(name, kind)] = widest[0] if len(widest) == 1 else name
    return folded


def _extends(full: list[str], short: list[str]) -> bool:
    """Whether `short` is the first or last words of the longer `full`."""
    n = len(short)
    return 0 < n < len(full) and (full[:n] == short or full[-n:] == short)


def find_entities(articles: pd.DataFrame, paragraphs: pd.DataFrame, encoder: Encoder) -> pd.DataFrame:
    """The entities named in the paragraphs (the annotator; `encoder` is unused): one row per
    mention with its offsets in the paragraph, spaCy label, kind and normalised `name`."""
    return entities_from_docs(paragraphs, parse_texts(paragraphs["text"].tolist()))


def entities_from_docs(paragraphs: pd.DataFrame, docs: Sequence[Any]) -> pd.DataFrame:
    """Entity mentions of parsed paragraphs (spaCy docs in paragraph order), named with
    `normalise_name` and short forms folded per article. Spans without a capital letter
    ("wolf" read as a person) are the small model's noise and left out."""
    rows = []
    for para, doc in zip(paragraphs.itertuples(), docs, strict=True):
        for ent in doc.ents:
            kind = KINDS.get(ent.label_)
            name = normalise_name(ent.text) if kind else ""
            if not name or not any(c.isupper() for c in ent.text):
                continue
            rows.append(
                {
                    "article_id": para.article_id,
                    "paragraph_id": para.paragraph_id,
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "text": ent.text,
                    "label": ent.label_,
                    "kind": kind,
                    "name": name,
                }
            )
    found = pd.DataFrame(rows, columns=ENTITY_COLUMNS)
    for _, own in found.groupby("article_id", sort=False):
        folded = fold_short_names(zip(own["name"], own["kind"], strict=True))
        found.loc[own.index, "name"] = [folded[p] for p in zip(own["name"], own["kind"], strict=True)]
    return found.astype({"start": int, "end": int})


# ---- tables over the stored entities --------------------------------------------------------


def of_kinds(entities: pd.DataFrame, kinds: Iterable[str]) -> pd.DataFrame:
    """The entity mentions of these kinds ("person", "place", ...); all of them when none given."""
    chosen = list(kinds)
    return entities[entities["kind"].isin(chosen)] if chosen else entities


def entity_counts(entities: pd.DataFrame, groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Mentions per entity across the corpus, most mentioned first.

    Columns: name, kind (its most frequent kind), mentions, articles, paragraphs,
    article_ids. With copy `groups` (lib.corpus.copies) a story and its copies count once: each
    group contributes its member with the most mentions, and `articles` counts stories.
    """
    if entities.empty:
        return pd.DataFrame(columns=COUNT_COLUMNS)
    keyed = entities.assign(_story=_stories(entities, groups))
    per_article = keyed.groupby(["name", "_story", "article_id"]).agg(
        mentions=("paragraph_id", "size"), paragraphs=("paragraph_id", "nunique")
    )
    per_story = per_article.groupby(level=["name", "_story"]).max()
    counts = per_story.groupby(level="name").agg(
        mentions=("mentions", "sum"), paragraphs=("paragraphs", "sum"), articles=("mentions", "size")
    )
    counts["kind"] = _main_kind(entities)
    named_in = entities.drop_duplicates(["name", "article_id"]).sort_values(["name", "article_id"])
    counts["article_ids"] = named_in.groupby("name")["article_id"].agg(list)  # sorted, once each
    counts = counts.reset_index().sort_values(
        ["mentions", "articles", "name"], ascending=[False, False, True]
    )
    return counts[COUNT_COLUMNS].reset_index(drop=True)


def article_counts(entities: pd.DataFrame) -> pd.DataFrame:
    """Mentions per entity in each article (name, kind, article_id, mentions), most first."""
    columns = ["article_id", "name", "kind", "mentions"]
    if entities.empty:
        return pd.DataFrame(columns=columns)
    counts = entities.groupby(["article_id", "name"]).size().rename("mentions").reset_index()
    counts["kind"] = counts["name"].map(_main_kind(entities))
    return counts.sort_values(["article_id", "mentions", "name"], ascending=[True, False, True])[
        columns
    ].reset_index(drop=True)


MAX_GRID_COLUMNS = 30
"""Columns the mentions heatmap shows one article each; past that, outlets or months."""


@dataclass(frozen=True)
class MentionGrid:
    """The top entities' mentions as a heatmap: `mentions` (entities x columns), a readable
    label per column, and what a column is (`by`: "article", "outlet" or "month")."""

    by: str
    mentions: pd.DataFrame
    labels: list[str]


def mention_grid(
    entities: pd.DataFrame,
    names: Sequence[str],
    articles: pd.DataFrame,
    titles: dict[str, str],
    max_columns: int = MAX_GRID_COLUMNS,
) -> MentionGrid:
    """Mentions of `names` in each article while they fit as columns; beyond `max_columns`
    articles, summed per outlet (when the articles have 2 to `max_columns` sources) or per month
    of publication ("undated" for the rest), so the chart reads at 5,000 articles."""
    counts = article_counts(entities[entities["name"].isin(names)])
    chosen = articles[articles["article_id"].isin(counts["article_id"])]
    sources = chosen["source"].fillna("").astype(str)
    if chosen["article_id"].nunique() <= max_columns:
        by, column = "article", dict(zip(chosen["article_id"], chosen["article_id"], strict=True))
    elif 2 <= sources[sources != ""].nunique() <= max_columns:
        outlets = sources.replace("", "(no source)")
        by, column = "outlet", dict(zip(chosen["article_id"], outlets, strict=True))
    else:
        months = chosen["published"].fillna("").astype(str).str[:7].replace("", "undated")
        by, column = "month", dict(zip(chosen["article_id"], months, strict=True))
    grid = (
        counts.assign(column=counts["article_id"].map(column))
        .pivot_table(index="name", columns="column", values="mentions", aggfunc="sum", fill_value=0)
        .reindex(list(names))
        .fillna(0)
        .astype(int)
    )
    if by == "month":
        grid = grid[sorted(grid.columns, key=lambda c: (c == "undated", c))]
    labels = [f"{c} · {titles.get(c, c)}"[:40] if by == "article" else str(c) for c in grid.columns]
    return MentionGrid(by, grid, labels)


def cooccurrence(
    entities: pd.DataFrame,
    top_n: int = 20,
    by: str = "paragraph",
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pairs of the `top_n` most mentioned entities named together, with how often: in how many
    paragraphs (`by="paragraph"`) or articles (`by="article"`) both appear. With copy `groups`
    a story and its copies count once (the member where the pair is most frequent).

    Columns: a, b (a < b), together; most frequent first.
    """
    if by not in ("paragraph", "article"):
        raise BadInputError(f"Count pairs by 'paragraph' or 'article', not '{by}'.")
    columns = ["a", "b", "together"]
    top = entity_counts(entities, groups)["name"].head(top_n).tolist()
    chosen = entities[entities["name"].isin(top)]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    unit = "paragraph_id" if by == "paragraph" else "article_id"
    units = chosen.drop_duplicates([unit, "name"])
    pairs = units.merge(units[[unit, "name"]], on=unit, suffixes=("_a", "_b"))
    pairs = pairs[pairs["name_a"] < pairs["name_b"]]
    pairs = pairs.assign(_story=_stories(pairs, groups))
    per_article = pairs.groupby(["name_a", "name_b", "_story", "article_id"]).size()
    together = per_article.groupby(level=["name_a", "name_b", "_story"]).max().groupby(level=[0, 1]).sum()
    out = together.rename("together").reset_index().rename(columns={"name_a": "a", "name_b": "b"})
    return out.sort_values(["together", "a", "b"], ascending=[False, True, True])[columns].reset_index(
        drop=True
    )


def paragraphs_with(entities: pd.DataFrame, names: Iterable[str]) -> list[str]:
    """Ids of the paragraphs that mention any of `names` (normalised names), sorted."""
    wanted = set(names)
    return sorted(set(entities.loc[entities["name"].isin(wanted), "paragraph_id"]))


def entity_paragraphs(entities: pd.DataFrame, paragraphs: pd.DataFrame, name: str) -> pd.DataFrame:
    """The paragraphs naming one entity, in article order, with how it is written there.

    Columns: paragraph_id, article_id, ordinal, text, written (the forms used, e.g. "Kim").
    """
    own = entities[entities["name"] == name]
    written = own.groupby("paragraph_id")["text"].agg(lambda forms: sorted(set(forms)))
    found = paragraphs[paragraphs["paragraph_id"].isin(written.index)]
    found = found.assign(written=found["paragraph_id"].map(written))
    return found.sort_values(["article_id", "ordinal"])[
        ["paragraph_id", "article_id", "ordinal", "text", "written"]
    ].reset_index(drop=True)


def names_in_spans(entities: pd.DataFrame, spans: pd.DataFrame) -> list[list[str]]:
    """For each span (paragraph_id, start, end: character offsets in the paragraph), the names
    of the entities that start inside it, sorted (e.g. the entities of an event's sentence).
    One join on the paragraph id, so thousands of spans cost milliseconds."""
    pairs = spans[["paragraph_id", "start", "end"]].reset_index(drop=True).rename_axis("span").reset_index()
    pairs = pairs.merge(
        entities[["paragraph_id", "start", "name"]].rename(columns={"start": "at"}), on="paragraph_id"
    )
    inside = pairs[(pairs["at"] >= pairs["start"]) & (pairs["at"] < pairs["end"])]
    found = inside.groupby("span")["name"].agg(lambda names: sorted(set(names)))
    return [found.get(i, []) for i in range(len(spans))]


def resolve_names(entities: pd.DataFrame, asked: Iterable[str]) -> list[str]:
    """The stored names for what a user typed (normalised, case ignored); raises
    `BadInputError` naming the unknown ones, with close names to try."""
    known = {name.casefold(): name for name in entities["name"].unique()}
    resolved, unknown = [], []
    for text in asked:
        name = known.get(normalise_name(text).casefold())
        if name is None:
            unknown.append(text)
        elif name not in resolved:
            resolved.append(name)
    if unknown:
        hints = _close_names(list(known.values()), unknown)
        raise BadInputError(
            f"No entity named {', '.join(repr(u) for u in unknown)} in this corpus."
            + (f" Try: {', '.join(hints)}." if hints else " List them with `python -m lib entities`.")
        )
    return resolved


def _close_names(names: list[str], unknown: list[str], limit: int = 5) -> list[str]:
    """Stored names sharing a word with what was typed (e.g. "Kim" → "Kim Jong Un")."""
    words = {w.casefold() for text in unknown for w in normalise_name(text).split()}
    return sorted(n for n in names if words & {w.casefold() for w in n.split()})[:limit]


def _stories(frame: pd.DataFrame, groups: pd.DataFrame | None) -> list[str]:
    """Each row's story: its copy group's id, or its own article id without groups."""
    group_of = story_of(groups)
    return [group_of.get(a, a) for a in frame["article_id"]]


def _main_kind(entities: pd.DataFrame) -> pd.Series:
    """Each name's most frequent kind (ties: alphabetical), indexed by name."""
    counted = entities.groupby(["name", "kind"]).size().rename("n").reset_index()
    counted = counted.sort_values(["name", "n", "kind"], ascending=[True, False, True])
    return counted.drop_duplicates("name").set_index("name")["kind"]
