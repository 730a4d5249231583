"""Publication dates inferred from an article's own text, with the evidence, when no manifest gives one.

Evidence is tried from strongest to weakest:
1. a "Published ..." / "Posted ..." / "Updated ..." line with a full date;
2. a dateline ("SEOUL, May 10, 2019 (Reuters) - ...");
3. a date on its own line near the title. A date line at the very top of the page, before any
   text, is often the date the page was *captured* (file 004's "August 20, 2019", printed twice
   above the title), so a date line below the title wins over it;
4. the latest explicit date the article mentions: the article is from that day or later.
The result is always marked `inferred=True`. `fill_publication_dates(articles)` applies this to
an articles table: a date from the manifest or the file is kept, an empty one is inferred and
marked `published_origin="inferred"` with its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from lib.timex.base import TimeExpression
from lib.timex.registry import find_time_expressions

Source = Literal["published-line", "dateline", "below-title", "page-header", "latest-mentioned", "none"]

HEADER_LINES = 15  # non-empty lines at the top of an article searched for a date line
HEADER_WORDS = 6  # a line with more words besides its date is body text, not a byline

_PUBLISHED_LINE = re.compile(
    r"(?im)^[ \t]*(?P<label>first published|published|posted|last updated|updated)\b"
    r"[ \t]*(?:on|at|:)?[ \t]*(?P<rest>.+)$"
)
_DATELINE_TAIL = re.compile(r"^\s*(?:\([^)]{1,40}\)\s*)?[-\u2013\u2014:]")


@dataclass(frozen=True)
class PublishedDate:
    """An inferred publication date (None when the text gives no usable evidence).

    `granularity` is "month" when only a month could be placed (value = that month's last day:
    the article is from then or later). `start`/`end` are the evidence's offsets in the text.
    """

    value: date | None
    evidence: str
    source: Source
    start: int | None = None
    end: int | None = None
    granularity: Literal["day", "month"] | None = None
    inferred: bool = True


def infer_published(text: str) -> PublishedDate:
    """The publication date the text itself suggests, with the evidence (see module doc)."""
    expressions = [e for e in find_time_expressions(text, None) if e.resolved and e.start_date is not None]
    days = [e for e in expressions if e.granularity == "day" and e.kind in ("date", "metadata")]
    return (
        _from_published_line(text)
        or _from_dateline(text, days)
        or _from_header(text, days)
        or _from_latest_mention(expressions)
        or PublishedDate(None, "no date in the text places the article", "none")
    )


def fill_publication_dates(articles: pd.DataFrame) -> pd.DataFrame:
    """A copy of the articles table where each empty `published` is inferred from the article's
    `text` when it can be, with `published_origin` "inferred" and the evidence in
    `published_evidence`; dates given by a manifest or the file are left as they are."""
    out = articles.copy()
    for column in ("published", "published_origin", "published_evidence"):
        if column not in out.columns:
            out[column] = ""
    for index, row in out.iterrows():
        if str(row["published"] or "").strip():
            continue
        found = infer_published(str(row.get("text", "") or ""))
        if found.value is not None:
            out.at[index, "published"] = found.value.isoformat()
            out.at[index, "published_origin"] = "inferred"
            out.at[index, "published_evidence"] = found.evidence
    return out


def _from_published_line(text: str) -> PublishedDate | None:
    """The first full date on a "Published ..." line; an "Updated ..." line only if there is no other."""
    found: list[tuple[bool, PublishedDate]] = []
    for match in _PUBLISHED_LINE.finditer(text):
        day = next((e for e in find_time_expressions(match["rest"], None) if _is_full_day(e)), None)
        if day is None:
            continue
        end = match.start("rest") + day.end
        evidence = f'"{match.group(0).strip()}" line'
        is_update = "updated" in match["label"].lower()
        found.append(
            (is_update, PublishedDate(day.start_date, evidence, "published-line", match.start(), end, "day"))
        )
    return min(found, key=lambda item: item[0])[1] if found else None


def _is_full_day(expression: TimeExpression) -> bool:
    return expression.granularity == "day" and expression.resolved and expression.start_date is not None


def _from_dateline(text: str, days: list[TimeExpression]) -> PublishedDate | None:
    for expression in days:
        line_start = text.rfind("\n", 0, expression.start) + 1
        lead = text[line_start : expression.start]
        if (
            len(lead) <= 40
            and re.fullmatch(r"[A-Z][A-Za-z .'-]*,?\s*", lead)
            and _DATELINE_TAIL.match(text[expression.end : expression.end + 45])
        ):
            return _day(expression, "dateline", f'dateline "{text[line_start : expression.end]}"')
    return None


def _from_header(text: str, days: list[TimeExpression]) -> PublishedDate | None:
    """A date line near the title; one below some text beats one at the very top of the page."""
    header_end, top = _header_lines(text)
    candidates_top = [e for e in days if e.kind == "metadata" and e.start < top]
    candidates_below = [e for e in days if top <= e.start < header_end and _is_header_line(text, e)]
    if candidates_below:
        first = candidates_below[0]
        skipped = (
            f'; the page-header date "{candidates_top[0].text}" above the title was ignored'
            if candidates_top
            else ""
        )
        return _day(first, "below-title", f'date "{first.text}" near the title{skipped}')
    if candidates_top:
        first = candidates_top[0]
        return _day(
            first,
            "page-header",
            f'date line "{first.text}" at the top of the page (it may be the capture date)',
        )
    return None


def _header_lines(text: str) -> tuple[int, int]:
    """(end of the header region, offset of the first line that is not a date on its own)."""
    offset, count, first_text = 0, 0, -1
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            count += 1
            if first_text < 0 and not _is_date_only(stripped):
                first_text = offset
        offset += len(line)
        if count >= HEADER_LINES:
            break
    return offset, first_text if first_text >= 0 else offset


def _is_date_only(line: str) -> bool:
    found = find_time_expressions(line, None)
    return len(found) == 1 and found[0].text == line and found[0].granularity == "day"


def _is_header_line(text: str, expression: TimeExpression) -> bool:
    """A byline-like line: the date plus at most a few words ("By Jane Doe | July 9, 2018")."""
    line_start = text.rfind("\n", 0, expression.start) + 1
    line_end = text.find("\n", expression.end)
    rest = (
        text[line_start : expression.start] + " " + text[expression.end : line_end if line_end >= 0 else None]
    )
    return len(rest.split()) <= HEADER_WORDS


def _from_latest_mention(expressions: list[TimeExpression]) -> PublishedDate | None:
    body = [e for e in expressions if e.kind in ("date", "period") and e.granularity in ("day", "month")]
    if not body:
        return None
    latest = max(body, key=lambda e: e.end_date or date.min)
    granularity: Literal["day", "month"] = "day" if latest.granularity == "day" else "month"
    evidence = f'latest date the article mentions: "{latest.text}" (published then or later)'
    return PublishedDate(latest.end_date, evidence, "latest-mentioned", latest.start, latest.end, granularity)


def _day(expression: TimeExpression, source: Source, evidence: str) -> PublishedDate:
    return PublishedDate(expression.start_date, evidence, source, expression.start, expression.end, "day")
