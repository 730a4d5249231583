import json
import re

from streamlit.testing.v1 import AppTest

from lib.entities import paragraphs_with
from tests.conftest import OUTLETS, ROOT
from tests.test_pages import TIMEOUT, texts, url


def entities_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/entities.py"), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_entities_page_shows_counts_charts_and_the_copies_note(app_env):
    at = entities_page()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert {"Kim Jong Un", "Donald Trump", "Pyongyang", "North Korea"} <= set(table["name"].head(6))
    assert "copies count once" in texts(at)
    assert len(at.get("plotly_chart")) == 3  # counts, per article, named together
    options = at.selectbox(key="entity").options
    assert any(o.startswith("Kim Jong Un (person") for o in options)


def test_kind_filter_from_the_url_and_into_it(app_env):
    at = entities_page(kind="person")
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table["kind"]) == {"person"} and "Pyongyang" not in set(table["name"])
    at.multiselect(key="kind").set_value(["place", "group"]).run()
    assert url(at) == {"kind": ["place", "group"]}
    assert set(at.dataframe[0].value["kind"]) == {"place", "group"}
    at = entities_page(kind="planet", top="999", entity="Nobody Atall")
    assert not at.exception and at.multiselect(key="kind").value == []
    assert at.slider(key="top").value == 50 and "No entity named Nobody Atall" in texts(at)


def test_selecting_an_entity_lists_its_paragraphs_with_reader_and_search_links(app_env):
    at = entities_page(entity="Xi Jinping")
    assert not at.exception
    assert url(at) == {"entity": "Xi Jinping"}
    body = texts(at)
    assert "./reader?article=003&p=11" in body
    assert "./search?entity=Xi+Jinping" in body and "./timeline?entity=Xi+Jinping" in body
    assert "<mark>Xi</mark>" in body
    at.selectbox(key="entity").set_value("").run()
    assert url(at) == {} and "./reader?" not in texts(at)


def test_search_page_entity_filter_from_the_link(app_env, bundled_store):
    at = AppTest.from_file(str(ROOT / "pages/search.py"), default_timeout=TIMEOUT)
    at.query_params["q"] = "summit"
    at.query_params["entity"] = "Xi Jinping"
    at.run()
    assert not at.exception and not at.error
    assert at.multiselect(key="entity").value == ["Xi Jinping"]
    assert url(at) == {"q": "summit", "entity": "Xi Jinping"}
    shown = set(re.findall(r"`(\d{3}:\d+)`", texts(at)))
    assert "003:11" in shown and shown <= set(
        paragraphs_with(bundled_store.table("entities"), ["Xi Jinping"])
    )
    at = AppTest.from_file(str(ROOT / "pages/search.py"), default_timeout=TIMEOUT)
    at.query_params["q"] = "summit"
    at.query_params["entity"] = "Nobody Atall"
    at.run()
    assert not at.exception and "No entity named Nobody Atall" in texts(at)


def test_at_300_articles_the_heatmap_has_a_column_per_outlet(large_corpus_env, monkeypatch):
    for name, value in large_corpus_env.items():
        monkeypatch.setenv(name, value)
    at = entities_page()
    assert not at.exception and not at.error
    heat = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert heat["layout"]["title"]["text"] == "Mentions of the top entities in each outlet"
    assert sorted(heat["data"][0]["x"]) == sorted(OUTLETS)  # six columns, not 300
    assert "summed per outlet" in texts(at)
    assert "Benghazi" in heat["data"][0]["y"]
