"""Time expressions: news conventions, the bundled articles' gold file, and one conformance suite
run against every candidate tagger."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.timex.base import TimeExpression
from lib.timex.registry import TAGGER_NAMES, find_time_expressions, get_tagger
from tests.conftest import SEEDS

GOLD = Path(__file__).parent / "data" / "timex_gold.jsonl"
PUBLISHED = {  # from the bundled corpus's manifest (= ../shared/seeds/METADATA.md)
    "000": date(2019, 5, 10),
    "001": date(2019, 5, 10),
    "002": date(2019, 12, 9),
    "003": date(2019, 8, 1),
    "004": date(2018, 7, 9),
}
FRIDAY = date(2019, 5, 10)
MONDAY = date(2019, 12, 9)


@pytest.fixture(scope="session")
def rules():
    return get_tagger("rules")


@pytest.fixture(scope="session", params=TAGGER_NAMES)
def any_tagger(request):
    return get_tagger(request.param)


def values(text: str, published: date | None, tagger) -> dict[str, str]:
    return {e.text: e.value for e in find_time_expressions(text, published, tagger)}


def only(text: str, published: date | None, tagger) -> TimeExpression:
    found = find_time_expressions(text, published, tagger)
    assert len(found) == 1, found
    return found[0]


# ---- the same contract for every candidate ------------------------------------------------


def test_offsets_point_into_the_given_text(any_tagger):
    text = "On Saturday’s meeting, set for May 9, 2019, “both sides” agreed."
    found = find_time_expressions(text, FRIDAY, any_tagger)
    assert found
    for expression in found:
        assert text[expression.start : expression.end] == expression.text


def test_a_full_date_resolves_without_a_publication_date(any_tagger):
    found = find_time_expressions("The test took place on May 9, 2019.", None, any_tagger)
    assert any(e.value == "2019-05-09" and e.granularity == "day" for e in found)


def test_empty_and_absurd_inputs_are_not_errors(any_tagger):
    assert find_time_expressions("", FRIDAY, any_tagger) == []
    assert find_time_expressions("   ", None, any_tagger) == []
    found = find_time_expressions(
        "In the year 30000 and on February 30, 2019, nothing happened.", FRIDAY, any_tagger
    )
    assert not any("30000" in e.value or e.value == "2019-02-30" for e in found)


def test_dates_off_the_calendar_are_skipped(any_tagger):
    found = find_time_expressions("Next year and tomorrow, on Friday.", date(9999, 12, 31), any_tagger)
    assert all(e.start_date is None or e.start_date.year <= 9999 for e in found)


WORDS = [
    "Thursday",
    "May",
    "may",
    "4",
    "2019",
    "30000",
    "last",
    "next",
    "year",
    "week",
    "ago",
    "three",
    "days",
    "later",
    "since",
    "the",
    "end",
    "of",
    "’s",
    "early",
    "2000s",
    "June",
    "30,",
    "\n",
    "now",
    "this",
    "Saturday",
    "from",
    "to",
    "2016",
    "-",
    "year-end",
    "twenty",
    "four",
    "hours",
    "quarter",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    words=st.lists(st.sampled_from(WORDS), max_size=25),
    published=st.one_of(st.none(), st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))),
)
def test_any_text_and_date_gives_valid_spans(rules, words, published):
    text = " ".join(words)
    for expression in find_time_expressions(text, published, rules):
        assert text[expression.start : expression.end] == expression.text
        if expression.start_date and expression.end_date:
            assert expression.start_date <= expression.end_date


# ---- news conventions of the rules design ------------------------------------------------


def test_a_bare_weekday_is_the_most_recent_one(rules):
    assert only("Pyongyang conducted a missile test Thursday.", FRIDAY, rules).value == "2019-05-09"
    assert only("On Sunday, Trump accused China.", FRIDAY, rules).value == "2019-05-05"


def test_a_weekday_with_a_future_verb_is_the_next_one(rules):
    assert only("Trump will meet Kim on Wednesday.", FRIDAY, rules).value == "2019-05-15"
    assert only("He is going to visit Seoul on Thursday.", MONDAY, rules).value == "2019-12-12"
    found = values("Pompeo will travel to Asia and return on Sunday.", MONDAY, rules)
    assert found == {"Sunday": "2019-12-15"}  # the second verb shares "will"


def test_this_saturday_early_the_next_week_is_the_saturday_just_past(rules):
    expression = only("this Saturday’s “very important” test indicates frustration", MONDAY, rules)
    assert (expression.text, expression.value) == ("this Saturday", "2019-12-07")


def test_last_and_next_weekday(rules):
    assert values("He left last Friday and returns next Monday.", FRIDAY, rules) == {
        "last Friday": "2019-05-03",
        "next Monday": "2019-05-13",
    }


def test_month_day_without_year_follows_the_tense(rules):
    assert only("The November 28 test-firing indicates frustration.", MONDAY, rules).value == "2019-11-28"
    assert only("They will meet again on January 3.", MONDAY, rules).value == "2020-01-03"
    assert only("Kim said after the May 4 launch that talks were over.", FRIDAY, rules).value == "2019-05-04"


def test_a_deadline_date_is_the_nearest_one_whatever_the_verb(rules):
    assert only("Kim set a deadline of December 31.", MONDAY, rules).value == "2019-12-31"
    assert only("Kim missed the December 31 deadline.", date(2020, 1, 10), rules).value == "2019-12-31"


def test_a_bare_month_follows_the_tense(rules):
    published = date(2019, 8, 1)
    assert only("In July alone, Kim inspected a submarine.", published, rules).value == "2019-07"
    assert only("August is likely to be turbulent.", published, rules).value == "2019-08"
    assert only("The drills will resume in March.", published, rules).value == "2020-03"


def test_may_sat_and_we_are_not_dates(rules):
    text = "Pyongyang may also be playing a longer game; no leader has ever sat down, and we know it."
    assert find_time_expressions(text, FRIDAY, rules) == []
    assert only("Talks resumed in May.", FRIDAY, rules).value == "2019-05"


def test_relative_periods_of_the_publication_date(rules):
    assert values("China found out this week; last year was calmer.", FRIDAY, rules) == {
        "this week": "2019-W19",
        "last year": "2018",
    }
    assert only("Trump's challenger in next year's presidential election", MONDAY, rules).value == "2020"
    expression = only("It came close to success just a month ago.", date(2018, 7, 9), rules)
    assert (expression.value, expression.granularity) == ("2018-06", "month")


def test_deadlines_resolve_to_the_last_day_of_the_period(rules):
    for text in (
        "Kim's imposed year-end deadline",
        "a bold decision before the end of the year",
        "Kim's end-of-year deadline",
    ):
        expression = only(text, date(2019, 8, 1), rules)
        assert (expression.value, expression.kind, expression.is_end_point) == (
            "2019-12-31",
            "deadline",
            True,
        )
    assert only("by the end of next year", date(2019, 8, 1), rules).value == "2020-12-31"


def test_decades_stay_decades(rules):
    expression = only("Since the early 2000s, there has been little doubt.", date(2018, 7, 9), rules)
    assert (expression.value, expression.granularity, expression.mod) == ("200X", "decade", "START")
    assert expression.kind == "period"


def test_periods_and_ranges(rules):
    found = {
        e.text: e for e in find_time_expressions("the five-year strategy from 2016 to 2020", MONDAY, rules)
    }
    assert found["from 2016 to 2020"].value == "2016/2020"
    assert found["from 2016 to 2020"].start_date == date(2016, 1, 1)
    since = only("resolutions put in place since 2006", date(2019, 8, 1), rules)
    assert (since.text, since.value, since.kind, since.end_date) == (
        "since 2006",
        "2006",
        "period",
        date(2019, 8, 1),
    )
    months = only("the final five months of 2019", date(2019, 8, 1), rules)
    assert (months.value, months.granularity) == ("2019-08/2019-12", "range")


def test_durations_sets_and_vague_words_are_not_events(rules):
    text = "Recently, after decades of tension and a five-year plan, headlines arrive daily; soon, maybe."
    found = find_time_expressions(text, FRIDAY, rules)
    assert {e.text: e.value for e in found} == {
        "Recently": "PAST_REF",
        "decades": "PXDE",
        "five-year": "P5Y",
        "daily": "P1D",
        "soon": "FUTURE_REF",
    }
    assert not any(e.is_event_date for e in found)
    assert all(e.vague for e in found if e.kind == "vague")


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("It was signed on 9 May 2019.", None, ("9 May 2019", "2019-05-09")),
        ("It was signed on 2019-05-09.", None, ("2019-05-09", "2019-05-09")),
        ("Thursday, May 9, 2019", None, ("Thursday, May 9, 2019", "2019-05-09")),
        ("It was signed on 5/9/2019.", None, ("5/9/2019", "2019-05-09")),
        ("Growth slowed in mid-2016.", FRIDAY, ("mid-2016", "2016")),
        ("The talks began in June last year.", FRIDAY, ("June last year", "2018-06")),
        ("Exercises are planned for this summer.", FRIDAY, ("this summer", "2019-SU")),
        ("Profit rose in the third quarter of 2018.", FRIDAY, ("the third quarter of 2018", "2018-Q3")),
        ("Third-quarter profit fell.", date(1989, 10, 26), ("Third-quarter", "1989-Q3")),
        ("The war of the 20th century ended.", FRIDAY, ("the 20th century", "19")),
        ("Officials spoke yesterday.", FRIDAY, ("yesterday", "2019-05-09")),
        ("Officials spoke this morning.", FRIDAY, ("this morning", "2019-05-10TMO")),
        ("Trump spoke Thursday evening.", FRIDAY, ("Thursday evening", "2019-05-09TEV")),
        ("Tests rose over the past three years.", FRIDAY, ("the past three years", "P3Y")),
        ("Prices doubled in the last twenty four hours.", FRIDAY, ("the last twenty four hours", "PT24H")),
        ("Tensions grew in recent years.", FRIDAY, ("recent years", "PXY")),
        ("They meet on Sundays.", FRIDAY, ("Sundays", "XXXX-WXX-7")),
        ("Links arrive each morning.", FRIDAY, ("each morning", "XXXX-XX-XXTMO")),
        ("The missile flew in the '90s.", FRIDAY, ("the '90s", "199X")),
        ("Kim met Trump two years ago.", FRIDAY, ("two years ago", "2017")),
        ("Talks have stalled since May.", date(2000, 1, 1), ("since May", "1999-05")),
    ],
)
def test_one_value_per_rule(rules, text, published, expected):
    expression = only(text, published, rules)
    assert (expression.text, expression.value) == expected


def test_relative_to_an_event_counts_from_the_last_explicit_date(rules):
    text = "The summit took place on June 30. A little more than three weeks after that summit, Kim tested."
    found = {e.text: e for e in find_time_expressions(text, date(2019, 8, 1), rules)}
    assert found["three weeks after"].value == "2019-W29"
    named = find_time_expressions("They fired again a week after the May 4 launch.", FRIDAY, rules)
    assert named[0].value == "2019-W19"


def test_relative_to_an_event_without_a_date_is_vague(rules):
    expression = only("Three days later, the talks collapsed.", FRIDAY, rules)
    assert expression.vague and not expression.resolved


def test_a_line_holding_only_a_date_is_page_metadata(rules):
    text = "August 20, 2019\nAfter the debacle, it is not clear where policy goes\nJuly 9th, 2018\n"
    found = find_time_expressions(text, date(2018, 7, 9), rules)
    assert [(e.value, e.kind) for e in found] == [("2019-08-20", "metadata"), ("2018-07-09", "metadata")]
    assert not any(e.is_event_date for e in found)


def test_unknown_publication_date_leaves_relative_expressions_unresolved(rules):
    text = "On Thursday, last year's deal collapsed; the June 30 summit of 2019 and May 9, 2019 remain."
    found = {e.text: e for e in find_time_expressions(text, None, rules)}
    assert not found["Thursday"].resolved and found["Thursday"].value == "XXXX-WXX-4"
    assert not found["last year"].resolved
    assert found["May 9, 2019"].resolved and found["May 9, 2019"].value == "2019-05-09"
    assert not any(e.resolved and e.value.startswith("XXXX") for e in found.values())


def test_typographic_apostrophes_keep_offsets(rules):
    text = "Kim’s year’s end: “this Saturday’s” test."
    found = find_time_expressions(text, MONDAY, rules)
    assert [(e.text, text[e.start : e.end]) for e in found] == [("this Saturday", "this Saturday")]


def test_a_datetime_publication_date_is_read_as_its_day(rules):
    from datetime import datetime

    assert only("It happened on Thursday.", datetime(2019, 5, 10, 18, 30), rules).value == "2019-05-09"


def test_json_ready_dict(rules):
    payload = only("The test took place on May 9, 2019.", None, rules).to_dict()
    assert json.loads(json.dumps(payload))["start_date"] == "2019-05-09"


def test_unknown_tagger_is_a_clear_error():
    from lib.errors import BadInputError

    with pytest.raises(BadInputError, match="rules"):
        get_tagger("heideltime")


# ---- the bundled articles' gold file ------------------------------------------------------


def _seed_texts() -> dict[str, str]:
    return {path.name[:3]: path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))}


def test_gold_offsets_match_the_seed_files():
    texts = _seed_texts()
    gold = [json.loads(line) for line in GOLD.read_text().splitlines()]
    assert len(gold) >= 60
    for row in gold:
        assert texts[row["file"]][row["start"] : row["end"]] == row["text"]


def test_value_accuracy_on_the_bundled_articles_is_at_least_90_percent(rules):
    texts = _seed_texts()
    gold = [json.loads(line) for line in GOLD.read_text().splitlines()]
    predicted = {fid: find_time_expressions(text, PUBLISHED[fid], rules) for fid, text in texts.items()}
    correct = 0
    for row in gold:
        overlapping = [e for e in predicted[row["file"]] if e.start < row["end"] and row["start"] < e.end]
        best = max(
            overlapping, key=lambda e: min(e.end, row["end"]) - max(e.start, row["start"]), default=None
        )
        correct += best is not None and best.value == row["value"]
    assert correct / len(gold) >= 0.90
