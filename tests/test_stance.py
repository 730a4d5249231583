"""Verdicts a reader of the bundled articles can check (claims from the Dossier dev set,
tests/data/dossier_stance_dev.jsonl), with the real offline models; sentences, proposals and the
pair view on the bundled index; and the checks on what a user types."""

import json

import pandas as pd
import pytest

from lib.corpus.copies import copy_groups, find_copies
from lib.errors import BadInputError
from lib.index.annotators import stored_copy_groups
from lib.stance import proposals
from lib.stance.alignment import align_articles
from lib.stance.crossencoder import StanceCrossEncoder
from lib.stance.matrix import outlet_matrix
from lib.stance.proposals import proposed_claims
from lib.stance.verdicts import (
    NOT_ADDRESSED,
    NOT_CLEAR,
    VerdictRules,
    corpus_sentences,
    score_claims,
    validate_claim,
)
from tests.conftest import ROOT

DEV_CLAIMS = {
    json.loads(line)["claim"]: json.loads(line)["verdicts"]
    for line in (ROOT / "tests" / "data" / "dossier_stance_dev.jsonl").read_text().splitlines()
}
RUSSIA = "Russia is supporting North Korea."
SINGAPORE = "The Singapore summit produced a meaningful agreement."
UNRELATED = "Manchester United won the Premier League title on goal difference"
CHECKED = [RUSSIA, SINGAPORE, UNRELATED]


@pytest.fixture(scope="module")
def model():
    return StanceCrossEncoder.load()


@pytest.fixture(scope="module")
def result(bundled_store, encoder, model):
    """Every article judged on its own, as the reader did."""
    return score_claims(bundled_store, encoder, model, CHECKED)


@pytest.fixture(scope="module")
def pooled(bundled_store, encoder, model):
    """Copies of one story pooled, as the page and the CLI show them."""
    articles = bundled_store.articles()
    groups = copy_groups(find_copies(articles), articles["article_id"].tolist())
    return score_claims(bundled_store, encoder, model, [RUSSIA], groups)


def verdict(result, claim: str, article_id: str) -> pd.Series:
    rows = result.verdicts[
        (result.verdicts["claim"] == claim) & (result.verdicts["article_id"] == article_id)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_the_dev_claims_cover_every_bundled_article_with_a_reader_verdict():
    assert len(DEV_CLAIMS) >= 20
    for verdicts in DEV_CLAIMS.values():
        assert sorted(verdicts) == ["000", "001", "002", "003", "004"]
        assert set(verdicts.values()) <= {"agree", "disagree", "discuss", NOT_ADDRESSED}
    assert DEV_CLAIMS[RUSSIA]["001"] == "agree" and DEV_CLAIMS[RUSSIA]["002"] == NOT_ADDRESSED


def test_an_unrelated_claim_is_not_addressed_anywhere(result):
    rows = result.verdicts[result.verdicts["claim"] == UNRELATED]
    assert set(rows["verdict"]) == {NOT_ADDRESSED} and (rows["n_sentences"] == 0).all()


def test_a_verdict_below_the_threshold_is_not_clear(bundled_store, encoder, model):
    strict = score_claims(bundled_store, encoder, model, [RUSSIA], rules=VerdictRules(threshold=0.99))
    addressed = strict.verdicts[strict.verdicts["verdict"] != NOT_ADDRESSED]
    assert len(addressed) and set(addressed["verdict"]) == {NOT_CLEAR}
    assert (addressed["confidence"] < 0.99).all() and addressed["quotes"].map(len).min() >= 1


def test_quotes_are_whole_sentences_that_lead_back_to_their_paragraphs(result, bundled_store):
    paragraphs = bundled_store.paragraphs().set_index("paragraph_id")
    quotes = [q for qs in result.verdicts["quotes"] for q in qs]
    assert quotes
    for q in quotes:
        text = paragraphs.loc[q["paragraph_id"], "text"]
        assert " ".join(text[q["start"] : q["end"]].split()) == q["sentence"]
        assert q["sentence"][-1] in ".?!”\"'" and q["sentence"].lstrip("“‘\"'")[0].isupper()


def test_sentences_are_not_cut_at_abbreviations(bundled_store):
    sentences = corpus_sentences(bundled_store).sentences
    assert any(
        t.startswith("Under Donald Trump’s tenure as U.S. President, it briefly") for t in sentences["text"]
    )
    assert not any(t.endswith("as U.S.") for t in sentences["text"])


def test_proposed_claims_are_statements_several_stories_address(bundled_store):
    stored = bundled_store.table("proposed_claims")
    assert len(stored) >= 3 and (stored["articles"] >= 3).all()
    assert stored["article_id"].nunique() >= 2
    assert all(6 <= len(claim.split()) <= 35 for claim in stored["claim"])
    articles, paragraphs = bundled_store.articles(), bundled_store.paragraphs()
    groups = stored_copy_groups(bundled_store)
    pd.testing.assert_frame_equal(proposed_claims(articles, paragraphs, groups), stored, check_dtype=False)
    assert proposed_claims(articles.head(2), paragraphs, groups).empty  # two stories cannot make three


def test_proposed_claims_at_scale_try_a_stable_sample_in_small_blocks(bundled_store, monkeypatch):
    """Past MAX_CANDIDATES paragraphs (thousands of articles) only a sample is tried, chosen by
    id so a build finds the same claims again, and similarities come a few rows at a time
    (the all-pairs matrix took 3.9 GB at 31,000 paragraphs): subjects many stories share are
    still found."""
    articles, paragraphs = bundled_store.articles(), bundled_store.paragraphs()
    groups = stored_copy_groups(bundled_store)
    monkeypatch.setattr(proposals, "MAX_CANDIDATES", 40)
    monkeypatch.setattr(proposals, "BLOCK_ENTRIES", 500)  # blocks of 5 rows on the 94 paragraphs
    sampled = proposed_claims(articles, paragraphs, groups)
    assert len(sampled) >= 2 and (sampled["articles"] >= 3).all()
    body = paragraphs[paragraphs["kind"] == "body"].reset_index(drop=True)
    tried = set(body.loc[proposals._candidate_rows(body["paragraph_id"]), "paragraph_id"])
    assert len(tried) == 40 and set(sampled["paragraph_id"]) <= tried
    reordered = paragraphs.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(proposed_claims(articles, reordered, groups), sampled)


def test_the_abridged_copy_aligns_with_its_original(bundled_store, encoder):
    from lib.stance.model import StanceModel

    pair_model = StanceModel.load(encoder=encoder)
    aligned = align_articles(bundled_store, pair_model, "000", "001")
    assert len(aligned) >= 5
    assert (aligned["relation"] == "agreeing").mean() >= 0.8
    with pytest.raises(BadInputError):
        align_articles(bundled_store, pair_model, "000", "nope")


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


def test_outlet_cells_spell_out_every_verdict():
    """Past 20 stories a cell shows an outlet's shares: each verdict by its whole name ("not
    clear", not "not clea"), the rest of the outlet's stories not addressing the claim."""
    claim = "Sanctions are working"
    verdicts = pd.DataFrame(
        {
            "claim": [claim] * 4,
            "article_id": ["a1", "a2", "a3", "a4"],
            "verdict": ["not clear", "disagree", "agree", "not addressed"],
        }
    )
    matrix = outlet_matrix(verdicts, [claim], {a: "Wire" for a in verdicts["article_id"]})
    assert matrix.columns == ["Wire"]
    assert matrix.text[0][0].split("<br>") == ["agree 25%", "disagree 25%", "not clear 25%"]
    assert matrix.z[0][0] == 0.0
