import html
import json
import re

from streamlit.testing.v1 import AppTest

from lib.timeline.view import read_timeline
from tests.conftest import HAPPENINGS, ROOT
from tests.test_pages import TIMEOUT, texts, url


def timeline_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/timeline.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_timeline_opens_with_events_and_article_strip(app_env):
    at = timeline_page()
    assert not at.exception and not at.error
    options = at.selectbox(key="event").options
    assert len(options) > 20
    assert any("2019-05-09" in o and "(2 articles, 1 story)" in o for o in options)


def test_selecting_an_event_from_the_url_shows_its_sentences_side_by_side(app_env, bundled_store):
    events = read_timeline(bundled_store).events
    deadline = events[events["value"] == "2019-12-31"].iloc[0]["event_id"]
    at = timeline_page(event=deadline, lanes="actor", min_sources="2")
    assert not at.exception
    assert url(at) == {"event": deadline, "lanes": "actor", "min_sources": "2"}
    body = texts(at)
    assert "./reader?article=002&p=6" in body and "./reader?article=003&p=5" in body
    assert "year&#45;end deadline" in body


def test_filters_change_the_url_and_the_events(app_env):
    at = timeline_page()
    at.slider(key="min_sources").set_value(2).run()
    assert url(at) == {"min_sources": "2"}
    # Copies count once by default: the missile test is told by 001 and its abridged copy 000.
    assert len(at.selectbox(key="event").options) == 2  # the year-end deadline + the prompt
    at.toggle(key="copies").set_value(False).run()
    assert url(at) == {"min_sources": "2", "copies": "False"}
    assert len(at.selectbox(key="event").options) == 3  # both shared events + the prompt
    at.toggle(key="vague").set_value(True).run()
    assert url(at)["vague"] == "True"


def test_bad_filters_give_messages_not_errors(app_env):
    at = timeline_page(since="2030-01-01")
    assert not at.exception and "No event matches" in texts(at)
    at = timeline_page(since="2019-06-01", until="2019-01-01")
    assert "'From' is after 'To'" in " ".join(e.value for e in at.error)
    at = timeline_page(min_sources="many", event="nope", lanes="sideways")
    assert not at.exception and "Ignored the link's 'min_sources=many'" in texts(at)
    assert at.radio(key="lanes").value == "article"


def test_odd_articles_get_clear_notes_on_the_page(tmp_path, monkeypatch, encoder):
    from lib.index.build import build_index

    corpus = tmp_path / "odd"
    corpus.mkdir()
    (corpus / "nodates.txt").write_text(
        "Diplomats met and talked about trade and security.", encoding="utf-8"
    )
    (corpus / "undated.txt").write_text(
        "Pyongyang fired two missiles on Thursday, officials said. Talks stalled last year.", encoding="utf-8"
    )
    (corpus / "absurd.txt").write_text(
        "The treaty will expire in the year 30000, a spokesman joked on May 3, 2019.", encoding="utf-8"
    )
    index = tmp_path / "index"
    build_index(corpus, index, encoder)
    monkeypatch.setenv("DOSSIER_CORPUS", str(corpus))
    monkeypatch.setenv("DOSSIER_INDEX", str(index))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(tmp_path / "none"))
    at = timeline_page()
    assert not at.exception and not at.error
    body = html.unescape(texts(at))
    assert "article nodates: no calendar date found" in body
    assert "article undated: publication date unknown" in body and "(2 left out)" in body
    # no event dated in the year 30000 (the May 3 event's title may quote the sentence's words)
    assert not [o for o in at.selectbox(key="event").options if "30000" in o.split(" · ")[0]]


def test_entity_filter_from_the_url(app_env):
    at = timeline_page(entity="Xi Jinping")
    assert not at.exception and not at.error
    assert at.multiselect(key="entity").value == ["Xi Jinping"]
    assert url(at) == {"entity": "Xi Jinping"}
    options = at.selectbox(key="event").options
    assert 0 < len(options) - 1 < 10
    at = timeline_page(entity="Nobody Atall")
    assert not at.exception and "No event names Nobody Atall" in texts(at)


def test_a_300_article_corpus_reads_as_key_events_lanes_by_outlet_and_one_line_of_notes(
    large_corpus_env, monkeypatch
):
    for name, value in large_corpus_env.items():
        monkeypatch.setenv(name, value)
    at = timeline_page()
    assert not at.exception and not at.error
    keys = [e.label for e in at.expander if re.match(r"\*\*\d{4}-\d{2}-\d{2}\*\*", e.label)]
    days = [re.match(r"\*\*(\S+)\*\*", label).group(1) for label in keys]
    assert {h[0] for h in HAPPENINGS} <= set(days) and days == sorted(days)
    assert any("2011-03-17" in label and "articles" in label for label in keys)
    assert at.radio(key="lanes").value == "source"  # one lane per article would be 300 lanes
    notes = [e.label for e in at.expander if "note" in e.label]
    assert len(notes) <= 1
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    first, last = chart["layout"]["xaxis"]["range"]
    assert first[:4] == "2011" and last[:4] == "2011"  # the 1969 coup does not stretch the axis
    assert "1969" in texts(at)  # it is listed as background instead
    assert url(at) == {}
