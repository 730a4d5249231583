"""Timeline: what happened when, and who says so, from the articles' own time expressions."""

from datetime import date

import plotly.express as px
import streamlit as st

from lib.text.markup import escape
from lib.timeline.view import (
    TimelineFilters,
    article_spans,
    event_sources,
    events_to_records,
    filter_events,
    plot_rows,
    source_count,
)
from lib.web.frame import page_frame
from lib.web.loaders import get_citations, get_timeline, get_titles
from lib.web.state import init_state, sync_url
from lib.web.widgets import citation_control, download_buttons, reader_link, selected_points

with page_frame(
    "timeline",
    "Events found in the articles' own time expressions, resolved against each article's publication date.",
) as (settings, store):
    articles = store.articles()
    titles = get_titles(store)
    sources = sorted(s for s in articles["source"].unique() if s)
    DEFAULTS = {
        "since": None,
        "until": None,
        "article": [],
        "source": [],
        "actor": [],
        "entity": [],
        "min_sources": 1,
        "vague": False,
        "lanes": "article",
        "event": "",
        "copies": True,
    }
    for warning in init_state(DEFAULTS, {"since": date.fromisoformat, "until": date.fromisoformat}):
        st.warning(warning)
    timeline = get_timeline(store, bool(st.session_state["copies"]))
    actors = sorted({a for names in timeline.events["actors"] for a in names})
    named = sorted({n for names in timeline.events["entities"] for n in names})
    st.session_state["article"] = [a for a in st.session_state["article"] if a in titles]
    st.session_state["source"] = [s for s in st.session_state["source"] if s in sources]
    st.session_state["actor"] = [a for a in st.session_state["actor"] if a in actors]
    unknown = [e for e in st.session_state["entity"] if e not in named]
    if unknown:
        st.warning(f"No event names {escape(', '.join(unknown))}: left out of the entity filter.")
        st.session_state["entity"] = [e for e in st.session_state["entity"] if e in named]
    if st.session_state["lanes"] not in ("article", "actor"):
        st.session_state["lanes"] = "article"
    st.session_state["min_sources"] = min(max(int(st.session_state["min_sources"]), 1), max(len(titles), 1))

    with st.expander("Filters", expanded=True):
        c1, c2, c3 = st.columns(3)
        c1.date_input("From", key="since", value=None, format="YYYY-MM-DD")
        c2.date_input("To", key="until", value=None, format="YYYY-MM-DD")
        c3.radio(
            "Lanes",
            ["article", "actor"],
            key="lanes",
            horizontal=True,
            format_func={"article": "By article", "actor": "By actor"}.get,
        )
        c1.multiselect("Articles", list(titles), key="article", format_func=lambda a: titles[a])
        c2.multiselect("Sources", sources, key="source")
        c3.multiselect("Actors", actors, key="actor")
        c1.multiselect(
            "Naming any of these entities",
            named,
            key="entity",
            help="Only events whose sentence names one of them (spelling variants and short names included).",
        )
        c3.toggle(
            "Count copies of one story once",
            key="copies",
            help="An event told by an article and its syndicated copy counts one source.",
        )
        c1.slider("Minimum number of articles", 1, max(len(titles), 2), key="min_sources")
        c2.toggle("Show vague expressions (recently, now, soon)", key="vague")
    sync_url(DEFAULTS)

    for note in timeline.notes:
        st.caption(f"ℹ️ {escape(note)}")
    filters = TimelineFilters(
        since=st.session_state["since"],
        until=st.session_state["until"],
        articles=tuple(st.session_state["article"]),
        sources=tuple(st.session_state["source"]),
        actors=tuple(st.session_state["actor"]),
        entities=tuple(st.session_state["entity"]),
        min_sources=int(st.session_state["min_sources"]),
        show_vague=bool(st.session_state["vague"]),
    )
    if filters.since and filters.until and filters.since > filters.until:
        st.error("'From' is after 'To': no event can match. Swap or widen the dates.")
        st.stop()
    events = filter_events(timeline.events, articles, filters)
    rows = plot_rows(events, articles, st.session_state["lanes"])
    if events.empty:
        st.info(
            "No event matches these filters. Widen the dates, lower the minimum number of articles, "
            "or clear the article, source, actor and entity filters."
        )
        st.stop()

    if not rows.empty:
        spans = px.timeline(
            rows,
            x_start="start",
            x_end="end",
            y="lane",
            color="granularity",
            opacity=0.35,
            hover_data={"label": True, "value": True, "articles": True, "lane": False},
        )
        markers = px.scatter(
            rows,
            x="middle",
            y="lane",
            size="sources",
            size_max=18,
            color="granularity",
            custom_data=["event_id"],
            hover_name="label",
            hover_data={"value": True, "articles": True, "sources": True, "middle": False, "lane": False},
        )
        for trace in markers.data:
            trace.showlegend = False
            spans.add_trace(trace)
        spans.update_layout(
            height=160 + 34 * rows["lane"].nunique(),
            title="Events (click a marker to see its sources)",
            xaxis_title=None,
            yaxis_title=None,
        )
        chosen = st.plotly_chart(spans, key="timeline_chart", on_select="rerun", selection_mode="points")
        points = selected_points(chosen)
        picked = [p.get("customdata", [None])[0] for p in points if p.get("customdata")]
        if picked:
            st.session_state["event"] = picked[0]
            sync_url(DEFAULTS)

    labels = {
        e.event_id: f"{e.value} · {e.label[:90]} ({source_count(e.articles, e.n_articles)})"
        for e in events.itertuples()
    }
    if st.session_state["event"] not in labels:
        st.session_state["event"] = ""
    st.selectbox(
        "Event", [""] + list(labels), key="event", format_func=lambda e: labels.get(e, "Choose an event…")
    )
    sync_url(DEFAULTS)

    if st.session_state["event"]:
        found = event_sources(st.session_state["event"], timeline.events, timeline.mentions, articles)
        st.subheader("Who says so")
        columns = st.columns(max(1, min(len(found), 4)))
        for number, (column, source) in enumerate(
            zip(columns * (len(found) // len(columns) + 1), found.itertuples(), strict=False)
        ):
            with column.container(border=True):
                st.markdown(f"**{escape(titles.get(source.article_id, source.article_id))}**")
                st.caption(
                    " · ".join(
                        escape(x)
                        for x in (
                            source.source or "source unknown",
                            source.published or "date unknown",
                            f"“{source.expression}” → {source.value}",
                        )
                    )
                )
                st.markdown(escape(source.sentence), unsafe_allow_html=True)
                st.markdown(reader_link(source.article_id, int(source.ordinal)))
                citation = get_citations(store).cite(source.paragraph_id, source.sentence)
                citation_control(citation, key=f"cite-source-{number}")

    st.subheader("What each article talks about")
    spans_table = article_spans(articles, timeline.mentions)
    strip = spans_table.dropna(subset=["first_date"])
    if not strip.empty:
        span_figure = px.timeline(
            strip.assign(end=strip["last_date"]),
            x_start="first_date",
            x_end="end",
            y="title",
            hover_data={"dates": True, "published": True},
        )
        dated = strip.dropna(subset=["published"])
        span_figure.add_scatter(
            x=dated["published"],
            y=dated["title"],
            mode="markers",
            name="published",
            marker={"symbol": "diamond", "size": 12, "color": "black"},
        )
        span_figure.update_layout(
            height=140 + 40 * len(strip),
            xaxis_title=None,
            yaxis_title=None,
            title="Span of dates mentioned (bar) and publication date (◆)",
        )
        st.plotly_chart(span_figure, key="article_spans")

    download_buttons(
        "events",
        "events",
        events.drop(columns=["mention_ids"]).assign(
            articles=events["articles"].map(", ".join),
            actors=events["actors"].map(", ".join),
            entities=events["entities"].map(", ".join),
        ),
        events_to_records(events, timeline.mentions),
        key="download_events",
    )
