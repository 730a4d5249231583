"""A brief (`lib.brief.document.Brief`) as one self-contained HTML file or as Markdown.

HTML: inline CSS, the charts as inline SVG drawn here (a timeline of the key events, a bar of
verdicts per claim), no script, font, image or any other request, and a Content-Security-Policy
that would block one anyway; every corpus string goes through `html.escape`, so a payload in an
article shows as text. Markdown: the same content, corpus text backslash-escaped
(`lib.text.markup.escape_markdown`). Both number each cited statement [n], list the notes, then
the sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from lib.about import when_utc
from lib.brief.document import APP_NAME, Brief, EventsSection, StanceSection
from lib.text.markup import escape_markdown

VERDICT_COLOURS = {
    "agree": "#2e7d32",
    "disagree": "#c62828",
    "discuss": "#f9a825",
    "unrelated": "#bdbdbd",
}
OTHER_VERDICT_COLOUR = "#90a4ae"
EVENT_COLUMNS = (("#", True), ("Date", False), ("Event", False), ("Articles", True), ("Sources", False))
STANCE_COLUMNS = (("Article", False), ("Verdict", False), ("Confidence", True), ("Deciding quotes", False))
"""Each table's columns: (heading, whether its cells are numbers, aligned right)."""
NO_QUOTE = "no relevant paragraph"
CHART_WIDTH = 880
_STYLE = """
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #1b1b1b; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 2.5rem; }
.facts, .filters, .remark { color: #555; font-size: .9rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .95rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-family: Helvetica, Arial, sans-serif; }
td.number { text-align: right; white-space: nowrap; }
blockquote { margin: .3rem 0; padding-left: .8rem; border-left: 3px solid #ccc; }
sup a { text-decoration: none; }
svg { display: block; max-width: 100%; height: auto; margin: .5rem 0;
      font-family: Helvetica, Arial, sans-serif; }
ol.notes li { margin-bottom: .4rem; }
"""
_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


# ---- HTML --------------------------------------------------------------------------------------------


