"""What resolving a match needs beyond the match itself (`Context`: the text, the publication
date, the tense cue and the dates already found) and the post-steps every expression passes
("since 2006" as a period up to publication, a line holding only a date as page metadata)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from lib.timex.base import TimeExpression
from lib.timex.tense import Tense

ANCHOR_WINDOW = 40  # "a week after the May 4 launch": the named date follows within this many characters
_SENTENCE_END = re.compile(r"[.!?;]\s")


@dataclass
class Context:
    """What resolution needs beyond the match: the text, the publication date and a tense cue."""

    text: str
    published: date | None
    tense_of: Callable[[int, int], Tense]
    resolved: list[TimeExpression] = field(default_factory=list)

    def tense(self, match: re.Match[str]) -> Tense:
        """The governing verb's tense; "since July" always looks back."""
        if _SINCE.search(self.text[max(0, match.start() - 8) : match.start()]):
            return "past"
        return self.tense_of(match.start(), match.end())

    def anchor_for(self, match: re.Match[str], direction: str) -> date | None:
        """The explicit day-level date an event-relative expression counts from: the one it names
        ("a week after the May 4 launch"), else the last one before it ("three days later")."""
        days = sorted(
            (e for e in self.resolved if e.granularity == "day" and e.kind == "date" and e.start_date),
            key=lambda e: e.start,
        )
        if direction in ("after", "before"):
            for expression in days:
                between = self.text[match.end() : expression.start]
                if (
                    expression.start >= match.end()
                    and len(between) <= ANCHOR_WINDOW
                    and not _SENTENCE_END.search(between)
                ):
                    return expression.start_date
        before = [e for e in days if e.end <= match.start()]
        return before[-1].start_date if before else None


# ---- post-steps -----------------------------------------------------------------------------

_SINCE = re.compile(r"(?i:\bsince)\s+$")


def extend_since(expression: TimeExpression, context: Context) -> TimeExpression:
    """A period from a date up to publication ("since 2006"), "since" included in the span. A
    modifier already there ("the early 2000s": START) is kept; `kind` says it is a period."""
    if expression.kind != "date" or not expression.resolved or expression.start_date is None:
        return expression
    if context.published is not None and expression.start_date > context.published:
        return expression  # "since 2025" in a 2019 article: not a period up to publication
    before = _SINCE.search(context.text[max(0, expression.start - 8) : expression.start])
    if not before:
        return expression
    start = expression.start - (len(before.group(0)))
    text = context.text[start : expression.end]
    mod = expression.mod or "SINCE"
    return replace(expression, text=text, start=start, kind="period", mod=mod, end_date=context.published)


def mark_page_metadata(expression: TimeExpression, text: str) -> TimeExpression:
    """A line holding only a date (a page header, a capture date, a dateline) is page metadata."""
    line_start = text.rfind("\n", 0, expression.start) + 1
    line_end = text.find("\n", expression.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if expression.kind == "date" and line.strip() == expression.text:
        return replace(expression, kind="metadata")
    return expression
