"""Corpus: add articles (uploads or pasted text), edit their metadata, delete them, see the
bundled and added articles side by side and the groups of copies among them."""

import pandas as pd
import plotly.express as px
import streamlit as st

from lib.corpus.copies import MAX_PAIR_BARS, copy_pairs
from lib.corpus.library import Library, add_files, add_text, delete_article, edit_metadata
from lib.corpus.load import SUFFIXES
from lib.corpus.titles import article_titles
from lib.errors import DossierError
from lib.text.markup import escape
from lib.web.frame import build_with_progress, page_frame
from lib.web.gate import is_read_only, shown_message, shown_path
from lib.web.loaders import get_copy_groups, get_store, library_articles
from lib.web.state import init_state, sync_url
from lib.web.widgets import download_buttons

with page_frame("corpus", needs_index=False) as (settings, _):
    library = Library.from_settings(settings)
    locked = is_read_only(settings)
    if locked:
        st.info(
            "This is a read-only deployment: articles cannot be uploaded, pasted, edited or deleted here. "
            "Ask whoever runs it to add articles."
        )
    else:
        st.caption(
            f"Added articles are stored in `{shown_path(library.user_dir, settings)}`; "
            "the bundled corpus is read-only. "
            "After every change the search index is updated (only new paragraphs are embedded)."
        )

    for kind, message in st.session_state.pop("corpus_messages", []):
        getattr(st, kind)(message)

    def finish(messages: list[tuple[str, str]], changed: bool, reason: str) -> None:
        """Update the index after a change, then rerun so the lists show it and the messages stay."""
        if changed:
            build_with_progress(settings, reason)
        st.session_state["corpus_messages"] = messages
        st.rerun()

    articles = library_articles(settings)
    titles = article_titles(articles)
    DEFAULTS = {"article": ""}
    for warning in init_state(DEFAULTS):
        st.warning(warning)
    ids = articles["article_id"].tolist()
    if "corpus_select" in st.session_state:  # set by an action before the rerun (e.g. after a delete)
        st.session_state["article"] = st.session_state.pop("corpus_select")
    if st.session_state["article"] and st.session_state["article"] not in ids:
        st.warning(f"There is no article '{escape(str(st.session_state['article']))}' here.")
        st.session_state["article"] = ""

    if not locked:  # uploads and pasted text change the corpus
        add_tab, paste_tab = st.tabs(["Upload files", "Paste text"])
        with add_tab:
            upload_key = f"upload_{st.session_state.get('upload_round', 0)}"
            uploads = st.file_uploader(
                f"Article files ({', '.join(sorted(SUFFIXES))}; up to {settings.max_file_mb} MB each)",
                accept_multiple_files=True,
                key=upload_key,
            )
            if st.button("Add the files", key="add_files", disabled=not uploads):
                outcomes = add_files(library, [(f.name, f.getvalue()) for f in uploads or []])
                messages = [
                    ("success", f"Added {escape(o.name)} as {escape(', '.join(o.article_ids))}.")
                    if o.added
                    else ("error", f"Rejected {escape(o.error)}")
                    for o in outcomes
                ]
                st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
                added = sum(o.added for o in outcomes)
                finish(messages, added > 0, f"{added} article file(s) added.")

        with paste_tab, st.form("paste", clear_on_submit=False):
            pasted = st.text_area("Article text", key="paste_text", height=200)
            left, right = st.columns(2)
            paste_title = left.text_input("Title", key="paste_title")
            paste_source = right.text_input("Source", key="paste_source")
            paste_url = left.text_input("URL", key="paste_url")
            paste_date = right.text_input("Published (YYYY-MM-DD)", key="paste_published")
            if st.form_submit_button("Add the text"):
                try:
                    article_id = add_text(library, pasted, paste_title, paste_source, paste_url, paste_date)
                except DossierError as exc:
                    st.error(shown_message(str(exc), settings))
                else:
                    finish(
                        [("success", f"Added the pasted text as {escape(article_id)}.")], True, "Text added."
                    )

    st.subheader("Articles")
    table = articles[["article_id", "title", "source", "url", "published", "origin", "format"]]
    st.dataframe(table, hide_index=True, width="stretch")
    download_buttons("the list", "articles", table, table.to_dict("records"))

    if not locked:  # edits and deletes change the corpus
        st.subheader("Edit or delete an article")
        st.selectbox(
            "Article",
            [""] + ids,
            key="article",
            format_func=lambda a: "Choose an article…" if not a else f"{a} · {titles[a]}",
        )
        sync_url(DEFAULTS)
        chosen = st.session_state["article"]
        if chosen:
            article = articles.set_index("article_id").loc[chosen]
            if article["origin"] != "user":
                st.info(
                    "This article is part of the bundled corpus, which is read-only: "
                    "it cannot be edited or deleted."
                )
            else:
                with st.form("edit"):
                    left, right = st.columns(2)
                    title = left.text_input("Title", value=article["title"], key="edit_title")
                    source = right.text_input("Source", value=article["source"], key="edit_source")
                    url = left.text_input("URL", value=article["url"], key="edit_url")
                    published = right.text_input(
                        "Published (YYYY-MM-DD)", value=article["published"], key="edit_published"
                    )
                    if st.form_submit_button("Save the metadata"):
                        try:
                            edit_metadata(
                                library, chosen, title=title, source=source, url=url, published=published
                            )
                        except DossierError as exc:
                            st.error(shown_message(str(exc), settings))
                        else:
                            finish(
                                [("success", f"Saved the metadata of {escape(chosen)}.")],
                                True,
                                "Metadata edited.",
                            )
                confirm = st.checkbox(f"Yes, delete {chosen} and its file", key="confirm_delete")
                if st.button("Delete the article", key="delete", disabled=not confirm, type="primary"):
                    try:
                        delete_article(library, chosen)
                    except DossierError as exc:
                        st.error(shown_message(str(exc), settings))
                    else:
                        st.session_state["corpus_select"] = ""
                        finish([("success", f"Deleted {escape(chosen)}.")], True, "Article deleted.")

    st.subheader("Copies and syndicated stories")
    try:
        groups = get_copy_groups(get_store(settings))
    except DossierError:
        groups = None
    pairs = copy_pairs(groups) if groups is not None else None
    if pairs is None:
        st.caption("Copies are found when the index is built (open the Home page to build it).")
    elif pairs.empty:
        st.caption("No article is a copy of another.")
    else:
        st.caption(
            "Articles whose text is mostly contained in another's: `containment` is the share of the copy's "
            "5-word sequences found in the original, `jaccard` the overlap of the two texts. "
            "Search, timeline and stance count each group once."
        )
        st.dataframe(pairs, hide_index=True, width="stretch")
        if len(pairs) <= MAX_PAIR_BARS:
            chart = px.bar(
                pairs.assign(pair=pairs["article_id"] + " → " + pairs["copy_of"]),
                x="containment",
                y="pair",
                color="kind",
                orientation="h",
                range_x=[0, 1],
                hover_data=["jaccard", "shared_shingles"],
                title="Share of each copy found in its original",
            )
        else:  # one bar per copy stops reading past a few dozen: how many copies hold how much
            chart = px.histogram(
                pairs,
                x="containment",
                color="kind",
                nbins=20,
                range_x=[0, 1],
                title=f"How much of each copy is in its original ({len(pairs):,} pairs, listed above)",
            )
            chart.update_layout(yaxis_title="pairs")
        st.plotly_chart(chart, key="copies_chart")
        sizes = groups[groups["group_size"] > 1].groupby("group")["article_id"].agg(list)
        st.dataframe(
            pd.DataFrame({"original": sizes.index, "articles": [", ".join(v) for v in sizes]}),
            hide_index=True,
        )
