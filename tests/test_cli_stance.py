import json

from lib.cli.main import main
from lib.stance.verdicts import NOT_ADDRESSED, VERDICTS

CLAIM = "The Singapore summit produced a meaningful agreement"
UNRELATED = "Manchester United won the Premier League title on goal difference"


def test_stance_json_gives_the_probabilities_and_text_the_same_verdicts(bundled_index, capsys):
    assert main(["stance", CLAIM, UNRELATED, "--json", "--index", str(bundled_index)]) == 0
    out = json.loads(capsys.readouterr().out)
    verdicts = out["verdicts"]
    assert {v["verdict"] for v in verdicts} <= set(VERDICTS)
    by_article = {(v["claim"], v["article_id"]): v for v in verdicts}
    assert "000" not in {a for _, a in by_article} and by_article[CLAIM, "001"]["copies"] == ["000"]
    assert all(by_article[UNRELATED, a]["verdict"] == NOT_ADDRESSED for a in ("001", "002", "003", "004"))
    decided = [v for v in verdicts if v["quotes"]]
    assert decided
    for v in decided:
        assert abs(v["p_agree"] + v["p_disagree"] + v["p_discuss"] - 1.0) < 1e-3
        assert {"paragraph_id", "sentence", "stance", "probability"} <= set(v["quotes"][0])
    assert main(["stance", CLAIM, UNRELATED, "--index", str(bundled_index)]) == 0
    text = capsys.readouterr().out
    for v in verdicts:
        assert f"  {v['article_id']} " in text
        assert f"{v['verdict'].upper()}" in text
    assert "NOT ADDRESSED" in text and "Claim: " + UNRELATED in text


def test_bad_claims_and_missing_index(tmp_path, capsys):
    assert main(["stance", "  ", "--index", str(tmp_path)]) == 2
    assert "Type a claim" in capsys.readouterr().err
    assert main(["stance", "Some claim about talks", "--no-build", "--index", str(tmp_path)]) == 3


def test_proposed_claims_come_from_the_index(bundled_index, capsys):
    assert main(["stance", "--proposed", "--json", "--index", str(bundled_index)]) == 0
    proposals = json.loads(capsys.readouterr().out)
    assert len(proposals) >= 3 and all(p["articles"] >= 3 for p in proposals)


def test_a_missing_stance_model_is_a_clear_error(bundled_index, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOSSIER_STANCE_MODEL", str(tmp_path / "nowhere"))
    assert main(["stance", CLAIM, "--index", str(bundled_index)]) == 5
    assert "No stance cross-encoder" in capsys.readouterr().err
