"""The stance cross-encoder: `train-stance` reproduces a model from a seed on a small slice, and
the committed artifact loads offline, is small, records how it was trained and scores, and reads
pairs a reader can check."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from lib.cli.main import main
from lib.errors import ModelLoadError
from lib.stance.crossencoder import (
    DEFAULT_CROSS_ENCODER_DIR,
    PREDICTION_COLUMNS,
    WEIGHTS_FILE,
    StanceCrossEncoder,
)
from tests.test_stance_model import CLAIM, SPORTS, write_training_files


@pytest.fixture(scope="module")
def model() -> StanceCrossEncoder:
    return StanceCrossEncoder.load()


def train(tmp_path, name: str, seed: int) -> tuple[int, object]:
    fnc1, arc = (
        write_training_files(tmp_path)
        if not (tmp_path / "fnc1").exists()
        else (tmp_path / "fnc1", tmp_path / "arc")
    )
    out = tmp_path / name
    command = ["train-stance", "--fnc1", str(fnc1), "--arc", str(arc), "--limit", "4", "--epochs", "0.5"]
    return main([*command, "--seed", str(seed), "--no-cache", "--out", str(out)]), out


def test_the_train_command_on_a_small_slice_is_reproducible_from_its_seed(tmp_path, capsys) -> None:
    code, out = train(tmp_path, "first", seed=3)
    assert code == 0
    printed = capsys.readouterr().out
    assert "fnc1_dev cross-encoder" in printed and "arc_dev gradient boosting" in printed
    metadata = json.loads((out / "stance.json").read_text())
    assert metadata["config"]["seed"] == 3 and metadata["limit"] == 4
    assert metadata["command"] == "python -m lib train-stance --seed 3 --epochs 0.5 --limit 4"
    assert 0.34 <= metadata["not_clear_threshold"] <= 0.95 and metadata["temperature"] > 0
    assert not (out / "checkpoint").exists()
    small = StanceCrossEncoder.load(out)
    assert list(small.predict([CLAIM], [SPORTS]).columns) == PREDICTION_COLUMNS
    _, again = train(tmp_path, "second", seed=3)
    digest = [hashlib.sha256((folder / WEIGHTS_FILE).read_bytes()).hexdigest() for folder in (out, again)]
    assert digest[0] == digest[1]


def test_a_missing_or_damaged_artifact_is_a_model_error(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="train-stance"):
        StanceCrossEncoder.load(tmp_path)
    (tmp_path / WEIGHTS_FILE).write_bytes(b"not weights")
    (tmp_path / "stance.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="could not be read"):
        StanceCrossEncoder.load(tmp_path)


def test_the_committed_artifact_is_small_and_documents_its_training() -> None:
    size = sum(path.stat().st_size for path in DEFAULT_CROSS_ENCODER_DIR.iterdir())
    assert size <= 100 * 1024 * 1024
    metadata = json.loads((DEFAULT_CROSS_ENCODER_DIR / "stance.json").read_text())
    assert metadata["dtype"] == "float16" and metadata["command"].startswith("python -m lib train-stance")
    assert set(metadata["scores"]) == {"fnc1_dev", "arc_dev"}
    assert metadata["calibration"]["temperature"] == metadata["temperature"]
    assert metadata["data_sha256"] and metadata["training_examples"]["total"] > 5000


def test_checkable_pairs(model: StanceCrossEncoder) -> None:
    """Single sentences, as Dossier's verdicts score them: a flat denial disagrees, a sports
    report is unrelated. (Known miss, docs/stance-model.md: a plain affirmative report such as
    "Apple has agreed to buy Netflix for $200 billion…" comes out "discuss", the model's commonest
    error on FNC-1 dev.)"""
    denial = "Apple has flatly denied reports that it is buying Netflix."
    result = model.predict([CLAIM, CLAIM], [denial, SPORTS])
    np.testing.assert_allclose(result[["p_agree", "p_disagree", "p_discuss", "p_unrelated"]].sum(axis=1), 1.0)
    assert result["label"][0] == "disagree" and result["p_disagree"][0] > result["p_agree"][0]
    assert result["label"][1] == "unrelated"
