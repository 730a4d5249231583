from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib.errors import BadInputError
from lib.search import context, fuse_ranks, more_like_this, search, validate_query
from lib.store.base import SearchFilters
from lib.store.embedded import dense_top_k, fts_query


def random_matrix(n=500, dim=32, seed=1):
    rng = np.random.default_rng(seed)
    m = rng.normal(size=(n, dim)).astype(np.float32)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


def test_dense_top_k_matches_brute_force():
    matrix = random_matrix()
    queries = matrix[[3, 10]] + 0.01
    for (scores, rows), q in zip(dense_top_k(queries, matrix, 7), queries, strict=True):
        expected = np.argsort(-(matrix @ q))[:7]
        assert rows.tolist() == expected.tolist()
        assert np.all(np.diff(scores) <= 0)


def test_dense_top_k_respects_the_mask_and_small_pools():
    matrix = random_matrix(50)
    mask = np.zeros(50, dtype=bool)
    mask[[4, 9]] = True
    scores, rows = dense_top_k(matrix[[0]], matrix, 10, mask)[0]
    assert sorted(rows.tolist()) == [4, 9]
    assert dense_top_k(matrix[[0]], matrix, 5, np.zeros(50, dtype=bool))[0][1].size == 0


def test_rrf_rewards_agreement_and_keeps_items_from_either_list():
    dense = pd.DataFrame({"paragraph_id": ["a", "b", "c"], "score": [0.9, 0.8, 0.7]})
    keyword = pd.DataFrame({"paragraph_id": ["c", "d"], "score": [12.0, 3.0]})
    fused = fuse_ranks(dense, keyword, "rrf")
    assert fused["paragraph_id"].tolist()[0] == "c"
    assert set(fused["paragraph_id"]) == {"a", "b", "c", "d"}
    assert fused.loc[fused["paragraph_id"] == "d", "dense_score"].isna().all()


def test_weighted_fusion_scales_both_lists():
    dense = pd.DataFrame({"paragraph_id": ["a", "b"], "score": [0.9, 0.1]})
    keyword = pd.DataFrame({"paragraph_id": ["b", "a"], "score": [20.0, 1.0]})
    assert fuse_ranks(dense, keyword, "weighted", keyword_weight=0.1)["paragraph_id"].tolist()[0] == "a"
    assert fuse_ranks(dense, keyword, "weighted", keyword_weight=0.9)["paragraph_id"].tolist()[0] == "b"


def test_fts_query_quotes_every_word():
    assert fts_query('Kim "NEAR(x)" OR missile*') == '"kim" OR "near" OR "missile"'
    assert fts_query("the of and") == '"the" OR "of" OR "and"'
    assert fts_query("!!!") == ""


def test_validate_query_rejects_empty_and_huge_queries():
    with pytest.raises(BadInputError, match="Type something"):
        validate_query("   ")
    with pytest.raises(BadInputError, match="10,000 characters"):
        validate_query("x" * 10_000)
    with pytest.raises(BadInputError, match="no words"):
        validate_query("?!?")
    assert validate_query("  missile  ") == "missile"


STORES = {
    "exact": "bundled_store",
    "approximate": "bundled_approximate_store",
    "milvus": "bundled_milvus_store",
}


@pytest.fixture(params=list(STORES))
def search_store(request):
    """The bundled index in each store backend (exact, with an approximate graph, Milvus): every
    search test runs against all three."""
    return request.getfixturevalue(STORES[request.param])


def test_search_returns_hits_with_provenance(search_store, encoder):
    result = search(search_store, encoder, "Xi Jinping visited Pyongyang", k=5)
    top = result.hits.iloc[0]
    assert top["paragraph_id"] == "003:11" and top["article_id"] == "003" and top["ordinal"] == 11
    assert top["title"].startswith("Kim Jong Un Turns Up")
    assert top["published"] == "2019-08-01"
    text = search_store.paragraphs().set_index("paragraph_id").loc["003:11", "text"]
    assert top["text"] == text
    assert result.hits["rank"].tolist() == [1, 2, 3, 4, 5]


def test_filters_that_exclude_everything_say_what_to_relax(search_store, encoder):
    result = search(search_store, encoder, "missile test", filters=SearchFilters(since=date(2030, 1, 1)))
    assert result.hits.empty
    assert "widen the date range" in result.notes[0]
    only_004 = search(search_store, encoder, "missile test", k=5, filters=SearchFilters(articles=("004",)))
    assert len(only_004.hits) == 5 and (only_004.hits["article_id"] == "004").all()
    by_source = search(search_store, encoder, "sanctions", filters=SearchFilters(sources=("Asia Times",)))
    assert set(by_source.hits["source"]) == {"Asia Times"}
    in_2019 = search(
        search_store,
        encoder,
        "sanctions",
        k=50,
        filters=SearchFilters(since=date(2019, 1, 1), until=date(2019, 6, 30)),
    )
    assert set(in_2019.hits["article_id"]) <= {"000", "001"} and len(in_2019.hits) > 0


def test_keyword_mode_with_unknown_words_suggests_semantic_search(search_store, encoder):
    result = search(search_store, encoder, "zzyzx qwertyuiop", mode="keyword")
    assert result.hits.empty and "semantic" in result.notes[0]


