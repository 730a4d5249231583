"""Every page opens on its own, answers bad input with a message, and rebuilds its view
from the URL's query parameters (so a shared link reproduces it)."""

import ast
import base64
import html
import json
import re

import numpy as np
import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from lib.web.navigation import PAGES as NAVIGATION
from tests.conftest import ROOT

TIMEOUT = 120


PAGES = [spec.file for spec in NAVIGATION]
"""The page files app.py routes to (its navigation, `lib.web.navigation.PAGES`), in order."""


def test_app_routes_every_page_file_through_dossiers_navigation():
    calls = [
        ast.unparse(n) for n in ast.walk(ast.parse((ROOT / "app.py").read_text())) if isinstance(n, ast.Call)
    ]
    assert "navigation().run()" in calls
    assert sorted(PAGES) == sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))


def page(path: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def url(at: AppTest) -> dict[str, str]:
    """The page's query parameters, one value each (a single-item list counts as its item)."""
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in at.query_params.items()}


def texts(at: AppTest) -> str:
    return " ".join(
        str(e.value)
        for kind in ("markdown", "info", "warning", "error", "caption")
        for e in getattr(at, kind)
    )


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_without_error(app_env, path):
    at = page(path)
    assert not at.exception
    assert not at.error


def test_app_router_opens_home(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert "Dossier" in at.title[0].value


def test_home_shows_the_corpus_overview(app_env):
    at = page("pages/home.py")
    table = at.dataframe[0].value
    assert len(table) == 5 and set(table["article_id"]) == {"000", "001", "002", "003", "004"}
    assert table.set_index("article_id").loc["004", "published"] == "2018-07-09"
    assert [m.value for m in at.metric][:2] == ["5", str(int(table["paragraphs"].sum()))]
    assert "up to date" in texts(at)


def test_search_runs_a_query_from_the_url_and_links_to_the_reader(app_env):
    at = page("pages/search.py", q="Xi Jinping visited Pyongyang", k="3")
    assert not at.exception and not at.error
    assert at.text_input(key="q").value == "Xi Jinping visited Pyongyang"
    body = texts(at)
    assert "003:11" in body
    assert "./reader?article=003&p=11" in body
    assert "<mark>Xi</mark>" in body


def test_search_shows_why_a_hit_matched_and_folds_the_abridged_copy_into_the_original(app_env):
    at = page("pages/search.py", q="Russia backing North Korea", k="4")
    assert not at.exception and not at.error
    body = texts(at)
    shown = re.findall(r"`(\d{3}:\d+)`", body)
    assert "000:5" not in shown and {"001:3", "001:19", "001:21"} <= set(shown)  # the titled original
    assert "Also in" in body and "./reader?article=000&p=5" in body  # the abridged copy, listed
    hits = [m.value for m in at.markdown if 'class="why-matched"' in m.value]
    assert len(hits) == len(shown)  # every hit shades its best sentence
    assert body.count("Why this matched") == len(shown)


def test_search_typed_query_goes_into_the_url(app_env):
    at = page("pages/search.py")
    assert "Type a question" in texts(at)
    at.text_input(key="q").set_value("sanctions relief")
    at.slider(key="k").set_value(4)
    at.multiselect(key="source").set_value(["Asia Times"])
    at.button[0].click().run()  # the form's submit button
    assert url(at) == {"q": "sanctions relief", "k": "4", "source": "Asia Times"}
    assert texts(at).count("Asia Times") >= 4


def test_search_url_state_round_trips_including_the_selected_hit(app_env):
    params = {
        "q": "missile test",
        "k": "5",
        "mode": "dense",
        "source": "CNN",
        "since": "2019-01-01",
        "hit": "000:1",
    }
    at = page("pages/search.py", **params)
    assert not at.exception
    assert url(at) == params
    assert at.radio(key="mode").value == "dense"
    body = texts(at)
    assert "More like this" in body and "Context" in body


def test_search_bad_input_gives_clear_messages(app_env):
    at = page("pages/search.py", q="x" * 10_000)
    assert "characters long" in " ".join(e.value for e in at.error) and not at.exception
    at = page("pages/search.py", q="missile", since="2030-01-01")
    assert "widen the date range" in texts(at) and not at.exception
    at = page("pages/search.py", q="missile", k="lots", since="yesterday")
    assert not at.exception
    assert "Ignored the link's 'k=lots'" in texts(at) and "Ignored the link's 'since=yesterday'" in texts(at)
    at = page("pages/search.py", q="missile", since="2019-06-01", until="2019-01-01")
    assert "after 'Published until'" in " ".join(e.value for e in at.error)


def test_reader_opens_at_the_linked_paragraph_with_furniture_collapsed(app_env):
    at = page("pages/reader.py", article="001", p="10")
    assert not at.exception
    assert at.selectbox(key="article").value == "001"
    body = texts(at)
    assert "▶ **¶10**" in body
    assert "See also" not in " ".join(m.value for m in at.markdown)
    furniture = at.dataframe[0].value
    assert "see_also" in set(furniture["rule"])


def test_reader_handles_unknown_articles_and_paragraphs(app_env):
    at = page("pages/reader.py", article="nope", p="3")
    assert not at.exception and "no article 'nope'" in texts(at)
    at = page("pages/reader.py", article="000", p="99")
    assert not at.exception and "has no paragraph ¶99" in texts(at)
    at = page("pages/reader.py", article="000", p="-4")
    assert not at.exception and "Ignored the link's 'p=-4'" in texts(at)


def test_reader_choice_goes_into_the_url(app_env):
    at = page("pages/reader.py")
    at.selectbox(key="article").set_value("004").run()
    assert url(at) == {"article": "004"}
    assert "Pompeo" in texts(at)


def test_app_router_asks_for_the_password_when_protected(app_env):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.secrets["dossier"] = {"password": "s3cret"}
    at.run()
    assert not at.exception and not at.title
    assert [t.label for t in at.text_input] == ["Password"]
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    assert not at.exception and "Dossier" in at.title[0].value


@pytest.mark.parametrize(
    ("path", "params", "key"),
    [
        ("pages/home.py", {}, "download_overview"),
        ("pages/search.py", {"q": "missile test"}, "download"),
        ("pages/corpus.py", {}, "download"),
        ("pages/entities.py", {}, "download"),
        ("pages/timeline.py", {}, "download_events"),
        ("pages/stance.py", {"claims": "Kim Jong Un is committed to denuclearisation"}, "download_stance"),
    ],
)
def test_every_page_with_results_offers_them_as_csv_and_json(app_env, path, params, key):
    at = page(path, **params)
    assert not at.exception
    buttons = {b.key: b for b in at.get("download_button")}
    csv, json_ = buttons[f"{key}_csv"], buttons[f"{key}_json"]
    assert csv.proto.label.endswith("(CSV)") and csv.proto.url.endswith(".csv")
    assert json_.proto.label.endswith("(JSON)") and json_.proto.url.endswith(".json")


MARKDOWN_ELEMENTS = "markdown caption info warning error success title header subheader".split()
ENTITY_SHOWN = re.compile(r"&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot);", re.I)


def visible_text(markdown: str) -> str:
    """What a browser shows for a Markdown element: rendered (CommonMark, raw HTML allowed as
    Streamlit does with unsafe_allow_html), tags dropped, character references decoded once."""
    rendered = MarkdownIt("commonmark", {"html": True}).render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_visible_text_catches_entities_shown_as_text():
    assert visible_text("a &#45; b and <mark>c&#39;s</mark>") == "a - b and c's\n"
    assert ENTITY_SHOWN.search(visible_text("stored in `.dossier/user&#45;corpus`"))


@pytest.mark.parametrize("path", PAGES)
def test_no_page_shows_html_entities_as_text(app_env, path):
    params = {
        "pages/search.py": {"q": "Kim's missile-test talks"},
        "pages/stance.py": {"claims": "Kim's talks"},
    }
    at = page(path, **params.get(path, {}))
    assert not at.exception
    shown = [visible_text(str(e.value)) for kind in MARKDOWN_ELEMENTS for e in getattr(at, kind)]
    shown += [str(e.value) for e in at.get("text")]
    shown += [str(o) for box in [*at.selectbox, *at.multiselect, *at.radio] for o in box.options]
    shown += [str(cell) for frame in at.dataframe for cell in frame.value.to_numpy().ravel()]
    bad = [text for text in shown if ENTITY_SHOWN.search(text)]
    assert not bad, bad


@pytest.mark.parametrize("path", PAGES)
def test_a_bad_setting_is_a_message_on_every_page_not_a_traceback(app_env, monkeypatch, path):
    monkeypatch.setenv("DOSSIER_FUSION", "bogus")
    at = page(path)
    assert not at.exception
    assert any("Unknown fusion 'bogus'" in e.value for e in at.error)


def test_home_at_300_articles_counts_them_per_week_and_outlet(large_corpus_env, monkeypatch):
    for name, value in large_corpus_env.items():
        monkeypatch.setenv(name, value)
    at = page("pages/home.py")
    assert not at.exception and not at.error
    assert len(at.dataframe[0].value) == 300
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart["layout"]["title"]["text"].startswith("Articles published each week, by outlet")
    bars = {trace["name"]: int(plotted(trace["y"]).sum()) for trace in chart["data"]}
    assert len(bars) == 6 and sum(bars.values()) == 300  # six outlets, every article counted once


def plotted(values) -> np.ndarray:  # noqa: ANN001 - a list, or plotly's typed array {"dtype", "bdata"}
    """A chart's numbers as the browser gets them."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values)
