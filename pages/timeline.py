"""Timeline: the story's key events, the attention the articles give each day, and every event
with who says so, from the articles' own time expressions."""

from datetime import date, timedelta

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from lib.text.markup import escape
from lib.timeline.view import (
    ARTICLE_LANES_UP_TO,
    CHART_EVENTS,
    CHART_LANES,
    LANES,
    TimelineFilters,
    attention,
    background_events,
    bucket_heights,
    busiest_events,
    busiest_lanes,
    day_sources,
    default_lanes,
    dense_window,
    event_sources,
    filter_events,
    key_events,
    plot_rows,
    source_count,
)
from lib.web.frame import page_frame
from lib.web.loaders import get_citations, get_events_export, get_timeline, get_titles
from lib.web.state import init_state, page_url, sync_url
from lib.web.widgets import download_texts, selected_points, source_cards

with page_frame(
    "timeline",
    "The story's key events and every dated event, found in the articles' own time expressions and "
    "resolved against each article's publication date.",
) as (settings, store):
    SOURCES_SHOWN = 6  # sentences shown side by side under a key event; the rest are one click away
    EVENT_CHOICES = 500  # most events offered in the event picker (those told by most articles)
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
        "lanes": default_lanes(articles),
        "key": 0,
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
    if st.session_state["lanes"] not in LANES:
        st.session_state["lanes"] = DEFAULTS["lanes"]
    st.session_state["min_sources"] = min(max(int(st.session_state["min_sources"]), 1), max(len(titles), 1))
    st.session_state["key"] = min(max(int(st.session_state["key"]), 0), 100)

    if timeline.notes:
        with st.expander(
            f"ℹ️ {len(timeline.notes)} note{'s' * (len(timeline.notes) != 1)} on the articles' dates "
            "(no dates found, unknown or inferred publication dates)"
        ):
            for note in timeline.notes:
                st.caption(escape(note))

    with st.expander("Filters", expanded=False):
        c1, c2, c3 = st.columns(3)
        c1.date_input("From", key="since", value=None, format="YYYY-MM-DD")
        c2.date_input("To", key="until", value=None, format="YYYY-MM-DD")
        c3.radio(
            "Lanes",
            list(LANES),
            key="lanes",
            horizontal=True,
            format_func={"article": "By article", "source": "By outlet", "actor": "By actor"}.get,
            help=f"One lane per article reads well up to about {ARTICLE_LANES_UP_TO} articles.",
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
        c3.number_input(
            "Key events listed (0: as many as stand out)", min_value=0, max_value=100, step=1, key="key"
        )
    sync_url(DEFAULTS)

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

    # ---- key events: attention over time, the key days marked, each one's sources -------------------
    key = key_events(timeline.dates, int(st.session_state["key"]) or None, filters.since, filters.until)
    window = dense_window(timeline.dates)
    if window is not None:
        window = (filters.since or window[0], filters.until or window[1])
    st.subheader("Key events")
    if key.empty or window is None:
        st.info("No article names a calendar day in this range, so there are no key events to list.")
    else:
        series, unit = attention(timeline.dates, window[0], window[1])
        figure = go.Figure()
        figure.add_bar(
            x=series["day"],
            y=series["articles"],
            name=f"articles naming the {unit}",
            marker_color="#9db4d0",
            hovertemplate="%{x|%Y-%m-%d}: %{y} articles<extra></extra>",
        )
        figure.add_scatter(
            x=pd.to_datetime(key["day"]),
            y=bucket_heights(series, key["day"], unit),
            mode="markers",
            name="key event",
            marker={"symbol": "star", "size": 14, "color": "#c0392b"},
            customdata=key[["event_id"]],
            text=key["title"].where(key["title"] != "", key["summary"].str[:80]),
            hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
        )
        pad = timedelta(days=2 if unit == "day" else 10)
        figure.update_layout(
            height=300,
            margin={"t": 40, "b": 20},
            title=f"Attention: articles naming each {unit} (★ key events; click one for its sources)",
            xaxis={"range": [window[0] - pad, window[1] + pad]},
            yaxis_title=None,
            legend={"orientation": "h", "y": -0.15},
        )
        chosen = st.plotly_chart(figure, key="attention_chart", on_select="rerun", selection_mode="points")
        picked = [p["customdata"][0] for p in selected_points(chosen) if p.get("customdata")]
        if picked and picked[0]:
            st.session_state["event"] = picked[0]
            sync_url(DEFAULTS)
        for row in key.itertuples():
            what = row.title or row.summary[:100] or "articles published this day; none names it"
            outlets = f", {row.n_outlets} outlets" if row.n_outlets > 1 else ""
            count = f"{row.n_articles} article{'s' * (row.n_articles != 1)}{outlets}"
            with st.expander(f"**{row.day}** · {escape(what)} · {count}"):
                if row.summary:
                    st.markdown(f"“{escape(row.summary)}”", unsafe_allow_html=True)
                found = day_sources(row.day, timeline.days, articles)
                cards = found.head(SOURCES_SHOWN)
                source_cards(cards, titles, get_citations(store), key=f"cite-day-{row.day}")
                more = len(found) - SOURCES_SHOWN
                if more > 0 or row.event_id:
                    link = page_url("timeline", event=row.event_id)
                    st.markdown(
                        (f"{more} more article{'s' * (more != 1)} name this day. " if more > 0 else "")
                        + f"[Open this event with all its sources]({link})"
                    )
        background = background_events(timeline.events, window)
        if not background.empty:
            st.caption(
                "Background, outside the period the articles concentrate on "
                f"({window[0]:%Y-%m-%d} to {window[1]:%Y-%m-%d}): "
                + "; ".join(
                    f"{escape(e.value)} {escape(e.label or e.sentence[:80])} ({e.n_articles})"
                    for e in background.itertuples()
                )
            )

    # ---- every event, in lanes, and the sentences behind the chosen one ---------------------------
    st.subheader("All events")
    events = filter_events(timeline.events, articles, filters)
    if events.empty:
        st.info(
            "No event matches these filters. Widen the dates, lower the minimum number of articles, "
            "or clear the article, source, actor and entity filters."
        )
        st.stop()
    drawn = busiest_events(events)
    every_row = plot_rows(drawn, articles, st.session_state["lanes"])
    rows = busiest_lanes(every_row)
    left_out = []
    if len(drawn) < len(events):
        left_out.append(f"the {CHART_EVENTS} events told by most articles of the {len(events):,} that match")
    if rows["lane"].nunique() < every_row["lane"].nunique():
        left_out.append(f"the {CHART_LANES} busiest of {every_row['lane'].nunique():,} lanes")
    if left_out:
        st.caption(f"The chart draws {' and '.join(left_out)}; the filters narrow it.")
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
            height=160 + 28 * rows["lane"].nunique(),
            title="Events (click a marker to see its sources)",
            xaxis_title=None,
            yaxis_title=None,
        )
        if window is not None:
            spans.update_xaxes(range=[window[0] - timedelta(days=7), window[1] + timedelta(days=7)])
        chosen = st.plotly_chart(spans, key="timeline_chart", on_select="rerun", selection_mode="points")
        picked = [p.get("customdata", [None])[0] for p in selected_points(chosen) if p.get("customdata")]
        if picked:
            st.session_state["event"] = picked[0]
            sync_url(DEFAULTS)

    offered = busiest_events(events, EVENT_CHOICES)
    labels = {
        e.event_id: f"{e.value} · {e.label[:90]} ({source_count(e.articles, e.n_articles)})"
        for e in offered.itertuples()
    }
    chosen_event = st.session_state["event"]
    if chosen_event and chosen_event not in labels:
        match = timeline.events[timeline.events["event_id"] == chosen_event]
        if match.empty:
            st.session_state["event"] = ""
        else:
            e = match.iloc[0]
            labels[chosen_event] = (
                f"{e['value']} · {e['label'][:90]} ({source_count(e['articles'], e['n_articles'])})"
            )
    st.selectbox(
        "Event",
        [""] + list(labels),
        key="event",
        format_func=lambda e: labels.get(e, "Choose an event…"),
        help=f"The {EVENT_CHOICES} events told by most articles are offered; the filters narrow the list."
        if len(offered) < len(events)
        else None,
    )
    sync_url(DEFAULTS)

    if st.session_state["event"]:
        found = event_sources(st.session_state["event"], timeline.events, timeline.mentions, articles)
        st.subheader("Who says so")
        source_cards(found, titles, get_citations(store), key="cite-source")

    st.subheader("What each article talks about")
    spans_table = timeline.spans
    strip = spans_table.dropna(subset=["first_date"])
    if len(strip) > 30:
        st.dataframe(
            spans_table,
            hide_index=True,
            column_config={
                "first_date": "first date named",
                "last_date": "last date named",
                "dates": "dates named",
            },
            key="article_spans_table",
        )
    elif not strip.empty:
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

    download_texts(
        "events",
        "events",
        *get_events_export(store, bool(st.session_state["copies"]), filters),
        key="download_events",
    )