def test_nonsense_is_reported_as_no_strong_match(search_store, encoder):
    result = search(search_store, encoder, "chocolate cake recipe with strawberries", k=3)
    assert any("No strong match" in note for note in result.notes)


def test_context_and_more_like_this(search_store):
    around = context(search_store, "001:10")
    assert around["paragraph_id"].tolist() == ["001:9", "001:10", "001:11"]
    similar = more_like_this(search_store, "001:10", k=3)
    assert "001:10" not in similar["paragraph_id"].tolist()
    assert similar.iloc[0]["paragraph_id"] == "000:2"  # the abridged copy's same paragraph
    with pytest.raises(BadInputError):
        context(search_store, "999:1")


def test_copies_of_one_story_count_once(search_store, encoder):
    from lib.corpus.copies import copy_groups, find_copies

    articles = search_store.articles()
    groups = copy_groups(find_copies(articles), articles["article_id"].tolist())
    query = "Trump will have to blink: return to maximum pressure or make concessions on sanctions relief"
    separate = search(search_store, encoder, query, k=5)
    together = search(search_store, encoder, query, k=5, groups=groups)
    ids = separate.hits["paragraph_id"].tolist()
    assert {"000:2", "001:10"} <= set(ids)  # near-identical passages of the copy and its original
    top = together.hits.iloc[0]
    assert {top["paragraph_id"], *top["also_in"]} == {"000:2", "001:10"}
    assert not ({"000:2", "001:10"} & set(together.hits["paragraph_id"][1:]))
    assert any("counts once" in note for note in together.notes)


def test_passages_an_abridged_copy_joins_fold_into_the_titled_original(search_store, encoder):
    """Issue 17's case: the untitled abridged copy 000 joins into one paragraph (000:5) what the
    titled original 001 splits into several; folding only identical paragraphs showed 000:5 first
    and then the same sentences again from 001."""
    from lib.index.annotators import stored_copy_groups

    query = "Russia backing North Korea"
    separate = search(search_store, encoder, query, k=4).hits["paragraph_id"].tolist()
    assert separate[0] == "000:5" and {"001:3", "001:19", "001:21"} <= set(separate)
    folded = search(search_store, encoder, query, k=4, groups=stored_copy_groups(search_store)).hits
    shown = folded["paragraph_id"].tolist()
    assert "000:5" not in shown and len(set(shown)) == len(shown)
    assert {"001:3", "001:19", "001:21"} <= set(shown[:3])  # the original's passages, once each
    for row in folded[folded["paragraph_id"].isin(["001:3", "001:19", "001:21"])].itertuples():
        assert "000:5" in row.also_in  # the copy is listed under each passage it repeats
    assert folded["score"].iloc[0] == pytest.approx(
        search(search_store, encoder, query, k=1).hits["score"][0]
    )


def test_each_hit_says_which_sentence_matched_best(search_store, encoder):
    hits = search(search_store, encoder, "Xi Jinping visited Pyongyang", k=5).hits
    top = hits.iloc[0]
    sentence = top["text"][int(top["sentence_start"]) : int(top["sentence_end"])]
    assert "Xi" in sentence and len(sentence) < len(top["text"])
    assert hits["sentence_score"].between(0, 1).all()
    keyword = search(search_store, encoder, "Pyongyang", k=3, mode="keyword").hits
    assert keyword["sentence_start"].isna().all()  # no meaning score, nothing to explain


def test_the_best_sentence_lifts_a_paragraph_that_says_it_in_one_sentence(bundled_store, encoder):
    from lib.search import meaning_scores

    query = encoder.encode(["Xi Jinping visited Pyongyang"])[0]
    ids = bundled_store.paragraphs().dropna(subset=["vec_row"])["paragraph_id"].tolist()
    paragraph_only = meaning_scores(bundled_store, query, ids, 0.0)
    fused = meaning_scores(bundled_store, query, ids, 0.5)
    best = bundled_store.sentence_matches(query, ids).set_index("paragraph_id")["sentence_score"]
    np.testing.assert_allclose(fused, 0.5 * paragraph_only + 0.5 * best.reindex(ids).to_numpy(), atol=1e-6)
    assert (best.reindex(ids).to_numpy() >= paragraph_only.to_numpy() - 0.2).all()


def test_entity_filter_keeps_only_paragraphs_naming_the_entity(search_store, encoder):
    from lib.entities import paragraphs_with

    naming_xi = tuple(paragraphs_with(search_store.table("entities"), ["Xi Jinping"]))
    assert "003:11" in naming_xi and len(naming_xi) < 10
    for mode in ("hybrid", "dense", "keyword"):
        result = search(
            search_store,
            encoder,
            "summit in Pyongyang",
            k=20,
            mode=mode,
            filters=SearchFilters(paragraph_ids=naming_xi),
        )
        assert len(result.hits) > 0 and set(result.hits["paragraph_id"]) <= set(naming_xi), mode
    # applied before the cut: a paragraph far down the unfiltered ranking still comes back
    result = search(
        search_store, encoder, "missile test", k=3, filters=SearchFilters(paragraph_ids=naming_xi)
    )
    assert len(result.hits) == 3
    nothing = search(search_store, encoder, "missile test", filters=SearchFilters(paragraph_ids=()))
    assert nothing.hits.empty and "entity filter" in nothing.notes[0]
