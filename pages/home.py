"""Home: what the corpus holds, the saved views and a brief made from them, and whether the index
is ready."""

import plotly.express as px
import streamlit as st

from lib.errors import DossierError
from lib.overview import corpus_overview, coverage_over_time
from lib.text.markup import escape
from lib.web.brief import brief_ui, saved_views_ui
from lib.web.frame import build_with_progress, page_frame, ready_store
from lib.web.gate import shown_message, shown_path
from lib.web.loaders import current_status, get_titles
from lib.web.state import page_url
from lib.web.widgets import download_buttons, reader_link, selected_points

with page_frame(
    "",
    "Understand a corpus of news articles: what happened when, where it is discussed, who argues what.",
    needs_index=False,
) as (settings, store):
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
        titles = get_titles(store)
        table = overview.assign(
            title=[titles[a] for a in overview["article_id"]],
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

        coverage = coverage_over_time(overview)
        if coverage.by == "article" and not coverage.table.empty:
            figure = px.scatter(
                table[table["article_id"].isin(coverage.table["article_id"])],
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
            for point in selected_points(picked)[:1]:
                article_id = point["customdata"][0]
                st.markdown(reader_link(article_id, label=f"Open article {article_id} in the reader"))
        elif coverage.by != "article":
            figure = px.bar(
                coverage.table,
                x="period",
                y="articles",
                color="outlet",
                custom_data=["period", "outlet"],
                title=f"Articles published each {coverage.by}, by outlet (click a bar for its articles)",
            )
            figure.update_layout(height=360, barmode="stack", xaxis_title=None, legend_title_text=None)
            picked = st.plotly_chart(figure, key="articles_chart", on_select="rerun", selection_mode="points")
            for point in selected_points(picked)[:1]:
                period, outlet = point["customdata"][0], point["customdata"][1]
                chosen = coverage.table[
                    (coverage.table["period"] == period) & (coverage.table["outlet"] == outlet)
                ]
                ids = [a for group in chosen["article_ids"] for a in group]
                st.caption(f"{escape(outlet)}, {coverage.by} of {period}: {len(ids)} article(s)")
                st.dataframe(
                    table[table["article_id"].isin(ids)][["reader", "title", "source", "published"]],
                    hide_index=True,
                    column_config={"reader": st.column_config.LinkColumn("Read", display_text="Open")},
                    key="period_articles",
                )
        if coverage.undated:
            st.caption(
                f"{coverage.undated} article(s) have no known publication date and are not on the chart."
            )

    views = saved_views_ui(settings)
    if store is not None:
        brief_ui(settings, store, views)

    st.subheader("Index")
    try:
        status = current_status(settings)
        st.write(
            f"**{escape(status.message)}** Model: `{shown_path(settings.embedding_model, settings)}`. "
            f"Corpus: `{shown_path(settings.corpus_dir, settings)}`. "
            f"Index: `{shown_path(settings.resolved_index_dir, settings)}`."
        )
        if status.built_at:
            st.caption(f"Built {status.built_at} · corpus version {status.corpus_version}")
    except DossierError as exc:
        st.error(shown_message(f"Could not check the index: {exc}", settings))
    if st.button(
        "Update the index now", key="rebuild", help="Re-reads the corpus; unchanged paragraphs are reused."
    ):
        build_with_progress(settings, "Update requested.")
