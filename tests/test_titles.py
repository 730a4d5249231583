"""What an article is called everywhere: its own title, or where and when it appeared and its
first words, marked as having no title (never an invented title, never "Untitled article 000")."""

import pandas as pd

from lib.corpus.titles import NO_TITLE, article_titles, display_title


def test_a_title_is_used_as_it_is():
    assert display_title("  Talks resume  ", "CNN", "2019-05-10", "whatever") == "Talks resume"


def test_an_untitled_article_is_named_by_source_date_and_first_words():
    lead = "It used to be North Korea that was desperate for talks with the United States."
    assert display_title("", "CNN", "2019-05-10", lead) == (
        "CNN, 2019-05-10: “It used to be North Korea that was…” (no title)"
    )
    assert display_title("", "", "", "Short lead.") == "“Short lead.” (no title)"
    assert display_title("", "", "2019-05-10", "") == "2019-05-10 (no title)"
    assert display_title("", "", "", "") == NO_TITLE


def test_article_titles_take_the_first_body_paragraph_not_a_heading():
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "title": ["Titled", ""],
            "source": ["X", "Y"],
            "published": ["", "2020-01-02"],
        }
    )
    paragraphs = pd.DataFrame(
        {
            "article_id": ["b", "b", "b"],
            "ordinal": [2, 1, 3],
            "kind": ["body", "heading", "body"],
            "text": ["The first real paragraph.", "A HEADING", "Later text."],
        }
    )
    titles = article_titles(articles, paragraphs)
    assert titles == {"a": "Titled", "b": "Y, 2020-01-02: “The first real paragraph.” (no title)"}


def test_files_not_yet_indexed_take_their_first_words_from_their_text():
    articles = pd.DataFrame(
        {
            "article_id": ["c"],
            "title": [None],
            "source": [None],
            "published": [""],
            "text": ["Envoys met."],
        }
    )
    assert article_titles(articles) == {"c": "“Envoys met.” (no title)"}
