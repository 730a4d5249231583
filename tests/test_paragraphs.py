import re

import pytest

from lib.corpus.paragraphs import split_corpus, split_paragraphs
from tests.conftest import SEEDS


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_offsets_point_at_the_paragraph_in_the_source_text(prefix):
    text = seed(prefix)
    paragraphs, furniture = split_paragraphs(prefix, text)
    assert len(paragraphs) > 3
    for row in paragraphs.itertuples():
        assert squash(text[row.start : row.end]) == row.text
        assert row.paragraph_id == f"{prefix}:{row.ordinal}"
    for row in furniture.itertuples():
        assert squash(text[row.start : row.end]) == row.text or row.rule == "pull_quote"
    assert list(paragraphs["ordinal"]) == list(range(1, len(paragraphs) + 1))


def test_hard_wrapped_lines_are_rejoined_into_paragraphs():
    paragraphs, _ = split_paragraphs("000", seed("000"))
    texts = list(paragraphs["text"])
    assert len(texts) == 6
    joined = next(t for t in texts if t.startswith("North Korea’s current hand"))
    assert "even if the potential risks" in joined
    assert joined.endswith("his entire strategy towards Pyongyang has been a failure.")
    levers = next(t for t in texts if t.startswith("Washington’s two other levers"))
    assert "he blames South Korea in part" in levers
    assert levers.endswith("joint military drills with the US.")


def test_furniture_of_each_seed_is_removed_and_kept_with_its_rule():
    removed = {p: split_paragraphs(p, seed(p))[1] for p in ["000", "001", "002", "003", "004"]}
    rules = {p: set(f["rule"]) for p, f in removed.items()}
    assert rules["000"] == {"source_tag"}
    assert {"see_also", "comment_prompt", "repeated_header_line"} <= rules["001"]
    assert {"photo_credit", "comment_prompt"} <= rules["002"]
    assert {"repeated_header_line", "site_navigation", "photo_credit", "republication_notice"} <= rules["003"]
    assert {
        "repeated_header_line",
        "date_only_line",
        "pull_quote",
        "photo_credit",
        "newsletter",
        "skip_link",
        "disclaimer",
    } <= rules["004"]
    texts_001 = " ".join(split_paragraphs("001", seed("001"))[0]["text"])
    assert "See also" not in texts_001 and "Leave a Reply" not in texts_001
    texts_004 = split_paragraphs("004", seed("004"))[0]["text"].tolist()
    assert not any("August 20, 2019" in t for t in texts_004)
    assert not any(
        t == "The CVID pipedream is falling apart faster than anyone could expect" for t in texts_004
    )
    assert texts_004[-1].startswith("The opportunities once created")  # the real sentence stays


def test_body_text_is_never_removed_as_furniture():
    for prefix in ["000", "001", "002", "003", "004"]:
        paragraphs, furniture = split_paragraphs(prefix, seed(prefix))
        body_words = sum(len(t.split()) for t in paragraphs["text"])
        furniture_words = sum(len(t.split()) for t in furniture["text"])
        assert furniture_words < 0.15 * body_words
    p001 = split_paragraphs("001", seed("001"))[0]
    assert p001["text"].str.contains("Bernie Sanders").any()


def test_headings_are_kept_but_marked():
    paragraphs, _ = split_paragraphs("001", seed("001"))
    headings = paragraphs[paragraphs["kind"] == "heading"]["text"].tolist()
    assert headings == ["Strong-arm tactics", "Running out the clock?"]


def test_other_sites_furniture_is_removed():
    page = "\n".join(
        [
            "Skip to main content",
            "Menu",
            "Breaking: Ministers meet in Geneva",
            "Published: March 3, 2021",
            "",
            "Ministers met in Geneva on Tuesday to discuss the treaty, officials said.",
            "Sign up for our newsletter to get the latest news in your inbox.",
            "Related Articles",
            "The talks will resume next month, according to the foreign ministry.",
            "Image: Reuters/John Doe",
            "Facebook | Twitter | Email",
            "12 Comments",
            "Written by Jane Roe",
        ]
    )
    paragraphs, furniture = split_paragraphs("x", page)
    assert paragraphs["text"].tolist() == [
        "Breaking: Ministers meet in Geneva",
        "Ministers met in Geneva on Tuesday to discuss the treaty, officials said.",
        "The talks will resume next month, according to the foreign ministry.",
    ]
    assert len(furniture) == 9


def test_empty_and_whitespace_text_give_no_paragraphs():
    for text in ["", "   \n\n \t\n"]:
        paragraphs, furniture = split_paragraphs("e", text)
        assert paragraphs.empty and furniture.empty


def test_split_corpus_concatenates_articles():
    import pandas as pd

    articles = pd.DataFrame({"article_id": ["a", "b"], "text": ["One paragraph here.", "Two.\n\nThree."]})
    paragraphs, _ = split_corpus(articles)
    assert paragraphs["paragraph_id"].tolist() == ["a:1", "b:1", "b:2"]
