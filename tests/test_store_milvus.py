"""The store conformance: the Milvus store (exact FLAT index) and the embedded store with an
approximate graph return what the exact embedded store returns, filters included."""

from datetime import date

import numpy as np
import pytest

from lib.errors import IndexMissingError
from lib.search import search
from lib.store.base import SearchFilters
from lib.store.embedded import EmbeddedStore
from lib.store.milvus import MilvusStore, collection_name, filter_expression, publish_generation

QUERIES = [
    "Xi Jinping visited Pyongyang",
    "missile test over the sea of Japan",
    "sanctions relief and maximum pressure",
    "chocolate cake recipe",
]
FILTERS = [
    SearchFilters(),
    SearchFilters(sources=("Asia Times",)),
    SearchFilters(articles=("001", "004")),
    SearchFilters(since=date(2019, 1, 1), until=date(2019, 6, 30)),
    SearchFilters(since=date(2019, 7, 1)),
    SearchFilters(sources=("Asia Times",), since=date(2030, 1, 1)),
]


def assert_same_ranking(milvus, exact):
    """Same paragraphs with the same scores, best first; paragraphs with equal scores (copies
    of one text) may come in either order."""

    def canonical(hits):
        return sorted(zip(hits["score"].round(4) * -1, hits["paragraph_id"], strict=True))

    assert [p for _, p in canonical(milvus)] == [p for _, p in canonical(exact)]
    np.testing.assert_allclose(milvus["score"], exact["score"], atol=1e-5)


@pytest.fixture(params=["approximate", "milvus"])
def other_store(request):
    """The bundled index in the stores that must answer as the exact embedded one does: with an
    approximate graph (re-scored exactly; on this small corpus it finds every neighbour) and Milvus."""
    return request.getfixturevalue(f"bundled_{request.param}_store")


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[13:60])
def test_dense_search_equals_exact_search(bundled_store, other_store, encoder, filters):
    queries = encoder.encode(QUERIES)
    for exact, other in zip(
        bundled_store.dense_search(queries, 100, filters),
        other_store.dense_search(queries, 100, filters),
        strict=True,
    ):
        assert_same_ranking(other, exact)


def test_hybrid_search_gives_the_same_hits_on_every_backend(bundled_store, other_store, encoder):
    for query in QUERIES:
        exact = search(bundled_store, encoder, query, k=10).hits
        assert_same_ranking(search(other_store, encoder, query, k=10).hits, exact)


def test_vectors_come_back_from_milvus_unchanged(bundled_store, bundled_milvus_store):
    ids = ["004:3", "001:10", "000:2", "004:3"]
    np.testing.assert_allclose(
        bundled_milvus_store.vectors_for(ids), bundled_store.vectors_for(ids), atol=1e-7
    )
    with pytest.raises(KeyError):
        bundled_milvus_store.vectors_for(["999:1"])


def test_filter_values_are_quoted_not_interpreted(bundled_milvus_store, encoder):
    sneaky = SearchFilters(sources=('x" or source != "',), articles=("a\\", "b"))
    assert (
        filter_expression(sneaky) == r'(article_id in ["a\\", "b"]) and (source in ["x\" or source != \""])'
    )
    assert bundled_milvus_store.dense_search(encoder.encode(["missile"]), 10, sneaky)[0].empty


def test_an_unpublished_generation_says_how_to_publish_it(bundled_index, tmp_path):
    with pytest.raises(IndexMissingError, match="python -m lib build --milvus"):
        MilvusStore(bundled_index, str(tmp_path / "empty.db"))


def test_publishing_is_idempotent_and_keeps_only_the_two_newest_generations(
    fake_encoder, corpus_copy, tmp_path
):
    from lib.index.build import build_index
    from lib.store.milvus import connect

    index_dir, uri = tmp_path / "index", str(tmp_path / "milvus.db")
    names = []
    for _ in range(3):
        build_index(corpus_copy, index_dir, fake_encoder, annotators=())
        names.append(publish_generation(index_dir, uri))
        assert publish_generation(index_dir, uri) == names[-1]  # already there: nothing to do
    assert names[-1] == collection_name(EmbeddedStore(index_dir).folder)
    client = connect(uri)
    assert sorted(c for c in client.list_collections() if c.startswith("dossier_")) == names[1:]
    store = MilvusStore(index_dir, uri)
    hits = store.dense_search(fake_encoder.encode(["Kim Jong Un missile"]), 3, SearchFilters())[0]
    assert len(hits) == 3


def test_an_approximate_index_is_searched_with_its_own_parameters(
    bundled_index, bundled_store, encoder, tmp_path
):
    uri = str(tmp_path / "hnsw.db")
    publish_generation(bundled_index, uri, "HNSW")
    store = MilvusStore(bundled_index, uri)
    assert store.search_params["params"] == {"ef": 128}
    query = encoder.encode(["Xi Jinping visited Pyongyang"])
    found = store.dense_search(query, 10, SearchFilters())[0]
    exact = bundled_store.dense_search(query, 10, SearchFilters())[0]
    assert len(set(found["paragraph_id"]) & set(exact["paragraph_id"])) >= 9  # tiny corpus: near exact
    publish_generation(bundled_index, uri, "FLAT")  # another index type replaces the collection
    assert MilvusStore(bundled_index, uri).search_params["params"] == {}
