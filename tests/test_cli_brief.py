"""`python -m lib views` lists the saved views; `python -m lib brief` writes the brief as HTML or
Markdown from saved views, queries and claims; bad input is one line and exit code 2."""

import json

import pytest

from lib.brief.views import ViewStore
from lib.cli.main import main

CLAIM = "The Singapore summit produced a meaningful agreement"


@pytest.fixture
def views(monkeypatch, tmp_path):
    monkeypatch.setenv("DOSSIER_VIEWS", str(tmp_path / "views.db"))
    return ViewStore(tmp_path / "views.db")


@pytest.fixture
def where(bundled_index):
    return ["--index", str(bundled_index), "--no-build"]


def test_views_lists_every_saved_view_with_its_link(views, capsys):
    assert main(["views"]) == 0
    assert "No saved view yet" in capsys.readouterr().out
    views.save("Xi visit", "search", "q=Xi+Jinping+visited+Pyongyang&k=2")
    views.save("Ana's claim", "stance", f"claims={CLAIM}", user="ana@example.org")
    assert main(["views", "--json"]) == 0
    listed = {v["name"]: v for v in json.loads(capsys.readouterr().out)}
    assert listed["Xi visit"]["link"] == "./search?q=Xi+Jinping+visited+Pyongyang&k=2"
    assert listed["Xi visit"]["user"] == "" and listed["Ana's claim"]["user"] == "ana@example.org"
    assert set(listed["Xi visit"]) == {"name", "page", "query", "link", "user", "created"}
    assert main(["views", "--user", "ana@example.org"]) == 0
    out = capsys.readouterr().out
    assert "Ana's claim  [stance]" in out and "Xi visit" not in out


def test_views_reports_a_damaged_file_on_stderr(views, capsys):
    views.path.parent.mkdir(parents=True, exist_ok=True)
    views.path.write_bytes(b"garbage " * 300)
    assert main(["views"]) == 0
    captured = capsys.readouterr()
    assert "note: The saved views file" in captured.err and "set aside" in captured.err
    assert "No saved view yet" in captured.out


def test_brief_writes_html_from_views_queries_and_claims(views, where, tmp_path, capsys):
    views.save("Xi visit", "search", "q=Xi+Jinping+visited+Pyongyang&k=2")
    views.save("Shared events", "timeline", "min_sources=2")
    out = tmp_path / "brief.html"
    args = ["brief", "--view", "Xi visit", "--view", "Shared events", "--claim", CLAIM]
    assert main([*args, "--query", "sanctions relief", "-k", "2", "--out", str(out), *where]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"Brief written to {out}:") and "1 claims, 2 queries" in said
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") == 2
    assert "Key events: Shared events" in html and "2019-12-31" in html
    assert "From the saved view “Xi visit”." in html and "sanctions relief" in html
    assert "Singapore Summit was a debacle" in html and "paragraph 12" in html


def test_brief_writes_markdown_when_the_file_ends_in_md(views, where, tmp_path, capsys):
    out = tmp_path / "brief.md"
    assert (
        main(["brief", "--query", "Xi Jinping visited Pyongyang", "-k", "1", "--out", str(out), *where]) == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Dossier brief") and "## Passages" in text and "## Stance" not in text
    assert "paragraph 11" in text.split("## Notes")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "brief.pdf"], "--out must end in .html or .md"),
        (["--out", "no-such-folder/brief.html"], "does not exist"),
        (["--view", "Nope", "--out", "brief.html"], "No saved view is called 'Nope'"),
        (["--view", "Reading", "--out", "brief.html"], "reader page"),
        (["--claim", "x" * 600, "--out", "brief.html"], "characters long"),
        (["-k", "0", "--query", "talks", "--out", "brief.html"], "-k must be at least 1"),
    ],
)
def test_brief_refuses_bad_input_with_one_line(views, where, tmp_path, monkeypatch, capsys, args, message):
    views.save("Reading", "reader", "article=001")
    monkeypatch.chdir(tmp_path)
    assert main(["brief", *args, *where]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert not list(tmp_path.glob("brief.*"))


def test_brief_without_an_index_and_no_build_fails_fast(views, tmp_path, capsys):
    assert (
        main(["brief", "--out", str(tmp_path / "b.html"), "--index", str(tmp_path / "none"), "--no-build"])
        == 3
    )
    assert "error:" in capsys.readouterr().err
