"""What the rule tagger detects: the word lists (months, weekdays, numbers, units, seasons) and
one regular expression per rule, named after the resolver that reads its matches."""

from __future__ import annotations

import re

from lib.timex.base import Granularity

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
UNITS_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
              "ninety": 90}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, **UNITS_WORDS, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    **TENS_WORDS, "hundred": 100, "a hundred": 100, "a couple of": 2, "a couple": 2, "a dozen": 12,
}  # fmt: skip
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}
UNIT_CODES = {"day": "D", "week": "W", "month": "M", "year": "Y", "decade": "DE", "century": "CE",
              "hour": "H", "minute": "M"}  # fmt: skip
UNIT_GRANULARITY: dict[str, Granularity] = {
    "day": "day", "week": "week", "month": "month", "year": "year", "decade": "decade",
}  # fmt: skip

_MONTH_FULL = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH_ANY = rf"(?:{_MONTH_FULL}|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[6-9]\d\d|20\d\d|21\d\d)"
_TENS = "|".join(TENS_WORDS)
_ONES = "|".join(UNITS_WORDS)
_NUMBER_WORDS = "|".join(sorted((re.sub(" ", r"\\s+", w) for w in NUMBERS), key=len, reverse=True))
_NUM = rf"(?:\d{{1,3}}|(?i:(?:{_TENS})[\s-](?:{_ONES})|{_NUMBER_WORDS}|several|a\s+few|few|many|some))"
_UNIT = r"(?i:days?|weeks?|months?|years?|decades?|centuries|century|hours?|minutes?)"
_PREFIX_WEEKDAY = rf"(?:{_WEEKDAY},?\s+)?"

