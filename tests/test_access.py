"""Who gets in and who may change the corpus: the rules on their own (no Streamlit), the
sign-in gate on real pages (AppTest) in the open, password and OIDC configurations, and
read-only mode on the corpus page and the CLI."""

import ast
import inspect

import pytest
from streamlit.testing.v1 import AppTest

from lib.access import (
    AccessPolicy,
    AttemptLog,
    access_policy,
    delay_after,
    oidc_providers,
    password_matches,
    read_only,
)
from lib.cli.main import main
from lib.errors import BadInputError
from lib.web import gate
from lib.web.frame import page_frame
from tests.conftest import ROOT, SEEDS

TIMEOUT = 120
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-string-for-the-tests",
    "client_id": "dossier",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://accounts.example.org/.well-known/openid-configuration",
}
PAGE_PATHS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


# ---- the rules ----------------------------------------------------------------------------------


def test_no_secrets_means_an_open_dashboard():
    assert access_policy({}) == AccessPolicy("open")
    assert access_policy({"dossier": {"read_only": True}}).mode == "open"


def test_a_password_in_the_secrets_asks_for_it():
    assert access_policy({"dossier": {"password": "s3cret"}}) == AccessPolicy("password", password="s3cret")


def test_an_auth_section_wins_over_a_password_and_names_its_providers():
    policy = access_policy({"auth": AUTH, "dossier": {"password": "s3cret"}})
    assert policy.mode == "oidc" and policy.providers == (None,)
    named = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": "x",
        "google": {"client_id": "g", "client_secret": "s", "server_metadata_url": "u"},
        "okta": {"client_id": "o", "client_secret": "s", "server_metadata_url": "u"},
    }
    assert oidc_providers(named) == ("google", "okta")
    assert access_policy({"auth": named}).providers == ("google", "okta")


@pytest.mark.parametrize(
    "secrets",
    [
        {"dossier": {"password": ""}},
        {"dossier": {"password": 1234}},
        {"auth": {"redirect_uri": "http://x/oauth2callback", "cookie_secret": "x"}},
    ],
)
def test_a_broken_configuration_fails_closed_with_a_reason(secrets):
    with pytest.raises(BadInputError, match="password|provider"):
        access_policy(secrets)


def test_password_check_is_exact():
    assert password_matches("s3cret", "s3cret")
    assert not password_matches("s3cret ", "s3cret")
    assert not password_matches("S3CRET", "s3cret")
    assert not password_matches("", "s3cret")
    assert password_matches("pässwörd", "pässwörd")


def test_read_only_from_the_setting_or_the_secrets():
    assert not read_only(False, {})
    assert read_only(True, {})
    assert read_only(False, {"dossier": {"read_only": True}})
    assert read_only(False, {"dossier": {"read_only": "true"}})
    assert not read_only(False, {"dossier": {"read_only": "false"}})
    assert not read_only(False, {"dossier": {"read_only": False, "password": "x"}})


def test_a_few_wrong_passwords_are_free_then_each_waits_longer():
    assert [delay_after(n) for n in range(7)] == [0, 0, 0, 2, 4, 8, 16]
    assert delay_after(50) == 300


def test_the_attempt_log_slows_each_key_down_and_forgets_it_after_the_right_password():
    now = [1000.0]
    log = AttemptLog(clock=lambda: now[0])
    for _ in range(3):
        log.fail("session:a", "address:1.2.3.4")
    assert log.wait("session:a") == 2 and log.wait("session:b", "address:1.2.3.4") == 2
    assert log.wait("session:b", "address:5.6.7.8") == 0  # another visitor is not slowed down
    now[0] += 2.5
    assert log.wait("session:a", "address:1.2.3.4") == 0
    log.succeed("session:a", "address:1.2.3.4")
    assert log.fail("session:a") == 1


# ---- the gate on the pages ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fresh_attempt_log(monkeypatch):
    """Each test starts with no wrong password recorded (the real log is one per server)."""
    log = AttemptLog()
    monkeypatch.setattr(gate, "_attempts", lambda: log)
    return log


def run_page(path: str, secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=TIMEOUT)
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    return at.run()


def test_every_page_opens_with_the_frame_whose_first_step_is_the_gate():
    """Pages run alone (AppTest, direct links), so each must start with the page frame, which
    calls require_access() before it draws anything."""
    for path in PAGE_PATHS:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        body = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom, ast.Expr))]
        first = body[0]
        assert isinstance(first, ast.With), f"{path} does not open with `with page_frame(...)`"
        assert ast.unparse(first.items[0].context_expr).startswith("page_frame("), path
    frame = ast.parse(inspect.getsource(page_frame)).body[0]
    calls = [ast.unparse(n) for n in ast.walk(frame) if isinstance(n, ast.Call)]
    drawing = [i for i, call in enumerate(calls) if call.startswith("st.")]
    assert "require_access()" in calls and calls.index("require_access()") < min(drawing)


def test_open_configuration_shows_the_page_and_the_about_panel(app_env):
    at = run_page("pages/home.py")
    assert not at.exception and not at.error
    assert at.title[0].value == "🗂️ Dossier" and not at.text_input
    about = at.sidebar.text[0].value
    assert "Sign-in: none (open)" in about and "Articles: 5\n" in about


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_password_configuration_stops_each_page_at_the_form(app_env, path):
    at = run_page(path, {"dossier": {"password": "s3cret"}})
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Password"]
    assert at.button[0].label == "Sign in"
    assert not at.title and not at.dataframe and not at.metric  # nothing of the page itself


