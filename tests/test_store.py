import hashlib

import numpy as np
import pandas as pd
import pytest

from lib.errors import IndexCorruptError, IndexMissingError
from lib.store.base import SearchFilters
from lib.store.embedded import (
    CURRENT,
    EmbeddedStore,
    checked_meta,
    dense_top_k,
    live_generation,
    write_generation,
)
from lib.text.embeddings import Sentences


def tiny(n: int = 6, dim: int = 8):
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "title": ["A", ""],
            "source": ["Wire", "Paper"],
            "published": ["2019-01-01", ""],
            "url": "",
            "notes": "",
            "path": "",
            "format": "text",
            "text": "x",
            "content_hash": ["h1", "h2"],
            "published_origin": ["manifest", ""],
            "published_evidence": "",
        }
    )
    paragraphs = pd.DataFrame(
        {
            "paragraph_id": [f"{'a' if i < 3 else 'b'}:{i % 3 + 1}" for i in range(n)],
            "article_id": ["a"] * 3 + ["b"] * (n - 3),
            "ordinal": [i % 3 + 1 for i in range(n)],
            "text": [f"missile launch number {i}" if i % 2 else f"summit talks round {i}" for i in range(n)],
            "start": 0,
            "end": 1,
            "kind": "body",
            "text_hash": [f"t{i}" for i in range(n)],
            "vec_row": list(range(n)),
        }
    )
    furniture = pd.DataFrame(
        {"article_id": ["a"], "rule": ["see_also"], "text": ["See also x"], "start": [0], "end": [10]}
    )
    return articles, paragraphs, furniture, vectors


