"""The committed stance model: it loads, labels pairs a reader can check, can be retrained by the
command on a small slice, and labels FNC-1-format files through `stance-fnc1`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lib.cli.main import main
from lib.settings import DEFAULT_MODEL
from lib.stance.features import split_sentences
from lib.stance.fnc1 import LABELS
from lib.stance.model import DEFAULT_MODEL_DIR, StanceModel
from lib.text.embeddings import load_encoder

ROOT = Path(__file__).resolve().parent.parent
CLAIM = "Apple is buying Netflix for $200 billion"
AGREEING = (
    "Apple has agreed to buy Netflix for $200 billion, the two companies announced on Tuesday. "
    "The deal, confirmed by both boards, makes it the largest media acquisition ever."
)
DENYING = (
    "Apple has flatly denied reports that it is buying Netflix. "
    '"The story is false, there is no deal and no talks," an Apple spokesperson said, '
    "calling the rumour a hoax."
)
SPORTS = (
    "Manchester United beat Chelsea 3-1 at Old Trafford on Sunday. "
    "Two second-half goals sealed the win and lifted United to fourth place in the league."
)


@pytest.fixture(scope="session")
def encoder():
    return load_encoder(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def model(encoder) -> StanceModel:
    return StanceModel.load(DEFAULT_MODEL_DIR, encoder=encoder)


def test_committed_artifact_is_small_and_documents_its_training() -> None:
    size = sum(path.stat().st_size for path in DEFAULT_MODEL_DIR.iterdir())
    assert size <= 25 * 1024 * 1024
    metadata = json.loads((DEFAULT_MODEL_DIR / "metadata.json").read_text())
    assert metadata["encoder"] == DEFAULT_MODEL
    assert metadata["scores"]["fnc1_dev"]["fnc_score_pct"] >= 82.0


def test_checkable_pairs(model: StanceModel) -> None:
    result = model.predict([CLAIM, CLAIM, CLAIM], [AGREEING, DENYING, SPORTS])
    assert list(result.columns) == [
        "label",
        "confidence",
        "p_agree",
        "p_disagree",
        "p_discuss",
        "p_unrelated",
    ]
    assert result["label"].tolist() == ["agree", "disagree", "unrelated"]
    probabilities = result[["p_agree", "p_disagree", "p_discuss", "p_unrelated"]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-6)
    assert (result["confidence"] == probabilities.max(axis=1)).all()


def test_bundled_article_004_disagrees_that_singapore_produced_an_agreement(model: StanceModel) -> None:
    text = next((ROOT / "corpus").glob("004_*.txt")).read_text(encoding="utf-8")
    paragraph = next(p for p in re.split(r"\n\s*\n", text) if "Singapore Summit was a debacle" in p)
    result = model.predict(["The Singapore summit produced a meaningful agreement"], [paragraph])
    assert result["label"][0] == "disagree"


def test_denial_is_more_disagree_than_the_report(model: StanceModel) -> None:
    result = model.predict([CLAIM, CLAIM], [AGREEING, DENYING])
    assert result["p_disagree"][1] > result["p_disagree"][0]
    assert result["p_agree"][0] > result["p_agree"][1]


def test_empty_batch_and_mismatched_lengths(model: StanceModel) -> None:
    assert model.predict([], []).empty
    with pytest.raises(Exception, match="one claim per text"):
        model.predict([CLAIM], [AGREEING, SPORTS])


def test_sentence_split_keeps_paragraph_lines_and_abbreviated_numbers() -> None:
    assert split_sentences("First one. Second one.\nThird line") == [
        "First one.",
        "Second one.",
        "Third line",
    ]
    assert split_sentences("It cost $3.5 billion. Then it fell.") == [
        "It cost $3.5 billion.",
        "Then it fell.",
    ]
    assert split_sentences("") == [""]


def write_training_files(folder: Path, bodies: int = 60) -> tuple[Path, Path]:
    """FNC-1 and ARC training files in the bench layout (`train_bodies.csv`, `train_stances.csv`;
    `arc_bodies.csv`, `arc_stances_train.csv`), each body with a pair of every label, so the
    command runs wherever the repository is cloned, with or without ../shared/bench."""
    places = ["Oslo", "Lima", "Hanoi", "Accra", "Quito", "Riga"]
    things = ["bridge", "port", "railway", "dam", "airport", "stadium", "tunnel", "hospital", "school"]
    rows, pairs = [], []
    for n in range(bodies):
        place, thing = places[n % len(places)], things[n // len(places) % len(things)]
        rows.append((n, f"Officials in {place} said the new {thing} opened on Monday after years of work."))
        pairs += [
            (f"{place} opens its new {thing}", n, "agree"),
            (f"{place} denies its {thing} has opened: the report is false", n, "disagree"),
            (f"Questions over whether the {thing} in {place} is ready", n, "discuss"),
            (f"Football club wins the league title in match {n}", n, "unrelated"),
        ]
    bodies_frame = pd.DataFrame(rows, columns=["Body ID", "articleBody"])
    stances = pd.DataFrame(pairs, columns=["Headline", "Body ID", "Stance"])
    fnc1, arc = folder / "fnc1", folder / "arc"
    for target, names in ((fnc1, ("train_bodies.csv", "train_stances.csv")),
                          (arc, ("arc_bodies.csv", "arc_stances_train.csv"))):  # fmt: skip
        target.mkdir()
        bodies_frame.to_csv(target / names[0], index=False)
        stances.to_csv(target / names[1], index=False)
    return fnc1, arc


def test_gradient_boosting_train_command_on_a_small_slice_writes_a_loadable_model(
    tmp_path, encoder, capsys
) -> None:
    fnc1, arc = write_training_files(tmp_path)
    out = tmp_path / "stance"
    command = ["train-stance", "--kind", "gradient-boosting", "--fnc1", str(fnc1), "--arc", str(arc)]
    assert main([*command, "--limit", "12", "--seed", "1", "--no-cache", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "fnc1_dev: FNC score" in printed and "arc_dev: FNC score" in printed
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["seed"] == 1 and metadata["limit"] == 12
    assert metadata["fnc1_bodies"] == {"train": 12, "dev": 12}
    small = StanceModel.load(out, encoder=encoder)
    result = small.predict([CLAIM], [SPORTS])
    assert result["label"][0] in LABELS


def _write_fnc_files(folder, with_stance: bool):
    bodies = pd.DataFrame({"Body ID": [7, 9], "articleBody": [DENYING, SPORTS]})
    stances = pd.DataFrame(
        {"Headline": [CLAIM, CLAIM], "Body ID": [7, 9], "Stance": ["disagree", "unrelated"]}
    )
    if not with_stance:
        stances = stances.drop(columns="Stance")
    bodies.to_csv(folder / "bodies.csv", index=False)
    stances.to_csv(folder / "stances.csv", index=False)


@pytest.mark.parametrize(
    ("with_stance", "kind"),
    [(True, "stacked"), (False, "stacked"), (True, "crossencoder"), (True, "gradient-boosting")],
)
def test_stance_fnc1_round_trip(tmp_path, model, with_stance: bool, kind: str, capsys) -> None:
    _write_fnc_files(tmp_path, with_stance)
    out = tmp_path / "predictions.csv"
    code = main(
        ["stance-fnc1", "--bodies", str(tmp_path / "bodies.csv"), "--stances", str(tmp_path / "stances.csv"),
         "--out", str(out), "--kind", kind]
    )  # fmt: skip
    assert code == 0
    predictions = pd.read_csv(out)
    assert list(predictions.columns) == ["Headline", "Body ID", "Stance"]
    assert predictions["Body ID"].tolist() == [7, 9]
    if kind == "gradient-boosting":
        assert predictions["Stance"].tolist() == ["disagree", "unrelated"]
    else:  # stage 1 is the boosting model; the denial's stance is a known miss of the stacked models
        assert predictions["Stance"][1] == "unrelated" and predictions["Stance"][0] != "unrelated"
    assert ("FNC score" in capsys.readouterr().out) == with_stance


def test_stance_fnc1_bad_files_give_a_message_not_a_traceback(tmp_path, capsys) -> None:
    (tmp_path / "bodies.csv").write_text("id,text\n1,hello\n")
    (tmp_path / "stances.csv").write_text("Headline,Body ID\nA,1\n")
    code = main(
        ["stance-fnc1", "--bodies", str(tmp_path / "bodies.csv"), "--stances", str(tmp_path / "stances.csv"),
         "--out", str(tmp_path / "out.csv")]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "lacks the column(s) Body ID, articleBody" in err and "Traceback" not in err
    (tmp_path / "bodies.csv").write_text("Body ID,articleBody\n2,hello\n")
    assert main(["stance-fnc1", "--bodies", str(tmp_path / "bodies.csv"), "--stances",
                 str(tmp_path / "stances.csv"), "--out", str(tmp_path / "out.csv")]) == 2  # fmt: skip
    assert "not in the bodies file" in capsys.readouterr().err
