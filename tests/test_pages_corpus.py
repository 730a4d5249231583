"""The corpus page: uploads add searchable articles, bad files are refused with the reason,
user articles can be edited and deleted, bundled ones cannot."""

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from lib.corpus.library import Library, add_file
from lib.store.embedded import EmbeddedStore
from tests.conftest import ROOT, SEEDS

TIMEOUT = 120
TEXT = b"Envoys met in Panmunjom on Sunday.\n\nThey agreed to resume talks on the Yongbyon reactor."


@pytest.fixture
def env(monkeypatch, tmp_path, bundled_index):
    """Tmp user corpus and a tmp copy of the bundled index, so index updates are incremental."""
    shutil.copytree(bundled_index, tmp_path / "index")
    monkeypatch.setenv("DOSSIER_CORPUS", str(SEEDS))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(tmp_path / "user"))
    monkeypatch.setenv("DOSSIER_INDEX", str(tmp_path / "index"))
    return tmp_path


def corpus_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/corpus.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def messages(at: AppTest) -> str:
    return " ".join(
        str(e.value) for kind in ("success", "error", "warning", "info") for e in getattr(at, kind)
    )


def test_page_lists_articles_and_the_copies(env):
    at = corpus_page()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert set(table["origin"]) == {"bundled"} and len(table) == 5
    pairs = at.dataframe[1].value
    assert pairs[["article_id", "copy_of"]].values.tolist() == [["000", "001"]]


def test_upload_adds_a_searchable_article_and_refuses_a_binary_file(env):
    at = corpus_page()
    at.file_uploader[0].set_value(
        [("talks.txt", TEXT, "text/plain"), ("photo.txt", b"\x00\x01\x02", "text/plain")]
    ).run()
    at.button(key="add_files").click().run()
    assert not at.exception
    assert "Added talks.txt as talks" in messages(at)
    refused = " ".join(e.value for e in at.error)
    assert "photo.txt" in refused and "the file is binary" in refused
    store = EmbeddedStore(env / "index")
    assert "Yongbyon" in " ".join(store.paragraphs().query("article_id == 'talks'")["text"])
    assert "talks" in set(at.dataframe[0].value["article_id"])


def test_edit_and_delete_a_user_article(env):
    add_file(Library(env / "user", (SEEDS,)), "talks.txt", TEXT)
    at = corpus_page(article="talks")
    at.text_input(key="edit_title").input("Talks resume")
    at.text_input(key="edit_published").input("2019-06-30")
    next(b for b in at.button if b.label == "Save the metadata").click()
    at.run()
    assert not at.exception and "Saved the metadata of talks" in messages(at)
    row = EmbeddedStore(env / "index").articles().set_index("article_id").loc["talks"]
    assert (row["title"], row["published"]) == ("Talks resume", "2019-06-30")

    at.checkbox(key="confirm_delete").check().run()
    at.button(key="delete").click().run()
    assert not at.exception and "Deleted talks" in messages(at)
    assert "talks" not in set(EmbeddedStore(env / "index").articles()["article_id"])
    assert not (env / "user" / "talks.txt").exists()


def test_bundled_articles_cannot_be_deleted(env):
    at = corpus_page(article="001")
    assert "read-only" in messages(at)
    assert not [b for b in at.button if b.key == "delete"]


def test_many_copies_are_drawn_as_a_histogram_not_a_bar_each(tmp_path, monkeypatch):
    """Syndicated copies by the dozen (a wire story picked up by 45 sites): each copy is listed
    once, against the original, and drawn as a histogram, not a bar each."""
    import json

    from lib.index.build import build_index
    from tests.conftest import FakeEncoder

    story = next(SEEDS.glob("002_*.txt")).read_text(encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "original.txt").write_text(story, encoding="utf-8")
    for number in range(45):
        (corpus / f"site{number:02d}.txt").write_text(
            story + f"\n\nRepublished by partner site number {number} under licence.", encoding="utf-8"
        )
    build_index(corpus, tmp_path / "index", FakeEncoder())
    monkeypatch.setenv("DOSSIER_CORPUS", str(corpus))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(tmp_path / "user"))
    monkeypatch.setenv("DOSSIER_INDEX", str(tmp_path / "index"))
    monkeypatch.setenv("DOSSIER_MODEL", FakeEncoder.name)
    at = corpus_page()
    assert not at.exception and not at.error
    pairs, groups = at.dataframe[1].value, at.dataframe[2].value
    assert len(pairs) == 45 and pairs["article_id"].is_unique  # each copy once, not 1,035 pairs
    assert set(pairs["copy_of"]) == set(groups["original"])  # against the one original (longest)
    assert groups["articles"].str.split(", ").map(len).tolist() == [46]
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert {trace["type"] for trace in chart["data"]} == {"histogram"}
    assert "45 pairs" in chart["layout"]["title"]["text"]
