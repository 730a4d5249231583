"""The verdict rules on hand-made sentences: which sentences are candidates, how copies pool, when
a verdict is "not clear" or "not addressed", and which sentences are quoted."""

import numpy as np
import pandas as pd
import pytest

from lib.stance.crossencoder import PREDICTION_COLUMNS, predictions_frame
from lib.stance.fnc1 import LABELS
from lib.stance.verdicts import (
    NOT_ADDRESSED,
    NOT_CLEAR,
    CorpusSentences,
    VerdictRules,
    article_verdicts,
    candidate_sentences,
    decide,
    select_candidates,
)


def scored(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """Scored sentences from (article, label, stance, stance probability) rows."""
    frame = pd.DataFrame(
        [
            {
                "article_id": article,
                "paragraph_id": f"{article}:{i + 1}",
                "ordinal": i + 1,
                "start": 0,
                "end": 10,
                "sentence": f"Sentence {i} of {article} ({stance}).",
                "label": label,
                "stance": stance,
                "stance_confidence": probability,
                "p_unrelated": 0.9 if label == "unrelated" else 0.05,
                **{
                    f"q_{s}": probability if s == stance else (1 - probability) / 2
                    for s in ("agree", "disagree", "discuss")
                },
            }
            for i, (article, label, stance, probability) in enumerate(rows)
        ]
    )
    return frame


def test_a_confident_sided_sentence_decides_and_is_quoted_first():
    verdict = decide(scored([("a", "discuss", "discuss", 0.9), ("a", "disagree", "disagree", 0.7)]), 0.6)
    assert verdict["verdict"] == "disagree" and verdict["confidence"] == 0.7
    assert [q["stance"] for q in verdict["quotes"]] == ["disagree"]
    assert verdict["p_disagree"] == 0.7


def test_below_the_threshold_the_verdict_is_not_clear_with_the_candidates_quoted():
    verdict = decide(scored([("a", "agree", "agree", 0.55), ("a", "discuss", "discuss", 0.5)]), 0.6)
    assert verdict["verdict"] == NOT_CLEAR
    assert verdict["confidence"] == 0.55 and len(verdict["quotes"]) == 2


def test_discuss_decides_when_no_side_is_confident():
    verdict = decide(scored([("a", "agree", "agree", 0.5), ("a", "discuss", "discuss", 0.8)]), 0.6)
    assert verdict["verdict"] == "discuss" and verdict["quotes"][0]["probability"] == 0.8


def test_sentences_the_model_finds_unrelated_leave_the_article_not_addressed():
    assert decide(scored([("a", "unrelated", "agree", 0.9)]), 0.6)["verdict"] == NOT_ADDRESSED
    assert decide(scored([]).reindex(columns=["label"]), 0.6) | {"quotes": []} == {
        "verdict": NOT_ADDRESSED,
        "confidence": None,
        "p_agree": None,
        "p_disagree": None,
        "p_discuss": None,
        "quotes": [],
    }


def test_copies_pool_their_sentences_and_count_once():
    evidence = scored([("b", "agree", "agree", 0.8), ("c", "discuss", "discuss", 0.9)])
    groups = pd.DataFrame({"article_id": ["a", "b", "c"], "group": ["a", "a", "c"]})
    verdicts = article_verdicts("claim", ["a", "b", "c"], evidence, groups, VerdictRules(threshold=0.6))
    assert verdicts["article_id"].tolist() == ["a", "c"]
    lead = verdicts.iloc[0]
    assert lead["copies"] == ["b"] and lead["verdict"] == "agree"
    assert lead["quotes"][0]["article_id"] == "b"


def test_at_most_n_sentences_per_story_and_a_shared_sentence_once():
    found = pd.DataFrame(
        {
            "article_id": ["a", "b", "a", "a"],
            "paragraph_relevance": [0.5, 0.5, 0.5, 0.1],
            "lexical": [0.9, 0.9, 0.5, 0.9],
            "paragraph_rank": [0, 0, 1, 2],
            "sentence": ["Same words.", "Same words.", "Other words.", "Far away."],
        }
    )
    groups = pd.DataFrame({"article_id": ["a", "b"], "group": ["a", "a"]})
    rules = VerdictRules(sentences_per_article=2, min_paragraph_relevance=0.2, min_lexical=0.4)
    kept = select_candidates(found, rules, groups)
    assert kept["sentence"].tolist() == ["Same words.", "Other words."]
    alone = select_candidates(found, rules, None)
    assert alone["article_id"].tolist() == ["a", "b", "a"]


def test_candidates_need_the_claims_rare_words_in_a_close_paragraph():
    paragraphs = pd.DataFrame(
        {
            "article_id": ["a", "a", "b"],
            "paragraph_id": ["a:1", "a:2", "b:1"],
            "ordinal": [1, 2, 1],
            "text": [
                "Russia backs Pyongyang. Talks stalled.",
                "Russia sent aid to the North.",
                "China backs Pyongyang.",
            ],
        }
    )
    sentences = pd.DataFrame(
        {
            "article_id": ["a", "a", "a", "b"],
            "paragraph_id": ["a:1", "a:1", "a:2", "b:1"],
            "sentence": [0, 1, 0, 0],
            "start": [0, 23, 0, 0],
            "end": [22, 37, 29, 21],
            "row": [0, 0, 1, 2],
            "text": [
                "Russia backs Pyongyang.",
                "Talks stalled.",
                "Russia sent aid to the North.",
                "China backs Pyongyang.",
            ],
        }
    )
    stems = [
        frozenset({"russia", "back", "pyongyang"}),
        frozenset({"talk", "stall"}),
        frozenset({"russia", "sent", "aid", "north"}),
        frozenset({"china", "back", "pyongyang"}),
    ]
    corpus = CorpusSentences(
        paragraphs,
        np.array([[1.0, 0.0], [0.6, 0.8], [0.9, 0.1]]),
        sentences,
        stems,
        {0: [0, 1], 1: [2], 2: [3]},
    )
    weights = {"russia": 3.0, "back": 1.0, "pyongyang": 0.5}
    found = candidate_sentences(
        corpus, np.array([1.0, 0.0]), weights, VerdictRules(paragraphs_per_article=1, min_lexical=0.5)
    )
    assert found["sentence"].tolist() == [
        "Russia backs Pyongyang."
    ]  # "China backs Pyongyang." lacks "Russia"
    assert found.iloc[0]["start"] == 0 and found.iloc[0]["paragraph_rank"] == 0
    two = candidate_sentences(
        corpus, np.array([1.0, 0.0]), weights, VerdictRules(paragraphs_per_article=2, min_lexical=0.5)
    )
    assert set(two["sentence"]) == {"Russia backs Pyongyang.", "Russia sent aid to the North."}


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_predictions_are_probabilities_with_the_stance_given_related(temperature):
    logits = np.array([[2.0, 0.0, 1.0, -1.0], [0.0, 0.0, 0.0, 5.0]])
    frame = predictions_frame(logits, temperature)
    assert list(frame.columns) == PREDICTION_COLUMNS
    np.testing.assert_allclose(frame[[f"p_{label}" for label in LABELS]].sum(axis=1), 1.0)
    np.testing.assert_allclose(frame[["q_agree", "q_disagree", "q_discuss"]].sum(axis=1), 1.0)
    assert frame["label"].tolist() == ["agree", "unrelated"] and frame["stance"].tolist()[0] == "agree"
    assert predictions_frame(np.zeros((0, 4)), temperature).empty