def test_write_and_read_back(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    store = EmbeddedStore(tmp_path)
    assert store.model == "m"
    assert len(store.paragraphs()) == 6 and len(store.articles()) == 2
    assert store.furniture("a")["rule"].tolist() == ["see_also"]
    np.testing.assert_allclose(store.vectors_for(["b:1"]), vectors[[3]])


def test_dense_search_filters_apply_before_top_k(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    store = EmbeddedStore(tmp_path)
    hits = store.dense_search(vectors[[0]], 2, SearchFilters(articles=("b",)))[0]
    assert len(hits) == 2 and hits["paragraph_id"].str.startswith("b:").all()
    dated = store.dense_search(vectors[[3]], 10, SearchFilters(since=pd.Timestamp("2018-01-01").date()))[0]
    assert dated["paragraph_id"].str.startswith("a:").all()  # b has no date: excluded by a date filter
    assert store.dense_search(vectors[[0]], 5, SearchFilters(sources=("Nobody",)))[0].empty


def test_keyword_search_is_bm25_with_filters_and_survives_fts_syntax(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    store = EmbeddedStore(tmp_path)
    hits = store.keyword_search("missile launches", 10, SearchFilters())
    assert set(hits["paragraph_id"]) == {"a:2", "b:1", "b:3"}
    assert hits["score"].is_monotonic_decreasing
    assert store.keyword_search("missile", 10, SearchFilters(sources=("Wire",)))["paragraph_id"].tolist() == [
        "a:2"
    ]
    for odd in ['"', "NEAR(a b)", "missile*", "a OR", "-x", "(((", "col:missile", "'; DROP TABLE x;--"]:
        store.keyword_search(odd, 5, SearchFilters())  # no exception


@pytest.mark.parametrize("open_index", [EmbeddedStore, checked_meta])
def test_missing_and_corrupt_indexes_are_detected(tmp_path, open_index):
    """Opening the store and the status check's light read (`checked_meta`) refuse the same
    damaged indexes with the same messages."""
    with pytest.raises(IndexMissingError):
        open_index(tmp_path)
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    folder = live_generation(tmp_path)
    np.save(folder / "embeddings.npy", vectors[:3])
    with pytest.raises(IndexCorruptError, match="inconsistent"):
        open_index(tmp_path)
    (folder / "index.sqlite").write_bytes(b"garbage" * 100)
    with pytest.raises(IndexCorruptError, match="damaged"):
        open_index(tmp_path)
    (tmp_path / CURRENT).write_text("gen-nowhere")
    with pytest.raises(IndexCorruptError, match="missing folder"):
        open_index(tmp_path)


def test_a_failed_write_leaves_the_previous_generation_live(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    before = (tmp_path / CURRENT).read_text()
    broken = paragraphs.drop(columns=["text_hash"])  # the write fails half-way
    with pytest.raises(KeyError):
        write_generation(tmp_path, articles, broken, furniture, vectors, {"model": "m2"})
    assert (tmp_path / CURRENT).read_text() == before
    assert EmbeddedStore(tmp_path).model == "m"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_old_generations_are_pruned_but_the_previous_one_kept(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    for _ in range(4):
        write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    generations = [p for p in tmp_path.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 2


def seeded_corpus(n: int = 4000, dim: int = 32, topics: int = 80, seed: int = 7):
    """Clustered unit vectors (topics + noise, as real embeddings are) in a generation's frames:
    20 paragraphs per article, 4 sources, 12 months."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(topics, dim))
    vectors = (centres[rng.integers(0, topics, n)] + 0.45 * rng.normal(size=(n, dim))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    owner = np.arange(n) // 20
    ids = [f"a{i}" for i in range(owner[-1] + 1)]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "title": "",
            "source": [f"s{i % 4}" for i in range(len(ids))],
            "published": [f"2019-{1 + i % 12:02d}-01" for i in range(len(ids))],
            "url": "",
            "notes": "",
            "path": "",
            "format": "text",
            "text": "x",
            "content_hash": ids,
            "published_origin": "",
            "published_evidence": "",
        }
    )
    paragraphs = pd.DataFrame(
        {
            "paragraph_id": [f"a{o}:{i % 20 + 1}" for i, o in enumerate(owner)],
            "article_id": [f"a{o}" for o in owner],
            "ordinal": np.arange(n) % 20 + 1,
            "text": [f"text {i}" for i in range(n)],
            "start": 0,
            "end": 1,
            "kind": "body",
            "text_hash": [hashlib.sha1(str(i).encode()).hexdigest() for i in range(n)],
            "vec_row": np.arange(n),
        }
    )
    queries = vectors[rng.integers(0, n, 60)] + 0.3 * rng.normal(size=(60, dim)).astype(np.float32)
    return articles, paragraphs, vectors, queries / np.linalg.norm(queries, axis=1, keepdims=True)


def recall_at_10(store, truth, queries, filters) -> float:
    found = store.dense_search(queries, 10, filters)
    expected = truth.dense_search(queries, 10, filters)
    return float(
        np.mean(
            [
                len(set(f["paragraph_id"]) & set(e["paragraph_id"])) / len(e)
                for f, e in zip(found, expected, strict=True)
            ]
        )
    )


def test_the_approximate_index_keeps_recall_filtered_or_not_on_a_seeded_corpus(tmp_path):
    articles, paragraphs, vectors, queries = seeded_corpus()
    no_furniture = pd.DataFrame(columns=["article_id", "rule", "text", "start", "end"])
    write_generation(tmp_path / "exact", articles, paragraphs, no_furniture, vectors, {"model": "m"})
    write_generation(
        tmp_path / "ann", articles, paragraphs, no_furniture, vectors, {"model": "m"}, ann_min_rows=1000
    )
    exact, approximate = EmbeddedStore(tmp_path / "exact"), EmbeddedStore(tmp_path / "ann", exact_min_rows=0)
    assert exact.ann is None and approximate.ann is not None and approximate.meta["ann"]["keys"] == 4000
    assert recall_at_10(approximate, exact, queries, SearchFilters()) >= 0.98
    for filters in (SearchFilters(sources=("s1", "s2")), SearchFilters(sources=("s3",))):  # 50 %, 25 %
        assert recall_at_10(approximate, exact, queries, filters) >= 0.95
    one_percent = SearchFilters(articles=("a3", "a150"))  # 40 rows: searched exactly, over those rows
    assert recall_at_10(approximate, exact, queries, one_percent) == 1.0
    scores = approximate.dense_search(queries[:1], 10, SearchFilters())[0]["score"]
    np.testing.assert_allclose(
        scores, exact.dense_search(queries[:1], 10, SearchFilters())[0]["score"][: len(scores)], atol=1e-6
    )


def test_the_next_generation_updates_the_graph_instead_of_rebuilding_it(tmp_path):
    articles, paragraphs, vectors, queries = seeded_corpus(n=2000)
    no_furniture = pd.DataFrame(columns=["article_id", "rule", "text", "start", "end"])
    write_generation(tmp_path, articles, paragraphs, no_furniture, vectors, {"model": "m"}, ann_min_rows=1)
    changed = paragraphs.copy()
    changed.loc[:99, "text_hash"] = [f"new{i}" for i in range(100)]  # 5 % of the texts changed
    write_generation(tmp_path, articles, changed, no_furniture, vectors, {"model": "m"}, ann_min_rows=1)
    store = EmbeddedStore(tmp_path, exact_min_rows=0)
    assert store.meta["ann"]["reused"] == 1900 and store.meta["ann"]["added"] == 100
    truth = dense_top_k(queries, vectors, 10)
    found = store.dense_search(queries, 10, SearchFilters())
    hits = [
        len(set(f["paragraph_id"]) & set(store._row_paragraph[rows]))
        for f, (_, rows) in zip(found, truth, strict=True)
    ]
    assert np.mean(hits) >= 9.8
    rewritten = paragraphs.copy()
    rewritten["text_hash"] = [f"other{i}" for i in range(2000)]
    write_generation(tmp_path, articles, rewritten, no_furniture, vectors, {"model": "m"}, ann_min_rows=1)
    assert EmbeddedStore(tmp_path).meta["ann"]["reused"] == 0  # mostly new: built afresh


def test_small_indexes_have_no_graph_and_sentences_default_to_whole_paragraphs(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"}, ann_min_rows=50_000)
    store = EmbeddedStore(tmp_path)
    assert store.ann is None and "ann" not in store.meta
    best = store.sentence_matches(vectors[2], ["a:3", "b:1"])
    assert best["paragraph_id"].tolist() == ["a:3", "b:1"]
    np.testing.assert_allclose(
        best["sentence_score"], [vectors[2] @ vectors[2], vectors[3] @ vectors[2]], atol=1e-3
    )
    assert best["sentence_start"].tolist() == [0, 0]


def test_the_best_sentence_of_each_paragraph_is_found(tmp_path):
    articles, paragraphs, furniture, vectors = tiny()
    rng = np.random.default_rng(3)
    sentence_vectors = rng.normal(size=(12, 8)).astype(np.float32)
    sentence_vectors /= np.linalg.norm(sentence_vectors, axis=1, keepdims=True)
    sentences = Sentences(
        offsets=np.arange(0, 13, 2), spans=np.array([[0, 5], [6, 12]] * 6), vectors=sentence_vectors
    )
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"}, sentences=sentences)
    store = EmbeddedStore(tmp_path)
    best = store.sentence_matches(sentence_vectors[7], ["a:1", "b:1"]).set_index("paragraph_id")
    assert (best.loc["b:1", "sentence_start"], best.loc["b:1", "sentence_end"]) == (6, 12)  # row 3's 2nd
    assert best.loc["b:1", "sentence_score"] == pytest.approx(1.0, abs=1e-3)  # stored as float16
    with pytest.raises(KeyError):
        store.sentence_matches(sentence_vectors[0], ["zz:1"])