def render_html(brief: Brief) -> str:
    """The brief as one HTML document that opens anywhere, offline."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(brief.title)}</title><style>{_STYLE}</style></head><body>",
        f"<header><h1>{escape(brief.title)}</h1>",
        f'<p class="facts">{escape(header_line(brief))}</p></header>',
        '<section id="events"><h2>Key events</h2>',
    ]
    for section in brief.events:
        parts.append(_events_html(section))
    if brief.stances:
        parts.append('</section><section id="stance"><h2>Stance</h2>')
        parts.extend(_stance_html(section) for section in brief.stances)
    if brief.passages:
        parts.append('</section><section id="passages"><h2>Passages</h2>')
        for passages in brief.passages:
            parts.append(f"<h3>“{escape(passages.query)}”</h3>")
            parts.append(_origin_html(passages.origin, passages.filters))
            parts.extend(f'<p class="remark">{escape(r)}</p>' for r in passages.remarks)
            parts.append("<ol>")
            parts.extend(
                f"<li><blockquote>{escape(p.text)} {_ref(p.note)}</blockquote></li>"
                for p in passages.passages
            )
            parts.append("</ol>")
    parts.append('</section><section id="notes"><h2>Notes</h2><ol class="notes">')
    parts.extend(f'<li id="note-{n}">{escape(c.text)}</li>' for n, c in enumerate(brief.citations, 1))
    parts.append('</ol></section><section id="sources"><h2>Sources</h2><ul>')
    parts.extend(f"<li>{escape(source)}</li>" for source in brief.sources)
    parts.append("</ul></section></body></html>")
    return "\n".join(parts)


def header_line(brief: Brief) -> str:
    """What the brief covers and when it was made, in one line."""
    corpus = brief.corpus
    folders = ", ".join(corpus.folders) or "unknown corpus"
    return (
        f"Corpus: {folders} ({corpus.articles} articles, {corpus.paragraphs} paragraphs) · "
        f"corpus version {corpus.corpus_version or 'unknown'} · index built {when_utc(corpus.built_at)} · "
        f"embedding model {corpus.model or 'unknown'} · made {brief.made.strftime('%Y-%m-%d %H:%M')} UTC "
        f"by {APP_NAME}"
    )


def _ref(number: int) -> str:
    return f'<sup><a href="#note-{number}">[{number}]</a></sup>'


def _origin_html(origin: str, filters: str) -> str:
    said = ([f"From the saved view “{origin}”."] if origin else []) + (
        [f"Filters: {filters}."] if filters else []
    )
    return f'<p class="filters">{escape(" ".join(said))}</p>' if said else ""


def _events_html(section: EventsSection) -> str:
    parts = [f"<h3>{escape(section.heading)}</h3>", _origin_html("", section.filters)]
    if not section.events:
        parts.append('<p class="remark">No dated event matches these filters.</p>')
        return "\n".join(parts)
    rows = [
        [
            str(n),
            escape(i.event.value),
            escape(i.event.title),
            str(i.event.articles),
            " ".join(map(_ref, i.notes)),
        ]
        for n, i in enumerate(section.events, 1)
    ]
    parts += [timeline_svg(section), _html_table(EVENT_COLUMNS, rows)]
    return "\n".join(parts)


def _stance_html(section: StanceSection) -> str:
    parts = [
        f"<h3>“{escape(section.claim)}”</h3>",
        _origin_html(section.origin, ""),
        verdict_bar_svg(section),
    ]
    rows = []
    for row in section.rows:
        copies = f"<br><small>with its copies: {escape('; '.join(row.copies))}</small>" if row.copies else ""
        quotes = "".join(f"<blockquote>“{escape(q)}” {_ref(n)}</blockquote>" for q, n in row.quotes)
        rows.append(
            [
                escape(row.article) + copies,
                escape(row.verdict),
                _probability(row.confidence),
                quotes or NO_QUOTE,
            ]
        )
    parts.append(_html_table(STANCE_COLUMNS, rows))
    return "\n".join(parts)


def _html_table(columns: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> str:
    """A table of cells already written as HTML; `columns` are (heading, numeric?)."""
    head = "".join(f"<th>{name}</th>" for name, _ in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="number">{cell}</td>' if numeric else f"<td>{cell}</td>"
            for (_, numeric), cell in zip(columns, row, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---- charts (inline SVG) ----------------------------------------------------------------------------


def timeline_svg(section: EventsSection) -> str:
    """The key events on a time axis: each a bar as long as its date is precise (a day, a month,
    a year) and a numbered marker sized by its number of articles, in lanes so none overlap."""
    events = [item.event for item in section.events]
    starts = [date.fromisoformat(e.start) for e in events]
    ends = [date.fromisoformat(e.end) + timedelta(days=1) for e in events]
    first, last = min(starts), max(ends)
    pad = max((last - first).days * 0.03, 30)
    first, last = first - timedelta(days=pad), last + timedelta(days=pad)
    left, right, lane_height = 20, CHART_WIDTH - 20, 30

    def x(day: date) -> float:
        return left + (day - first).days / max((last - first).days, 1) * (right - left)

    lanes: list[float] = []  # the right edge of what each lane holds so far
    shapes = []
    for number, (event, start, end) in enumerate(zip(events, starts, ends, strict=True), 1):
        x0, x1 = x(start), max(x(end), x(start) + 3)
        middle, radius = (x0 + x1) / 2, min(6 + 2 * event.articles, 14)
        footprint = (min(x0, middle - radius) - 4, max(x1, middle + radius) + 4)
        lane = next((i for i, edge in enumerate(lanes) if edge < footprint[0]), len(lanes))
        lanes[lane : lane + 1] = [footprint[1]]
        y = 20 + lane * lane_height
        tip = escape(f"{number}. {event.value}: {event.title} ({event.articles} article(s))")
        shapes.append(
            f"<g><title>{tip}</title>"
            f'<rect x="{x0:.1f}" y="{y - 4}" width="{x1 - x0:.1f}" height="8" fill="#90caf9"/>'
            f'<circle cx="{middle:.1f}" cy="{y}" r="{radius}" fill="#1565c0" fill-opacity="0.85"/>'
            f'<text x="{middle:.1f}" y="{y + 4}" font-size="11" fill="#fff" text-anchor="middle">'
            f"{number}</text></g>"
        )
    axis_y = 20 + len(lanes) * lane_height
    ticks = [
        f'<line x1="{x(day):.1f}" y1="{axis_y}" x2="{x(day):.1f}" y2="{axis_y + 5}" stroke="#555"/>'
        f'<text x="{x(day):.1f}" y="{axis_y + 18}" font-size="11" text-anchor="middle" fill="#333">'
        f"{label}</text>"
        for day, label in axis_ticks(first, last)
    ]
    height = axis_y + 26
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'width="{CHART_WIDTH}" height="{height}" role="img" aria-label="{escape(section.heading)}">'
        f'<line x1="{left}" y1="{axis_y}" x2="{right}" y2="{axis_y}" stroke="#555"/>'
        + "".join(ticks)
        + "".join(shapes)
        + "</svg>"
    )


def axis_ticks(first: date, last: date, most: int = 12) -> list[tuple[date, str]]:
    """Ticks for a time axis from `first` to `last`: the finest of years (every 1, 2, 5, ... 100),
    months (every 1, 3, 6) or days (every 1, 7) that gives at most `most` ticks, with labels."""
    months = (last.year - first.year) * 12 + last.month - first.month
    if months > 6 * most:  # years
        step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 1000) if (last.year - first.year) / s <= most)
        return [(date(y, 1, 1), str(y)) for y in range((first.year // step + 1) * step, last.year + 1, step)]
    if (last - first).days > 7 * most:  # months
        step = next(s for s in (1, 3, 6) if months / s <= most)
        starts = [
            date(first.year + (first.month - 1 + m) // 12, (first.month - 1 + m) % 12 + 1, 1)
            for m in range(1, months + 1)
        ]
        return [(d, d.strftime("%Y-%m")) for d in starts if (d.month - 1) % step == 0]
    step = 1 if (last - first).days <= most else 7
    days = [first + timedelta(days=n) for n in range(1, (last - first).days + 1, step)]
    return [(d, d.isoformat()) for d in days]


def verdict_bar_svg(section: StanceSection) -> str:
    """One bar split by verdict, each part as wide as its share of the articles."""
    counts = section.counts
    total = sum(counts.values()) or 1
    width, height, x = CHART_WIDTH, 30, 0.0
    parts = []
    for verdict, count in counts.items():
        part = width * count / total
        colour = VERDICT_COLOURS.get(verdict, OTHER_VERDICT_COLOUR)
        label = escape(f"{verdict} {count}")
        ink = "#fff" if verdict in ("agree", "disagree") else "#1b1b1b"
        text = (
            f'<text x="{x + part / 2:.1f}" y="20" font-size="13" text-anchor="middle" fill="{ink}">'
            f"{label}</text>"
            if part >= 9 * len(label)  # a label only where it fits
            else ""
        )
        parts.append(
            f"<g><title>{label}</title>"
            f'<rect x="{x:.1f}" y="0" width="{part:.1f}" height="{height}" fill="{colour}"/>{text}</g>'
        )
        x += part
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="verdicts" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(verdict_summary(section))}">'
        + "".join(parts)
        + "</svg>"
    )


def verdict_summary(section: StanceSection) -> str:
    """E.g. `agree 1 · disagree 1 · discuss 2` (articles, copies counted once)."""
    return " · ".join(f"{verdict} {count}" for verdict, count in section.counts.items())


# ---- Markdown ----------------------------------------------------------------------------------------


def render_markdown(brief: Brief) -> str:
    """The brief as Markdown: the same sections, tables and numbered notes as the HTML."""
    lines = [f"# {brief.title}", "", escape_markdown(header_line(brief)), "", "## Key events", ""]
    for section in brief.events:
        lines += [f"### {escape_markdown(section.heading)}", ""]
        if section.filters:
            lines += [f"Filters: {escape_markdown(section.filters)}.", ""]
        if not section.events:
            lines += ["No dated event matches these filters.", ""]
            continue
        rows = [
            [str(n), escape_markdown(i.event.value), escape_markdown(i.event.title), str(i.event.articles)]
            + [" ".join(f"[{note}]" for note in i.notes)]
            for n, i in enumerate(section.events, 1)
        ]
        lines += [*_markdown_table(EVENT_COLUMNS, rows), ""]
    if brief.stances:
        lines += ["## Stance", ""]
    for stance in brief.stances:
        lines += [f"### “{escape_markdown(stance.claim)}”", ""]
        said = f"From the saved view “{escape_markdown(stance.origin)}”. " if stance.origin else ""
        lines += [f"{said}Verdicts: {escape_markdown(verdict_summary(stance))}.", ""]
        rows = []
        for row in stance.rows:
            copies = f" (with its copies: {escape_markdown('; '.join(row.copies))})" if row.copies else ""
            quotes = "; ".join(f"“{escape_markdown(q)}” [{n}]" for q, n in row.quotes) or NO_QUOTE
            article = escape_markdown(row.article) + copies
            rows.append([article, escape_markdown(row.verdict), _probability(row.confidence), quotes])
        lines += [*_markdown_table(STANCE_COLUMNS, rows), ""]
    if brief.passages:
        lines += ["## Passages", ""]
    for passages in brief.passages:
        lines += [f"### “{escape_markdown(passages.query)}”", ""]
        if passages.origin:
            lines += [f"From the saved view “{escape_markdown(passages.origin)}”.", ""]
        if passages.filters:
            lines += [f"Filters: {escape_markdown(passages.filters)}.", ""]
        lines += [*(f"*{escape_markdown(r)}*" for r in passages.remarks), ""] if passages.remarks else []
        lines += [f"{p.rank}. {escape_markdown(p.text)} [{p.note}]" for p in passages.passages]
        lines.append("")
    lines += ["## Notes", ""]
    lines += [f"{n}. {escape_markdown(c.text)}" for n, c in enumerate(brief.citations, 1)]
    lines += ["", "## Sources", ""]
    lines += [f"- {escape_markdown(source)}" for source in brief.sources]
    return "\n".join(lines) + "\n"


def _markdown_table(columns: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]]) -> list[str]:
    """The lines of a table of cells already escaped; `columns` are (heading, numeric?)."""
    head = "| " + " | ".join(name for name, _ in columns) + " |"
    rule = "|" + "|".join("---:" if numeric else "---" for _, numeric in columns) + "|"
    return [head, rule, *("| " + " | ".join(row) + " |" for row in rows)]


def _probability(confidence: float | None) -> str:
    """A verdict's probability as the tables show it ("–" when no sentence addresses the claim)."""
    return "–" if confidence is None else f"{confidence:.2f}"
