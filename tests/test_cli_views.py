"""Everything a page shows is reachable from a terminal: the reader (`read`), the Corpus page's
copies (`copies`, and each article's copy group in `list --json`), the Entities page's pairs
(`entities --pairs`), the Timeline's article spans (`timeline --spans`) and the Stance page's
proposed claims and pair view (`stance --proposed`, `stance --align`)."""

import json

import pytest

from lib.cli.main import main


@pytest.fixture
def where(bundled_index):
    return ["--index", str(bundled_index), "--no-build"]


def run_json(capsys, *args):
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_read_prints_an_article_as_the_reader_shows_it(where, capsys):
    assert main(["read", "001", "--paragraph", "19", *where]) == 0
    out = capsys.readouterr().out
    assert "North Korea is waiting for Trump to blink" in out and "[001:19]" in out and "Putin" in out
    article = run_json(capsys, "read", "004", "--furniture", *where)
    assert article["paragraphs"][0]["paragraph_id"] == "004:1"
    assert article["furniture"] and {"rule", "text"} <= set(article["furniture"][0])
    assert main(["read", "001", "--paragraph", "999", *where]) == 2
    assert "not 999" in capsys.readouterr().err
    assert main(["read", "nope", *where]) == 2


def test_copies_lists_each_group_with_its_overlap(where, capsys):
    groups = run_json(capsys, "copies", *where)
    assert [g["group"] for g in groups] == ["001"] and groups[0]["articles"] == ["000", "001"]
    copy = groups[0]["copies"][0]
    assert copy["article_id"] == "000" and copy["kind"] == "abridged" and copy["containment"] > 0.6
    assert main(["copies", *where]) == 0
    assert "← 000" in capsys.readouterr().out


def test_list_json_gives_each_article_its_copy_group_and_overview(bundled_index, monkeypatch, capsys):
    monkeypatch.setenv("DOSSIER_INDEX", str(bundled_index))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(bundled_index / "no-user-corpus"))
    rows = {r["article_id"]: r for r in run_json(capsys, "list")}
    assert rows["000"]["copy_group"] == "001" and rows["000"]["copy_of"] == "001"
    assert rows["001"]["copy_group"] == "001" and rows["001"]["copy_of"] is None
    assert rows["003"]["copy_group"] == "003" and rows["003"]["words"] > 100


def test_entity_pairs_timeline_spans_and_stance_views(where, capsys):
    pairs = run_json(capsys, "entities", "--pairs", "article", "--limit", "5", *where)
    assert pairs and {"a", "b", "together"} == set(pairs[0]) and pairs[0]["together"] >= pairs[-1]["together"]
    spans = {s["article_id"]: s for s in run_json(capsys, "timeline", "--spans", *where)}
    assert spans["004"]["published"] == "2018-07-09" and spans["004"]["first_date"] < "2018-07-09"
    proposed = run_json(capsys, "stance", "--proposed", *where)
    assert proposed and all(p["articles"] >= 3 for p in proposed)
    aligned = run_json(capsys, "stance", "--align", "000", "001", *where)
    assert aligned and {a["relation"] for a in aligned} <= {"agreeing", "contradicting", "unrelated"}
    assert main(["stance", "--align", "001", "001", *where]) == 2
