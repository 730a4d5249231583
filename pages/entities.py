"""Entities: who and what the articles name, how often, together with whom, and where."""

import plotly.express as px
import streamlit as st

from lib.entities import KINDS, entity_paragraphs, mention_grid, of_kinds
from lib.text.markup import escape, highlight
from lib.web.frame import page_frame
from lib.web.loaders import get_cooccurrence, get_entities, get_entity_counts, get_titles
from lib.web.state import init_state, page_url, sync_url
from lib.web.widgets import download_buttons, reader_link, selected_points

with page_frame(
    "entities",
    "People, places, organisations and groups named in the articles (spaCy, offline), with spelling "
    "variants and, within an article, a person's short name (“Kim”, “Trump”) counted as one.",
) as (settings, store):
    entities = get_entities(store)
    if entities.empty:
        st.info(
            "No entity was found in this corpus (or the index predates them: update it on the Home page)."
        )
        st.stop()
    articles = store.articles()
    titles = get_titles(store)
    kinds = sorted(set(KINDS.values()))
    DEFAULTS = {"kind": [], "top": 20, "pairs": "paragraph", "copies": True, "entity": ""}
    for warning in init_state(DEFAULTS):
        st.warning(warning)
    st.session_state["kind"] = [k for k in st.session_state["kind"] if k in kinds]
    st.session_state["top"] = min(max(int(st.session_state["top"]), 5), 50)
    if st.session_state["pairs"] not in ("paragraph", "article"):
        st.session_state["pairs"] = "paragraph"

    with st.expander("Filters", expanded=True):
        c1, c2, c3 = st.columns(3)
        c1.multiselect("Kinds", kinds, key="kind", placeholder="All kinds")
        c2.slider("Entities in the charts", 5, 50, key="top")
        c3.toggle(
            "Count copies of one story once",
            key="copies",
            help="An article and its syndicated or abridged copies count as one story.",
        )

    kinds, copies = tuple(st.session_state["kind"]), bool(st.session_state["copies"])
    shown = of_kinds(entities, kinds)
    counts = get_entity_counts(store, kinds, copies)
    if st.session_state["copies"]:
        st.caption("ℹ️ An article and its copies count once: each story adds its copy with the most mentions.")
    if counts.empty:
        st.info("No entity of these kinds: choose other kinds.")
        sync_url(DEFAULTS)
        st.stop()
    if st.session_state["entity"] and st.session_state["entity"] not in set(counts["name"]):
        st.warning(f"No entity named {escape(st.session_state['entity'])} among these kinds.")
        st.session_state["entity"] = ""
    top = counts.head(int(st.session_state["top"]))

    st.subheader("Most mentioned across the corpus")
    bars = px.bar(
        top,
        x="mentions",
        y="name",
        color="kind",
        orientation="h",
        custom_data=["name"],
        category_orders={"name": top["name"].tolist()},  # most mentioned first, whatever the kind
        hover_data={"articles": True, "paragraphs": True, "name": False},
        title="Mentions (click a bar to see its paragraphs)",
    )
    bars.update_layout(yaxis={"title": None}, height=140 + 22 * len(top))
    picked = [
        p["customdata"][0]
        for p in selected_points(st.plotly_chart(bars, key="counts_chart", on_select="rerun"))
    ]
    if picked and picked[0] != st.session_state.get("entity_clicked"):  # a new click, not a stale one
        st.session_state["entity"] = st.session_state["entity_clicked"] = picked[0]

    grid = mention_grid(shown, top["name"].tolist(), articles, titles)
    st.subheader({"article": "Per article", "outlet": "Per outlet", "month": "Per month"}[grid.by])
    if grid.by != "article":
        st.caption(
            f"Too many articles for one column each: their mentions are summed per {grid.by} "
            "(select an entity below for its paragraphs)."
        )
    heat = px.imshow(
        grid.mentions.to_numpy(),
        x=[c.replace("<", "‹").replace(">", "›") for c in grid.labels],  # corpus text: no markup
        y=list(grid.mentions.index),
        color_continuous_scale="Blues",
        aspect="auto",
        labels={"color": "mentions"},
        title=f"Mentions of the top entities in each {grid.by}",
    )
    heat.update_layout(height=160 + 22 * len(grid.mentions))
    st.plotly_chart(heat, key="articles_heatmap")

    st.subheader("Named together")
    st.radio(
        "Count pairs by",
        ["paragraph", "article"],
        key="pairs",
        horizontal=True,
        format_func={"paragraph": "Paragraphs naming both", "article": "Articles naming both"}.get,
    )
    pairs = get_cooccurrence(store, kinds, copies, int(st.session_state["top"]), st.session_state["pairs"])
    if pairs.empty:
        st.caption("No two of these entities are named together.")
    else:
        names = [n for n in top["name"] if n in set(pairs["a"]) | set(pairs["b"])]
        both = pairs.pivot_table(index="a", columns="b", values="together", fill_value=0)
        matrix = both.reindex(index=names, columns=names, fill_value=0)
        matrix = matrix + matrix.T
        together = px.imshow(
            matrix.to_numpy(),
            x=names,
            y=names,
            color_continuous_scale="Oranges",
            labels={"color": st.session_state["pairs"] + "s"},
            title=f"How many {st.session_state['pairs']}s name both",
        )
        together.update_layout(height=200 + 22 * len(names))
        st.plotly_chart(together, key="pairs_heatmap")

    labels = {
        row.name: f"{row.name} ({row.kind}, {row.mentions} mention{'s' if row.mentions != 1 else ''})"
        for row in counts.itertuples()
    }
    st.selectbox(
        "Entity", [""] + list(labels), key="entity", format_func=lambda n: labels.get(n, "Choose an entity…")
    )
    sync_url(DEFAULTS)

    if st.session_state["entity"]:
        name = st.session_state["entity"]
        found = entity_paragraphs(entities, store.paragraphs(), name)
        st.subheader(f"Where {escape(name)} is named")
        st.markdown(
            f"[Search only the paragraphs naming {escape(name)}]({page_url('search', entity=name)}) · "
            f"[Events naming {escape(name)} on the timeline]({page_url('timeline', entity=name)})"
        )
        for para in found.itertuples():
            with st.container(border=True):
                st.caption(
                    f"{escape(titles.get(para.article_id, para.article_id))} · ¶{para.ordinal} · "
                    f"written {escape(', '.join(para.written))}"
                )
                st.markdown(highlight(para.text, " ".join(para.written)), unsafe_allow_html=True)
                st.markdown(reader_link(para.article_id, int(para.ordinal)))

    table = counts.assign(article_ids=counts["article_ids"].map(", ".join))
    st.subheader("All entities")
    st.dataframe(table, hide_index=True, key="entities_table")
    download_buttons("entities", "entities", table, counts.to_dict("records"))
