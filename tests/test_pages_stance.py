"""The Stance page at 5 articles (the bundled corpus: claims x articles) and at 300 (a generated
corpus from six outlets: claims x outlets with a drill-down), driven through its URL and widgets."""

import json
import random

import pytest
from streamlit.testing.v1 import AppTest

from lib.index.annotators import stored_copy_groups
from lib.stance.verdicts import score_claims
from tests.conftest import ROOT
from tests.test_pages import TIMEOUT, texts, url

CLAIM = "The Singapore summit produced a meaningful agreement"
OUTLETS = ["Daily Ledger", "Harbour Times", "Coastal Post", "Metro Wire", "Evening Star", "Valley News"]
CITIES = "Oslo Lima Hanoi Accra Quito Riga Perth Cork Graz Turin Porto Malmo Split Tartu Ghent Basel".split()
PROJECTS = ["bridge", "port", "railway", "stadium", "tunnel", "hospital", "airport", "library"]
PRICE_CLAIM = "The new bridge was far too expensive for the city"


def stance_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/stance.py"), default_timeout=TIMEOUT * 2)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def generated_article(n: int, rng: random.Random) -> dict[str, str]:
    """A short local-news article; a third of them judge a project's cost, a third praise it."""
    city, project = rng.choice(CITIES), PROJECTS[n % len(PROJECTS)]
    official = rng.choice(
        ["The mayor", "A council spokesperson", "The regional governor", "The city engineer"]
    )
    day = rng.choice(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"])
    years, cost = rng.randint(2, 12), rng.randint(40, 900)
    judged = [
        f"Critics in {city} say the {project} was far too expensive at {cost} million "
        "and should never have been built.",
        f"Business owners in {city} insist the {project} was worth its {cost} million cost "
        "and will bring jobs.",
        f"Residents of {city} will vote in {years} months on how the {project} is run.",
    ][n % 3]
    traffic, moment = rng.choice(["light", "heavy", "normal"]), rng.choice(["morning", "evening", "weekend"])
    paragraphs = [
        f"{official} of {city} said on {day} that the new {project} had opened after {years} years of work.",
        judged,
        f"Report number {n}: traffic near the {project} in {city} was {traffic} "
        f"on its first {moment}, officials said.",
    ]
    return {
        "title": f"{city} {project}: report {n}",
        "source": OUTLETS[n % len(OUTLETS)],
        "published": f"2021-{1 + n % 12:02d}-{1 + n % 28:02d}",
        "text": "\n\n".join(paragraphs),
    }


@pytest.fixture(scope="module")
def large_env(tmp_path_factory, encoder):
    """300 generated articles from six outlets, indexed once."""
    from lib.index.build import build_index

    folder = tmp_path_factory.mktemp("large-corpus")
    rng = random.Random(7)
    for n in range(300):
        (folder / f"article-{n:03d}.json").write_text(json.dumps(generated_article(n, rng)), encoding="utf-8")
    index = tmp_path_factory.mktemp("large-index")
    build_index(folder, index, encoder)
    return folder, index


@pytest.fixture
def large_app(monkeypatch, large_env):
    folder, index = large_env
    monkeypatch.setenv("DOSSIER_CORPUS", str(folder))
    monkeypatch.setenv("DOSSIER_INDEX", str(index))
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(index / "no-user-corpus"))


def test_opens_on_the_proposed_claims_with_their_verdicts(app_env):
    at = stance_page()
    assert not at.exception and not at.error
    assert "Showing the proposed claims" in texts(at)
    assert any(b.key and b.key.startswith("propose-") for b in at.button)
    matrix = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "Claims × stories" in matrix["layout"]["title"]["text"]
    columns = [label.split(" ·")[0] for label in matrix["data"][0]["x"]]
    assert columns == ["001", "002", "003", "004"]  # 000, the abridged copy of 001, counts once
    assert len(matrix["data"][0]["y"]) == 4
    assert url(at) == {}


def test_claims_and_cell_from_the_url_show_every_storys_sentences_side_by_side(
    app_env, bundled_store, encoder, stance_crossencoder
):
    at = stance_page(claims=CLAIM, cell="0:004")
    assert not at.exception and not at.error
    assert url(at) == {"claims": CLAIM, "cell": "0:004"}
    body = texts(at)
    assert "./reader?article=004&p=12" in body
    [shown] = (
        score_claims(bundled_store, encoder, stance_crossencoder, [CLAIM], stored_copy_groups(bundled_store))
        .verdicts.query("article_id == '004'")
        .itertuples()
    )
    assert shown.verdict.upper() in body and "Singapore Summit was a debacle" in shown.quotes[0]["sentence"]
    assert all(q["sentence"] in body for q in shown.quotes)  # its deciding sentences, at once
    assert "Not addressed by:" in body
    assert [s.key for s in at.selectbox] == ["left", "right"]  # no second dropdown for the evidence


def test_typing_a_claim_adds_it_to_the_url(app_env):
    at = stance_page()
    at.text_area(key="new_claims").set_value(CLAIM)
    at.button[0].click().run()
    assert url(at).get("claims") == CLAIM


def test_bad_claims_give_messages_not_exceptions(app_env):
    at = stance_page()
    at.text_area(key="new_claims").set_value("x " * 3000)
    at.button[0].click().run()
    assert not at.exception and "characters long" in " ".join(e.value for e in at.error)
    at = stance_page(claims="Die Sanktionen gegen Nordkorea sind gescheitert und müssen aufgehoben werden")
    assert not at.exception and "does not look English" in " ".join(e.value for e in at.error)
    at = stance_page(claims=CLAIM, cell="7:nowhere")
    assert not at.exception and "not in this matrix" in " ".join(w.value for w in at.warning)


def test_pair_view_from_the_url(app_env):
    at = stance_page(left="000", right="001")
    assert not at.exception
    assert "🟢 agreeing" in texts(at)


def outlet_story_count(index, outlet: str) -> int:
    """How many stories an outlet's articles tell (an article and its copies are one story)."""
    from lib.corpus.copies import story_of
    from lib.index.annotators import stored_copy_groups
    from lib.store.embedded import EmbeddedStore

    store = EmbeddedStore(index)
    articles = store.articles()
    own = articles[articles["source"] == outlet]["article_id"]
    assert len(own) == 50
    story = story_of(stored_copy_groups(store))
    return len({story.get(a, a) for a in own})


def test_300_articles_show_claims_by_outlet_and_drill_down_to_an_outlets_stories(large_app, large_env):
    at = stance_page(claims=PRICE_CLAIM)
    assert not at.exception and not at.error
    matrix = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "Claims × outlets" in matrix["layout"]["title"]["text"]
    assert sorted(matrix["data"][0]["x"]) == sorted(OUTLETS)
    at = stance_page(claims=PRICE_CLAIM, cell="0:Daily Ledger")
    assert not at.exception and not at.error
    body = texts(at)
    assert "Daily Ledger" in body and "stories, most confident first" in body
    stories = at.dataframe[0].value
    assert len(stories) == outlet_story_count(large_env[1], "Daily Ledger")  # its 50 articles, copies pooled
    rank = stories["verdict"].map(
        {"agree": 0, "disagree": 0, "discuss": 0, "not clear": 1, "not addressed": 2}
    )
    assert rank.is_monotonic_increasing
    assert stories[rank == 0]["confidence"].is_monotonic_decreasing
    assert (rank == 0).sum() >= 10 and "./reader?article=" in body  # its 13 articles judging a bridge