def test_wrong_then_right_password(app_env):
    at = run_page("pages/home.py", {"dossier": {"password": "s3cret"}})
    at.text_input[0].input("guess")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Wrong password"] and not at.title

    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "🗂️ Dossier" and len(at.dataframe[0].value) == 5
    assert "access_password" not in at.session_state  # the password itself is not kept
    at.run()  # the next interaction in the same session stays signed in
    assert at.title and not at.text_input

    at.sidebar.button(key="sign_out").click().run()
    assert [t.label for t in at.text_input] == ["Password"] and not at.title


def test_repeated_wrong_passwords_are_refused_until_the_delay_passes(app_env, monkeypatch, caplog):
    now = [0.0]
    log = AttemptLog(clock=lambda: now[0])
    monkeypatch.setattr(gate, "_attempts", lambda: log)
    at = run_page("pages/search.py", {"dossier": {"password": "s3cret"}})
    for _ in range(3):
        at.text_input[0].input("guess")
        at.button[0].click().run()
    assert "the next attempt is possible in 2 s" in at.error[0].value
    assert "wrong password (3 in a row)" in caplog.text
    at.text_input[0].input("s3cret")  # even the right password waits for the delay
    at.button[0].click().run()
    assert at.error[0].value.startswith("Too many wrong passwords: try again in 2 s") and not at.title
    colleague = run_page("pages/search.py", {"dossier": {"password": "s3cret"}})
    colleague.text_input[0].input("s3cret")  # same address (local): slowed down too
    colleague.button[0].click().run()
    assert colleague.error and not colleague.title
    now[0] += 2.5
    at.text_input[0].input("s3cret")
    at.button[0].click().run()
    assert not at.error and at.title[0].value == "🔎 Search"


def test_oidc_configuration_shows_only_the_sign_in_button(app_env):
    """The provider's redirect cannot be completed offline: this checks the signed-out view
    and, with AppTest's simulated identity, the signed-in one."""
    at = run_page("pages/home.py", {"auth": AUTH}, user={"is_logged_in": False})
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.title and not at.text_input and not at.dataframe

    at = run_page("pages/home.py", {"auth": AUTH}, user={"is_logged_in": True, "name": "Ana Analyst"})
    assert not at.exception and at.title[0].value == "🗂️ Dossier"
    assert "Signed in as Ana Analyst" in " ".join(c.value for c in at.sidebar.caption)
    assert at.sidebar.button(key="sign_out").label == "Sign out"


def test_a_misconfigured_password_keeps_the_page_closed(app_env):
    at = run_page("pages/home.py", {"dossier": {"password": ""}})
    assert not at.exception and not at.title
    assert "password in the secrets is empty" in at.error[0].value


# ---- read-only mode -----------------------------------------------------------------------------


@pytest.fixture
def user_corpus_env(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("DOSSIER_USER_CORPUS", str(tmp_path / "user"))
    return tmp_path


def test_corpus_page_in_read_only_mode_offers_no_change(app_env, monkeypatch):
    monkeypatch.setenv("DOSSIER_READ_ONLY", "1")
    at = run_page("pages/corpus.py")
    assert not at.exception and not at.error
    assert "read-only deployment" in at.info[0].value
    assert not at.file_uploader and not at.text_area and not at.tabs
    assert not [b for b in at.button if b.key in ("add_files", "delete")]
    assert len(at.dataframe[0].value) == 5  # the list is still there
    assert "Corpus changes: read-only" in at.sidebar.text[0].value


def test_read_only_from_the_secrets_hides_the_changes_too(app_env):
    at = run_page("pages/corpus.py", {"dossier": {"read_only": True}})
    assert not at.exception and "read-only deployment" in at.info[0].value and not at.file_uploader
    at = run_page("pages/corpus.py")
    assert at.file_uploader and at.text_area  # and the default configuration allows them


def test_cli_add_and_remove_refuse_in_read_only_mode(user_corpus_env, monkeypatch, capsys):
    article = user_corpus_env / "talks.txt"
    article.write_text("Envoys met in Panmunjom on Sunday.\n\nThey agreed to resume talks.", encoding="utf-8")
    monkeypatch.setenv("DOSSIER_READ_ONLY", "true")
    assert main(["add", str(article), "--no-index"]) == 1
    assert "read-only deployment" in capsys.readouterr().err
    assert main(["remove", "talks", "--no-index"]) == 1
    assert "read-only deployment" in capsys.readouterr().err
    assert not (user_corpus_env / "user").exists()


@pytest.mark.parametrize("path", ["pages/home.py", "pages/corpus.py"])
def test_a_shared_deployment_shows_visitors_no_server_paths(app_env, monkeypatch, bundled_index, path):
    monkeypatch.setenv("DOSSIER_READ_ONLY", "1")
    at = run_page(path)
    assert not at.exception
    shown = " ".join(
        str(e.value)
        for kind in ("markdown", "caption", "info", "warning", "error")
        for e in getattr(at, kind)
    )
    assert "Index:" in shown or "read-only deployment" in shown
    for folder in (ROOT, bundled_index, SEEDS):
        assert str(folder) not in shown
    monkeypatch.delenv("DOSSIER_READ_ONLY")
    local = run_page("pages/home.py")  # the person running it locally still sees where things are
    assert "corpus" in " ".join(str(m.value) for m in local.markdown) and "Index: `" in " ".join(
        str(m.value) for m in local.markdown
    )