# (rule name, pattern). Overlaps are settled by length: the longest span wins.
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern))
    for name, pattern in [
        (
            "range_years",
            rf"\b(?i:from|between)\s+(?P<y1>{_YEAR})\s+(?i:to|and|until|till|through)\s+(?P<y2>{_YEAR})\b",
        ),
        ("range_years", rf"\b(?P<y1>{_YEAR})\s?[-\u2013]\s?(?P<y2>{_YEAR})\b"),
        (
            "full_date",
            rf"\b{_PREFIX_WEEKDAY}(?P<month>{_MONTH_ANY})\s+(?P<day>{_DAY}),?\s+(?P<year>{_YEAR})\b",
        ),
        (
            "full_date",
            rf"\b{_PREFIX_WEEKDAY}(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH_ANY}),?\s+(?P<year>{_YEAR})\b",
        ),
        ("full_date", rf"\b(?P<year>{_YEAR})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12]\d|3[01])\b"),
        ("full_date", rf"\b(?P<month>0?[1-9]|1[0-2])/(?P<day>0?[1-9]|[12]\d|3[01])/(?P<year>{_YEAR})\b"),
        ("month_day", rf"\b{_PREFIX_WEEKDAY}(?P<month>{_MONTH_ANY})\s+(?P<day>{_DAY})\b(?![,.]?\d)"),
        (
            "month_day",
            rf"\b{_PREFIX_WEEKDAY}(?:the\s+)?(?P<day>{_DAY})\s+(?:of\s+)?(?P<month>{_MONTH_ANY})\b",
        ),
        (
            "month_year",
            rf"\b(?:(?P<mod>(?i:early|mid|late))[\s-]+)?(?P<month>{_MONTH_ANY}),?\s+(?:of\s+)?(?P<year>{_YEAR})\b",
        ),
        (
            "month",
            rf"\b(?:(?P<rel>(?i:last|next|this|early|late|mid))[\s-]+)?(?P<month>{_MONTH_FULL})\b(?![.,]?\s*\d)",
        ),
        (
            "weekday",
            rf"\b(?:(?P<rel>(?i:this\s+past|this|last|next|coming))\s+)?(?P<weekday>{_WEEKDAY})(?!s\b)\b"
            r"(?:\s+(?i:morning|afternoon|evening|night))?",
        ),
        (
            "season",
            r"\b(?P<rel>(?i:this|last|next|early|late))\s+(?P<season>(?i:spring|summer|autumn|fall|winter))\b",
        ),
        ("season", rf"\b(?P<season>(?i:spring|summer|autumn|fall|winter))\s+(?:of\s+)?(?P<year>{_YEAR})\b"),
        (
            "quarter",
            rf"\b(?i:the\s+)?(?P<ord>(?i:first|second|third|fourth|1st|2nd|3rd|4th))[\s-]+(?i:quarter)"
            rf"(?:\s+of\s+(?P<year>{_YEAR}))?",
        ),
        ("quarter", r"\b(?i:the)\s+(?P<ord>(?i:latest|most\s+recent))\s+(?i:quarter)\b"),
        ("century", r"\b(?i:the\s+)?(?P<number>1?\d|2[01])(?i:st|nd|rd|th)[\s-]+(?i:century)\b"),
        ("month_year", rf"\b(?P<month>{_MONTH_FULL})\s+(?P<rel>(?i:this|last|next))\s+(?i:year)\b"),
        (
            "decade",
            r"\b(?:(?i:the)\s+)?(?:(?P<mod>(?i:early|mid|late))[\s-]+)?(?P<decade>1[6-9]\d0|20\d0)'?s\b",
        ),
        ("decade", r"\b(?:(?i:the)\s+)?(?:(?P<mod>(?i:early|mid|late))[\s-]+)?'(?P<short>\d0)s\b"),
        (
            "year",
            rf"(?:\b(?P<mod>(?i:early|mid|late))[\s-]+)?(?<![\d$\u00a3\u20ac.,/])(?P<year>{_YEAR})\b(?![%]|[.,]\d|-\d|'?s\b)",
        ),
        (
            "deadline",
            r"(?:\b(?i:before|by|until|till)\s+)?\b(?i:the\s+)?(?i:end)\s+of\s+"
            r"(?:(?P<rel>(?i:the|this|next|last))\s+)?(?P<unit>(?i:year|month|week|quarter))\b",
        ),
        (
            "deadline",
            rf"(?:\b(?i:before|by|until|till)\s+)?\b(?i:the\s+)?(?i:end)\s+of\s+(?P<year>{_YEAR})\b",
        ),
        ("deadline", r"\b(?P<unit>(?i:year|month|week|quarter))[\s-](?i:end)\b"),
        ("deadline", r"\b(?i:end)-(?i:of)-(?:(?i:the)-)?(?P<unit>(?i:year|month|week|quarter))\b"),
        (
            "relative_unit",
            r"\b(?:(?P<edge>(?i:earlier|later|early|late))\s+)?(?P<rel>(?i:this|last|next|past|coming|previous|current))\s+"
            r"(?P<unit>(?i:week|month|year|quarter|decade|century))\b",
        ),
        (
            "the_past_unit",
            r"\b(?i:the)\s+(?i:past|last|next|coming|previous)\s+(?:(?P<num>" + _NUM + r")\s+)?"
            r"(?P<unit>(?i:days?|weeks?|months?|years?|decades?|centuries|century|hours))\b",
        ),
        (
            "part_of_year",
            rf"\b(?i:the\s+)(?P<edge>(?i:first|last|final))\s+(?P<num>{_NUM})\s+(?i:months)\s+of\s+"
            rf"(?P<year>{_YEAR})\b",
        ),
        ("deictic", r"\b(?P<word>(?i:today|yesterday|tomorrow|tonight))\b"),
        ("deictic", r"\b(?:(?i:later|earlier)\s+)?(?i:this)\s+(?P<part>(?i:morning|afternoon|evening))\b"),
        ("ago", rf"\b(?P<num>{_NUM})\s+(?P<unit>{_UNIT})\s+(?i:ago)\b"),
        (
            "anchored",
            rf"\b(?P<num>{_NUM})\s+(?P<unit>{_UNIT})\s+(?P<dir>(?i:later|earlier|after|before|afterwards))\b",
        ),
        (
            "anchored",
            r"\b(?i:the)\s+(?P<which>(?i:next|following|previous|preceding))\s+(?P<unit>(?i:day|week|month|year))\b",
        ),
        ("anchored", r"\b(?i:the)\s+(?P<unit>(?i:day|week|month|year))\s+(?P<dir>(?i:before|after))\b"),
        ("duration", rf"\b(?P<num>{_NUM})[\s-]+(?P<unit>{_UNIT})\b"),
        ("duration", r"\b(?P<unit>(?i:days|weeks|months|years|decades|centuries))\b"),
        ("set", r"\b(?P<word>daily|weekly|monthly|annually|yearly|nightly)\b"),
        (
            "set",
            rf"\b(?i:every|each)\s+(?P<unit>(?i:day|week|month|year|morning|evening|night)|{_WEEKDAY})\b",
        ),
        ("set", rf"\b(?P<weekday>{_WEEKDAY})s\b"),
        (
            "vague",
            r"\b(?P<word>(?i:right\s+now|now|currently|recently|nowadays|lately|soon|at\s+present|these\s+days))\b",
        ),
        (
            "vague",
            r"\b(?i:the\s+)(?P<word>(?i:(?:foreseeable|near|distant|immediate)\s+)?(?i:future|past|present))\b",
        ),
        ("duration", r"\b(?i:recent|coming)\s+(?P<unit>(?i:days|weeks|months|years|decades))\b"),
    ]
]
