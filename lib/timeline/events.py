"""Mentions: every time expression placed in its sentence, with who is involved, a short
"who did what" title and the sentence's embedding.

Mentions are found per article at index time (the `mentions` annotator), so they are stored
and reused for unchanged articles; merging them into events needs the whole corpus and runs
at build time too, incrementally (`lib.timeline.merge`).
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of
from lib.entities import entities_from_docs
from lib.text.embeddings import Encoder
from lib.text.nlp import parse_grammar, parse_texts
from lib.timeline.titles import event_title
from lib.timex.registry import find_time_expressions

ACTOR_LABELS = ("PERSON", "GPE", "ORG", "NORP")
NOT_EVENTS = ("duration", "set", "metadata")
MENTION_COLUMNS = [
    "mention_id",
    "article_id",
    "published",
    "paragraph_id",
    "expression",
    "start",
    "end",
    "value",
    "granularity",
    "kind",
    "vague",
    "resolved",
    "start_date",
    "end_date",
    "is_end_point",
    "sentence",
    "sentence_start",
    "label",
    "actors",
    "vector",
]


def find_mentions(articles: pd.DataFrame, paragraphs: pd.DataFrame, encoder: Encoder) -> pd.DataFrame:
    """Every time expression in the paragraphs that places something in time (durations,
    sets and page metadata left out), with its article's publication date, its sentence, a
    short title (`lib.timeline.titles.event_title`, from the paragraph's full parse), the actors
    the sentence names and the sentence's vector."""
    published = {a: _day(p) for a, p in zip(articles["article_id"], articles["published"], strict=True)}
    published_iso = {a: d.isoformat() for a, d in published.items() if d}
    rows: list[dict[str, Any]] = []
    docs = parse_texts(paragraphs["text"].tolist())
    entities = entities_from_docs(paragraphs, docs)
    actors_in = {p: g for p, g in entities[entities["label"].isin(ACTOR_LABELS)].groupby("paragraph_id")}
    found_in = []
    for para, doc in zip(paragraphs.itertuples(), docs, strict=True):
        expressions = [
            (number, found)
            for number, found in enumerate(find_time_expressions(para.text, published.get(para.article_id)))
            if found.kind not in NOT_EVENTS
        ]
        if expressions:
            found_in.append((para, doc, expressions))
    # Titles read the grammar, which the light parse leaves out: parse only these paragraphs.
    grammars = parse_grammar([para.text for para, _, _ in found_in])
    for (para, doc, expressions), grammar in zip(found_in, grammars, strict=True):
        for number, found in expressions:
            sentence = next((s for s in doc.sents if s.start_char <= found.start < s.end_char), doc[:])
            actors = _names_between(actors_in.get(para.paragraph_id), sentence.start_char, sentence.end_char)
            rows.append(
                {
                    "mention_id": f"{para.paragraph_id}#{number}",
                    "article_id": para.article_id,
                    "published": published_iso.get(para.article_id, ""),
                    "paragraph_id": para.paragraph_id,
                    "expression": found.text,
                    "start": found.start,
                    "end": found.end,
                    "value": found.value,
                    "granularity": found.granularity,
                    "kind": found.kind,
                    "vague": bool(found.vague),
                    "resolved": bool(found.resolved),
                    "start_date": found.start_date.isoformat() if found.start_date else "",
                    "end_date": found.end_date.isoformat() if found.end_date else "",
                    "is_end_point": bool(found.is_end_point),
                    "sentence": sentence.text.strip(),
                    "sentence_start": sentence.start_char,
                    "label": event_title(grammar, found.start, found.end),
                    "actors": actors,
                }
            )
    mentions = pd.DataFrame(rows, columns=MENTION_COLUMNS[:-1])
    # A sentence with several time expressions is encoded once.
    unique = list(dict.fromkeys(mentions["sentence"]))
    vectors = encoder.encode(unique) if unique else np.zeros((0, encoder.dim))
    packed = {sentence: pack_vector(v) for sentence, v in zip(unique, vectors, strict=True)}
    mentions["vector"] = [packed[sentence] for sentence in mentions["sentence"]]
    return mentions


def _names_between(named: pd.DataFrame | None, start: int, end: int) -> list[str]:
    """The normalised names of a paragraph's entities that start in [start, end)."""
    if named is None:
        return []
    return sorted(set(named.loc[(named["start"] >= start) & (named["start"] < end), "name"]))


def pack_vector(vector: np.ndarray) -> str:
    """A sentence vector as compact text (float16, base64) for the index's tables."""
    return base64.b64encode(np.asarray(vector, dtype=np.float16).tobytes()).decode("ascii")


def unpack_vectors(packed: pd.Series) -> np.ndarray:
    """The inverse of `pack_vector` for a column of packed vectors → float32 rows."""
    if packed.empty:
        return np.zeros((0, 0), dtype=np.float32)
    rows = [np.frombuffer(base64.b64decode(v), dtype=np.float16) for v in packed]
    return np.vstack(rows).astype(np.float32)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


EVENT_COLUMNS = [
    "event_id",
    "value",
    "start_date",
    "end_date",
    "granularity",
    "is_end_point",
    "vague",
    "label",
    "sentence",
    "n_articles",
    "n_stories",
    "articles",
    "mention_ids",
    "actors",
    "n_mentions",
    "first_published",
    "last_published",
]
"""The events table: an event's date is its most precise mention's (`value`, `start_date`,
`end_date`, `granularity`), as are its `label` (title) and `sentence`; `n_articles` counts the
articles telling it, `n_stories` counts a story and its copies once; `first_published` and
`last_published` bound when it was reported."""
_FINENESS = {"day": 0, "week": 1, "month": 2, "season": 3, "quarter": 3, "year": 4, "range": 5, "decade": 6}


def events_table(
    mentions: pd.DataFrame,
    event_of: np.ndarray,
    placed: np.ndarray,
    groups: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The events table (`EVENT_COLUMNS`) from mentions and each one's event (any integer
    label per event, row-aligned), vectorised: an event takes the date, title and sentence of
    its finest placed mention (then by article, then position); with copy `groups`
    (lib.corpus.copies) `n_stories` counts a story and its copies once. The event id is a hash
    of its mention ids, so it is stable from build to build while its mentions are."""
    if mentions.empty:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    m = mentions.reset_index(drop=True).assign(
        _event=np.asarray(event_of),
        _placed=np.asarray(placed, dtype=bool),
        _fine=mentions["granularity"].map(_FINENESS).fillna(9).to_numpy(),
    )
    any_placed = m.groupby("_event")["_placed"].any()
    pool = m[m["_placed"] | ~m["_event"].map(any_placed)]
    lead = pool.sort_values(["_event", "_fine", "article_id", "start"], kind="stable").drop_duplicates(
        "_event"
    )
    group_of = story_of(groups)
    m["_story"] = m["article_id"].map(lambda a: group_of.get(a, a))
    g = m.groupby("_event", sort=False)
    ids = g["mention_id"].agg(sorted)
    order = ids.index
    lead = lead.set_index("_event").reindex(order)
    out = pd.DataFrame(
        {
            "event_id": [hashlib.sha1("|".join(x).encode()).hexdigest()[:12] for x in ids],
            "value": lead["value"].to_numpy(),
            "start_date": lead["start_date"].to_numpy(),
            "end_date": lead["end_date"].to_numpy(),
            "granularity": lead["granularity"].to_numpy(),
            "is_end_point": lead["is_end_point"].astype(bool).to_numpy(),
            "vague": ~any_placed.reindex(order).to_numpy(),
            "label": lead["label"].to_numpy(),
            "sentence": lead["sentence"].to_numpy(),
            "n_articles": g["article_id"].nunique().reindex(order).to_numpy(),
            "n_stories": g["_story"].nunique().reindex(order).to_numpy(),
            "articles": g["article_id"].agg(lambda s: sorted(set(s))).reindex(order).to_numpy(),
            "mention_ids": ids.to_numpy(),
            "actors": g["actors"]
            .agg(lambda s: sorted({a for names in s for a in names}))
            .reindex(order)
            .to_numpy(),
            "n_mentions": ids.map(len).to_numpy(),
            "first_published": g["published"].min().reindex(order).to_numpy(),
            "last_published": g["published"].max().reindex(order).to_numpy(),
        }
    )
    return out.reset_index(drop=True)
