"""Verdicts a reader of the bundled articles can check, with the real offline models."""

import pandas as pd
import pytest

from lib.corpus.copies import copy_groups, find_copies
from lib.errors import BadInputError
from lib.stance.verdicts import (
    align_articles,
    article_verdicts,
    candidate_claims,
    score_claims,
    validate_claim,
)

CHECKABLE = [
    "The Singapore summit produced a meaningful agreement",
    "Trump will eventually have to blink",
    "China is enforcing the sanctions on North Korea",
    "Manchester United won the Premier League title on goal difference",
]


@pytest.fixture(scope="module")
def stance_model(encoder):
    from lib.stance.model import StanceModel

    return StanceModel.load(encoder=encoder)


@pytest.fixture(scope="module")
def result(bundled_store, encoder, stance_model):
    articles = bundled_store.articles()
    groups = copy_groups(find_copies(articles), articles["article_id"].tolist())
    return score_claims(bundled_store, encoder, stance_model, CHECKABLE, groups)


def verdict(result, claim: str, article_id: str) -> pd.Series:
    rows = result.verdicts[
        (result.verdicts["claim"] == claim) & (result.verdicts["article_id"] == article_id)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_004_disagrees_that_singapore_produced_a_meaningful_agreement(result):
    row = verdict(result, CHECKABLE[0], "004")
    assert row["verdict"] == "disagree"
    assert row["quotes"][0]["paragraph_id"] == "004:12"
    assert "Singapore Summit was a debacle" in row["quotes"][0]["sentence"]


def test_the_cnn_story_agrees_trump_will_have_to_blink_and_its_copy_counts_once(result):
    rows = result.verdicts[result.verdicts["claim"] == CHECKABLE[1]]
    assert "000" not in set(rows["article_id"])  # the abridged copy is folded into 001
    row = verdict(result, CHECKABLE[1], "001")
    assert row["copies"] == ["000"] and row["verdict"] == "agree"
    assert any("have to blink" in q["sentence"] for q in row["quotes"])


def test_004_says_china_no_longer_enforces_sanctions(result):
    row = verdict(result, CHECKABLE[2], "004")
    assert row["verdict"] == "disagree"
    assert any("no longer going to enforce" in q["sentence"] for q in row["quotes"])


def test_an_unrelated_claim_is_unrelated_everywhere(result):
    rows = result.verdicts[result.verdicts["claim"] == CHECKABLE[3]]
    assert set(rows["verdict"]) == {"unrelated"} and (rows["n_paragraphs"] == 0).all()


def test_quotes_lead_back_to_their_paragraphs(result, bundled_store):
    paragraphs = bundled_store.paragraphs().set_index("paragraph_id")
    for quotes in result.verdicts["quotes"]:
        for q in quotes:
            text = paragraphs.loc[q["paragraph_id"], "text"]
            assert text[q["start"] : q["start"] + len(q["sentence"])] == q["sentence"]


def test_aggregation_rules_on_toy_evidence():
    evidence = pd.DataFrame(
        {
            "article_id": ["a", "a", "b"],
            "paragraph_id": ["a:1", "a:2", "b:1"],
            "ordinal": [1, 2, 1],
            "relevance": [0.7, 0.5, 0.4],
            "label": ["disagree", "agree", "unrelated"],
            "confidence": [0.6, 0.9, 0.8],
            "p_agree": [0.3, 0.9, 0.1],
            "p_disagree": [0.6, 0.05, 0.05],
            "p_discuss": [0.1, 0.05, 0.05],
            "p_unrelated": [0.0, 0.0, 0.8],
            "text": ["No. It failed.", "Yes it worked.", "Football."],
        }
    )
    verdicts = article_verdicts("claim", ["a", "b", "c"], evidence).set_index("article_id")
    assert verdicts.loc["a", "verdict"] == "disagree"  # the most relevant related paragraph decides
    assert verdicts.loc["b", "verdict"] == "unrelated" and verdicts.loc["c", "verdict"] == "unrelated"


def test_candidate_claims_come_from_topics_several_articles_address(bundled_store):
    proposals = candidate_claims(bundled_store)
    assert len(proposals) >= 3
    assert (proposals["articles"] >= 3).all()
    assert proposals["article_id"].nunique() >= 2


def test_the_abridged_copy_aligns_with_its_original(bundled_store, stance_model):
    aligned = align_articles(bundled_store, stance_model, "000", "001")
    assert len(aligned) >= 5
    assert (aligned["relation"] == "agreeing").mean() >= 0.8
    with pytest.raises(BadInputError):
        align_articles(bundled_store, stance_model, "000", "nope")


@pytest.mark.parametrize(
    "claim,message",
    [
        ("", "Type a claim"),
        ("   ", "Type a claim"),
        (
            "Die Sanktionen gegen Nordkorea sind gescheitert und müssen aufgehoben werden",
            "does not look English",
        ),
        ("Les sanctions contre la Corée du Nord ont échoué et doivent être levées", "does not look English"),
        ("sanctions " * 600, "characters long"),
    ],
)
def test_bad_claims_get_clear_messages(claim, message):
    with pytest.raises(BadInputError, match=message):
        validate_claim(claim)


def test_english_claims_without_function_words_are_accepted():
    assert validate_claim("Kim Jong Un wants sanctions relief before denuclearization")
