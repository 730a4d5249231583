"""FNC-1 format reading, the split by body, and the challenge's scoring, on hand-made examples."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.errors import BadInputError
from lib.stance.fnc1 import (
    LABELS,
    fnc_score,
    read_bodies,
    read_stances,
    score_stances,
    split_by_body,
    split_by_body_and_claim,
)


def test_perfect_predictions_score_100_percent() -> None:
    gold = ["agree", "disagree", "discuss", "unrelated"]
    scores = score_stances(gold, gold)
    assert scores.fnc_score == pytest.approx(100.0)
    assert scores.macro_f1 == pytest.approx(1.0)
    assert scores.accuracy == pytest.approx(1.0)


def test_fnc_score_weights_related_decision_and_label() -> None:
    # Max = 4 * 0.25 + 3 * 0.75 = 3.25.
    gold = ["agree", "disagree", "discuss", "unrelated"]
    # agree->discuss: 0.25 (related right, label wrong); disagree right: 1.0; discuss->unrelated: 0;
    # unrelated right: 0.25. Total 1.5.
    predicted = ["discuss", "disagree", "unrelated", "unrelated"]
    assert fnc_score(gold, predicted) == pytest.approx(100 * 1.5 / 3.25)


def test_all_unrelated_guess_gets_only_the_unrelated_share() -> None:
    gold = ["unrelated"] * 3 + ["agree"]
    # 3 * 0.25 right out of 4 * 0.25 + 0.75 = 1.75.
    assert fnc_score(gold, ["unrelated"] * 4) == pytest.approx(100 * 0.75 / 1.75)


def test_per_class_f1_and_confusion_matrix() -> None:
    gold = ["agree", "agree", "disagree", "unrelated"]
    predicted = ["agree", "disagree", "disagree", "unrelated"]
    scores = score_stances(gold, predicted)
    assert scores.per_class_f1["agree"] == pytest.approx(2 / 3)  # precision 1, recall 1/2
    assert scores.per_class_f1["disagree"] == pytest.approx(2 / 3)  # precision 1/2, recall 1
    assert scores.per_class_f1["discuss"] == 0.0
    assert scores.per_class_f1["unrelated"] == 1.0
    assert scores.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0 + 1) / 4)
    assert list(scores.confusion.index) == list(LABELS)
    assert scores.confusion.loc["agree", "disagree"] == 1
    assert scores.confusion.to_numpy().sum() == 4
    assert scores.to_dict()["confusion"][0] == [1, 1, 0, 0]


def test_split_by_body_never_puts_one_body_on_both_sides_and_is_repeatable() -> None:
    stances = pd.DataFrame(
        {
            "Headline": [f"claim {i % 7}" for i in range(200)],
            "Body ID": [i % 40 for i in range(200)],
            "Stance": ["unrelated"] * 200,
        }
    )
    train, dev = split_by_body(stances, 0.25, seed=3)
    assert set(train["Body ID"]).isdisjoint(dev["Body ID"])
    assert len(train) + len(dev) == len(stances)
    assert dev["Body ID"].nunique() == 10
    again_train, again_dev = split_by_body(stances, 0.25, seed=3)
    assert again_dev.equals(dev) and again_train.equals(train)
    _, other_dev = split_by_body(stances, 0.25, seed=4)
    assert set(other_dev["Body ID"]) != set(dev["Body ID"])


def test_split_by_body_and_claim_holds_out_both() -> None:
    stances = pd.DataFrame(
        {
            "Headline": [f"claim {i % 11}" for i in range(400)],
            "Body ID": [i % 50 for i in range(400)],
            "Stance": ["unrelated"] * 400,
        }
    )
    _, loose_dev = split_by_body(stances, 0.2, seed=0)
    train, dev = split_by_body_and_claim(stances, 0.2, seed=0)
    assert set(train["Body ID"]).isdisjoint(dev["Body ID"])
    assert set(train["Headline"]).isdisjoint(dev["Headline"])
    assert 0 < len(dev) < len(loose_dev)


def test_read_files_with_and_without_stance_column(tmp_path) -> None:
    (tmp_path / "bodies.csv").write_text('Body ID,articleBody\n1,"Text one, with a comma."\n2,Two\n')
    (tmp_path / "stances.csv").write_text("Headline,Body ID,Stance\nA claim,1,Agree\nB,2,unrelated\n")
    (tmp_path / "unlabelled.csv").write_text("Headline,Body ID\nA claim,1\n")
    bodies = read_bodies(tmp_path / "bodies.csv")
    assert bodies["Body ID"].tolist() == [1, 2]
    assert bodies["articleBody"][0] == "Text one, with a comma."
    assert read_stances(tmp_path / "stances.csv")["Stance"].tolist() == ["agree", "unrelated"]
    assert "Stance" not in read_stances(tmp_path / "unlabelled.csv").columns


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Headline,Stance\nA,agree\n", "lacks the column"),
        ("Headline,Body ID,Stance\nA,x,agree\n", "whole number"),
        ("Headline,Body ID,Stance\nA,1,maybe\n", "unknown Stance"),
    ],
)
def test_bad_stance_files_raise_clear_errors(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "stances.csv"
    path.write_text(content)
    with pytest.raises(BadInputError, match=message):
        read_stances(path)


def test_missing_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        read_bodies(tmp_path / "nope.csv")
