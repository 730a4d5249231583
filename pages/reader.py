"""Article reader: the cleaned article with numbered, anchored paragraphs."""

import streamlit as st

from lib.corpus.paragraphs import parse_paragraph_id
from lib.errors import DossierError
from lib.reader import article_view
from lib.text.markup import escape, highlight
from lib.web.frame import page_frame
from lib.web.loaders import get_titles
from lib.web.state import init_state, sync_url

with page_frame("reader") as (settings, store):
    articles = store.articles()
    titles = get_titles(store)
    DEFAULTS = {"article": next(iter(titles), ""), "p": 0, "q": ""}
    for warning in init_state(DEFAULTS, {"p": lambda value: parse_paragraph_id(value)[1]}):
        st.warning(warning)
    if st.session_state["article"] not in titles:
        st.warning(
            f"There is no article '{escape(str(st.session_state['article']))}' here; showing the first one."
        )
        st.session_state["article"] = DEFAULTS["article"]
        st.session_state["p"] = 0

    st.selectbox("Article", list(titles), key="article", format_func=lambda a: f"{a} · {titles[a]}")
    sync_url(DEFAULTS)
    try:
        view = article_view(store, st.session_state["article"])
    except DossierError as exc:
        st.error(str(exc))
        st.stop()

    art = view.article
    st.header(escape(titles[art["article_id"]]))
    st.caption(
        " · ".join(
            escape(x)
            for x in (
                art["source"] or "source unknown",
                art["published"] or "publication date unknown",
                art["url"] or "no URL",
            )
        )
    )
    if art["notes"]:
        st.caption(escape(art["notes"]))

    target = int(st.session_state["p"] or 0)
    if target:
        para = view.paragraph(target)
        if para is None:
            st.warning(f"This article has no paragraph ¶{target}; it has {len(view.paragraphs)}.")
        else:
            st.info(f"Linked paragraph ¶{target} is marked ▶ below.")

    query = st.session_state["q"]
    for para in view.paragraphs.itertuples():
        anchor = f"<a id='p-{para.ordinal}'></a>"
        body = highlight(para.text, query) if query else escape(para.text)
        if para.kind == "heading":
            st.markdown(f"{anchor}#### {body}", unsafe_allow_html=True)
        elif para.ordinal == target:
            with st.container(border=True, key="target_paragraph"):
                st.markdown(f"{anchor}▶ **¶{para.ordinal}** {body}", unsafe_allow_html=True)
        else:
            st.markdown(f"{anchor}<small>¶{para.ordinal}</small> {body}", unsafe_allow_html=True)

    with st.expander(f"Removed page furniture ({len(view.furniture)} lines)"):
        if view.furniture.empty:
            st.write("Nothing was removed from this article.")
        else:
            st.dataframe(view.furniture[["rule", "text", "start", "end"]], hide_index=True, key="furniture")
    with st.expander("Source text, as loaded"):
        st.text(art["text"])
