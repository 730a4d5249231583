"""The dashboard in a real browser: Debian's Chromium, driven by Playwright, against
`streamlit run app.py` on loopback, as a colleague opening a shared deployment would see it.

Every page of app.py opens without an exception, a typed search shows its hits, a timeline
event and a stance cell open, a copied address reproduces the view in a fresh browser, a
password-protected server signs in only with the right password, and an article carrying
`<script>` and `<img onerror>` shows them as text on every page with corpus text, with no
script run. Screenshots of every test land in tests/artifacts/.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import expect

from lib.web.navigation import PAGES, PageSpec
from tests.browser_fixtures import EXCEPTION, SETTLED, ensure_chromium, serve, server_env
from tests.conftest import ROOT, SEEDS

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "tests" / "artifacts"
WAIT_MS = 90_000
PASSWORD = "correct horse battery staple"
SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
HANOI = (
    "On 28 February 2019 the Hanoi summit between Donald Trump and Kim Jong Un collapsed without any "
    f"agreement on sanctions relief {SCRIPT} after the two delegations failed to agree on the Yongbyon "
    "nuclear complex."
)
HANOI_CLAIM = "The Hanoi summit collapsed without an agreement on sanctions relief"


def app_pages() -> list[PageSpec]:
    """The pages app.py routes to (`lib.web.navigation.PAGES`), so a new page is tested too."""
    return list(PAGES)


# ---- servers, browser and pages ------------------------------------------------------------------


@pytest.fixture(scope="module")
def open_server(bundled_index, tmp_path_factory):
    """The dashboard over the session's index of the bundled corpus, no sign-in."""
    workdir = tmp_path_factory.mktemp("open-server")
    env = server_env(SEEDS, bundled_index, workdir / "no-user-corpus")
    with serve(env, workdir) as server:
        yield server


@pytest.fixture(scope="module")
def protected_server(bundled_index, tmp_path_factory):
    """The same dashboard with a shared password in its secrets."""
    workdir = tmp_path_factory.mktemp("protected-server")
    env = server_env(SEEDS, bundled_index, workdir / "no-user-corpus")
    with serve(env, workdir, secrets=f'[dossier]\npassword = "{PASSWORD}"\n') as server:
        yield server


