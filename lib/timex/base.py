"""The types of time expressions and the calendar helpers every tagger shares.

A `TimeExpression` is one expression with offsets and an ISO/TIMEX3-style value; a
`TimexTagger` finds and resolves them (see `lib.timex.registry` for the taggers).
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Literal, Protocol

Granularity = Literal[
    "day", "week", "month", "season", "quarter", "year", "decade", "century", "range", "vague",
    "duration", "set",
]  # fmt: skip
Kind = Literal["date", "period", "deadline", "relative", "vague", "duration", "set", "metadata"]

# Typographic quotes replaced by ASCII ones of the same length, so offsets never shift.
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})


@dataclass(frozen=True)
class TimeExpression:
    """One time expression found in a text.

    `value` is ISO/TIMEX3: a day, ISO week, month, season ("2019-SU"), quarter, year, decade
    ("200X"), a range "start/end", a duration ("P5Y"), a set ("P1D"), or PAST_REF / PRESENT_REF /
    FUTURE_REF. When the expression needs a publication date that is unknown, the value stays
    underspecified ("XXXX-11-28") and `resolved` is False. `start_date`/`end_date` bound the
    calendar span it covers (for plotting); they are None for durations, sets and vague words.
    `is_end_point` marks deadlines ("before the end of the year" -> the period's last day).
    """

    text: str
    start: int
    end: int
    value: str
    granularity: Granularity
    vague: bool
    kind: Kind
    resolved: bool = True
    mod: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    is_end_point: bool = False

    @property
    def is_event_date(self) -> bool:
        """True when the expression places something on the calendar (not a duration, set, vague
        word or page metadata)."""
        return (
            self.resolved and self.start_date is not None and self.kind not in ("metadata", "duration", "set")
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings)."""
        out = asdict(self)
        for key in ("start_date", "end_date"):
            out[key] = out[key].isoformat() if out[key] else None
        return out


class TimexTagger(Protocol):
    """Finds and resolves time expressions; every candidate design implements this."""

    name: str

    def tag(self, text: str, published: date | None) -> list[TimeExpression]:
        """Time expressions in `text`, sorted by start offset, offsets into `text`."""
        ...


def normalise_quotes(text: str) -> str:
    """`text` with typographic quotes and apostrophes as ASCII; same length, same offsets."""
    return text.translate(_QUOTES)


# ---- calendar helpers shared by the taggers -------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of a month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def week_value(day: date) -> str:
    """ISO week of `day` as "2019-W19"."""
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def week_bounds(day: date) -> tuple[date, date]:
    """Monday and Sunday of the ISO week holding `day`."""
    monday = date.fromordinal(day.toordinal() - day.weekday())
    return monday, date.fromordinal(monday.toordinal() + 6)


def calendar_expression(
    text: str, start: int, end: int, granularity: Granularity, anchor: date, kind: Kind = "date", **extra: Any
) -> TimeExpression:
    """A resolved day/week/month/year/decade expression for the period holding `anchor`."""
    if granularity == "day":
        value, first, last = anchor.isoformat(), anchor, anchor
    elif granularity == "week":
        value = week_value(anchor)
        first, last = week_bounds(anchor)
    elif granularity == "month":
        value = f"{anchor.year:04d}-{anchor.month:02d}"
        first, last = month_bounds(anchor.year, anchor.month)
    elif granularity == "year":
        value, first, last = f"{anchor.year:04d}", date(anchor.year, 1, 1), date(anchor.year, 12, 31)
    elif granularity == "decade":
        decade = anchor.year - anchor.year % 10
        value, first, last = f"{decade // 10:03d}X", date(decade, 1, 1), date(decade + 9, 12, 31)
    else:
        raise ValueError(f"not a calendar granularity: {granularity}")
    return TimeExpression(
        text, start, end, value, granularity, False, kind, start_date=first, end_date=last, **extra
    )
