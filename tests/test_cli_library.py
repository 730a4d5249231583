"""`python -m lib add / list / remove`: each file reported added or rejected with its reason,
a non-zero exit when any was rejected, the index updated afterwards, bundled articles kept."""

import json
import shutil

import pytest

from lib.cli.main import main
from lib.store.embedded import EmbeddedStore
from tests.conftest import SEEDS

TEXT = (
    "Envoys met in Panmunjom on Sunday.\n\nThey agreed to resume working-level talks on the Yongbyon reactor."
)


@pytest.fixture
def env(monkeypatch, tmp_path, bundled_index):
    """A tmp user corpus and a tmp copy of the session's bundled index (so updates are incremental)."""
    index = tmp_path / "index"
    shutil.copytree(bundled_index, index)
    monkeypatch.setenv("DOSSIER_CORPUS", str(SEEDS))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(tmp_path / "user"))
    monkeypatch.setenv("DOSSIER_INDEX", str(index))
    return tmp_path


def test_add_reports_each_file_and_fails_when_one_is_rejected(env, capsys):
    good, bad = env / "talks.txt", env / "scan.pdf"
    good.write_text(TEXT)
    bad.write_bytes(b"%PDF-1.4\n garbage")
    code = main(["add", str(good), str(bad), str(env / "missing.txt"), "--source", "Yonhap", "--no-index"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "added talks.txt as talks" in out
    assert "rejected 'scan.pdf': the PDF is truncated" in err and "missing.txt: no such file" in err


def test_list_shows_origins_and_json(env, capsys):
    (env / "talks.txt").write_text(TEXT)
    assert (
        main(["add", str(env / "talks.txt"), "--title", "Talks", "--published", "2019-06-30", "--no-index"])
        == 0
    )
    capsys.readouterr()
    assert main(["list", "--json"]) == 0
    rows = {r["article_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["talks"]["origin"] == "user" and rows["talks"]["title"] == "Talks"
    assert rows["talks"]["paragraphs"] is None and rows["001"]["paragraphs"] > 0
    assert rows["001"]["origin"] == "bundled"


def test_add_then_remove_updates_the_index(env, capsys):
    (env / "talks.txt").write_text(TEXT)
    assert main(["add", str(env / "talks.txt")]) == 0
    assert "talks" in set(EmbeddedStore(env / "index").articles()["article_id"])
    assert "(2 embedded" in capsys.readouterr().out
    assert main(["remove", "talks"]) == 0
    assert "talks" not in set(EmbeddedStore(env / "index").articles()["article_id"])


def test_remove_refuses_a_bundled_article(env, capsys):
    assert main(["remove", "001"]) == 2
    assert "read-only" in capsys.readouterr().err
    assert len(list(SEEDS.glob("001_*.txt"))) == 1


def test_with_the_milvus_store_an_added_article_is_searchable_at_once(env, monkeypatch, capsys):
    """`add` goes through the one index-update path, which publishes the new generation to the
    configured store: with DOSSIER_STORE=milvus the next search finds the added article."""
    monkeypatch.setenv("DOSSIER_STORE", "milvus")
    monkeypatch.setenv("DOSSIER_MILVUS_URI", str(env / "milvus.db"))
    assert main(["build"]) == 0
    (env / "talks.txt").write_text(TEXT)
    assert main(["add", str(env / "talks.txt"), "--source", "Yonhap"]) == 0
    capsys.readouterr()
    assert main(["search", "working-level talks on the Yongbyon reactor", "-k", "3", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["article_id"] == "talks"
    assert main(["remove", "talks"]) == 0
    capsys.readouterr()
    assert main(["search", "working-level talks on the Yongbyon reactor", "-k", "3", "--json"]) == 0
    assert "talks" not in {h["article_id"] for h in json.loads(capsys.readouterr().out)["hits"]}
