import json

from lib.cli.main import main


def test_stance_json_and_text(bundled_index, capsys):
    claim = "The Singapore summit produced a meaningful agreement"
    assert main(["stance", claim, "--json", "--index", str(bundled_index)]) == 0
    out = json.loads(capsys.readouterr().out)
    by_article = {v["article_id"]: v for v in out["verdicts"]}
    assert by_article["004"]["verdict"] == "disagree" and by_article["004"]["quotes"]
    assert by_article["001"]["copies"] == ["000"]
    assert main(["stance", claim, "--index", str(bundled_index)]) == 0
    text = capsys.readouterr().out
    assert "DISAGREE" in text and "004:12" in text


def test_bad_claims_and_missing_index(tmp_path, capsys):
    assert main(["stance", "  ", "--index", str(tmp_path)]) == 2
    assert "Type a claim" in capsys.readouterr().err
    assert main(["stance", "Some claim about talks", "--no-build", "--index", str(tmp_path)]) == 3
