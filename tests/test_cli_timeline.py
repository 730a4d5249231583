import json

from lib.cli.main import main


def test_timeline_json_lists_events_with_sources(bundled_index, capsys):
    assert main(["timeline", "--json", "--min-sources", "2", "--index", str(bundled_index)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["value"] for e in out["events"]] == ["2019-12-31"]  # 000 copies 001: one story
    assert (
        main(["timeline", "--json", "--min-sources", "2", "--all-copies", "--index", str(bundled_index)]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    values = [e["value"] for e in out["events"]]
    assert values == ["2019-05-09", "2019-12-31"]
    missile = out["events"][0]
    assert {s["article_id"] for s in missile["sources"]} == {"000", "001"}
    assert all(s["paragraph_id"].count(":") == 1 for s in missile["sources"])


def test_timeline_text_output_and_missing_index(bundled_index, tmp_path, capsys):
    assert main(["timeline", "--index", str(bundled_index)]) == 0
    out = capsys.readouterr().out
    assert "by 2019-12-31" in out and "“Thursday”" in out
    assert main(["timeline", "--no-build", "--index", str(tmp_path)]) == 3
    assert "No index" in capsys.readouterr().err


def test_timeline_entity_flag(bundled_index, capsys):
    assert main(["timeline", "--json", "--entity", "xi jinping", "--index", str(bundled_index)]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    assert events and all("Xi Jinping" in e["entities"] for e in events)
    assert main(["timeline", "--entity", "Nobody Atall", "--index", str(bundled_index)]) == 2
    assert "No entity named 'Nobody Atall'" in capsys.readouterr().err


def test_timeline_key_lists_the_key_events_with_their_score(bundled_index, capsys):
    assert main(["timeline", "--key", "3", "--json", "--index", str(bundled_index)]) == 0
    key = json.loads(capsys.readouterr().out)
    assert len(key) == 3 and [k["day"] for k in key] == sorted(k["day"] for k in key)
    assert "2019-05-09" in [k["day"] for k in key]
    assert all(k["score"] > 0 and k["title"] and k["n_articles"] >= 1 for k in key)
    assert main(["timeline", "--key", "--index", str(bundled_index)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert 3 <= len(lines) <= 40 and any(line.startswith("2019-05-09  Pyongyang") for line in lines)
    assert main(["timeline", "--key", "-1", "--index", str(bundled_index)]) == 2
    assert "--key takes a positive number" in capsys.readouterr().err
