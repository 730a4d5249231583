"""How each rule's match becomes a resolved time expression (the rules in
`docs/time-expressions.md`): one resolver per rule, the `Context` they read (text, publication
date, tense cue, the dates already found), and the post-steps ("since 2006", page metadata)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

from lib.timex.base import Granularity, Kind, TimeExpression, calendar_expression, month_bounds
from lib.timex.context import Context
from lib.timex.patterns import (
    MONTHS,
    NUMBERS,
    SEASON_MONTHS,
    SEASONS,
    TENS_WORDS,
    UNIT_CODES,
    UNIT_GRANULARITY,
    UNITS_WORDS,
    WEEKDAYS,
)
from lib.timex.tense import Tense

_MOD_CODES = {"early": "START", "mid": "MID", "late": "END", "earlier": "START", "later": "END"}


# ---- resolution helpers ---------------------------------------------------------------------


def _expr(
    match: re.Match[str], value: str, granularity: Granularity, kind: Kind, **extra: Any
) -> TimeExpression:
    vague = granularity == "vague" or extra.pop("vague", False)
    return TimeExpression(
        match.group(0), match.start(), match.end(), value, granularity, vague, kind, **extra
    )


def _calendar(
    match: re.Match[str], granularity: Granularity, anchor: date, kind: Kind = "date", **extra: Any
) -> TimeExpression:
    return calendar_expression(match.group(0), match.start(), match.end(), granularity, anchor, kind, **extra)


def _unresolved(
    match: re.Match[str], value: str, granularity: Granularity, kind: Kind = "relative"
) -> TimeExpression:
    return _expr(match, value, granularity, kind, resolved=False)


def _group(match: re.Match[str], name: str) -> str:
    """A named group's text, "" when the rule's pattern has no such group or it did not match."""
    return match.groupdict().get(name) or ""


def _number(word: str | None) -> int | None:
    """1 for "a", 3 for "three" or "3"; None for vague counts ("several", "a few", "many")."""
    if not word:
        return 1
    word = re.sub(r"[\s-]+", " ", word.lower())
    if word.isdigit():
        return int(word)
    tens, _, ones = word.partition(" ")
    if tens in TENS_WORDS and ones in UNITS_WORDS:
        return TENS_WORDS[tens] + UNITS_WORDS[ones]  # "twenty four"
    return NUMBERS.get(word)


def _unit(word: str) -> str:
    word = word.lower()
    if word in ("centuries", "century"):
        return "century"
    return word[:-1] if word.endswith("s") else word


def _day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group(0))  # type: ignore[union-attr]


def _month_number(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _choose(candidates: list[date], reference: date, tense: Tense) -> date:
    """The occurrence news convention picks: the latest on or before `reference` for past tense,
    the first on or after it for future tense, otherwise the nearest (ties go to the past)."""
    past = [c for c in candidates if c <= reference]
    future = [c for c in candidates if c >= reference]
    if tense == "past" and past:
        return max(past)
    if tense == "future" and future:
        return min(future)
    return min(candidates, key=lambda c: (abs((c - reference).days), c > reference))


def _shift(day: date, unit: str, amount: int) -> date:
    if unit == "day":
        return day + timedelta(days=amount)
    if unit == "week":
        return day + timedelta(weeks=amount)
    if unit == "month":
        return day + relativedelta(months=amount)
    if unit == "year":
        return day + relativedelta(years=amount)
    if unit == "decade":
        return day + relativedelta(years=10 * amount)
    return day + relativedelta(years=100 * amount)


# ---- resolvers, one per rule ----------------------------------------------------------------


def _resolve_range_years(match: re.Match[str], context: Context) -> TimeExpression | None:
    first, last = int(_group(match, "y1")), int(_group(match, "y2"))
    if last <= first:
        return None
    return _expr(
        match, f"{first}/{last}", "range", "period", start_date=date(first, 1, 1), end_date=date(last, 12, 31)
    )


def _resolve_full_date(match: re.Match[str], context: Context) -> TimeExpression | None:
    try:
        day = date(
            int(_group(match, "year")),
            _month_number_any(_group(match, "month")),
            _day_number(_group(match, "day")),
        )
    except ValueError:
        return None  # "February 30, 2019": not a date
    return _calendar(match, "day", day)


def _month_number_any(text: str) -> int:
    return int(text) if text.isdigit() else _month_number(text)


def _resolve_month_day(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A month-day without a year ("November 28"): the occurrence the verb's tense points to."""
    month, day_number = _month_number(_group(match, "month")), _day_number(_group(match, "day"))
    if context.published is None:
        return _unresolved(match, f"XXXX-{month:02d}-{day_number:02d}", "day", "date")
    candidates = []
    for year in (context.published.year - 1, context.published.year, context.published.year + 1):
        try:
            candidates.append(date(year, month, day_number))
        except ValueError:
            continue
    if not candidates:
        return None
    tense = context.tense(match)
    return _calendar(match, "day", _choose(candidates, context.published, tense))


