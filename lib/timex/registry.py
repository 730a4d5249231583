"""Time expressions in news text, resolved against the article's publication date.

`find_time_expressions(text, published)` returns every time expression with character offsets
into `text` and an ISO/TIMEX3-style value ("2019-05-09", "2019-W19", "2019-05", "2019", "201X",
"2016/2020", "P1W", "PAST_REF", ...). The work is done by a *tagger*: one small interface
(`TimexTagger.tag(text, published)`) with interchangeable implementations, so the candidates
compared in `bench/timex_quality.py` run through the same code and the same conformance tests:

- `"rules"` (default, `lib.timex.rules.RuleTagger`): news-convention rules with a spaCy tense cue.
- `"rules+spacy"`: the same plus spaCy DATE entities no rule found, normalised by dateparser.
- `"dateparser"`: dateparser's `search_dates` alone, preferring past dates.
- `"spacy+dateparser"`: spaCy DATE entities normalised by dateparser.

The resolution rules are written down in `docs/time-expressions.md`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from lib.errors import BadInputError
from lib.timex.base import TimeExpression, TimexTagger
from lib.timex.dateparsing import DateparserTagger, SpacyDateparserTagger
from lib.timex.rules import RuleTagger

TAGGER_NAMES = ("rules", "rules+spacy", "dateparser", "spacy+dateparser")


def get_tagger(name: str = "rules") -> TimexTagger:
    """The tagger called `name` (one of `TAGGER_NAMES`); raises `BadInputError` otherwise."""
    if name in ("rules", "rules+spacy"):
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
