"""Time expressions in news text, resolved against the article's publication date.

`find_time_expressions(text, published)` returns every time expression with character offsets
into `text` and an ISO/TIMEX3-style value ("2019-05-09", "2019-W19", "2019-05", "2019", "201X",
"2016/2020", "P1W", "PAST_REF", ...). The work is done by a *tagger*: one small interface
(`TimexTagger.tag(text, published)`) with interchangeable implementations, so the candidates
compared in `bench/timex_quality.py` run through the same code and the same conformance tests:

- `"rules"` (default, `lib.timex_rules.RuleTagger`): news-convention rules with a spaCy tense cue.
- `"rules+spacy"`: the same plus spaCy DATE entities no rule found, normalised by dateparser.
- `"dateparser"`: dateparser's `search_dates` alone, preferring past dates.
- `"spacy+dateparser"`: spaCy DATE entities normalised by dateparser.

The resolution rules are written down in `docs/time-expressions.md`.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal, Protocol

Granularity = Literal[
    "day", "week", "month", "season", "quarter", "year", "decade", "century", "range", "vague",
    "duration", "set",
]  # fmt: skip
Kind = Literal["date", "period", "deadline", "relative", "vague", "duration", "set", "metadata"]

TAGGER_NAMES = ("rules", "rules+spacy", "dateparser", "spacy+dateparser")

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


def get_tagger(name: str = "rules") -> TimexTagger:
    """The tagger called `name` (one of `TAGGER_NAMES`); raises `BadInputError` otherwise."""
    from lib.errors import BadInputError

    if name in ("rules", "rules+spacy"):
        from lib.timex_rules import RuleTagger

        return RuleTagger(spacy_fallback=name == "rules+spacy")
    if name == "dateparser":
        return DateparserTagger()
    if name == "spacy+dateparser":
        return SpacyDateparserTagger()
    raise BadInputError(f"Unknown time-expression tagger '{name}'; choose one of {', '.join(TAGGER_NAMES)}.")


def find_time_expressions(
    text: str, published: date | None, tagger: TimexTagger | None = None
) -> list[TimeExpression]:
    """Every time expression in `text`, resolved against `published` (None if unknown).

    Example: `find_time_expressions("He spoke on Thursday.", date(2019, 5, 10))` finds
    "Thursday" with value "2019-05-09" (a bare weekday is the most recent one in news).
    """
    if not text or not text.strip():
        return []
    if isinstance(published, datetime):
        published = published.date()  # a datetime does not compare with the dates we compute
    return (tagger or _default_tagger()).tag(text, published)


@lru_cache(maxsize=1)
def _default_tagger() -> TimexTagger:
    """One shared rules tagger, so its spaCy pipeline loads once per process."""
    return get_tagger("rules")


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


# ---- dateparser-based candidates ------------------------------------------------------------

_PERIOD_TO_GRANULARITY: dict[str, Granularity] = {
    "day": "day", "time": "day", "week": "week", "month": "month", "year": "year",
}  # fmt: skip


def _dateparser_settings(published: date | None) -> dict[str, Any]:
    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if published is not None:
        settings["RELATIVE_BASE"] = datetime(published.year, published.month, published.day)
    return settings


@lru_cache(maxsize=64)
def _date_data_parser(published: date | None) -> Any:
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["en"], settings=_dateparser_settings(published))


def dateparser_expression(text: str, start: int, end: int, published: date | None) -> TimeExpression | None:
    """`text` (one span) normalised by dateparser, or None when it cannot read it."""
    try:
        data = _date_data_parser(published).get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if data is None or data.date_obj is None:
        return None
    granularity = _PERIOD_TO_GRANULARITY.get(data.period or "day", "day")
    return calendar_expression(text, start, end, granularity, data.date_obj.date())


class DateparserTagger:
    """Candidate: dateparser's `search_dates` alone (past preferred), offsets recovered in order."""

    name = "dateparser"

    def tag(self, text: str, published: date | None) -> list[TimeExpression]:
        from dateparser.search import search_dates

        clean = normalise_quotes(text)
        try:
            found = search_dates(clean, languages=["en"], settings=_dateparser_settings(published)) or []
        except (ValueError, OverflowError, TypeError):
            return []
        out: list[TimeExpression] = []
        cursor = 0
        for span_text, _ in found:
            start = clean.find(span_text, cursor)
            if start < 0:
                continue
            cursor = start + len(span_text)
            expression = dateparser_expression(span_text, start, cursor, published)
            if expression is not None:
                out.append(expression)
        return out


class SpacyDateparserTagger:
    """Candidate: spaCy DATE entities (offline small English model), normalised by dateparser."""

    name = "spacy+dateparser"

    def tag(self, text: str, published: date | None) -> list[TimeExpression]:
        from lib.nlp import load_pipeline

        clean = normalise_quotes(text)
        doc = load_pipeline()(clean)
        out = []
        for ent in doc.ents:
            if ent.label_ != "DATE":
                continue
            expression = dateparser_expression(ent.text, ent.start_char, ent.end_char, published)
            if expression is None:
                expression = TimeExpression(
                    ent.text, ent.start_char, ent.end_char, "", "vague", True, "vague", resolved=False
                )
            out.append(expression)
        return out
