"""The configured backend is what the CLI and the pages get."""

import json

from lib.cli.main import main
from lib.settings import load_settings
from lib.store.embedded import EmbeddedStore
from lib.store.factory import open_store, publish_index
from lib.store.milvus import MilvusStore


def test_open_store_follows_the_store_setting(bundled_index, bundled_milvus_uri):
    embedded = open_store(load_settings(index_dir=bundled_index))
    milvus = open_store(load_settings(index_dir=bundled_index, store="milvus", milvus_uri=bundled_milvus_uri))
    assert type(embedded) is EmbeddedStore and type(milvus) is MilvusStore
    assert milvus.folder == embedded.folder


def test_publishing_happens_only_for_milvus(bundled_index, bundled_milvus_uri):
    assert publish_index(load_settings(index_dir=bundled_index)) is None
    settings = load_settings(index_dir=bundled_index, store="milvus", milvus_uri=bundled_milvus_uri)
    assert publish_index(settings) == MilvusStore(bundled_index, bundled_milvus_uri).collection


def test_search_command_uses_milvus_when_configured(bundled_index, bundled_milvus_uri, monkeypatch, capsys):
    monkeypatch.setenv("DOSSIER_STORE", "milvus")
    monkeypatch.setenv("DOSSIER_MILVUS_URI", bundled_milvus_uri)
    code = main(
        ["search", "Xi Jinping visited Pyongyang", "-k", "3", "--json", "--index", str(bundled_index)]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out)["hits"][0]["paragraph_id"] == "003:11"


def test_a_store_not_published_to_milvus_is_a_clean_cli_error(bundled_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOSSIER_STORE", "milvus")
    monkeypatch.setenv("DOSSIER_MILVUS_URI", str(tmp_path / "other.db"))
    code = main(["search", "missile", "--index", str(bundled_index)])
    assert code != 0
    assert "python -m lib build --milvus" in capsys.readouterr().err


def test_the_search_page_serves_from_milvus_when_configured(app_env, bundled_milvus_uri, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    monkeypatch.setenv("DOSSIER_STORE", "milvus")
    monkeypatch.setenv("DOSSIER_MILVUS_URI", bundled_milvus_uri)
    searched = []
    original = MilvusStore.dense_search
    monkeypatch.setattr(
        MilvusStore, "dense_search", lambda self, *args: searched.append(args) or original(self, *args)
    )
    at = AppTest.from_file(str(ROOT / "pages" / "search.py"), default_timeout=120)
    at.query_params["q"] = "Xi Jinping visited Pyongyang"
    at.query_params["k"] = "3"
    at.run()
    assert not at.exception and not at.error
    assert "003:11" in " ".join(str(m.value) for m in at.markdown)
    assert searched  # the hits came from Milvus
