"""Publication dates inferred from the text: the five bundled articles and made-up pages."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lib.corpus.published import fill_publication_dates, infer_published
from tests.conftest import SEEDS


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


def test_004_uses_the_date_under_the_title_not_the_capture_date():
    found = infer_published(seed("004"))
    assert found.value == date(2018, 7, 9)  # METADATA.md: published 2018-07-09
    assert found.inferred and found.source == "below-title"
    assert "July 9th, 2018" in found.evidence and "August 20, 2019" in found.evidence
    assert seed("004")[found.start : found.end] == "July 9th, 2018"


def test_003_is_placed_no_earlier_than_the_latest_month_it_mentions():
    found = infer_published(seed("003"))
    assert (found.value, found.granularity, found.source) == (date(2019, 7, 31), "month", "latest-mentioned")
    assert found.value <= date(2019, 8, 1)  # the true date is the next day
    assert "July 2019" in found.evidence


@pytest.mark.parametrize("prefix", ["000", "001", "002"])
def test_articles_without_a_full_date_get_no_guess(prefix):
    found = infer_published(seed(prefix))
    assert found.value is None and found.source == "none" and found.inferred
    assert found.evidence


def test_a_published_line_beats_the_dates_in_the_body():
    text = "Title of the story\nPublished on 3 March 2020, 10:00\nThe summit on June 1, 2021 will...\n"
    found = infer_published(text)
    assert (found.value, found.source) == (date(2020, 3, 3), "published-line")


def test_the_first_publication_beats_an_update():
    text = "Updated: March 5, 2020\nFirst published March 3, 2020\nBody text."
    assert infer_published(text).value == date(2020, 3, 3)


def test_a_dateline():
    found = infer_published("SEOUL, May 10, 2019 (Reuters) - North Korea fired two missiles on Thursday.")
    assert (found.value, found.source) == (date(2019, 5, 10), "dateline")


def test_a_lone_page_header_date_is_used_but_flagged():
    found = infer_published("June 2, 2020\nA headline here\nA body that mentions no full date at all.")
    assert (found.value, found.source) == (date(2020, 6, 2), "page-header")
    assert "capture" in found.evidence


def test_dates_inside_body_sentences_are_not_a_byline():
    found = infer_published("He met Kim on June 12, 2018 and again on February 27, 2019, without a deal.")
    assert (found.value, found.source) == (date(2019, 2, 27), "latest-mentioned")


def test_no_evidence_and_empty_text():
    for text in ("", "Nothing dated here.", "It happened on Thursday, last year."):
        found = infer_published(text)
        assert found.value is None and found.source == "none"


def test_fill_publication_dates_only_fills_what_is_missing():
    articles = pd.DataFrame(
        {
            "article_id": ["001", "004", "blank"],
            "published": ["2019-05-10", "", ""],
            "published_origin": ["manifest", "", ""],
            "published_evidence": ["", "", ""],
            "text": [seed("001"), seed("004"), "No date at all."],
        }
    )
    filled = fill_publication_dates(articles).set_index("article_id")
    assert filled.loc["001", ["published", "published_origin"]].tolist() == ["2019-05-10", "manifest"]
    assert filled.loc["004", ["published", "published_origin"]].tolist() == ["2018-07-09", "inferred"]
    assert "July 9th, 2018" in filled.loc["004", "published_evidence"]
    assert filled.loc["blank", ["published", "published_origin"]].tolist() == ["", ""]
    assert articles.loc[1, "published"] == ""  # the input is not changed
