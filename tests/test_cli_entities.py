import json

from lib.cli.main import main


def test_entities_json_counts_kim_once_and_copies_once(bundled_index, capsys):
    assert main(["entities", "--json", "--index", str(bundled_index)]) == 0
    stories = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    assert stories["Kim Jong Un"]["kind"] == "person"
    assert "Kim Jong-un" not in stories and "Kim Jong Un's" not in stories
    assert main(["entities", "--json", "--all-copies", "--limit", "500", "--index", str(bundled_index)]) == 0
    articles = {e["name"]: e for e in json.loads(capsys.readouterr().out)}
    # 000 is an abridged copy of 001: counted separately, the missile test's place gains an article.
    assert articles["Kim Jong Un"]["articles"] == stories["Kim Jong Un"]["articles"] + 1
    assert articles["Kim Jong Un"]["article_ids"] == ["000", "001", "002", "003", "004"]


def test_entities_of_one_article_and_bad_input(bundled_index, capsys):
    assert main(["entities", "--article", "003", "--limit", "5", "--index", str(bundled_index)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and "Kim Jong Un" in lines[0] and any("Donald Trump" in line for line in lines)
    assert all(line == line.rstrip() and " in " not in line for line in lines)  # no corpus-wide columns
    assert main(["entities", "--article", "999", "--index", str(bundled_index)]) == 2
    assert "There is no article '999'" in capsys.readouterr().err


def test_entities_without_an_index(tmp_path, capsys):
    assert main(["entities", "--no-build", "--index", str(tmp_path)]) == 3
    assert "No index" in capsys.readouterr().err
