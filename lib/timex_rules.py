"""The default time-expression tagger: news-convention rules with a spaCy tense cue.

Detection is a set of regular expressions (longest match wins); resolution follows the rules in
`docs/time-expressions.md`. Only expressions whose direction is ambiguous (bare weekdays, months,
month-days and seasons) ask spaCy for the tense of the governing verb, one paragraph at a time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from dateutil.relativedelta import relativedelta

from lib.timex import (
    Granularity,
    Kind,
    TimeExpression,
    calendar_expression,
    month_bounds,
    normalise_quotes,
)

Tense = Literal["past", "future"] | None

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

ANCHOR_WINDOW = 40  # "a week after the May 4 launch": the named date follows within this many characters
_SENTENCE_END = re.compile(r"[.!?;]\s")

_MOD_CODES = {"early": "START", "mid": "MID", "late": "END", "earlier": "START", "later": "END"}


@dataclass
class _Context:
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


class RuleTagger:
    """Rules design: regex detection, news-convention resolution, spaCy tense cue (see module doc)."""

    def __init__(self, nlp: Any = None, spacy_fallback: bool = False) -> None:
        """`spacy_fallback` adds spaCy DATE entities no rule found, normalised by dateparser
        (a candidate measured in bench/timex_quality.py: it parses every paragraph)."""
        self._nlp = nlp
        self.spacy_fallback = spacy_fallback
        self.name = "rules+spacy" if spacy_fallback else "rules"

    def tag(self, text: str, published: date | None) -> list[TimeExpression]:
        clean = normalise_quotes(text)
        tense_reader = _TenseReader(clean, self._parse)
        context = _Context(clean, published, tense_reader)
        matches = _select_matches(clean)
        # Event-relative expressions last: they count from dates found anywhere in the text.
        for rule, match in sorted(matches, key=lambda item: item[0] == "anchored"):
            try:
                expression = _RESOLVERS[rule](match, context)
            except (ValueError, OverflowError):
                continue  # off the calendar ("next year" from 9999-12-31): skipped, not a crash
            if expression is not None:
                context.resolved.append(_mark_page_metadata(_extend_since(expression, context), clean))
        if self.spacy_fallback:
            context.resolved.extend(_spacy_dates_missed(tense_reader, context.resolved, published))
        found = sorted(context.resolved, key=lambda e: e.start)
        return [replace(e, text=text[e.start : e.end]) for e in found]

    def _parse(self, text: str) -> Any:
        """A spaCy doc of `text`; entities only when the spaCy fallback needs them (faster)."""
        if self._nlp is None:
            from lib.nlp import load_pipeline

            self._nlp = load_pipeline()
        skip = (
            [] if self.spacy_fallback else [p for p in ("entity_ruler", "ner") if p in self._nlp.pipe_names]
        )
        return self._nlp(text, disable=skip)


def _spacy_dates_missed(
    reader: _TenseReader, found: list[TimeExpression], published: date | None
) -> list[TimeExpression]:
    """spaCy DATE entities that overlap no rule expression, normalised by dateparser."""
    from lib.timex import dateparser_expression

    extra = []
    for offset, doc in reader.line_docs():
        for ent in doc.ents:
            start, end = offset + ent.start_char, offset + ent.end_char
            if ent.label_ != "DATE" or any(e.start < end and start < e.end for e in found):
                continue
            expression = dateparser_expression(ent.text, start, end, published)
            if expression is not None:
                extra.append(expression)
    return extra


def _select_matches(text: str) -> list[tuple[str, re.Match[str]]]:
    """All rule matches, longest first without overlaps, returned in text order."""
    found = [(rule, match) for rule, pattern in PATTERNS for match in pattern.finditer(text)]
    found.sort(key=lambda item: (-(item[1].end() - item[1].start()), item[1].start()))
    taken: list[tuple[int, int]] = []
    chosen = []
    for rule, match in found:
        if match.end() == match.start():
            continue
        if all(match.end() <= s or match.start() >= e for s, e in taken):
            taken.append((match.start(), match.end()))
            chosen.append((rule, match))
    chosen.sort(key=lambda item: item[1].start())
    return chosen


# ---- tense ----------------------------------------------------------------------------------

_FUTURE_AUX = {"will", "'ll", "shall", "wo"}
_OPEN_ENDED_NOUNS = {"deadline", "ultimatum"}
_FUTURE_HEADS = {"likely", "set", "due", "expected", "scheduled", "going", "plan", "planned", "poised"}


class _TenseReader:
    """Tense of the verb governing a span, parsing each paragraph (line) at most once."""

    def __init__(self, text: str, parse: Callable[[str], Any]) -> None:
        self._text = text
        self._parse = parse
        self._docs: dict[int, Any] = {}

    def __call__(self, start: int, end: int) -> Tense:
        line_start = self._text.rfind("\n", 0, start) + 1
        return governing_tense(self._doc(line_start), start - line_start, end - line_start)

    def line_docs(self) -> list[tuple[int, Any]]:
        """(offset, parsed line) for every non-empty line of the text."""
        offsets = [0] + [i + 1 for i, char in enumerate(self._text) if char == "\n"]
        return [(offset, self._doc(offset)) for offset in offsets if self._text[offset : offset + 1].strip()]

    def _doc(self, line_start: int) -> Any:
        if line_start not in self._docs:
            line_end = self._text.find("\n", line_start)
            line = self._text[line_start : line_end if line_end >= 0 else len(self._text)]
            self._docs[line_start] = self._parse(line)
        return self._docs[line_start]


def governing_tense(doc: Any, start: int, end: int) -> Tense:
    """The tense ("past", "future" or None) of the verb governing the span [start, end) of a spaCy doc."""
    inside = [token for token in doc if start <= token.idx < end]
    if not inside:
        return None
    node = next((t for t in inside if not start <= t.head.idx < end), inside[0])
    for _ in range(20):
        if node.lemma_.lower() in _OPEN_ENDED_NOUNS:
            return None  # "set a deadline of December 31": the verb's tense says nothing of the date
        if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("amod", "aux", "auxpass"):
            return _verb_tense(node)
        if node.head is node:
            return None
        node = node.head
    return None


def _verb_tense(verb: Any) -> Tense:
    auxes = [child for child in verb.children if child.dep_ in ("aux", "auxpass")]
    words = {aux.lower_ for aux in auxes}
    if verb.dep_ == "conj" and not auxes and verb.tag_ == "VB" and verb.head.pos_ in ("VERB", "AUX"):
        return _verb_tense(verb.head)  # "will travel ... and return on Sunday": shares "will"
    if words & _FUTURE_AUX:
        return "future"
    if any(child.dep_ == "acomp" and child.lower_ in _FUTURE_HEADS for child in verb.children):
        return "future"
    if verb.dep_ == "xcomp" and "to" in words:
        if verb.head.lower_ in _FUTURE_HEADS or verb.head.lemma_ in ("plan", "expect", "schedule", "intend"):
            return "future"
        return _verb_tense(verb.head)
    if verb.tag_ == "VBD" or any(aux.tag_ == "VBD" for aux in auxes):
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "'ve", "'s"}:
        return "past"
    return None


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


def _resolve_range_years(match: re.Match[str], context: _Context) -> TimeExpression | None:
    first, last = int(_group(match, "y1")), int(_group(match, "y2"))
    if last <= first:
        return None
    return _expr(
        match, f"{first}/{last}", "range", "period", start_date=date(first, 1, 1), end_date=date(last, 12, 31)
    )


def _resolve_full_date(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_month_day(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_month_year(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_month(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_weekday(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_season(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_quarter(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_century(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_decade(match: re.Match[str], context: _Context) -> TimeExpression | None:
    named, short = _group(match, "decade"), _group(match, "short")
    decade = int(named) if named else 1900 + int(short)  # "the '90s"
    mod = _MOD_CODES.get(_group(match, "mod").lower())
    return _calendar(match, "decade", date(decade, 1, 1), mod=mod)


def _resolve_year(match: re.Match[str], context: _Context) -> TimeExpression | None:
    mod = _MOD_CODES.get(_group(match, "mod").lower())
    return _calendar(match, "year", date(int(_group(match, "year")), 1, 1), mod=mod)


def _resolve_deadline(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_relative_unit(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_part_of_year(match: re.Match[str], context: _Context) -> TimeExpression | None:
    """Part of a year: "the final five months of 2019" -> the range 2019-08/2019-12."""
    count, year = _number(_group(match, "num")), int(_group(match, "year"))
    if count is None or not 1 <= count <= 12:
        return None
    first_month = 1 if _group(match, "edge").lower() == "first" else 13 - count
    last_month = first_month + count - 1
    value = f"{year}-{first_month:02d}/{year}-{last_month:02d}"
    first, last = date(year, first_month, 1), month_bounds(year, last_month)[1]
    return _expr(match, value, "range", "period", start_date=first, end_date=last)


def _resolve_the_past_unit(match: re.Match[str], context: _Context) -> TimeExpression | None:
    """A duration leading up to or from now: "the past three years", "the next few weeks"."""
    return _duration(match, _group(match, "num") or "1", _group(match, "unit"))


def _resolve_deictic(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_ago(match: re.Match[str], context: _Context) -> TimeExpression | None:
    """Counted back from publication at the unit's granularity: "two years ago" -> that year."""
    amount, unit = _number(_group(match, "num")), _unit(_group(match, "unit"))
    if amount is None or unit not in UNIT_GRANULARITY:
        return _expr(match, "PAST_REF", "vague", "vague")
    if context.published is None:
        return _unresolved(match, "PAST_REF", "vague")
    return _calendar(match, UNIT_GRANULARITY[unit], _shift(context.published, unit, -amount), kind="relative")


