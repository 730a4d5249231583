import numpy as np
import pandas as pd

from lib.entities import normalise_name as actor_name
from lib.text.nlp import load_pipeline
from lib.timeline.events import pack_vector, unpack_vectors
from lib.timeline.merge import MergeRules, merge_mentions
from lib.timeline.titles import event_title


def test_bundled_corpus_mentions_are_stored_with_provenance(bundled_store):
    mentions = bundled_store.table("mentions")
    assert {"mention_id", "paragraph_id", "expression", "value", "sentence", "actors", "vector"} <= set(
        mentions
    )
    paragraphs = bundled_store.paragraphs().set_index("paragraph_id")
    for m in mentions.itertuples():
        text = paragraphs.loc[m.paragraph_id, "text"]
        assert text[m.start : m.end] == m.expression
        assert m.sentence in text
    thursday = mentions[(mentions["article_id"] == "001") & (mentions["expression"] == "Thursday")].iloc[0]
    assert thursday["value"] == "2019-05-09"
    assert "Kim Jong Un" in thursday["actors"] and "Donald Trump" in thursday["actors"]
    assert not mentions["kind"].isin(["duration", "set", "metadata"]).any()


def test_the_missile_test_and_the_deadline_merge_across_articles(bundled_store):
    events = merge_mentions(bundled_store.table("mentions"))
    missile = events[events["value"] == "2019-05-09"]
    assert len(missile) == 1 and missile.iloc[0]["articles"] == ["000", "001"]
    deadline = events[events["value"] == "2019-12-31"]
    assert len(deadline) == 1 and deadline.iloc[0]["articles"] == ["002", "003"]
    assert deadline.iloc[0]["is_end_point"]


def test_different_happenings_are_not_merged(bundled_store):
    events = merge_mentions(bundled_store.table("mentions"))
    # Two dates in one sentence stay two events: the November 28 test and this Saturday's test.
    assert {"2019-11-28", "2019-12-07"} <= set(events["value"])
    # Year-level mentions of 2017 are about different things (threats, a united front): kept apart.
    assert (events[events["value"] == "2017"]["n_articles"] == 1).all()
    # The 2016-2020 plan in the deadline's sentence is not folded into the deadline.
    assert "2016/2020" in set(events["value"])


def toy(value, sentence_vector, article, granularity="day", vague=False, paragraph="p:1", start=0):
    return {
        "mention_id": f"{article}-{value}-{start}",
        "article_id": article,
        "published": "2019-01-02",
        "paragraph_id": paragraph,
        "expression": value,
        "start": start,
        "end": start + 1,
        "value": value,
        "granularity": granularity,
        "kind": "date",
        "vague": vague,
        "resolved": not vague,
        "start_date": "" if vague else "2019-01-01",
        "end_date": "" if vague else "2019-01-01",
        "is_end_point": False,
        "sentence": "s",
        "sentence_start": start,
        "label": "l",
        "actors": [],
        "vector": pack_vector(sentence_vector),
    }


def unit(*values):
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_merge_rules_on_toy_mentions():
    a, b, c = unit(1, 0, 0), unit(0.9, 0.1, 0), unit(0, 1, 0)
    mentions = pd.DataFrame(
        [
            toy("2019-01-01", a, "x", paragraph="x:1"),
            toy("2019-01-01", b, "y", paragraph="y:1"),  # same day, similar sentence: merges
            toy("2019-01-01", c, "z", paragraph="z:1"),  # same day, unrelated sentence: separate
            toy("PAST_REF", b, "w", vague=True, paragraph="w:1"),  # vague, near-identical sentence: joins
        ]
    )
    events = merge_mentions(mentions, MergeRules())
    assert sorted(map(tuple, events["articles"])) == [("w", "x", "y"), ("z",)]
    assert not events[events["n_articles"] == 3].iloc[0]["vague"]


def test_vectors_round_trip_compactly():
    vectors = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    packed = pd.Series([pack_vector(v) for v in vectors])
    assert len(packed[0]) < 1100
    np.testing.assert_allclose(unpack_vectors(packed), vectors, atol=1e-2)


def test_event_title_says_who_did_what_and_actor_names():
    sentence = (
        "After the failed Hanoi summit, which Trump and Kim left without any agreement, "
        "Kim has said he seeks a bold decision before the end of the year."
    )
    start = sentence.index("before the end")
    assert event_title(load_pipeline()(sentence), start, start + 26) == "Kim seeks a bold decision"
    assert actor_name("Kim Jong-un’s") == "Kim Jong Un"


def test_an_event_title_always_holds_words_never_a_lone_bracket():
    """A date in brackets or on a line of its own left titles such as "(" or "." on the 300
    BP-oil-spill articles' key events; the title is then the sentence's other words."""
    cases = [("(April 29) Oil reached the coast.", "Oil reached the coast"), ("April 29.", "")]
    for text, expected in cases:
        start = text.index("April 29")
        assert event_title(load_pipeline()(text), start, start + 8) == expected
    assert actor_name("the United States") == "United States"


def test_the_build_stores_the_same_events_as_merging_from_scratch(bundled_store):
    """The events table the build stored is the merge of its mentions, and the blocked merge
    finds the 48 events the all-pairs merge found before it replaced it."""
    stored = bundled_store.table("events")
    fresh = merge_mentions(bundled_store.table("mentions"))
    assert {frozenset(ids) for ids in stored["mention_ids"]} == {
        frozenset(ids) for ids in fresh["mention_ids"]
    }
    assert len(stored) == 48
