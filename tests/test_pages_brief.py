"""The brief on the pages (AppTest): "Copy citation" beside every search hit, stance quote and
timeline source; a view saved from a page's sidebar, listed on Home, reopened and deleted; each
signed-in user's own views; no saving in read-only deployments; a damaged views file reported;
a brief made on Home and offered as HTML and Markdown."""

import pytest
from streamlit.testing.v1 import AppTest

from lib.brief.views import ViewStore
from lib.corpus.citations import CitationBuilder
from lib.timeline.view import read_timeline
from tests.conftest import ROOT
from tests.test_access import AUTH
from tests.test_pages import TIMEOUT, texts, url

CLAIM = "The Singapore summit produced a meaningful agreement"


@pytest.fixture
def views_file(app_env, tmp_path):
    """The saved-views file the pages use (app_env gives each test its own)."""
    return tmp_path / "views.db"


def open_page(path: str, secrets: dict | None = None, user: dict | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def save_view(at: AppTest, name: str) -> AppTest:
    at.sidebar.text_input(key="save_view_name").input(name)
    next(b for b in at.sidebar.button if b.label == "Save view").click().run()
    assert not at.exception
    return at


def saved_table(at: AppTest):
    return next(d.value for d in at.dataframe if "open" in d.value.columns)


def sidebar_texts(at: AppTest) -> str:
    return " ".join(
        str(e.value) for kind in ("success", "error", "warning", "caption") for e in at.sidebar.get(kind)
    )


# ---- citations ----------------------------------------------------------------------------------------


def test_every_search_hit_has_its_citation_to_copy(app_env, bundled_store):
    at = open_page("pages/search.py", q="Xi Jinping visited Pyongyang", k="3")
    assert not at.exception and not at.error
    builder = CitationBuilder(bundled_store.articles(), bundled_store.paragraphs())
    cited = [c.value for c in at.code]
    assert len(cited) == 3 and cited[0] == builder.cite("003:11").text
    assert set(cited) <= {builder.cite(p).text for p in bundled_store.paragraphs()["paragraph_id"]}
    first = cited[0]
    assert first.startswith("“For Kim, one important source of confidence")
    assert first.endswith(
        "“Kim Jong Un Turns Up the Pressure on the United States”, 2019-08-01, paragraph 11"
    )


def test_each_stance_quote_and_timeline_source_has_its_citation(app_env, bundled_store):
    at = open_page("pages/stance.py", claims=CLAIM, cell="0:004")
    assert not at.exception
    quoted = next(
        c.value for c in at.code if c.value.startswith("“Even though the Singapore Summit was a debacle")
    )
    assert quoted.endswith(
        "“After the Pyongyang debacle, it's not clear where U.S. policy goes from here”, "
        "2018-07-09, paragraph 12"
    )
    assert len(at.code) >= 4  # every article's deciding quotes, side by side, each with its citation

    events = read_timeline(bundled_store).events
    deadline = events[events["value"] == "2019-12-31"].iloc[0]["event_id"]
    at = open_page("pages/timeline.py", event=deadline)
    assert not at.exception
    cited = [c.value for c in at.code]
    assert len(cited) >= 2 and all(", paragraph " in c for c in cited)
    assert any(
        c.startswith("“While Washington may view Kim’s unilaterally imposed year-end deadline") for c in cited
    )


# ---- saved views ---------------------------------------------------------------------------------------


def test_a_saved_search_view_is_listed_on_home_reopens_and_is_deleted(views_file):
    params = {"q": "missile test", "k": "5", "mode": "dense", "source": "CNN", "hit": "000:1"}
    at = save_view(open_page("pages/search.py", **params), "CNN missiles")
    assert "Saved the view “CNN missiles”" in sidebar_texts(at)
    assert "shared by everyone" in sidebar_texts(at)

    home = open_page("pages/home.py")
    assert not home.exception and not home.error
    table = saved_table(home)
    assert table.to_dict("records") == [
        {
            "name": "CNN missiles",
            "page": "Search",
            "saved": table.loc[0, "saved"],
            "open": table.loc[0, "open"],
        }
    ]
    link = table.loc[0, "open"]
    assert link.startswith("./search?")

    [view] = ViewStore(views_file).views()
    reopened = open_page("pages/search.py", **{k: v[0] for k, v in view.params.items()})
    assert not reopened.exception and url(reopened) == params
    assert (
        reopened.text_input(key="q").value == "missile test" and reopened.radio(key="mode").value == "dense"
    )
    assert "More like this" in texts(reopened)

    home.selectbox(key="delete_view").set_value("CNN missiles").run()
    assert home.button(key="delete_view_button").disabled  # not before the confirmation
    home.checkbox(key="confirm_delete_view").check().run()
    home.button(key="delete_view_button").click().run()
    assert not home.exception
    assert "Deleted the saved view “CNN missiles”" in texts(home) + " ".join(s.value for s in home.success)
    assert not [d for d in home.dataframe if "open" in d.value.columns]
    assert ViewStore(views_file).views() == []


def test_saving_under_the_same_name_replaces_the_view(views_file):
    save_view(open_page("pages/timeline.py", min_sources="2"), "Deadline")
    at = save_view(open_page("pages/timeline.py", min_sources="1", vague="True"), "Deadline")
    assert "Replaced the view “Deadline”" in sidebar_texts(at)
    [view] = ViewStore(views_file).views()
    assert view.page == "timeline" and view.params == {"vague": ["True"]}


def test_signed_in_users_each_see_their_own_views(views_file):
    ana = {"is_logged_in": True, "name": "Ana Analyst", "email": "ana@example.org"}
    ben = {"is_logged_in": True, "name": "Ben Reader", "email": "ben@example.org"}
    at = save_view(open_page("pages/stance.py", {"auth": AUTH}, ana, claims=CLAIM), "Ana's claim")
    assert "yours" in sidebar_texts(at)
    save_view(open_page("pages/search.py", {"auth": AUTH}, ben, q="sanctions"), "Ben's search")

    for user, mine in ((ana, "Ana's claim"), (ben, "Ben's search")):
        home = open_page("pages/home.py", {"auth": AUTH}, user)
        assert not home.exception
        assert saved_table(home)["name"].tolist() == [mine]
    assert {v.user for v in ViewStore(views_file).views(None)} == {"ana@example.org", "ben@example.org"}
    open_home = open_page("pages/home.py")  # no sign-in: the shared views, none of theirs
    assert not [d for d in open_home.dataframe if "open" in d.value.columns]


def test_a_read_only_deployment_offers_no_saving_but_still_lists(views_file, monkeypatch):
    ViewStore(views_file).save("Team view", "search", "q=sanctions")
    monkeypatch.setenv("DOSSIER_READ_ONLY", "1")
    at = open_page("pages/search.py", q="sanctions")
    assert not at.exception and not [t for t in at.sidebar.text_input if t.key == "save_view_name"]
    home = open_page("pages/home.py")
    assert saved_table(home)["name"].tolist() == ["Team view"]
    assert not [b for b in home.button if b.key == "delete_view_button"]


def test_a_damaged_views_file_is_reported_on_home_and_set_aside(views_file):
    views_file.write_bytes(b"not a database " * 100)
    home = open_page("pages/home.py")
    assert not home.exception
    warning = " ".join(w.value for w in home.warning)
    assert "saved views file" in warning and "was damaged" in warning and "set aside" in warning
    [aside] = [p for p in views_file.parent.iterdir() if p.name.startswith("views.db.damaged-")]
    assert aside.read_bytes() == b"not a database " * 100
    save_view(open_page("pages/search.py", q="sanctions"), "Fresh start")
    assert [v.name for v in ViewStore(views_file).views()] == ["Fresh start"]


# ---- the brief on Home --------------------------------------------------------------------------------


def test_home_makes_a_brief_from_saved_views_and_offers_html_and_markdown(views_file):
    store = ViewStore(views_file)
    store.save("Xi visit", "search", "q=Xi+Jinping+visited+Pyongyang&k=2")
    store.save("Corpus page", "corpus", "")
    home = open_page("pages/home.py")
    assert home.multiselect(key="brief_views").options == ["Xi visit"]  # only views a brief can use
    assert "brief_files" not in home.session_state  # nothing is made until asked
    home.multiselect(key="brief_views").set_value(["Xi visit"])
    home.text_area(key="brief_claims").input(CLAIM)
    next(b for b in home.button if b.label == "Make the brief").click().run()
    assert not home.exception and not home.error
    labels = [b.proto.label for b in home.get("download_button")]
    assert "Download the brief (HTML)" in labels and "Download the brief (Markdown)" in labels
    files = home.session_state["brief_files"]
    assert files["html"].startswith("<!DOCTYPE html>") and "<svg" in files["html"]
    assert "Xi Jinping visited Pyongyang" in files["html"] and CLAIM in files["html"]
    assert "## Notes" in files["md"] and "paragraph 11" in files["md"]


def test_a_bad_claim_in_the_brief_form_is_a_message(views_file):
    home = open_page("pages/home.py")
    home.text_area(key="brief_claims").input("x" * 600)
    next(b for b in home.button if b.label == "Make the brief").click().run()
    assert not home.exception
    assert "characters long" in " ".join(e.value for e in home.error)
