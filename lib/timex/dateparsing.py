"""dateparser-based tagger candidates and the dateparser fallback the rules use for spans they
cannot read (compared with the rules in `bench/timex_quality.py`)."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from lib.text.nlp import load_pipeline
from lib.timex.base import Granularity, TimeExpression, calendar_expression, normalise_quotes

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
    from dateparser.date import DateDataParser  # heavy: imported on first use

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
        from dateparser.search import search_dates  # heavy: imported on first use

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
