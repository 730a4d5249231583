"""Dossier: the dashboard's entry point, only a router over the pages."""

import streamlit as st

st.set_page_config(page_title="Dossier", page_icon="🗂️", layout="wide")

pages = [
    st.Page("pages/home.py", title="Home", icon="🏠", default=True),
    st.Page("pages/search.py", title="Search", icon="🔎", url_path="search"),
    st.Page("pages/reader.py", title="Article reader", icon="📰", url_path="reader"),
    st.Page("pages/corpus.py", title="Corpus", icon="🗂️", url_path="corpus"),
    st.Page("pages/timeline.py", title="Timeline", icon="🗓️", url_path="timeline"),
    st.Page("pages/entities.py", title="Entities", icon="👥", url_path="entities"),
    st.Page("pages/stance.py", title="Stance", icon="⚖️", url_path="stance"),
]
st.navigation(pages).run()
