"""Search: hybrid semantic + keyword search over paragraphs, shareable as a link."""

from datetime import date

import plotly.express as px
import streamlit as st

from lib.corpus.paragraphs import parse_paragraph_id
from lib.entities import entity_counts, paragraphs_with
from lib.errors import DossierError
from lib.search import best_sentence_span, context, hits_to_records, more_like_this, search, search_options
from lib.store.base import SearchFilters
from lib.text.markup import escape, highlight
from lib.web.frame import page_frame
from lib.web.loaders import get_citations, get_copy_groups, get_encoder, get_entities, get_titles
from lib.web.state import init_state, sync_url
from lib.web.widgets import citation_control, download_buttons, reader_link, selected_points

with page_frame("search") as (settings, store):
    articles = store.articles()
    titles = get_titles(store)
    sources = sorted(s for s in articles["source"].unique() if s)
    entities = get_entities(store)
    entity_names = entity_counts(entities)["name"].tolist()  # most mentioned first
    DEFAULTS = {
        "q": "",
        "k": 10,
        "mode": "hybrid",
        "source": [],
        "article": [],
        "since": None,
        "until": None,
        "entity": [],
        "hit": "",
        "copies": True,
    }
    for warning in init_state(DEFAULTS, {"since": date.fromisoformat, "until": date.fromisoformat}):
        st.warning(warning)
    # Keep only options that exist in this corpus (a shared link may name others).
    st.session_state["source"] = [s for s in st.session_state["source"] if s in sources]
    st.session_state["article"] = [a for a in st.session_state["article"] if a in titles]
    unknown = [e for e in st.session_state["entity"] if e not in set(entity_names)]
    if unknown:
        st.warning(f"No entity named {escape(', '.join(unknown))} in this corpus: left out of the filter.")
        st.session_state["entity"] = [e for e in st.session_state["entity"] if e in set(entity_names)]
    if st.session_state["mode"] not in ("hybrid", "dense", "keyword"):
        st.session_state["mode"] = "hybrid"
    st.session_state["k"] = min(max(int(st.session_state["k"]), 1), 50)

    with st.form("search_form"):
        st.text_input(
            "Search the articles",
            key="q",
            placeholder="e.g. China's leader travelled to Pyongyang",
            max_chars=None,
        )
        c1, c2, c3 = st.columns([2, 2, 1])
        c1.multiselect("Sources", sources, key="source")
        c2.multiselect("Articles", list(titles), key="article", format_func=lambda a: titles[a])
        c3.slider("Results", 1, 50, key="k")
        st.multiselect(
            "Naming any of these entities",
            entity_names,
            key="entity",
            placeholder="People, places, organisations, groups",
            help="Only paragraphs that name one of them (spelling variants and short names included).",
        )
        d1, d2, d3 = st.columns([1, 1, 2])
        d1.date_input("Published since", key="since", value=None, format="YYYY-MM-DD")
        d2.date_input("Published until", key="until", value=None, format="YYYY-MM-DD")
        d3.radio(
            "Ranking",
            ["hybrid", "dense", "keyword"],
            key="mode",
            horizontal=True,
            format_func={"hybrid": "Hybrid", "dense": "Meaning only", "keyword": "Exact words only"}.get,
        )
        st.toggle(
            "Count copies of the same story once",
            key="copies",
            help="Passages repeated by syndicated or abridged copies are folded into one hit.",
        )
        submitted = st.form_submit_button("Search", type="primary")
    if submitted:
        st.session_state["hit"] = ""
    sync_url(DEFAULTS)

    query = st.session_state["q"]
    if not query.strip():
        st.info(
            "Type a question or a phrase: Dossier finds paragraphs that mean the same, even in other words."
        )
        st.stop()

    filters = SearchFilters(
        articles=tuple(st.session_state["article"]),
        sources=tuple(st.session_state["source"]),
        since=st.session_state["since"],
        until=st.session_state["until"],
        paragraph_ids=tuple(paragraphs_with(entities, st.session_state["entity"]))
        if st.session_state["entity"]
        else None,
    )
    if filters.since and filters.until and filters.since > filters.until:
        st.error(
            "'Published since' is after 'Published until': no article can match. Swap or widen the dates."
        )
        st.stop()
    try:
        with st.spinner("Searching…"):
            result = search(
                store,
                get_encoder(store.model),
                query,
                k=st.session_state["k"],
                filters=filters,
                mode=st.session_state["mode"],
                groups=get_copy_groups(store) if st.session_state["copies"] else None,
                **search_options(settings),
            )
    except DossierError as exc:
        st.error(str(exc))
        st.stop()

    for note in result.notes:
        st.info(note)
    hits = result.hits
    if hits.empty:
        st.stop()

    left, right = st.columns([3, 2])
    with right:
        chart = hits.assign(
            label=[f"#{r} {p}" for r, p in zip(hits["rank"], hits["paragraph_id"], strict=True)],
            article=[titles.get(a, a) for a in hits["article_id"]],
            snippet=[t[:120] + "…" for t in hits["text"]],
        )
        figure = px.bar(
            chart,
            x="score",
            y="label",
            color="article",
            orientation="h",
            hover_data={"snippet": True, "paragraph_id": True, "label": False},
            title="Hits by score (click a bar to select it)",
        )
        figure.update_layout(yaxis={"autorange": "reversed"}, height=120 + 28 * len(chart), showlegend=False)
        event = st.plotly_chart(figure, key="hits_chart", on_select="rerun", selection_mode="points")
        points = selected_points(event)
        if points:
            st.session_state["hit"] = hits.iloc[int(points[0]["point_index"])]["paragraph_id"]
            sync_url(DEFAULTS)
        download_buttons("hits", "search", hits, {"query": result.query, "hits": hits_to_records(hits)})

    with left:
        st.caption(f"{len(hits)} paragraph(s) for “{escape(result.query)}”")
        for hit in hits.itertuples():
            selected = st.session_state["hit"] == hit.paragraph_id
            with st.container(border=True, key=f"hit-{hit.rank}"):
                meta = " · ".join(
                    escape(x) for x in (hit.source or "source unknown", hit.published or "date unknown")
                )
                st.markdown(
                    f"**{hit.rank}. {escape(titles.get(hit.article_id, hit.article_id))}** · {meta} · "
                    f"score {hit.score:.3f} · `{hit.paragraph_id}`"
                )
                st.markdown(
                    highlight(hit.text, result.query, best_sentence_span(hit)), unsafe_allow_html=True
                )
                if best_sentence_span(hit):
                    st.caption(
                        f"Why this matched: the shaded sentence is the closest to your query "
                        f"(similarity {hit.sentence_score:.2f})."
                    )
                if hit.also_in:
                    copies = ", ".join(reader_link(*parse_paragraph_id(pid), pid) for pid in hit.also_in)
                    st.caption(f"Also in {copies} (copies of the same story).")
                b1, b2 = st.columns([1, 2])
                if b1.button(
                    "Hide context" if selected else "Context & similar", key=f"select-{hit.paragraph_id}"
                ):
                    st.session_state["hit"] = "" if selected else hit.paragraph_id
                    sync_url(DEFAULTS)
                    st.rerun()
                b2.markdown(reader_link(hit.article_id, hit.ordinal))
                with b2:
                    citation_control(get_citations(store).cite(hit.paragraph_id), key=f"cite-{hit.rank}")
                if selected:
                    st.markdown("**Context**")
                    for para in context(store, hit.paragraph_id).itertuples():
                        marker = "▶ " if para.paragraph_id == hit.paragraph_id else ""
                        st.markdown(f"{marker}¶{para.ordinal} {escape(para.text)}", unsafe_allow_html=True)
                    st.markdown("**More like this**")
                    for like in more_like_this(store, hit.paragraph_id, k=5).itertuples():
                        st.markdown(
                            f"- {escape(titles.get(like.article_id, like.article_id))} ¶{like.ordinal} "
                            f"({like.score:.2f}): {escape(like.text[:200])}… "
                            + reader_link(like.article_id, like.ordinal, "open"),
                            unsafe_allow_html=True,
                        )
