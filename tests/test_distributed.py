"""A build on a local Ray cluster writes the same index as the single-process build."""

import numpy as np
import pandas as pd
import pytest

from lib.index.build import build_index
from lib.store.embedded import EmbeddedStore
from lib.timeline.events import unpack_vectors
from lib.timeline.view import read_timeline
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow  # starts a Ray cluster and loads the model in each worker (~40 s)


@pytest.fixture(scope="module")
def ray_runner():
    from lib.index.distributed import ray_cluster

    with ray_cluster("local", num_cpus=2) as runner:
        yield runner


@pytest.fixture(scope="module")
def ray_store(ray_runner, encoder, tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("ray-index")
    batches = []
    report = build_index(
        SEEDS,
        index_dir,
        encoder,
        runner=ray_runner,
        texts_per_batch=16,  # several tasks, so both workers take part
        progress=lambda fraction, message: batches.append(message),
    )
    assert report.embedded == report.paragraphs > 0
    assert any("batch 2 of" in message for message in batches)
    return EmbeddedStore(index_dir)


def test_ray_build_writes_the_same_articles_paragraphs_and_vectors(ray_store, bundled_store):
    pd.testing.assert_frame_equal(ray_store.articles(), bundled_store.articles())
    pd.testing.assert_frame_equal(ray_store.paragraphs(), bundled_store.paragraphs())
    pd.testing.assert_frame_equal(ray_store.furniture(), bundled_store.furniture())
    assert ray_store.vectors.shape == bundled_store.vectors.shape
    np.testing.assert_allclose(ray_store.vectors, bundled_store.vectors, atol=1e-5)


def test_ray_build_finds_the_same_time_expressions_and_events(ray_store, bundled_store):
    from lib.index.annotators import ANNOTATORS

    for annotator in ANNOTATORS:
        ray_table, local_table = ray_store.table(annotator.name), bundled_store.table(annotator.name)
        assert len(ray_table) == len(local_table) > 0
        packed = [c for c in ray_table.columns if c == "vector"]
        pd.testing.assert_frame_equal(ray_table.drop(columns=packed), local_table.drop(columns=packed))
        for column in packed:  # stored as float16: equal up to one rounding step
            np.testing.assert_allclose(
                unpack_vectors(ray_table[column]), unpack_vectors(local_table[column]), rtol=2e-3, atol=1e-5
            )
    ray_events = read_timeline(ray_store).events
    local_events = read_timeline(bundled_store).events
    assert len(ray_events) == len(local_events) > 0
    pd.testing.assert_frame_equal(ray_events, local_events)


def test_ray_build_updates_incrementally(ray_runner, encoder, corpus_copy, tmp_path):
    index_dir = tmp_path / "index"
    build_index(corpus_copy, index_dir, encoder, annotators=(), runner=ray_runner)
    edited = sorted(corpus_copy.glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA new closing paragraph.\n", encoding="utf-8")
    again = build_index(corpus_copy, index_dir, encoder, annotators=(), runner=ray_runner)
    assert again.embedded == 1 and again.reused == again.paragraphs - 1
