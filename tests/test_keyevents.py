"""Key dates (selection, summaries, the dates table) on small hand-made sets, and the incremental
merge: the same events whether mentions arrive at once, one article at a time, or restored from
an earlier build and extended."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from lib.timeline.events import pack_vector
from lib.timeline.keyevents import (
    DateWeights,
    date_f1,
    date_features,
    key_dates,
    knee_count,
    pubcount_dates,
    score_dates,
    select_dates,
    summarise_date,
    top_key_dates,
)
from lib.timeline.merge import EventIndex, IndexSettings, MergeRules
from lib.timeline.tables import merge_events


def mention(article, published, day, sentence="s", line=0, granularity="day", kind="date", value=None):
    end = "2020-01-31" if granularity == "month" else day
    return {
        "mention_id": f"{article}:{line}#{day}",
        "article_id": article,
        "published": published,
        "paragraph_id": f"{article}:{line}",
        "sentence_start": 0,
        "sentence": sentence,
        "expression": day,
        "start": 0,
        "end": 1,
        "value": value or day,
        "granularity": granularity,
        "kind": kind,
        "vague": False,
        "resolved": True,
        "start_date": day,
        "end_date": end,
        "is_end_point": False,
        "label": f"title of {article}",
        "actors": [],
    }


def articles_of(rows):
    published = {r["article_id"]: r["published"] for r in rows}
    return pd.DataFrame({"article_id": list(published), "published": list(published.values()), "source": "x"})


def test_date_f1_is_tilse_evaluate_dates():
    scores = date_f1(["2020-01-01", "2020-01-02"], ["2020-01-02", "2020-01-03", "2020-01-04"])
    assert scores == pytest.approx({"precision": 0.5, "recall": 1 / 3, "f1": 0.4})
    assert date_f1([], ["2020-01-01"])["f1"] == 0


def test_after_the_fact_references_outweigh_same_day_reports_and_announcements():
    rows = [
        mention("a1", "2020-03-02", "2020-02-12"),  # "the 12 February massacre", recalled later
        mention("a2", "2020-03-05", "2020-02-12"),
        mention("b1", "2020-02-20", "2020-02-20"),  # same-day reporting
        mention("b2", "2020-02-20", "2020-02-20", line=1),
        mention("b2", "2020-02-20", "2020-02-20", line=2),  # one article naming a day twice counts once
        mention("c1", "2020-02-01", "2020-02-25"),  # announced ahead
        mention("c2", "2020-02-02", "2020-02-25"),
        mention("c3", "2020-02-03", "2020-02-25"),
    ]
    features = date_features(pd.DataFrame(rows), articles_of(rows)).set_index("day")
    assert features.loc["2020-02-12", "n_after"] == 2 and features.loc["2020-02-20", "n_same"] == 2
    assert features.loc["2020-02-25", "n_before"] == 3 and features.loc["2020-02-20", "n_articles"] == 2
    scores = score_dates(features.reset_index(), DateWeights(published=0))
    assert scores["2020-02-12"] > scores["2020-02-25"] > 0 and scores["2020-02-12"] > scores["2020-02-20"]


def test_months_and_years_are_never_key_dates():
    rows = [
        mention(f"a{i}", "2020-03-01", "2020-01-01", granularity="month", value="2020-01") for i in range(5)
    ]
    rows.append(mention("b", "2020-03-01", "2020-02-02"))
    features = date_features(pd.DataFrame(rows), articles_of(rows))
    assert features.loc[features["n_articles"] > 0, "day"].tolist() == ["2020-02-02"]


def test_select_dates_keeps_the_window_and_the_count_and_pubcount_counts_publications():
    scores = pd.Series({"2020-01-01": 5.0, "2020-01-02": 4.0, "2020-01-03": 3.0, "2020-02-01": 9.0})
    assert select_dates(scores, 2, "2020-01-01", "2020-01-31") == ["2020-01-01", "2020-01-02"]
    articles = pd.DataFrame({"article_id": list("abcd"), "published": ["2020-01-02"] * 3 + ["2020-01-01"]})
    assert pubcount_dates(articles, 1) == ["2020-01-02"]
    assert 5 <= knee_count([100, 90, 5, 4, 3, 2, 1, 1, 1, 1, 1]) <= 40


def test_a_summary_is_the_centroid_sentence_and_skips_page_furniture():
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 0, 1], [0.95, 0.05, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    sentences = [
        "The rig exploded and sank in the gulf overnight.",
        "The rig exploded in the gulf, killing eleven workers.",
        "Officials met in the capital to discuss the budget.",
        "Page last updated at 05:32 GMT, Thursday, 22 April 2010 the rig exploded.",
    ]
    assert summarise_date(sentences, vectors, 1) in ([0], [1])
    assert 3 not in summarise_date(sentences, vectors, 3)  # a page timestamp is never chosen
    assert len(summarise_date(sentences[:2], vectors[:2], 2)) == 1  # near-duplicates say one thing


def test_the_dates_table_ranks_days_and_the_page_takes_the_best_in_date_order():
    rows = [
        mention(f"a{i}", "2020-03-02", "2020-02-12", sentence=f"The thing happened in town number {i} today.")
        for i in range(3)
    ]
    rows.append(mention("b", "2020-02-20", "2020-02-20", sentence="Something else was reported on that day."))
    mentions = pd.DataFrame(rows)
    vectors = np.random.default_rng(0).normal(size=(len(mentions), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    event_of = {rows[0]["mention_id"]: "e1"}
    table = key_dates(mentions, articles_of(rows), vectors, event_of).set_index("day")
    top = table.loc["2020-02-12"]
    assert top["rank"] == 1 and top["n_articles"] == 3 and top["summary"].startswith("The thing happened")
    assert top["title"].startswith("title of a")
    assert table.loc["2020-03-02", "n_published"] == 3 and table.loc["2020-03-02", "summary"] == ""
    chosen = top_key_dates(table.reset_index(), 2)
    assert chosen["day"].tolist() == sorted(chosen["day"]) and "2020-02-12" in chosen["day"].tolist()


def test_copies_of_one_story_count_once_in_the_ranking():
    rows = [mention(a, "2020-03-02", "2020-02-12") for a in ("orig", "copy1", "copy2")]
    rows.append(mention("x", "2020-03-02", "2020-02-13"))
    rows.append(mention("y", "2020-03-02", "2020-02-13"))
    groups = pd.DataFrame(
        {"article_id": ["orig", "copy1", "copy2", "x", "y"], "group": ["orig", "orig", "orig", "x", "y"]}
    )
    vectors = np.eye(len(rows), 8, dtype=np.float32)
    table = key_dates(pd.DataFrame(rows), articles_of(rows), vectors, {}, groups).set_index("day")
    assert table.loc["2020-02-12", "n_articles"] == 1 and table.loc["2020-02-13", "n_articles"] == 2
    assert table.loc["2020-02-13", "rank"] < table.loc["2020-02-12", "rank"]


# ---- the incremental merge ----------------------------------------------------------------------


def toy_mentions(n_articles=60, seed=1):
    """Articles mentioning six days and their month, with sentences clustered by day."""
    rng = np.random.default_rng(seed)
    topics = rng.normal(size=(6, 16)).astype(np.float32)
    rows, vectors = [], []
    for a in range(n_articles):
        for j in range(4):
            t = int(rng.integers(6))
            day = f"2020-01-{1 + t:02d}"
            if j < 3:
                rows.append(mention(f"art{a}", "2020-02-01", day, line=j))
            else:
                rows.append(
                    mention(
                        f"art{a}", "2020-02-01", "2020-01-01", line=j, granularity="month", value="2020-01"
                    )
                )
            v = topics[t] + rng.normal(scale=0.6, size=16).astype(np.float32)
            vectors.append(v / np.linalg.norm(v))
    return pd.DataFrame(rows), np.vstack(vectors)


def partition(labels):
    groups = {}
    for i, label in enumerate(np.asarray(labels).tolist()):
        groups.setdefault(label, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_one_batch_and_one_article_at_a_time_give_the_same_events_under_plain_single_linkage():
    mentions, vectors = toy_mentions()
    rules = MergeRules(coherent_dates=False)
    at_once = EventIndex(vectors.shape[1], rules)
    at_once.add(mentions, vectors)
    one_by_one = EventIndex(vectors.shape[1], rules)
    for _, rows in mentions.groupby("article_id", sort=False):
        one_by_one.add(rows, vectors[rows.index.to_numpy()])
    assert partition(at_once.event_of()) == partition(one_by_one.event_of())


def test_an_event_never_holds_two_different_days():
    mentions, vectors = toy_mentions()
    for batch in (len(mentions), 4):
        index = EventIndex(vectors.shape[1])
        for lo in range(0, len(mentions), batch):
            index.add(mentions.iloc[lo : lo + batch], vectors[lo : lo + batch])
        held = index.mentions().assign(event=index.event_of())
        assert (held[held["granularity"] == "day"].groupby("event")["value"].nunique() <= 1).all()


def test_a_build_that_adds_articles_extends_the_previous_events_as_an_uninterrupted_merge_would():
    mentions, vectors = toy_mentions()
    vague = []  # "recently", worded like a dated mention of another article (early and late ones)
    for a, like in (("art5", 7), ("art45", 3), ("art50", 170)):
        row = mention(a, "2020-02-01", "", line=9) | {"value": "PAST_REF", "vague": True, "resolved": False}
        vague.append((row, vectors[like] + 0.01))
    mentions = pd.concat([mentions, pd.DataFrame([r for r, _ in vague])], ignore_index=True)
    vectors = np.vstack([vectors, *[v / np.linalg.norm(v) for _, v in vague]])
    mentions = mentions.assign(vector=[pack_vector(v) for v in vectors])
    entities = pd.DataFrame(columns=["paragraph_id", "start", "name"])
    whole = merge_events(mentions, entities)
    first = mentions[mentions["article_id"].isin({f"art{a}" for a in range(40)})]
    earlier = merge_events(first, entities)
    extended = merge_events(mentions, entities, previous=earlier)
    joined = whole[whole["mention_ids"].map(lambda ids: any(m.startswith("art45:9#") for m in ids))]
    assert joined["n_mentions"].item() > 1 and not joined["vague"].item()  # "recently" joined a dated event
    assert {frozenset(ids) for ids in extended["mention_ids"]} == {
        frozenset(ids) for ids in whole["mention_ids"]
    }
    # an earlier mention gone (an article removed or changed): merged again from scratch
    fewer = mentions[mentions["article_id"] != "art0"]
    again = merge_events(fewer, entities, previous=earlier)
    assert {frozenset(ids) for ids in again["mention_ids"]} == {
        frozenset(ids) for ids in merge_events(fewer, entities)["mention_ids"]
    }


def test_vector_lists_keep_the_merge_close_to_exact():
    mentions, vectors = toy_mentions(200)
    exact = EventIndex(vectors.shape[1])
    approximate = EventIndex(vectors.shape[1], settings=IndexSettings(ivf_min=200, per_list=20, probes=4))
    for _, rows in mentions.groupby("article_id", sort=False):
        exact.add(rows, vectors[rows.index.to_numpy()])
        approximate.add(rows, vectors[rows.index.to_numpy()])
    assert approximate.centroids is not None
    assert adjusted_rand_score(exact.event_of(), approximate.event_of()) > 0.9
