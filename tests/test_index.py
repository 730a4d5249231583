import os

import numpy as np
import pytest

import lib.index.build as build_module
from lib.index.build import build_index, index_status
from lib.store.base import SearchFilters
from lib.store.embedded import CURRENT, EmbeddedStore, live_generation


def test_build_then_incremental_update_only_embeds_changes(corpus_copy, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    first = build_index(corpus_copy, index_dir, fake_encoder)
    assert first.articles == 5 and first.embedded == first.paragraphs > 80 and first.reused == 0
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "ready"

    again = build_index(corpus_copy, index_dir, fake_encoder)
    assert again.embedded == 0 and again.reused == first.paragraphs

    path = next(corpus_copy.glob("002_*.txt"))
    path.write_text(
        path.read_text(encoding="utf-8") + "\n\nA brand new closing paragraph about talks.\n",
        encoding="utf-8",
    )
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "stale"
    update = build_index(corpus_copy, index_dir, fake_encoder)
    assert update.embedded == 1 and update.paragraphs == first.paragraphs + 1
    store = EmbeddedStore(index_dir)
    assert store.paragraphs()["text"].str.contains("brand new closing paragraph").any()


def test_an_unchanged_corpus_is_ready_without_reading_it(corpus_copy, tmp_path, fake_encoder, monkeypatch):
    """A page checks the index on every fresh session: with thousands of articles, reading them
    all to learn that nothing changed took seconds. Unchanged sizes and times answer at once;
    any change makes the check read the files as before."""
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, fake_encoder)
    reads = []
    real_load = build_module.load_corpus
    monkeypatch.setattr(build_module, "load_corpus", lambda *a, **k: reads.append(a) or real_load(*a, **k))
    status = index_status(corpus_copy, index_dir, fake_encoder.name)
    assert status.state == "ready" and status.articles == 5 and reads == []

    path = next(corpus_copy.glob("003_*.txt"))
    path.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")  # saved again, same text
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "ready" and len(reads) == 1

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("North Korea", "North Korea's"), encoding="utf-8")
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "stale" and len(reads) == 2


