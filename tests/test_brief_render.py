"""The brief written out: one self-contained HTML file (inline SVG charts, no request of any kind)
and Markdown with the same content, corpus text escaped in both so a payload stays text."""

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from lib.brief.document import (
    Brief,
    BriefEvent,
    BriefPassage,
    CorpusFacts,
    EventsSection,
    KeyEvent,
    PassagesSection,
    StanceRow,
    StanceSection,
    brief_request,
    make_brief,
)
from lib.brief.render import axis_ticks, render_html, render_markdown
from lib.corpus.citations import Citation
from lib.settings import load_settings

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
MARKDOWN = "**bold** [link](javascript:alert(1)) `code` | pipe $x$"
PAYLOAD = f"{SCRIPT} {IMAGE} {MARKDOWN}"


@pytest.fixture(scope="module")
def bundled_brief(bundled_store, encoder, stance_crossencoder):
    request = brief_request(
        queries=["Xi Jinping visited Pyongyang"],
        claims=["The Singapore summit produced a meaningful agreement"],
        k=2,
    )
    model = stance_crossencoder
    return make_brief(
        bundled_store, encoder, request, load_settings(), model, datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    )


def payload_brief() -> Brief:
    """A brief whose every corpus string carries script, image and Markdown payloads."""
    citation = Citation("x:1", "x", 1, f"Wire {IMAGE}", f"Title {SCRIPT}", True, "2019-03-01", "", PAYLOAD)
    event = KeyEvent(
        "2019-02-28", "2019-02-28", "2019-02-28", "day", f"Summit {PAYLOAD}", 1, (("x:1", PAYLOAD),)
    )
    return Brief(
        made=datetime(2026, 3, 1, tzinfo=UTC),
        corpus=CorpusFacts((f"folder {SCRIPT}",), 1, 1, "v1", "2026-02-01T00:00:00+00:00", "model"),
        events=(
            EventsSection("Key events of the whole corpus", f"sources: {IMAGE}", (BriefEvent(event, (1,)),)),
        ),
        stances=(
            StanceSection(
                f"Claim {SCRIPT}",
                f"view {IMAGE}",
                (StanceRow(f"Title {SCRIPT}", (), "agree", 0.8, ((PAYLOAD, 1),)),),
            ),
        ),
        passages=(
            PassagesSection(f"query {SCRIPT}", "", "", (BriefPassage(1, PAYLOAD, 1),), (f"note {IMAGE}",)),
        ),
        citations=(citation,),
    )


class _Tags(HTMLParser):
    """Every start tag and attribute of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_the_html_brief_is_one_file_with_its_charts_inline_and_nothing_to_fetch(bundled_brief):
    html = render_html(bundled_brief)
    tags = tags_of(html)
    names = [t for t, _ in tags]
    assert names.count("svg") == 2  # the key events' timeline and the claim's verdict bar
    assert not {"script", "img", "link", "iframe", "object", "embed"} & set(names)
    assert not [
        a for _, attrs in tags for k, a in attrs.items() if k in ("src", "href") and not a.startswith("#")
    ]
    assert "default-src 'none'" in html  # and the page's own policy would block any request
    for needed in (
        "Key events of the whole corpus",
        "2019-12-31",
        "Stance",
        "Passages",
        "Sources",
    ):
        assert needed in html
    verdicts = [row.verdict for section in bundled_brief.stances for row in section.rows]
    assert len(verdicts) == 4 and all(f"<td>{v}</td>" in html for v in verdicts)  # one row per story


def test_each_reference_links_to_its_numbered_note(bundled_brief):
    html = render_html(bundled_brief)
    notes = re.findall(r'<li id="note-(\d+)">', html)
    assert notes == [str(n) for n in range(1, len(bundled_brief.citations) + 1)]
    assert set(re.findall(r'href="#note-(\d+)"', html)) == set(notes)
    assert (
        "paragraph 12" in html and "corpus version" in html and "made 2026-03-01 09:30 UTC by Dossier" in html
    )


def test_the_markdown_brief_has_the_same_tables_notes_and_sources(bundled_brief):
    text = render_markdown(bundled_brief)
    assert text.startswith("# Dossier brief\n")
    assert "| # | Date | Event | Articles | Sources |" in text
    assert "| Article | Verdict | Confidence | Deciding quotes |" in text
    notes = re.findall(r"^(\d+)\. “", text.split("## Notes")[1].split("## Sources")[0], re.M)
    assert notes == [str(n) for n in range(1, len(bundled_brief.citations) + 1)]
    assert len(re.findall(r"^- ", text.split("## Sources")[1], re.M)) == len(bundled_brief.sources)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert rendered.count("<table>") == 2 and "<h2>Notes</h2>" in rendered


def test_payloads_in_corpus_text_stay_text_in_html():
    html = render_html(payload_brief())
    assert "<script" not in html and "<img" not in html and 'onerror="' not in html
    assert html.count("&lt;script&gt;window.__xss=1&lt;/script&gt;") >= 8
    assert not {"script", "img"} & {t for t, _ in tags_of(html)}
    assert all(attrs.get("href", "#").startswith("#") for t, attrs in tags_of(html) if t == "a")


def test_payloads_in_corpus_text_stay_text_in_markdown():
    text = render_markdown(payload_brief())
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script" not in rendered and "<img" not in rendered
    assert "<strong>" not in rendered and "<code>" not in rendered and "<a " not in rendered
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in rendered  # shown, as written
    assert "**bold**" in rendered and "[link](javascript:alert(1))" in rendered


@pytest.mark.parametrize(
    ("first", "last", "labels"),
    [
        (date(1960, 11, 1), date(2020, 3, 1), ["1965", "1970", "2015", "2020"]),
        (date(2018, 12, 1), date(2019, 8, 1), ["2019-01", "2019-08"]),
        (date(2019, 2, 20), date(2019, 3, 2), ["2019-02-21", "2019-03-02"]),
    ],
)
def test_the_timeline_axis_is_marked_in_years_months_or_days_as_its_span_needs(first, last, labels):
    ticks = axis_ticks(first, last)
    assert 2 <= len(ticks) <= 12 and all(first < day <= last for day, _ in ticks)
    shown = [label for _, label in ticks]
    assert all(label in shown for label in labels) and len({len(label) for label in shown}) == 1
