from datetime import date

import pandas as pd

from lib.timeline.view import (
    TimelineFilters,
    article_spans,
    corpus_notes,
    event_sources,
    events_to_records,
    filter_events,
    plot_rows,
    read_timeline,
)


def test_filters(bundled_store):
    timeline = read_timeline(bundled_store)
    articles = bundled_store.articles()
    everything = filter_events(timeline.events, articles, TimelineFilters())
    assert not everything["vague"].any()
    shared = filter_events(timeline.events, articles, TimelineFilters(min_sources=2))
    assert set(shared["value"]) == {"2019-05-09", "2019-12-31"}
    in_2019 = filter_events(
        timeline.events, articles, TimelineFilters(since=date(2019, 1, 1), until=date(2019, 12, 31))
    )
    assert in_2019["start_date"].le("2019-12-31").all() and in_2019["end_date"].ge("2019-01-01").all()
    assert "2017" not in set(in_2019["value"]) and "2006" in set(in_2019["value"])  # "since 2006" overlaps
    only_004 = filter_events(timeline.events, articles, TimelineFilters(articles=("004",)))
    assert only_004["articles"].map(lambda a: "004" in a).all() and len(only_004) > 3
    asia = filter_events(timeline.events, articles, TimelineFilters(sources=("Asia Times",)))
    assert asia["articles"].map(lambda a: "002" in a).all()
    kim = filter_events(timeline.events, articles, TimelineFilters(actors=("Kim Jong Un",)))
    assert len(kim) > 0 and kim["actors"].map(lambda a: "Kim Jong Un" in a).all()
    vague = filter_events(timeline.events, articles, TimelineFilters(show_vague=True))
    assert vague["vague"].any() and len(vague) > len(everything)


def test_plot_rows_span_their_granularity(bundled_store):
    timeline = read_timeline(bundled_store)
    rows = plot_rows(timeline.events, bundled_store.articles(), "article")
    day = rows[rows["value"] == "2019-05-09"]
    assert set(day["lane"].str[:3]) == {"000", "001"}
    assert (day["end"] - day["start"]).iloc[0].days == 1
    july = rows[rows["value"] == "2019-07"].iloc[0]
    assert july["start"] == date(2019, 7, 1) and july["end"] == date(2019, 8, 1)
    year = rows[rows["value"] == "2017"].iloc[0]
    assert (year["end"] - year["start"]).days == 365
    actors = plot_rows(timeline.events, bundled_store.articles(), "actor")
    assert "Kim Jong Un" in set(actors["lane"])


def test_event_sources_and_export_lead_back_to_paragraphs(bundled_store):
    timeline = read_timeline(bundled_store)
    deadline = timeline.events[timeline.events["value"] == "2019-12-31"].iloc[0]
    found = event_sources(deadline["event_id"], timeline.events, timeline.mentions, bundled_store.articles())
    assert set(found["article_id"]) == {"002", "003"}
    paragraphs = bundled_store.paragraphs().set_index("paragraph_id")
    for row in found.itertuples():
        assert row.sentence in paragraphs.loc[row.paragraph_id, "text"]
    records = events_to_records(timeline.events, timeline.mentions)
    assert all(src["paragraph_id"] for rec in records for src in rec["sources"])


def test_article_spans_show_publication_and_mentioned_dates(bundled_store):
    spans = article_spans(bundled_store.articles(), read_timeline(bundled_store).mentions).set_index(
        "article_id"
    )
    assert spans.loc["004", "published"] == "2018-07-09"
    assert spans.loc["004", "first_date"] <= "2000-01-01"  # "the early 2000s"
    assert spans.loc["003", "last_date"] >= "2019-12-31"


def test_notes_for_articles_without_dates_or_publication_date():
    articles = pd.DataFrame(
        {
            "article_id": ["a", "b"],
            "title": ["", "Dated"],
            "published": ["", "2020-01-01"],
            "published_origin": ["", "manifest"],
            "published_evidence": ["", ""],
        }
    )
    mentions = pd.DataFrame({"article_id": ["a"], "resolved": [False], "start_date": [""]})
    notes = corpus_notes(articles, mentions)
    assert any("publication date unknown" in n and "(1 left out)" in n for n in notes)
    assert any(n.startswith("Dated: no calendar date") for n in notes)


def test_copies_count_once_but_stay_listed(bundled_store):
    from lib.timeline.view import source_count

    events = read_timeline(bundled_store, copies_once=True).events
    missile = events[events["value"] == "2019-05-09"].iloc[0]
    assert missile["articles"] == ["000", "001"] and missile["n_articles"] == 1
    assert source_count(missile["articles"], missile["n_articles"]) == "2 articles, 1 story"
    assert source_count(["002", "003"], 2) == "2 articles"


def test_entity_filter_keeps_events_whose_sentence_names_the_entity(bundled_store):
    timeline = read_timeline(bundled_store)
    articles = bundled_store.articles()
    xi = filter_events(timeline.events, articles, TimelineFilters(entities=("Xi Jinping",)))
    assert len(xi) > 0 and xi["entities"].map(lambda names: "Xi Jinping" in names).all()
    assert xi["sentence"].str.contains("Xi").all()
    # short names count: an event told as "Kim ..." in 003 is an event naming Kim Jong Un
    kim = filter_events(timeline.events, articles, TimelineFilters(entities=("Kim Jong Un",)))
    assert kim["sentence"].str.contains(r"\bKim\b(?! Jong)").any()
    both = filter_events(
        timeline.events, articles, TimelineFilters(entities=("Xi Jinping", "Vladimir Putin"))
    )
    assert len(both) >= len(xi)
    assert filter_events(timeline.events, articles, TimelineFilters(entities=("Nobody",))).empty
