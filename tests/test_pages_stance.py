from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.test_pages import TIMEOUT, texts, url

CLAIM = "The Singapore summit produced a meaningful agreement"


def stance_page(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages/stance.py"), default_timeout=TIMEOUT * 2)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def test_opens_with_proposals_and_no_claims(app_env):
    at = stance_page()
    assert not at.exception and not at.error
    assert "Type a claim above" in texts(at)
    assert any(b.key and b.key.startswith("propose-") for b in at.button)


def test_claims_and_cell_from_the_url_show_side_by_side_evidence(app_env):
    at = stance_page(claims=CLAIM, cell="0:004")
    assert not at.exception and not at.error
    assert url(at) == {"claims": CLAIM, "cell": "0:004"}
    body = texts(at)
    assert "./reader?article=004&p=12" in body
    assert "DISAGREE" in body
    assert "Counted once with its copies" in body


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


def test_pair_view_from_the_url(app_env):
    at = stance_page(left="000", right="001")
    assert not at.exception
    assert "🟢 agreeing" in texts(at)
