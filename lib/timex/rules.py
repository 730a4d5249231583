"""The default time-expression tagger: news-convention rules with a spaCy tense cue.

Detection is a set of regular expressions (longest match wins); resolution follows the rules in
`docs/time-expressions.md`. Only expressions whose direction is ambiguous (bare weekdays, months,
month-days and seasons) ask spaCy for the tense of the governing verb, one paragraph at a time.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from lib.text.nlp import load_pipeline, parse_grammar
from lib.timex.base import TimeExpression, normalise_quotes
from lib.timex.context import Context, extend_since, mark_page_metadata
from lib.timex.dateparsing import dateparser_expression
from lib.timex.patterns import PATTERNS
from lib.timex.resolvers import RESOLVERS
from lib.timex.tense import TenseReader


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
        tense_reader = TenseReader(clean, self._parse)
        context = Context(clean, published, tense_reader)
        matches = _select_matches(clean)
        # Event-relative expressions last: they count from dates found anywhere in the text.
        for rule, match in sorted(matches, key=lambda item: item[0] == "anchored"):
            try:
                expression = RESOLVERS[rule](match, context)
            except (ValueError, OverflowError):
                continue  # off the calendar ("next year" from 9999-12-31): skipped, not a crash
            if expression is not None:
                context.resolved.append(mark_page_metadata(extend_since(expression, context), clean))
        if self.spacy_fallback:
            context.resolved.extend(_spacy_dates_missed(tense_reader, context.resolved, published))
        found = sorted(context.resolved, key=lambda e: e.start)
        return [replace(e, text=text[e.start : e.end]) for e in found]

    def _parse(self, text: str) -> Any:
        """A spaCy doc of `text`: the shared full parse (`lib.text.nlp.parse_grammar`, which the
        event titles read too), or with entities when the spaCy fallback needs them."""
        if self._nlp is None and not self.spacy_fallback:
            return parse_grammar([text])[0]
        if self._nlp is None:
            self._nlp = load_pipeline()
        skip = (
            [] if self.spacy_fallback else [p for p in ("entity_ruler", "ner") if p in self._nlp.pipe_names]
        )
        return self._nlp(text, disable=skip)


def _spacy_dates_missed(
    reader: TenseReader, found: list[TimeExpression], published: date | None
) -> list[TimeExpression]:
    """spaCy DATE entities that overlap no rule expression, normalised by dateparser."""
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
