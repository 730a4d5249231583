"""Citations an analyst pastes into a memo: the quote, outlet, title (or the untitled label),
date, paragraph number and URL when known; missing metadata said, never invented."""

import json

import pandas as pd
import pytest

from lib.cli.main import main
from lib.corpus.citations import CitationBuilder
from lib.errors import BadInputError

ARTICLES = pd.DataFrame(
    {
        "article_id": ["titled", "untitled", "bare"],
        "title": ["Talks resume in Hanoi", "", None],
        "source": ["Wire Service", "CNN", ""],
        "url": ["https://example.org/talks", "", None],
        "published": ["2019-02-27", "2019-05-10", ""],
    }
)
PARAGRAPHS = pd.DataFrame(
    {
        "paragraph_id": ["titled:1", "titled:2", "untitled:1", "untitled:2", "bare:1"],
        "article_id": ["titled", "titled", "untitled", "untitled", "bare"],
        "ordinal": [1, 2, 1, 2, 1],
        "kind": ["body", "body", "heading", "body", "body"],
        "text": [
            "Envoys arrived on Tuesday.",
            "The summit opened.  Both   leaders smiled. Nobody signed anything.",
            "A HEADING",
            "It used to be North Korea that was desperate for talks with the United States.",
            "Short text.",
        ],
    }
)


@pytest.fixture
def builder():
    return CitationBuilder(ARTICLES, PARAGRAPHS)


def test_a_titled_article_is_cited_with_outlet_title_date_paragraph_and_url(builder):
    citation = builder.cite("titled:2", "Both leaders smiled.")
    assert citation.text == (
        "“Both leaders smiled.” — Wire Service, “Talks resume in Hanoi”, 2019-02-27, paragraph 2, "
        "https://example.org/talks"
    )
    assert citation.source == "Wire Service, “Talks resume in Hanoi”, 2019-02-27, https://example.org/talks"


def test_without_a_quote_the_whole_paragraph_is_quoted_with_its_spacing_tidied(builder):
    assert builder.cite("titled:2").quote == "The summit opened. Both leaders smiled. Nobody signed anything."


def test_an_untitled_article_is_named_by_its_first_words_and_marked_untitled(builder):
    citation = builder.cite("untitled:2", "It used to be North Korea that was desperate.")
    assert citation.text == (
        "“It used to be North Korea that was desperate.” — CNN, “It used to be North Korea that was…” "
        "(no title), 2019-05-10, paragraph 2"
    )
    assert not citation.titled and "https" not in citation.text  # no URL known: none given


def test_missing_outlet_and_date_are_said_not_invented(builder):
    citation = builder.cite("bare:1")
    assert (
        citation.text == "“Short text.” — source unknown, “Short text.” (no title), date unknown, paragraph 1"
    )
    assert citation.source == "source unknown, “Short text.” (no title), date unknown"


def test_an_unknown_paragraph_is_a_clear_error(builder):
    with pytest.raises(BadInputError, match="no paragraph 'titled:9'"):
        builder.cite("titled:9")


def test_a_bundled_article_is_cited_from_the_index(bundled_store):
    builder = CitationBuilder(bundled_store.articles(), bundled_store.paragraphs())
    citation = builder.cite(
        "004:12", "Even though the Singapore Summit was a debacle, there was still some hope"
    )
    assert citation.text.startswith(
        "“Even though the Singapore Summit was a debacle, there was still some hope” — "
    )
    assert citation.text.endswith(
        "NK News (opinion), “After the Pyongyang debacle, it's not clear where U.S. policy goes from here”, "
        "2018-07-09, paragraph 12"
    )
    assert "(no title)" in builder.cite("000:1").text  # the abridged CNN copy has no title


# ---- `--cite` in the commands: the same text the pages' "Copy citation" gives ----------------------


def run_json(capsys, *args):
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_search_cite_prints_each_hits_citation(bundled_index, bundled_store, capsys):
    where = ["--index", str(bundled_index), "--no-build"]
    builder = CitationBuilder(bundled_store.articles(), bundled_store.paragraphs())
    hits = run_json(capsys, "search", "Xi Jinping visited Pyongyang", "-k", "2", "--cite", *where)["hits"]
    assert [h["citation"] for h in hits] == [builder.cite(h["paragraph_id"]).text for h in hits]
    assert main(["search", "Xi Jinping visited Pyongyang", "-k", "2", "--cite", *where]) == 0
    out = capsys.readouterr().out
    assert out.count("cite: “") == 2 and f"cite: {hits[0]['citation']}" in out
    assert (
        "citation"
        not in run_json(capsys, "search", "Xi Jinping visited Pyongyang", "-k", "2", *where)["hits"][0]
    )


def test_timeline_cite_prints_each_sources_citation(bundled_index, capsys):
    where = ["--index", str(bundled_index), "--no-build"]
    events = run_json(capsys, "timeline", "--min-sources", "2", "--cite", *where)["events"]
    deadline = next(e for e in events if e["value"] == "2019-12-31")
    quoted = {s["citation"] for s in deadline["sources"]}
    assert any(
        c.startswith("“While Washington may view Kim’s unilaterally imposed year-end deadline")
        for c in quoted
    )
    assert all(", paragraph " in c for c in quoted)
    assert main(["timeline", "--min-sources", "2", "--cite", *where]) == 0
    assert "cite: “While Washington may view" in capsys.readouterr().out


def test_stance_cite_prints_each_quotes_citation(bundled_index, capsys):
    claim = "The Singapore summit produced a meaningful agreement"
    where = ["--index", str(bundled_index), "--no-build"]
    verdicts = run_json(capsys, "stance", claim, "--cite", *where)["verdicts"]
    quote = next(v for v in verdicts if v["article_id"] == "004")["quotes"][0]
    assert quote["citation"] == (
        f"“{quote['sentence']}” — NK News (opinion), “After the Pyongyang debacle, it's not clear where U.S. "
        "policy goes from here”, 2018-07-09, paragraph 12"
    )
    assert main(["stance", claim, "--cite", *where]) == 0
    assert f"cite: {quote['citation']}" in capsys.readouterr().out
