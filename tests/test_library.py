"""The user's library: added articles are stored with their metadata, edited and deleted;
bad files and copies are refused with the reason; writes are all-or-nothing; the bundled
corpus stays read-only."""

import os
from pathlib import Path

import pytest

from lib.corpus.library import (
    Library,
    add_file,
    add_files,
    add_text,
    delete_article,
    edit_metadata,
    list_articles,
)
from lib.errors import BadInputError
from tests.conftest import SEEDS
from tests.test_corpus_formats import make_pdf

TEXT = "Envoys met in Panmunjom on Sunday.\n\nThey agreed to resume working-level talks within weeks."


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(tmp_path / "user", (SEEDS,), max_bytes=1024 * 1024)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_added_file_is_listed_with_its_metadata_beside_the_bundled_ones(library):
    ids = add_file(
        library,
        "Talks Resume!.txt",
        TEXT.encode(),
        title="Talks resume",
        source="Yonhap",
        published="2019-06-30",
    )
    assert ids == ["talks-resume"]
    articles = list_articles(library).set_index("article_id")
    assert articles.loc["talks-resume", ["title", "source", "published", "origin"]].tolist() == [
        "Talks resume",
        "Yonhap",
        "2019-06-30",
        "user",
    ]
    assert articles.loc["001", "origin"] == "bundled"


def test_same_file_name_gets_a_unique_id_and_pdf_and_pasted_text_are_accepted(library):
    add_file(library, "talks.txt", TEXT.encode())
    assert add_file(library, "talks.txt", (TEXT + " Another version.").encode()) == ["talks-2"]
    assert add_file(library, "talks.pdf", make_pdf("Hello Pyongyang")) == ["talks-3"]
    assert add_text(library, "Pasted article body.", title="Pasted: one") == "pasted-one"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
        ("big.txt", b"a" * (1024 * 1024 + 1), "over the"),
        ("cut.pdf", make_pdf()[:-60], "truncated"),
        ("cut.json", b'{"text": "Envoys met', "cut off"),
        ("script.html", b"<html><body><script>steal()</script></body></html>", "no article text"),
        ("photo.jpg", b"\xff\xd8\xff", "not a supported type"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(library, name, data, message):
    with pytest.raises(BadInputError, match=message):
        add_file(library, name, data)
    assert [p for p in snapshot(library.user_dir) if p != "manifest.csv"] == []


def test_a_copy_of_a_stored_article_is_refused_naming_it(library):
    bundled = (next(SEEDS.glob("001_*.txt"))).read_bytes()
    with pytest.raises(BadInputError, match="already stored as article '001'"):
        add_file(library, "wire.txt", bundled)
    add_file(library, "mine.txt", TEXT.encode())
    with pytest.raises(BadInputError, match="'mine'"):
        add_file(library, "again.txt", (TEXT + "\n").encode())


def test_one_bad_file_does_not_stop_the_others(library):
    outcomes = add_files(library, [("good.txt", TEXT.encode()), ("bad.txt", b"")])
    assert [(o.name, o.added) for o in outcomes] == [("good.txt", True), ("bad.txt", False)]
    assert "empty" in outcomes[1].error


def test_edit_and_delete_a_user_article(library):
    add_file(library, "talks.txt", TEXT.encode())
    edit_metadata(library, "talks", title="New title", url="https://example.org/t", published="30 June 2019")
    row = list_articles(library).set_index("article_id").loc["talks"]
    assert (row["title"], row["url"], row["published"]) == (
        "New title",
        "https://example.org/t",
        "2019-06-30",
    )
    with pytest.raises(BadInputError, match="not a date"):
        edit_metadata(library, "talks", published="someday")
    delete_article(library, "talks")
    assert "talks" not in set(list_articles(library)["article_id"])
    assert set(snapshot(library.user_dir)) == {"manifest.csv"}


def test_bundled_articles_are_read_only(library):
    before = snapshot(SEEDS)
    for action in (lambda: delete_article(library, "001"), lambda: edit_metadata(library, "001", title="x")):
        with pytest.raises(BadInputError, match="bundled corpus, which is read-only"):
            action()
    with pytest.raises(BadInputError, match="no article 'nope'"):
        delete_article(library, "nope")
    assert snapshot(SEEDS) == before


def test_a_failure_while_writing_leaves_no_partial_file_and_the_manifest_intact(library, monkeypatch):
    add_file(library, "kept.txt", TEXT.encode(), title="Kept")
    before = snapshot(library.user_dir)
    real_replace = os.replace

    def fail_on_manifest(src, dst):
        if str(dst).endswith("manifest.csv"):
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_manifest)
    with pytest.raises(OSError, match="disk full"):
        add_file(library, "new.txt", b"A brand new article about the DMZ.")
    with pytest.raises(OSError, match="disk full"):
        delete_article(library, "kept")
    with pytest.raises(OSError, match="disk full"):
        edit_metadata(library, "kept", title="Changed")
    monkeypatch.setattr(os, "replace", real_replace)
    assert snapshot(library.user_dir) == before
    assert list_articles(library).set_index("article_id").loc["kept", "title"] == "Kept"


def test_a_failure_mid_write_of_the_article_file_leaves_nothing(library, monkeypatch):
    def broken_fsync(fd):
        raise OSError("device error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="device error"):
        add_file(library, "new.txt", TEXT.encode())
    monkeypatch.undo()
    assert snapshot(library.user_dir) == {}