def test_vectors_are_normalised_and_aligned_with_paragraphs(bundled_store, encoder):
    store = bundled_store
    norms = np.linalg.norm(store.vectors, axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-5)
    body = store.paragraphs().dropna(subset=["vec_row"]).sort_values("vec_row")
    sample = body.iloc[[0, len(body) // 2, -1]]
    fresh = encoder.encode(sample["text"].tolist())
    np.testing.assert_allclose(fresh, store.vectors[sample["vec_row"].astype(int)], atol=1e-4)
    assert store.paragraphs()[store.paragraphs()["kind"] == "heading"]["vec_row"].isna().all()


def test_a_corrupt_index_is_rebuilt_with_a_reason(corpus_copy, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, fake_encoder)
    (live_generation(index_dir) / "embeddings.npy").write_bytes(b"not numpy")
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "corrupt"
    report = build_index(corpus_copy, index_dir, fake_encoder)
    assert "rebuilt from scratch" in report.rebuilt_because and report.reused == 0
    assert index_status(corpus_copy, index_dir, fake_encoder.name).state == "ready"


def test_another_model_forces_a_full_rebuild(corpus_copy, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, fake_encoder)
    assert index_status(corpus_copy, index_dir, "some-other-model").state == "other-model"


def test_a_killed_build_leaves_the_previous_index_usable(corpus_copy, tmp_path, fake_encoder):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, fake_encoder)
    before = (index_dir / CURRENT).read_text()

    class Killed(Exception):
        pass

    def die_half_way(fraction, message):
        if fraction > 0.5:
            raise Killed

    (corpus_copy / "new.txt").write_text("An extra article about a summit in Geneva.", encoding="utf-8")
    with pytest.raises(Killed):
        build_index(corpus_copy, index_dir, fake_encoder, progress=die_half_way)
    assert (index_dir / CURRENT).read_text() == before
    assert len(EmbeddedStore(index_dir).articles()) == 5


def test_unreadable_files_are_reported_not_fatal(corpus_copy, tmp_path, fake_encoder):
    (corpus_copy / "bad.txt").write_bytes(b"\x00\x00binary")
    report = build_index(corpus_copy, tmp_path / "index", fake_encoder)
    assert report.articles == 5
    assert [p.path for p in report.problems] == ["bad.txt"]


def test_annotators_store_tables_and_rerun_only_for_changed_articles(corpus_copy, tmp_path, fake_encoder):
    import pandas as pd

    from lib.index.annotators import Annotator

    calls: list[list[str]] = []

    def count_words(articles, paragraphs, encoder):
        calls.append(sorted(articles["article_id"]))
        grouped = paragraphs.groupby("article_id")["text"]
        return pd.DataFrame(
            {
                "article_id": list(grouped.groups),
                "words": [s.str.split().str.len().sum() for _, s in grouped],
                "ids": [list(s.index[:2]) for _, s in grouped],
            }
        )

    words = Annotator("words", "1", "word counts", count_words)
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, fake_encoder, annotators=[words])
    table = EmbeddedStore(index_dir).table("words")
    assert sorted(table["article_id"]) == ["000", "001", "002", "003", "004"]
    assert all(isinstance(v, list) for v in table["ids"])  # lists survive storage

    path = next(corpus_copy.glob("003_*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "\n\nOne more paragraph.\n", encoding="utf-8")
    build_index(corpus_copy, index_dir, fake_encoder, annotators=[words])
    assert calls[-1] == ["003"]
    assert len(EmbeddedStore(index_dir).table("words")) == 5

    assert index_status(corpus_copy, index_dir, fake_encoder.name, annotators=[words]).state == "ready"
    newer = Annotator("words", "2", "word counts", count_words)
    assert index_status(corpus_copy, index_dir, fake_encoder.name, annotators=[newer]).state == "stale"
    build_index(corpus_copy, index_dir, fake_encoder, annotators=[newer])
    assert len(calls[-1]) == 5


def test_progress_messages_carry_the_time_left():
    from lib.index.update import with_eta

    assert with_eta(0.05, "Reading articles", 3) == "Reading articles · 0:03 elapsed"
    assert with_eta(0.25, "Embedding", 60) == "Embedding · 1:00 elapsed, about 3:00 left"
    assert with_eta(0.5, "Embedding", 4000).endswith("1:06:40 elapsed, about 1:06:40 left")
    assert with_eta(1.0, "Index ready", 12) == "Index ready · 0:12 elapsed"


def test_builds_store_sentences_and_reuse_them_with_the_vectors(corpus_copy, tmp_path, fake_encoder):
    first = build_index(corpus_copy, tmp_path, fake_encoder, annotators=())
    store = EmbeddedStore(tmp_path)
    sentences = store.sentences
    assert (sentences.counts >= 1).all() and sentences.offsets[-1] > first.paragraphs  # split into sentences
    body = store.paragraphs().dropna(subset=["vec_row"]).sort_values("vec_row")
    text = body["text"].iloc[0]
    start, end = sentences.spans[0]
    np.testing.assert_allclose(sentences.vectors[0], fake_encoder.encode([text[start:end]])[0], atol=1e-3)
    (corpus_copy / "zz_new.txt").write_text("A new article. It has two sentences.\n\nAnd a second paragraph.")
    second = build_index(corpus_copy, tmp_path, fake_encoder, annotators=())
    assert second.embedded == 2
    again = EmbeddedStore(tmp_path)
    kept = again.paragraphs().set_index("paragraph_id").loc[body["paragraph_id"], "vec_row"].astype(int)
    np.testing.assert_array_equal(
        again.sentences.take(kept.to_numpy()).spans, sentences.take(np.arange(len(kept))).spans
    )


def test_the_search_graph_follows_articles_added_and_removed(corpus_copy, tmp_path, fake_encoder):
    build_index(corpus_copy, tmp_path, fake_encoder, annotators=(), ann_min_rows=1)
    first = EmbeddedStore(tmp_path).meta["ann"]
    removed = sorted(corpus_copy.iterdir())[0]
    removed.unlink()
    (corpus_copy / "zz_new.txt").write_text("Missile talks resumed in Geneva.\n\nSanctions stay in place.")
    build_index(corpus_copy, tmp_path, fake_encoder, annotators=(), ann_min_rows=1)
    store = EmbeddedStore(tmp_path, exact_min_rows=0)
    graph = store.meta["ann"]
    assert graph["added"] == 2 and 0 < graph["reused"] < first["keys"]  # updated, not rebuilt
    texts = store.paragraphs().dropna(subset=["vec_row"])["text_hash"].nunique()
    assert graph["keys"] == texts
    exact = EmbeddedStore(tmp_path)
    exact.ann = None
    queries = fake_encoder.encode(["missile talks", "sanctions", "summit in Hanoi", "Kim Jong Un"])
    for found, truth in zip(
        store.dense_search(queries, 10, SearchFilters()),
        exact.dense_search(queries, 10, SearchFilters()),
        strict=True,
    ):
        assert set(found["paragraph_id"]) == set(truth["paragraph_id"])
        np.testing.assert_allclose(found["score"], truth["score"], atol=1e-6)
        assert not found["paragraph_id"].str.startswith(removed.stem.split("_")[0] + ":").any()


def test_a_page_build_runs_on_its_own_thread_and_is_shared(corpus_copy, tmp_path, fake_encoder):
    """A build a page starts outlives the page (Streamlit stops a script when its user leaves):
    it runs on its own thread, every later page follows the same job instead of starting over,
    and a failure comes back as a message, not a traceback."""
    from lib.index.background import start_build
    from lib.settings import Settings

    model = fake_encoder.name
    settings = Settings(corpus_copy, tmp_path / "user", tmp_path / "index", embedding_model=model)
    first = start_build(settings, fake_encoder)
    assert start_build(settings, fake_encoder) is first  # a second page attaches to it
    assert first.wait(120) and not first.error
    assert first.report is not None and first.report.articles == 5 and first.fraction == 1.0
    assert index_status(settings.corpus_dirs, tmp_path / "index", fake_encoder.name).state == "ready"
    again = start_build(settings, fake_encoder)  # finished: a new job, which finds nothing to do
    assert again is not first and again.wait(60) and again.report is None and not again.error

    empty = tmp_path / "empty"
    empty.mkdir()
    broken = Settings(empty, tmp_path / "user2", tmp_path / "index2", embedding_model=model)
    failed = start_build(broken, fake_encoder)
    assert failed.wait(60) and "No readable article" in failed.error and failed.report is None