def _resolve_anchored(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_duration(match: re.Match[str], context: _Context) -> TimeExpression | None:
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


def _resolve_set(match: re.Match[str], context: _Context) -> TimeExpression | None:
    """Recurring times, never events: "daily", "each morning", "Sundays"."""
    groups = match.groupdict()
    word = (groups.get("word") or groups.get("unit") or "").lower()
    if word in WEEKDAYS or groups.get("weekday"):
        weekday = WEEKDAYS[(groups.get("weekday") or word).lower()]
        return _expr(match, f"XXXX-WXX-{weekday + 1}", "set", "set")
    return _expr(match, _SET_VALUES[word], "set", "set")


def _resolve_vague(match: re.Match[str], context: _Context) -> TimeExpression | None:
    """Past/present/future references, never plotted: "recently", "now", "the foreseeable future"."""
    word = re.sub(r"\s+", " ", _group(match, "word").lower())
    if word in ("recently", "lately", "past", "recent"):
        value = "PAST_REF"
    elif word in ("soon", "coming") or word.endswith("future"):
        value = "FUTURE_REF"
    else:
        value = "PRESENT_REF"
    return _expr(match, value, "vague", "vague")


_RESOLVERS: dict[str, Callable[[re.Match[str], _Context], TimeExpression | None]] = {
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


# ---- post-steps -----------------------------------------------------------------------------

_SINCE = re.compile(r"(?i:\bsince)\s+$")


def _extend_since(expression: TimeExpression, context: _Context) -> TimeExpression:
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


def _mark_page_metadata(expression: TimeExpression, text: str) -> TimeExpression:
    """A line holding only a date (a page header, a capture date, a dateline) is page metadata."""
    line_start = text.rfind("\n", 0, expression.start) + 1
    line_end = text.find("\n", expression.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if expression.kind == "date" and line.strip() == expression.text:
        return replace(expression, kind="metadata")
    return expression