def write_payload_articles(folder: Path) -> None:
    """A user corpus whose titles, source and text (.txt and .md) carry script payloads."""
    folder.mkdir(parents=True)
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows(
            [
                ["id", "file", "title", "source", "url", "published", "notes"],
                ["xss-plain", "xss-plain.txt", f"Hanoi talks collapse {SCRIPT}", f"Payload Wire {IMAGE}", "",
                 "2019-03-01", ""],
                ["xss-markdown", "xss-markdown.md", f"{IMAGE} Yongbyon offer rejected", "Payload Wire", "",
                 "2019-03-02", ""],
            ]
        )  # fmt: skip
    (folder / "xss-plain.txt").write_text(
        f"Hanoi talks collapse {SCRIPT}\n\n{HANOI}\n\nOfficials said on 1 March 2019 that North Korea had "
        f"demanded the lifting of most sanctions {IMAGE} in exchange for a partial closure of Yongbyon.\n",
        encoding="utf-8",
    )
    (folder / "xss-markdown.md").write_text(
        f"# Yongbyon offer rejected {IMAGE}\n\nThe United States rejected the Yongbyon offer on 2 March "
        f"2019 {SCRIPT} because it left North Korea's other enrichment sites untouched {IMAGE}.\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def xss_server(bundled_index, encoder, tmp_path_factory):
    """The dashboard over the bundled corpus plus the payload articles as the user corpus.

    Its index starts as a copy of the session's, so only the payload articles are embedded.
    """
    workdir = tmp_path_factory.mktemp("xss-server")
    index, user = payload_index(workdir, bundled_index, encoder)
    with serve(server_env(SEEDS, index, user), workdir) as server:
        yield server, index


def payload_index(workdir: Path, bundled_index: Path, encoder) -> tuple[Path, Path]:
    """An index of the bundled corpus plus the payload articles (as the user corpus) in
    `workdir`, started as a copy of `bundled_index` so only the payload articles are embedded;
    returns the index and the user corpus folders."""
    from lib.index.build import build_index

    user = workdir / "user-corpus"
    write_payload_articles(user)
    index = workdir / "index"
    shutil.copytree(bundled_index, index)
    build_index([SEEDS, user], index, encoder)
    return index, user


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    try:
        executable = ensure_chromium()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """Opens pages, each in a fresh browser context (its own cookies and Streamlit session);
    screenshots every one of them when the test ends, marked `-failed` if it failed."""
    opened = []
    failures_before = request.session.testsfailed

    def open_page():
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(WAIT_MS)
        opened.append(context)
        return context.new_page()

    yield open_page
    ARTIFACTS.mkdir(exist_ok=True)
    failed = "-failed" if request.session.testsfailed > failures_before else ""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    for number, context in enumerate(opened, 1):
        for page in context.pages:
            page.screenshot(path=ARTIFACTS / f"{name}-{number}{failed}.png", full_page=True)
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def visit(page, url: str):
    """Open `url` and wait until the page's script has finished and nothing shows an exception."""
    page.goto(url)
    page.wait_for_selector(SETTLED)
    assert_no_exception(page)
    return page


def assert_no_exception(page) -> None:
    main = page.locator('[data-testid="stMain"]')
    assert page.locator(EXCEPTION).count() == 0, main.inner_text()[:2000]
    assert "Traceback" not in main.inner_text()


def main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def shown_text(page) -> str:
    """What the page shows as text: its elements, plus the cells of its data frames (drawn on a
    canvas, and mirrored cell by cell in a table for screen readers)."""
    cells = []
    for grid in page.locator('[data-testid="stDataFrame"]').all():
        table = grid.locator("table")
        table.wait_for(state="attached")
        cells += table.evaluate("t => Array.from(t.querySelectorAll('th, td'), c => c.textContent)")
    return "\n".join([main_text(page), *cells])


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def run_search(page, server_url: str, query: str):
    """Type `query` into the search box and submit; returns the first hit's card."""
    visit(page, f"{server_url}/search")
    page.get_by_label("Search the articles").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text(f"for “{query}”").wait_for()
    page.wait_for_selector(SETTLED)
    assert_no_exception(page)
    return first_hit(page)


def first_hit(page):
    """The first hit's card, once drawn to its last button (a card is drawn element by element)."""
    hit = page.locator(".st-key-hit-1")
    hit.get_by_role("button", name=re.compile("^(Context & similar|Hide context)$")).wait_for()
    return hit


def pick_option(page, label: str, typed: str) -> None:
    """Choose the first option of the selectbox labelled `label` whose text matches `typed`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label)
    box.locator("input").click()
    page.keyboard.type(typed)
    page.locator('[role="option"]').first.wait_for()
    page.keyboard.press("Enter")


# ---- every page, search, timeline, stance, shared links -------------------------------------------


def test_app_pages_come_from_app_py():
    pages = app_pages()
    assert [p.title for p in pages][:2] == ["Home", "Search"] and pages[0].url_path == ""
    assert {"search", "reader", "corpus", "timeline", "stance"} <= {p.url_path for p in pages}
    if (ROOT / "pages" / "entities.py").exists():
        assert "entities" in {p.url_path for p in pages}


@pytest.mark.parametrize("app_page", app_pages(), ids=lambda p: p.url_path or "home")
def test_every_page_opens_without_an_exception(open_server, page, app_page):
    visit(page, f"{open_server.url}/{app_page.url_path}")
    assert page.locator("h1").first.is_visible()
    active = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
    assert app_page.title in active.inner_text()


def test_typed_search_shows_hits_and_its_link_reproduces_the_view(open_server, new_page):
    page = new_page()
    hit = run_search(page, open_server.url, "Xi Jinping visited Pyongyang")
    assert "003:11" in hit.inner_text()
    assert hit.locator("mark").first.inner_text() in {"Xi", "Jinping", "Pyongyang", "visit"}
    # The address bar follows the page's state a moment after the script ends: wait for it.
    page.wait_for_url(lambda url: query_of(url) == {"q": ["Xi Jinping visited Pyongyang"]})
    shared = page.url

    colleague = new_page()  # a fresh browser context: no cookie, no session in common
    visit(colleague, shared)
    colleague.get_by_text("for “Xi Jinping visited Pyongyang”").wait_for()
    expect(colleague.get_by_label("Search the articles")).to_have_value("Xi Jinping visited Pyongyang")
    assert first_hit(colleague).inner_text() == hit.inner_text()


def test_search_hits_download_as_csv_and_json(open_server, page):
    run_search(page, open_server.url, "Xi Jinping visited Pyongyang")
    saved = {}
    for kind in ("CSV", "JSON"):
        with page.expect_download() as download:
            page.get_by_role("button", name=f"Download hits ({kind})").click()
        saved[kind] = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(saved["CSV"].splitlines()))
    assert rows[0]["paragraph_id"] == "003:11" and "Pyongyang" in rows[0]["text"]
    document = json.loads(saved["JSON"])
    assert document["query"] == "Xi Jinping visited Pyongyang"
    assert [h["paragraph_id"] for h in document["hits"]] == [r["paragraph_id"] for r in rows]


def test_a_shared_search_url_with_filters_opens_the_same_view(open_server, new_page):
    params = {"q": "missile test", "k": "3", "mode": "dense", "source": "CNN", "hit": "000:1"}
    url = f"{open_server.url}/search?{urlencode(params)}"
    views = []
    for _ in range(2):
        page = visit(new_page(), url)
        page.get_by_text("More like this").wait_for()
        views.append((first_hit(page).inner_text(), query_of(page.url)))
    assert views[0] == views[1]
    assert views[0][1] == {k: [v] for k, v in params.items()}
    assert "000:1" in views[0][0] and "CNN" in views[0][0]


def test_a_timeline_event_opens_with_its_sources(open_server, page):
    visit(page, f"{open_server.url}/timeline")
    pick_option(page, "Event", "Singapore")
    page.get_by_text("Who says so").wait_for()
    page.wait_for_selector(SETTLED)
    assert_no_exception(page)
    page.wait_for_url(lambda url: "event" in query_of(url))
    event = query_of(page.url)["event"][0]
    assert re.fullmatch(r"[0-9a-f]{12}", event)
    assert page.get_by_text("in the article reader").count() >= 1


def test_the_timeline_lists_key_events_over_its_chart_and_a_key_event_opens_its_sources(open_server, page):
    visit(page, f"{open_server.url}/timeline")
    page.get_by_role("heading", name="Key events").wait_for()
    chart = page.locator(".st-key-attention_chart .js-plotly-plot")
    chart.wait_for()
    assert chart.locator(".point").count() >= 3  # the attention bars and the key events' stars
    key_event = page.locator('[data-testid="stExpander"]').filter(has_text="2019-05-09")
    assert "missile" in key_event.inner_text()  # the day, its title and how many articles name it
    key_event.locator("summary").click()
    sources = key_event.get_by_role("link", name=re.compile("in the article reader"))
    sources.first.wait_for()
    assert "reader?article=001" in sources.first.get_attribute("href")
    assert "Thursday" in key_event.inner_text()  # the sentence that names the day


def test_a_stance_cell_opens_with_its_quotes(open_server, page):
    """A shared link to one cell of the claims x stories matrix opens with every story's verdict
    and deciding sentences side by side at once (no second dropdown), each linked to the reader."""
    claim = "The Singapore summit produced a meaningful agreement"
    visit(page, f"{open_server.url}/stance?{urlencode({'claims': claim, 'cell': '0:004'})}")
    page.locator(".js-plotly-plot").first.wait_for()
    page.get_by_role("heading", name=f"“{claim}”").wait_for()
    page.wait_for_selector(SETTLED)
    assert_no_exception(page)
    assert query_of(page.url).get("cell") == ["0:004"]
    text = main_text(page)
    assert re.search(r"\b(AGREE|DISAGREE|DISCUSS|NOT CLEAR)\b", text)
    assert "Singapore Summit was a debacle" in text and page.locator('a[href*="reader?article=004"]').count()
    assert page.locator('[data-testid="stSelectbox"]').filter(has_text="Evidence for").count() == 0


# ---- sign-in ----------------------------------------------------------------------------------------


def test_a_protected_server_shows_nothing_before_the_right_password(protected_server, page):
    visit(page, f"{protected_server.url}/search?q=missile")
    password = page.get_by_label("Password", exact=True)
    password.wait_for()
    assert page.get_by_label("Search the articles").count() == 0
    assert "missile" not in main_text(page)

    password.fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Wrong password").wait_for()
    assert page.get_by_label("Search the articles").count() == 0

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Search the articles").wait_for()
    page.wait_for_selector(SETTLED)
    assert_no_exception(page)
    assert page.get_by_label("Password", exact=True).count() == 0


# ---- script payloads in the corpus ------------------------------------------------------------------


def payload_views(index: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """For each page that shows corpus text: the address showing the payload articles, and the
    payload texts it must show literally."""
    from lib.store.embedded import EmbeddedStore
    from lib.timeline.view import read_timeline

    events = read_timeline(EmbeddedStore(index)).events
    hanoi = events[events["sentence"].str.contains("Hanoi summit", regex=False)]["event_id"].iloc[0]
    return {
        "home": ("", (f"Hanoi talks collapse {SCRIPT}",)),
        "search": (f"search?{urlencode({'q': 'Hanoi summit collapsed sanctions relief'})}", (HANOI,)),
        "reader-txt": ("reader?article=xss-plain", (f"Hanoi talks collapse {SCRIPT}", HANOI, IMAGE)),
        "reader-md": ("reader?article=xss-markdown", (f"{IMAGE} Yongbyon offer rejected", SCRIPT)),
        "corpus": ("corpus?article=xss-plain", (f"Hanoi talks collapse {SCRIPT}", IMAGE)),
        "timeline": (f"timeline?copies=false&event={hanoi}", (HANOI, f"Hanoi talks collapse {SCRIPT}")),
        "stance": (f"stance?{urlencode({'claims': HANOI_CLAIM, 'cell': '0:xss-plain'})}", (SCRIPT,)),
        "entities": ("entities?entity=Hanoi", (HANOI, f"Hanoi talks collapse {SCRIPT}")),
    }


PAYLOAD_PAGES = ["home", "search", "reader-txt", "reader-md", "corpus", "timeline", "stance", "entities"]


@pytest.fixture(scope="module")
def payload_urls(xss_server):
    server, index = xss_server
    return {name: (f"{server.url}/{path}", texts) for name, (path, texts) in payload_views(index).items()}


@pytest.mark.parametrize("view", PAYLOAD_PAGES)
def test_script_payloads_in_articles_show_as_text_and_never_run(payload_urls, page, view):
    url, texts = payload_urls[view]
    visit(page, url)
    page.wait_for_timeout(1000)  # let charts and images load: an onerror would fire by now
    page.wait_for_selector(SETTLED)
    shown = shown_text(page)
    for text in texts:
        assert text in shown, f"{text!r} is not shown as text on {url}"
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__xss") == "undefined", f"a payload ran on {url}"
        assert frame.locator("img[src='x'], script:has-text('__xss')").count() == 0


# ---- first contact: a freshly started server ---------------------------------------------------------


def test_a_deep_link_as_a_fresh_servers_first_request_gets_dossiers_navigation(
    bundled_index, tmp_path, new_page
):
    """The first visitor of a just-started server arrives by a shared link: Dossier's own
    navigation and wide layout, the linked view, not Streamlit's list of the pages/ folder."""
    env = server_env(SEEDS, bundled_index, tmp_path / "no-user-corpus")
    with serve(env, tmp_path / "server") as server:
        page = visit(new_page(), f"{server.url}/search?q=sanctions")
        page.get_by_text("for “sanctions”").wait_for()
        first_hit(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        titles = [p.title for p in app_pages()]
        assert all(title in nav for title in titles), nav
        assert not re.search(r"^\s*(app|home|search)\s*$", nav, re.M)  # no file names as pages
        active = page.locator('[data-testid="stSidebarNav"] a[aria-current="page"]')
        assert "Search" in active.inner_text()
        assert page.locator('[data-testid="stMainBlockContainer"]').bounding_box()["width"] > 900


def test_three_first_visitors_on_an_empty_index_share_one_build(tmp_path, new_page):
    """Three sessions open pages at once on a server with no index yet: one build runs (the
    others wait for it and then use it), all three render, and the index folder holds one
    generation. The status says what is happening, never an error."""
    index = tmp_path / "index"
    env = server_env(SEEDS, index, tmp_path / "no-user-corpus")
    views = {"": "Dossier", "search?q=sanctions": "Search", "timeline": "Timeline"}
    with serve(env, tmp_path / "server") as server:
        pages = [new_page() for _ in views]
        for page, path in zip(pages, views, strict=True):
            page.goto(f"{server.url}/{path}", wait_until="commit")
        pages[0].get_by_text("Building the search index for 5 articles").wait_for()
        for page, heading in zip(pages, views.values(), strict=True):
            page.get_by_role("heading", name=re.compile(heading)).first.wait_for(timeout=4 * WAIT_MS)
            page.wait_for_selector(SETTLED, timeout=4 * WAIT_MS)
            assert_no_exception(page)
            assert "No index" not in main_text(page) and "could not be built" not in main_text(page)
        pages[1].get_by_text("for “sanctions”").wait_for()
        first_hit(pages[1])
    generations = [p.name for p in index.iterdir() if p.name.startswith("gen-")]
    assert len(generations) == 1, generations
    assert not [p.name for p in index.iterdir() if p.name.endswith(".tmp")]
