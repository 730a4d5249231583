"""`python -m lib timex`: JSON spans for a text, clean errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

from lib.cli.main import main
from tests.conftest import ROOT


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_spans_as_json(capsys):
    text = "North Korea fired two missiles on Thursday, a week after the May 4 launch."
    code, out, _ = run(["timex", "--published", "2019-05-10", text], capsys)
    assert code == 0
    spans = json.loads(out)
    assert [(s["text"], s["value"], s["granularity"]) for s in spans] == [
        ("Thursday", "2019-05-09", "day"),
        ("a week after", "2019-W19", "week"),
        ("May 4", "2019-05-04", "day"),
    ]
    for span in spans:
        assert text[span["start"] : span["end"]] == span["text"]
        assert {"vague", "kind"} <= span.keys()


def test_without_a_publication_date_relative_expressions_stay_unresolved(capsys):
    code, out, _ = run(["timex", "On Thursday, the May 9, 2019 test."], capsys)
    spans = {s["text"]: s for s in json.loads(out)}
    assert code == 0
    assert spans["Thursday"]["resolved"] is False
    assert spans["May 9, 2019"]["value"] == "2019-05-09"


def test_bad_date_and_empty_text_are_clear_errors(capsys):
    code, out, err = run(["timex", "--published", "10/05/2019", "Thursday"], capsys)
    assert code == 2 and out == "" and "YYYY-MM-DD" in err
    code, out, err = run(["timex", "--published", "2019-05-10", "   "], capsys)
    assert code == 2 and "empty" in err


def test_absurd_dates_are_not_errors(capsys):
    code, out, _ = run(
        ["timex", "--published", "2019-05-10", "In the year 30000, on February 30, 2019."], capsys
    )
    assert code == 0 and json.loads(out) == []


def test_no_traceback_reaches_the_user():
    done = subprocess.run(
        [sys.executable, "-m", "lib", "timex", "--published", "2019-02-30", "Thursday"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "2019-02-30" in done.stderr