def _resolve_month_year(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A month of a year: "July 2019", "early May 2019", "June last year" (counted from publication)."""
    rel = _group(match, "rel").lower()
    if rel:
        if context.published is None:
            return _unresolved(match, f"XXXX-{_month_number(_group(match, 'month')):02d}", "month", "date")
        year = context.published.year + {"last": -1, "next": 1}.get(rel, 0)
        return _calendar(match, "month", date(year, _month_number(_group(match, "month")), 1))
    mod = _MOD_CODES.get(_group(match, "mod").lower())
    return _calendar(
        match, "month", date(int(_group(match, "year")), _month_number(_group(match, "month")), 1), mod=mod
    )


def _resolve_month(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A month without a year: by the governing verb's tense ("In July alone" = the July just past,
    "August is likely to be turbulent" = the coming one); "last/next/this July" from publication."""
    rel = _group(match, "rel").lower()
    month = _month_number(_group(match, "month"))
    if (
        _group(match, "month") == "May"
        and not rel
        and not _preceded_by_preposition(context.text, match.start())
    ):
        return None  # the verb "May ..." at a sentence start, not the month
    published = context.published
    if published is None:
        return _unresolved(match, f"XXXX-{month:02d}", "month", "date")
    candidates = [date(year, month, 1) for year in (published.year - 1, published.year, published.year + 1)]
    this_month = date(published.year, published.month, 1)
    if rel == "last":
        chosen = max(c for c in candidates if c < this_month)
    elif rel == "next":
        chosen = min(c for c in candidates if c > this_month)
    elif rel == "this":
        chosen = date(published.year, month, 1)
    else:
        tense = context.tense(match)
        chosen = _choose(candidates, this_month, tense)
    return _calendar(match, "month", chosen, mod=_MOD_CODES.get(rel))


_PREPOSITION_BEFORE = re.compile(
    r"(?i:\b(?:in|since|until|till|by|during|through|of|from|to|before|after|on|early|late|mid|last|next|this))[\s-]+$"
)


def _preceded_by_preposition(text: str, start: int) -> bool:
    return bool(_PREPOSITION_BEFORE.search(text[max(0, start - 12) : start]))


def _resolve_weekday(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A weekday: bare, the most recent one on or before publication (the next one under a future
    verb); "this Saturday" with no tense, the nearer of the two (the Saturday just past when read
    early the next week); "last"/"next" strictly before/after publication."""
    weekday = WEEKDAYS[_group(match, "weekday").lower()]
    published = context.published
    if published is None:
        return _unresolved(match, f"XXXX-WXX-{weekday + 1}", "day", "date")
    rel = re.sub(r"\s+", " ", _group(match, "rel").lower())
    back = (published.weekday() - weekday) % 7
    on_or_before = published - timedelta(days=back)
    on_or_after = published + timedelta(days=(weekday - published.weekday()) % 7)
    if rel in ("last", "this past"):
        chosen = on_or_before if back else published - timedelta(days=7)
    elif rel == "next":
        chosen = on_or_after if on_or_after != published else published + timedelta(days=7)
    elif rel == "coming":
        chosen = on_or_after
    else:
        tense = context.tense(match)
        if tense == "future":
            chosen = on_or_after
        elif rel == "this" and tense is None:
            chosen = _choose([on_or_before, on_or_after], published, None)
        else:
            chosen = on_or_before  # a bare weekday in news is the most recent one
    expression = _calendar(match, "day", chosen)
    part = _PARTS_OF_DAY.get(match.group(0).split()[-1].lower(), "")
    return replace(expression, value=expression.value + part) if part else expression


def _resolve_season(match: re.Match[str], context: Context) -> TimeExpression | None:
    code = SEASONS[_group(match, "season").lower()]
    rel = _group(match, "rel").lower()
    published = context.published
    if _group(match, "year"):
        year = int(_group(match, "year"))
    elif published is None:
        return _unresolved(match, f"XXXX-{code}", "season", "date")
    else:
        year = published.year + {"last": -1, "next": 1}.get(rel, 0)
    first_month, last_month = SEASON_MONTHS[code]
    first = date(year, first_month, 1)
    last = month_bounds(year + (last_month - 1) // 12, (last_month - 1) % 12 + 1)[1]
    return _expr(
        match, f"{year}-{code}", "season", "date", start_date=first, end_date=last, mod=_MOD_CODES.get(rel)
    )


_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _resolve_quarter(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A quarter: "the third quarter (of 1989)"; "third-quarter" without a year is the most recent
    such quarter that has begun; "the latest quarter" the last one completed (earnings news)."""
    ordinal = re.sub(r"\s+", " ", _group(match, "ord").lower())
    published = context.published
    if ordinal in ("latest", "most recent"):
        if published is None:
            return _unresolved(match, "PAST_REF", "vague")
        end = _period_end(published, "quarter", -1)
        year, quarter = end.year, (end.month - 1) // 3 + 1
    elif _group(match, "year"):
        year, quarter = int(_group(match, "year")), _ORDINALS[ordinal]
    elif published is None:
        return _unresolved(match, f"XXXX-Q{_ORDINALS[ordinal]}", "quarter", "date")
    else:
        quarter = _ORDINALS[ordinal]
        year = published.year if date(published.year, 3 * quarter - 2, 1) <= published else published.year - 1
    first = date(year, 3 * quarter - 2, 1)
    return _expr(
        match,
        f"{year}-Q{quarter}",
        "quarter",
        "date",
        start_date=first,
        end_date=month_bounds(year, 3 * quarter)[1],
    )


def _resolve_century(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A century: "the 20th century" -> "19" (TIMEX3 writes a century as its first two digits)."""
    number = int(_group(match, "number"))
    if number < 1:
        return None
    first_year = max(1, (number - 1) * 100)
    return _expr(
        match,
        f"{number - 1:02d}",
        "century",
        "date",
        start_date=date(first_year, 1, 1),
        end_date=date(number * 100 - 1, 12, 31),
    )


def _resolve_decade(match: re.Match[str], context: Context) -> TimeExpression | None:
    named, short = _group(match, "decade"), _group(match, "short")
    decade = int(named) if named else 1900 + int(short)  # "the '90s"
    mod = _MOD_CODES.get(_group(match, "mod").lower())
    return _calendar(match, "decade", date(decade, 1, 1), mod=mod)


def _resolve_year(match: re.Match[str], context: Context) -> TimeExpression | None:
    mod = _MOD_CODES.get(_group(match, "mod").lower())
    return _calendar(match, "year", date(int(_group(match, "year")), 1, 1), mod=mod)


def _resolve_deadline(match: re.Match[str], context: Context) -> TimeExpression | None:
    """The last day of the period, marked as an end point ("year-end deadline" -> 2019-12-31)."""
    published = context.published
    if match.groupdict().get("year"):
        last = date(int(_group(match, "year")), 12, 31)
    else:
        unit = _group(match, "unit").lower()
        rel = (match.groupdict().get("rel") or "").lower()
        if published is None:
            return _unresolved(match, {"year": "XXXX-12-31"}.get(unit, "FUTURE_REF"), "day", "deadline")
        step = {"next": 1, "last": -1}.get(rel, 0)
        last = _period_end(published, unit, step)
    return _calendar(match, "day", last, kind="deadline", is_end_point=True, mod="END")


def _period_end(day: date, unit: str, step: int) -> date:
    if unit == "year":
        return date(day.year + step, 12, 31)
    if unit == "quarter":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1) + relativedelta(months=3 * step)
        return start + relativedelta(months=3) - timedelta(days=1)
    if unit == "month":
        start = date(day.year, day.month, 1) + relativedelta(months=step)
        return month_bounds(start.year, start.month)[1]
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=step)
    return monday + timedelta(days=6)


def _resolve_relative_unit(match: re.Match[str], context: Context) -> TimeExpression | None:
    unit = _group(match, "unit").lower()
    rel = _group(match, "rel").lower()
    step = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1}.get(rel, 0)
    mod = _MOD_CODES.get(_group(match, "edge").lower())
    published = context.published
    if published is None:
        return _unresolved(
            match, "PAST_REF" if step < 0 else "FUTURE_REF" if step > 0 else "PRESENT_REF", "vague"
        )
    if unit == "quarter":
        end = _period_end(published, "quarter", step)
        quarter = (end.month - 1) // 3 + 1
        first = end - relativedelta(months=3) + timedelta(days=1)
        return _expr(
            match, f"{end.year}-Q{quarter}", "quarter", "date", start_date=first, end_date=end, mod=mod
        )
    if unit == "century":
        century = published.year // 100 + step
        return _expr(
            match,
            f"{century:02d}",
            "century",
            "date",
            start_date=date(century * 100, 1, 1),
            end_date=date(century * 100 + 99, 12, 31),
            mod=mod,
        )
    return _calendar(match, UNIT_GRANULARITY[unit], _shift(published, unit, step), mod=mod)


def _resolve_part_of_year(match: re.Match[str], context: Context) -> TimeExpression | None:
    """Part of a year: "the final five months of 2019" -> the range 2019-08/2019-12."""
    count, year = _number(_group(match, "num")), int(_group(match, "year"))
    if count is None or not 1 <= count <= 12:
        return None
    first_month = 1 if _group(match, "edge").lower() == "first" else 13 - count
    last_month = first_month + count - 1
    value = f"{year}-{first_month:02d}/{year}-{last_month:02d}"
    first, last = date(year, first_month, 1), month_bounds(year, last_month)[1]
    return _expr(match, value, "range", "period", start_date=first, end_date=last)


def _resolve_the_past_unit(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A duration leading up to or from now: "the past three years", "the next few weeks"."""
    return _duration(match, _group(match, "num") or "1", _group(match, "unit"))


def _resolve_deictic(match: re.Match[str], context: Context) -> TimeExpression | None:
    """A day named from publication: "yesterday" is the day before; "this morning" and "tonight"
    keep the part of the day as TIMEX3 does ("2019-05-10TMO")."""
    word = _group(match, "word").lower()
    offset = {"yesterday": -1, "tomorrow": 1}.get(word, 0)
    part = _PARTS_OF_DAY.get(_group(match, "part").lower() or word, "")
    if context.published is None:
        return _unresolved(match, {-1: "PAST_REF", 0: "PRESENT_REF", 1: "FUTURE_REF"}[offset], "vague")
    expression = _calendar(match, "day", context.published + timedelta(days=offset))
    return replace(expression, value=expression.value + part) if part else expression


_PARTS_OF_DAY = {"morning": "TMO", "afternoon": "TAF", "evening": "TEV", "night": "TNI", "tonight": "TNI"}


def _resolve_ago(match: re.Match[str], context: Context) -> TimeExpression | None:
    """Counted back from publication at the unit's granularity: "two years ago" -> that year."""
    amount, unit = _number(_group(match, "num")), _unit(_group(match, "unit"))
    if amount is None or unit not in UNIT_GRANULARITY:
        return _expr(match, "PAST_REF", "vague", "vague")
    if context.published is None:
        return _unresolved(match, "PAST_REF", "vague")
    return _calendar(match, UNIT_GRANULARITY[unit], _shift(context.published, unit, -amount), kind="relative")


def _resolve_anchored(match: re.Match[str], context: Context) -> TimeExpression | None:
    """Relative to an event ("three days later"): counted from an explicit date, not from publication."""
    groups = match.groupdict()
    unit = _unit(groups["unit"])
    direction = (groups.get("dir") or groups.get("which") or "").lower()
    sign = -1 if direction in ("earlier", "before", "previous", "preceding") else 1
    amount = _number(groups.get("num"))
    anchor = context.anchor_for(match, direction)
    if amount is None or anchor is None or unit not in UNIT_GRANULARITY:
        return _unresolved(match, "PAST_REF" if sign < 0 else "FUTURE_REF", "vague")
    return _calendar(match, UNIT_GRANULARITY[unit], _shift(anchor, unit, sign * amount), kind="relative")


def _resolve_duration(match: re.Match[str], context: Context) -> TimeExpression | None:
    return _duration(match, match.groupdict().get("num"), _group(match, "unit"))


def _duration(match: re.Match[str], number: str | None, unit_word: str) -> TimeExpression | None:
    """A duration ("five-year" -> P5Y, "decades" -> PXDE): a time expression, never an event."""
    unit = _unit(unit_word)
    amount = _number(number) if number else None
    count = "X" if amount is None else str(amount)
    prefix = "PT" if unit in ("hour", "minute") else "P"
    return _expr(match, f"{prefix}{count}{UNIT_CODES[unit]}", "duration", "duration")


_SET_VALUES = {"daily": "P1D", "weekly": "P1W", "monthly": "P1M", "annually": "P1Y", "yearly": "P1Y",
               "nightly": "P1D", "day": "P1D", "week": "P1W", "month": "P1M", "year": "P1Y",
               "morning": "XXXX-XX-XXTMO", "evening": "XXXX-XX-XXTEV", "night": "XXXX-XX-XXTNI"}  # fmt: skip


def _resolve_set(match: re.Match[str], context: Context) -> TimeExpression | None:
    """Recurring times, never events: "daily", "each morning", "Sundays"."""
    groups = match.groupdict()
    word = (groups.get("word") or groups.get("unit") or "").lower()
    if word in WEEKDAYS or groups.get("weekday"):
        weekday = WEEKDAYS[(groups.get("weekday") or word).lower()]
        return _expr(match, f"XXXX-WXX-{weekday + 1}", "set", "set")
    return _expr(match, _SET_VALUES[word], "set", "set")


def _resolve_vague(match: re.Match[str], context: Context) -> TimeExpression | None:
    """Past/present/future references, never plotted: "recently", "now", "the foreseeable future"."""
    word = re.sub(r"\s+", " ", _group(match, "word").lower())
    if word in ("recently", "lately", "past", "recent"):
        value = "PAST_REF"
    elif word in ("soon", "coming") or word.endswith("future"):
        value = "FUTURE_REF"
    else:
        value = "PRESENT_REF"
    return _expr(match, value, "vague", "vague")


RESOLVERS: dict[str, Callable[[re.Match[str], Context], TimeExpression | None]] = {
    "range_years": _resolve_range_years,
    "full_date": _resolve_full_date,
    "month_day": _resolve_month_day,
    "month_year": _resolve_month_year,
    "month": _resolve_month,
    "weekday": _resolve_weekday,
    "season": _resolve_season,
    "quarter": _resolve_quarter,
    "century": _resolve_century,
    "decade": _resolve_decade,
    "year": _resolve_year,
    "deadline": _resolve_deadline,
    "relative_unit": _resolve_relative_unit,
    "part_of_year": _resolve_part_of_year,
    "the_past_unit": _resolve_the_past_unit,
    "deictic": _resolve_deictic,
    "ago": _resolve_ago,
    "anchored": _resolve_anchored,
    "duration": _resolve_duration,
    "set": _resolve_set,
    "vague": _resolve_vague,
}
