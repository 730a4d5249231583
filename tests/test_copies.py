import textwrap

import pandas as pd

from lib.corpus.copies import copy_groups, copy_table, find_copies, story_of
from lib.corpus.load import load_corpus
from tests.conftest import SEEDS

STORY = (
    "Diplomats from both countries met in Geneva on Monday to resume the stalled talks on the treaty. "
    "Officials said the meeting lasted four hours and covered inspections, sanctions and a timetable. "
    "Neither side announced an agreement, but both said they would meet again next month in Vienna. "
    "Analysts said the tone had improved after a year of mutual accusations and missile tests."
)


def test_the_abridged_seed_copy_is_found_and_nothing_else():
    pairs = find_copies(load_corpus(SEEDS).articles)
    assert len(pairs) == 1
    pair = pairs.iloc[0]
    assert (pair["article_id"], pair["copy_of"], pair["kind"]) == ("000", "001", "abridged")
    assert pair["containment"] > 0.8 and pair["jaccard"] < 0.5


def test_exact_near_and_unrelated_texts():
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b", "c", "d"],
            "text": [
                STORY,
                STORY.replace("\n", " "),
                STORY.replace("four hours", "five hours").upper(),
                "A football match ended in a draw after a late penalty was saved by the keeper.",
            ],
        }
    )
    pairs = find_copies(articles)
    kinds = {(r.article_id, r.copy_of): r.kind for r in pairs.itertuples()}
    assert kinds[("b", "a")] == "exact"
    assert any(k in kinds and kinds[k] == "near" for k in [("c", "a"), ("c", "b"), ("a", "c"), ("b", "c")])
    assert not any("d" in pair for pair in kinds)


def test_hard_wrapping_and_case_do_not_hide_a_copy():
    wrapped = textwrap.fill(STORY, 60)
    pairs = find_copies(pd.DataFrame({"article_id": ["x", "y"], "text": [STORY, wrapped.lower()]}))
    assert len(pairs) == 1 and pairs.iloc[0]["kind"] == "exact"


def test_groups_and_collapsing_count_a_story_once():
    pairs = pd.DataFrame(
        {
            "article_id": ["000"],
            "copy_of": ["001"],
            "kind": ["abridged"],
            "jaccard": [0.2],
            "containment": [0.8],
            "shared_shingles": [300],
        }
    )
    groups = copy_groups(pairs, ["000", "001", "002"])
    assert dict(zip(groups["article_id"], groups["group"], strict=True)) == {
        "000": "001",
        "001": "001",
        "002": "002",
    }
    assert story_of(groups) == {"000": "001", "001": "001", "002": "002"} and story_of(None) == {}


def test_empty_and_tiny_texts_do_not_crash():
    assert find_copies(pd.DataFrame({"article_id": ["a", "b"], "text": ["", "hi"]})).empty
    assert find_copies(pd.DataFrame({"article_id": [], "text": []})).empty


def test_the_build_stores_the_copy_table_once_for_every_reader(bundled_store):
    """Copies are a table of the index generation (read by pages and commands alike), not
    recomputed by each of them: every article with its group, and for a copy its overlap."""
    from lib.index.annotators import stored_copy_groups

    stored = stored_copy_groups(bundled_store).set_index("article_id")
    assert set(stored.index) == set(bundled_store.articles()["article_id"])
    assert stored.loc["000", "group"] == "001" and stored.loc["000", "copy_of"] == "001"
    assert stored.loc["000", "kind"] == "abridged" and stored.loc["000", "containment"] > 0.8
    assert stored.loc["003", "group"] == "003" and pd.isna(stored.loc["003", "copy_of"])
    fresh = copy_table(load_corpus(SEEDS).articles).set_index("article_id")
    assert (fresh["group"] == stored["group"].reindex(fresh.index)).all()


def test_the_stored_table_has_one_row_per_article_however_many_versions():
    """Six versions of one wire story are 15 pairs; the table pages read keeps one row per
    article, each copy against its group's original (the longest version)."""
    story = " ".join(f"Sentence {i} of the wire story about the summit talks in Hanoi." for i in range(40))
    ids = [f"v{i}" for i in range(6)]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "text": [story + "".join(f" Added line {j}." for j in range(3 * i)) for i in range(6)],
            "title": "",
            "published": "",
        }
    )
    assert len(find_copies(articles)) == 15
    table = copy_table(articles)
    assert sorted(table["article_id"]) == ids and table["article_id"].is_unique
    copies = table.dropna(subset=["copy_of"])
    assert len(copies) == 5 and set(copies["copy_of"]) == {"v5"} == set(table["group"])
