"""Shared fixtures: the real offline model loaded once per session, a deterministic fake
encoder for fast unit tests, and an index of the bundled corpus built once per session."""

from __future__ import annotations

import hashlib
import re
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"


class FakeEncoder:
    """Bag of hashed words → normalised vector: deterministic, instant, shares words ⇒ similar."""

    name = "fake-hashing-encoder"
    dim = 64

    def encode(self, texts, batch_size=64, progress=None):  # noqa: ANN001 - mirrors the Encoder protocol
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
        if progress:
            progress(len(texts), len(texts))
        return out


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder()


@pytest.fixture(scope="session")
def encoder():
    """The real default model on the default backend (offline, from its PyPI package), loaded once."""
    from lib.settings import DEFAULT_MODEL, Settings
    from lib.text.embeddings import encoder_id, load_encoder

    return load_encoder(encoder_id(DEFAULT_MODEL, Settings().encoder_backend))


@pytest.fixture(scope="session")
def torch_encoder():
    """The real default model run by sentence-transformers on torch (float32), loaded once."""
    from lib.settings import DEFAULT_MODEL
    from lib.text.embeddings import load_encoder

    return load_encoder(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def stance_crossencoder():
    """The committed stance cross-encoder (models/stance-crossencoder), loaded once."""
    from lib.stance.crossencoder import StanceCrossEncoder

    return StanceCrossEncoder.load()


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory, encoder) -> Path:
    """An index of the bundled corpus built with the real model, once per session."""
    from lib.index.build import build_index

    index_dir = tmp_path_factory.mktemp("bundled-index")
    build_index(SEEDS, index_dir, encoder)
    return index_dir


@pytest.fixture(scope="session")
def bundled_store(bundled_index):
    from lib.store.embedded import EmbeddedStore

    return EmbeddedStore(bundled_index)


@pytest.fixture(scope="session")
def bundled_approximate_store(tmp_path_factory, encoder):
    """The bundled corpus indexed with an approximate search graph (threshold 1 paragraph), and
    opened so that every filtered search that can use it does (no exact fallback floor)."""
    from lib.index.build import build_index
    from lib.store.embedded import EmbeddedStore

    index_dir = tmp_path_factory.mktemp("bundled-ann-index")
    build_index(SEEDS, index_dir, encoder, ann_min_rows=1)
    store = EmbeddedStore(index_dir, exact_min_rows=0)
    assert store.ann is not None
    return store


@pytest.fixture(scope="session")
def bundled_milvus_uri(tmp_path_factory, bundled_index) -> str:
    """A Milvus Lite database holding the bundled index's vectors (exact FLAT index)."""
    from lib.store.milvus import publish_generation

    uri = str(tmp_path_factory.mktemp("milvus") / "milvus.db")
    publish_generation(bundled_index, uri)
    return uri


@pytest.fixture(scope="session")
def bundled_milvus_store(bundled_index, bundled_milvus_uri):
    """The bundled index served by Milvus Lite: dense search and vectors from Milvus."""
    from lib.store.milvus import MilvusStore

    return MilvusStore(bundled_index, bundled_milvus_uri)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def app_env(monkeypatch, bundled_index, tmp_path):
    """Point the pages at the session's prebuilt index of the bundled corpus, and at a saved-views
    file of the test's own."""
    monkeypatch.setenv("DOSSIER_CORPUS", str(SEEDS))
    monkeypatch.setenv("DOSSIER_INDEX", str(bundled_index))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(bundled_index / "no-user-corpus"))
    monkeypatch.setenv("DOSSIER_VIEWS", str(tmp_path / "views.db"))


# ---- a real-sized corpus: 300 templated articles from six outlets ------------------------------------

HAPPENINGS = [  # (day, what happened, how a later article recalls it)
    ("2011-02-15", "protesters gathered outside the police headquarters in Benghazi", "the Benghazi protest"),
    ("2011-02-17", "thousands marched in a day of rage across eastern cities", "the day of rage"),
    ("2011-03-17", "the Security Council approved a no-fly zone over the country", "the no-fly zone vote"),
    ("2011-03-19", "French jets struck armoured columns outside the city", "the first air strikes"),
    ("2011-04-10", "the African Union proposed a ceasefire plan to both sides", "the ceasefire plan"),
]
OUTLETS = ["Reuters", "BBC", "Guardian", "Fox News", "Washington Post", "Al Jazeera"]


def templated_article(number: int) -> tuple[str, str, str]:
    """(published, outlet, text): an article reporting one happening the day it happened and
    recalling an earlier one after the fact, with the 1969 coup as background in some."""
    reported = HAPPENINGS[number % len(HAPPENINGS)]
    published = reported[0]
    lines = [
        f"On {date.fromisoformat(published):%B %-d, %Y}, {reported[1]}, witnesses said (report {number})."
    ]
    earlier = [h for h in HAPPENINGS if h[0] < published]
    if earlier:
        recalled = earlier[number % len(earlier)]
        lines.append(
            f"It followed {recalled[2]} of {date.fromisoformat(recalled[0]):%B %-d}, "
            "which observers called decisive."
        )
    if number % 4 == 0:
        lines.append("The regime has held power since the 1969 coup, when officers seized the palace.")
    lines.append(
        f"Correspondent {number} filed this report for readers of the {OUTLETS[number % 6]} service."
    )
    return published, OUTLETS[number % len(OUTLETS)], "\n\n".join(lines)


@pytest.fixture(scope="session")
def large_corpus_env(tmp_path_factory):
    """An index of 300 templated articles (fake encoder: the timeline page needs no model)."""
    folder = tmp_path_factory.mktemp("large-corpus")
    corpus = folder / "corpus"
    corpus.mkdir()
    rows = []
    for number in range(300):
        published, outlet, text = templated_article(number)
        (corpus / f"a{number:03d}.txt").write_text(text, encoding="utf-8")
        rows.append(
            {"id": f"a{number:03d}", "file": f"a{number:03d}.txt", "source": outlet, "published": published}
        )
    pd.DataFrame(rows).to_csv(corpus / "manifest.csv", index=False)
    from lib.index.build import build_index

    build_index(corpus, folder / "index", FakeEncoder())
    return {
        "DOSSIER_CORPUS": str(corpus),
        "DOSSIER_INDEX": str(folder / "index"),
        "DOSSIER_USER_CORPUS": str(folder / "none"),
        "DOSSIER_MODEL": FakeEncoder.name,
    }
