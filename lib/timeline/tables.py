"""The timeline's derived tables, computed by every index build from the stored mentions:
`events` (mentions merged into events, incrementally: the previous build's events are taken
back and only new articles' mentions are merged into them) and `dates` (every day ranked as a
key date, with its summary sentence and title). Pages and commands only read them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.entities import names_in_spans
from lib.timeline.events import events_table, unpack_vectors
from lib.timeline.keyevents import key_dates
from lib.timeline.merge import EventIndex, MergeRules, single_threaded_blas

ARTICLES_PER_ADD = 64
"""Articles whose mentions are merged in one `EventIndex.add` (a build batch): fewer, larger
products than one article at a time (9.6 s instead of 24 s CPU at 5,000 articles)."""


def merge_events(
    mentions: pd.DataFrame,
    entities: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    previous: pd.DataFrame | None = None,
    rules: MergeRules | None = None,
) -> pd.DataFrame:
    """The `events` table (`lib.timeline.events.EVENT_COLUMNS` plus `entities`, the names each
    event's sentences name) of the stored `mentions`. With the `previous` build's events, whose
    mentions must all still be there, those events are restored as they were and only the other
    mentions are merged into them; otherwise everything is merged from scratch, in article
    order, `ARTICLES_PER_ADD` articles at a time."""
    mentions = mentions.reset_index(drop=True)
    if mentions.empty:
        return events_table(mentions, np.zeros(0), np.zeros(0)).assign(entities=[])
    vectors = unpack_vectors(mentions["vector"])
    index = EventIndex(vectors.shape[1], rules)
    members: list[list[str]] = [] if previous is None else previous["mention_ids"].tolist()
    earlier = {m for ids in members for m in ids}
    held = mentions["mention_id"].isin(earlier)
    if int(held.sum()) != len(earlier):  # an earlier mention is gone: start again
        held[:] = False
    with single_threaded_blas():
        if held.any():
            index.restore(mentions[held], vectors[held.to_numpy()], members)
        fresh = mentions[~held]
        order = list(dict.fromkeys(fresh["article_id"]))
        for lo in range(0, len(order), ARTICLES_PER_ADD):
            batch = fresh[fresh["article_id"].isin(order[lo : lo + ARTICLES_PER_ADD])]
            index.add(batch, vectors[batch.index.to_numpy()])
    events = index.events(groups)
    return events.assign(entities=event_entities(events, index.mentions(), entities))


def event_entities(events: pd.DataFrame, mentions: pd.DataFrame, entities: pd.DataFrame) -> list[list[str]]:
    """For each event, the entities named in any of its mentions' sentences, sorted."""
    if events.empty or "name" not in entities.columns:
        return [[] for _ in range(len(events))]
    spans = mentions[["mention_id", "paragraph_id", "sentence_start", "sentence"]].assign(
        start=mentions["sentence_start"].astype(int),
        end=mentions["sentence_start"].astype(int) + mentions["sentence"].str.len(),
    )
    named = dict(zip(spans["mention_id"], names_in_spans(entities, spans), strict=True))
    return [sorted({n for m in ids for n in named.get(m, [])}) for ids in events["mention_ids"]]


def rank_dates(
    mentions: pd.DataFrame, articles: pd.DataFrame, events: pd.DataFrame, groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The `dates` table (`lib.timeline.keyevents.key_dates`): every day named or published on,
    scored and ranked, with its summary sentence, title and event."""
    mentions = mentions.reset_index(drop=True)
    event_of = {m: e for e, ids in zip(events["event_id"], events["mention_ids"], strict=True) for m in ids}
    return key_dates(mentions, articles, unpack_vectors(mentions["vector"]), event_of, groups)
