"""The HTML brief in a real browser (Debian's Chromium, Playwright), opened from a file with the
network cut off: it renders whole (text, tables, both charts), asks for nothing, and the script
payloads of the test articles (tests/test_browser.py) show as text and never run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lib.brief.document import BriefRequest, ClaimsRequest, EventsRequest, PassagesRequest, make_brief
from lib.brief.render import render_html
from lib.settings import load_settings
from tests.test_browser import (  # noqa: F401 - `browser`: the browser tests' own Chromium fixture
    ARTIFACTS,
    HANOI,
    HANOI_CLAIM,
    IMAGE,
    SCRIPT,
    browser,
    payload_index,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def payload_brief_file(bundled_index, encoder, stance_crossencoder, tmp_path_factory):
    """The HTML brief of the bundled corpus plus the payload articles, on disk."""
    from lib.store.embedded import EmbeddedStore

    workdir = tmp_path_factory.mktemp("payload-brief")
    index, _ = payload_index(workdir, bundled_index, encoder)
    request = BriefRequest(
        passages=(PassagesRequest("Hanoi summit collapsed sanctions relief", k=3),),
        claims=(ClaimsRequest((HANOI_CLAIM,)),),
        events=(EventsRequest({"article": ["xss-plain", "xss-markdown"], "copies": ["False"]}, "Payloads"),),
    )
    brief = make_brief(
        EmbeddedStore(index),
        encoder,
        request,
        load_settings(),
        stance_crossencoder,
        made=datetime(2026, 3, 1, tzinfo=UTC),
    )
    path = workdir / "brief.html"
    path.write_text(render_html(brief), encoding="utf-8")
    return path


def test_the_html_brief_renders_offline_and_its_payloads_stay_text(payload_brief_file, request):
    chromium = request.getfixturevalue("browser")  # tests/test_browser.py's, imported above
    context = chromium.new_context(offline=True, viewport={"width": 1200, "height": 900})
    context.route(lambda url: not url.startswith("file://"), lambda route: route.abort())
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(payload_brief_file.as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)  # an image's onerror would have fired by now
    try:
        body = page.locator("body").inner_text()
        assert page.title() == "Dossier brief"
        for heading in ("Key events: Payloads", "Stance", "Passages", "Notes", "Sources"):
            assert page.get_by_role("heading", name=heading).count() >= 1, heading
        charts = page.locator("svg")
        assert charts.count() == 2 and all(charts.nth(i).bounding_box()["height"] > 20 for i in range(2))
        assert page.locator("svg.timeline circle").count() >= 1
        assert HANOI in body and SCRIPT in body and IMAGE in body  # the payloads, shown as written
        assert f"Hanoi talks collapse {SCRIPT}" in body
        assert page.evaluate("() => typeof window.__xss") == "undefined"
        assert page.locator("script, img, iframe, object, embed").count() == 0
        note = page.locator("sup a").first
        note.click()
        assert page.evaluate("() => location.hash").startswith("#note-")
        assert requested == [payload_brief_file.as_uri()]  # nothing else was asked for
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "brief-offline.png", full_page=True)
        context.close()
