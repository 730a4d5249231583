import numpy as np
import pandas as pd
import pytest

from lib.errors import IndexCorruptError, IndexMissingError
from lib.store.base import SearchFilters
from lib.store.embedded import CURRENT, EmbeddedStore, live_generation, write_generation


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


def test_missing_and_corrupt_indexes_are_detected(tmp_path):
    with pytest.raises(IndexMissingError):
        EmbeddedStore(tmp_path)
    articles, paragraphs, furniture, vectors = tiny()
    write_generation(tmp_path, articles, paragraphs, furniture, vectors, {"model": "m"})
    folder = live_generation(tmp_path)
    np.save(folder / "embeddings.npy", vectors[:3])
    with pytest.raises(IndexCorruptError, match="inconsistent"):
        EmbeddedStore(tmp_path)
    (folder / "index.sqlite").write_bytes(b"garbage" * 100)
    with pytest.raises(IndexCorruptError, match="damaged"):
        EmbeddedStore(tmp_path)
    (tmp_path / CURRENT).write_text("gen-nowhere")
    with pytest.raises(IndexCorruptError, match="missing folder"):
        EmbeddedStore(tmp_path)


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
