"""Home: what the corpus holds, and whether the index is ready."""

import plotly.express as px
import streamlit as st

from lib.errors import DossierError
from lib.markup import escape
from lib.overview import corpus_overview
from lib.webapp import (
    build_with_progress,
    current_status,
    download_buttons,
    page_settings,
    page_url,
    reader_link,
    ready_store,
    require_access,
    selected_points,
)

require_access()
st.title("🗂️ Dossier")
st.caption(
    "Understand a corpus of news articles: what happened when, where it is discussed, who argues what."
)

settings = page_settings()
store = ready_store(settings)
if store is not None:
    status = current_status(settings)
    overview = corpus_overview(store, store.furniture())
    articles, paragraphs = len(overview), int(overview["paragraphs"].sum())
    cols = st.columns(4)
    cols[0].metric("Articles", articles)
    cols[1].metric("Paragraphs", paragraphs)
    cols[2].metric("Words", f"{int(overview['words'].sum()):,}")
    cols[3].metric("Index", "ready" if status.state == "ready" else status.state)

    st.subheader("Articles")
    table = overview.assign(
        title=[
            t or f"(untitled {a})" for t, a in zip(overview["title"], overview["article_id"], strict=True)
        ],
        published=overview["published"].replace("", "unknown"),
        reader=[page_url("reader", article=a) for a in overview["article_id"]],
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "reader": st.column_config.LinkColumn("Read", display_text="Open"),
            "article_id": "Id",
            "title": "Title",
            "source": "Source",
            "published": "Published",
            "date_from": "Date from",
            "paragraphs": "Paragraphs",
            "words": "Words",
            "furniture": "Removed lines",
        },
        key="overview",
    )
    download_buttons(
        "the overview", "overview", overview, overview.to_dict("records"), key="download_overview"
    )

    dated = table[table["published"] != "unknown"]
    if not dated.empty:
        figure = px.scatter(
            dated,
            x="published",
            y="source",
            size="words",
            color="source",
            hover_name="title",
            hover_data={"article_id": True, "paragraphs": True, "words": True},
            title="Articles over time",
        )
        figure.update_layout(showlegend=False, height=320)
        picked = st.plotly_chart(figure, key="articles_chart", on_select="rerun", selection_mode="points")
        points = selected_points(picked)
        for point in points[:1]:
            article_id = point["customdata"][0]
            st.markdown(reader_link(article_id, label=f"Open article {article_id} in the reader"))
    missing = len(table) - len(dated)
    if missing:
        st.caption(f"{missing} article(s) have no known publication date and are not on the chart.")

st.subheader("Index")
try:
    status = current_status(settings)
    st.write(
        f"**{escape(status.message)}** Model: `{settings.embedding_model}`. "
        f"Corpus: `{settings.corpus_dir}`. Index: `{settings.resolved_index_dir}`."
    )
    if status.built_at:
        st.caption(f"Built {status.built_at} · corpus version {status.corpus_version}")
except DossierError as exc:
    st.error(f"Could not check the index: {exc}")
if st.button(
    "Update the index now", key="rebuild", help="Re-reads the corpus; unchanged paragraphs are reused."
):
    build_with_progress(settings, "Update requested.")
