import json

import pytest

from lib.corpus.load import decode_text, load_corpus, normalise_date
from lib.errors import BadInputError
from tests.conftest import SEEDS


def test_bundled_corpus_loads_with_manifest_metadata():
    loaded = load_corpus(SEEDS)
    assert loaded.problems == []
    articles = loaded.articles.set_index("article_id")
    assert list(articles.index) == ["000", "001", "002", "003", "004"]
    assert articles.loc["004", "published"] == "2018-07-09"
    assert articles.loc["003", "title"] == "Kim Jong Un Turns Up the Pressure on the United States"
    assert articles.loc["000", "title"] == ""  # unknown stays empty, never invented
    assert articles.loc["002", "source"] == "Asia Times"
    assert articles["content_hash"].str.len().eq(64).all()


def test_each_format_loads(tmp_path):
    (tmp_path / "a.txt").write_text("Plain text article.\n\nSecond paragraph.", encoding="utf-8")
    (tmp_path / "b.md").write_text("# Heading\n\nMarkdown body text here.", encoding="utf-8")
    (tmp_path / "c.json").write_text(
        json.dumps(
            {
                "title": "JSON one",
                "source": "Wire",
                "published": "2020-01-02",
                "text": "Body of the JSON article.",
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "d.jsonl").write_text(
        json.dumps({"id": "d1", "title": "First", "text": "First line article."})
        + "\n"
        + json.dumps({"id": "d2", "text": "Second line article.", "url": "https://example.org/2"})
        + "\n",
        encoding="utf-8",
    )
    (tmp_path / "e.csv").write_text(
        'title,text,published\nCSV one,"Body, with comma.",March 4 2021\n', encoding="utf-8"
    )
    html = (
        "<html><head><title>Page title</title></head><body><nav>Home | News</nav><article><h1>Talks resume"
        "</h1><p>"
        + "Diplomats met again on Monday in Geneva to resume the stalled talks. " * 5
        + "</p><p>"
        + "Both sides said progress was slow but real, and more meetings are planned. " * 4
        + "</p></article><footer>Subscribe to our newsletter</footer></body></html>"
    )
    (tmp_path / "f.html").write_text(html, encoding="utf-8")
    loaded = load_corpus(tmp_path)
    arts = loaded.articles.set_index("article_id")
    assert loaded.problems == []
    assert set(arts.index) == {"a", "b", "c", "d1", "d2", "e", "f"}
    assert arts.loc["c", "published"] == "2020-01-02" and arts.loc["c", "source"] == "Wire"
    assert arts.loc["d2", "url"] == "https://example.org/2" and arts.loc["d2", "title"] == ""
    assert arts.loc["e", "published"] == "2021-03-04" and arts.loc["e", "text"] == "Body, with comma."
    assert "Diplomats met again" in arts.loc["f", "text"]
    assert "Subscribe" not in arts.loc["f", "text"] and "Home | News" not in arts.loc["f", "text"]
    assert set(arts["format"]) == {"text", "markdown", "json", "jsonl", "csv", "html"}


def test_bad_files_are_reported_and_skipped_without_losing_the_rest(tmp_path):
    (tmp_path / "good.txt").write_text("A perfectly good article.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 100)
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "notext.csv").write_text("title,author\nA,B\n", encoding="utf-8")
    (tmp_path / "huge.txt").write_text("word " * 5000, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    loaded = load_corpus(tmp_path, max_bytes=10_000)
    assert loaded.articles["article_id"].tolist() == ["good"]
    messages = {p.path: p.message for p in loaded.problems}
    assert "empty" in messages["empty.txt"]
    assert "binary" in messages["binary.txt"]
    assert "JSON" in messages["broken.json"]
    assert "text column" in messages["notext.csv"]
    assert "limit" in messages["huge.txt"]
    assert "not a supported format" in messages["image.png"]


def test_legacy_encodings_are_decoded():
    assert decode_text("Pyongyang’s café".encode("cp1252")) == "Pyongyang’s café"
    assert decode_text("Über die Gespräche in Genf".encode("latin-1")).startswith("Über")
    with pytest.raises(BadInputError):
        decode_text(b"\x00\xff\x00\xfe" * 64)


def test_bad_manifest_date_is_left_empty_and_reported(tmp_path):
    (tmp_path / "a.txt").write_text("Text.", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("id,file,published\nA1,a.txt,not a date\n", encoding="utf-8")
    loaded = load_corpus(tmp_path)
    assert loaded.articles.loc[0, "article_id"] == "A1"
    assert loaded.articles.loc[0, "published"] == ""
    assert "not a date" in loaded.problems[0].message


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(BadInputError, match="does not exist"):
        load_corpus(tmp_path / "nope")


@pytest.mark.parametrize(
    "value,expected",
    [("2019-05-10", "2019-05-10"), ("May 10, 2019", "2019-05-10"), ("", ""), ("soon", ""), (None, "")],
)
def test_normalise_date(value, expected):
    assert normalise_date(value) == expected
