"""Dossier's pages and its navigation: one list, used by `app.py` to route every request and
by any page that finds itself run outside that routing (see `ensure_navigation`)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

from lib.settings import PROJECT_DIR


@dataclass(frozen=True)
class PageSpec:
    """One page: its file under `pages/`, its title and icon in the navigation, the URL path it
    is served at ("" for the home page) and, when it differs from icon and title, its heading."""

    file: str
    title: str
    icon: str
    url_path: str
    heading: str = ""

    @property
    def page_heading(self) -> str:
        """The title the page shows at its top."""
        return self.heading or f"{self.icon} {self.title}"


PAGES: tuple[PageSpec, ...] = (
    PageSpec("pages/home.py", "Home", "🏠", "", heading="🗂️ Dossier"),
    PageSpec("pages/search.py", "Search", "🔎", "search"),
    PageSpec("pages/reader.py", "Article reader", "📰", "reader"),
    PageSpec("pages/corpus.py", "Corpus", "🗂️", "corpus"),
    PageSpec("pages/timeline.py", "Timeline", "🗓️", "timeline"),
    PageSpec("pages/entities.py", "Entities", "👥", "entities"),
    PageSpec("pages/stance.py", "Stance", "⚖️", "stance"),
)


def page_spec(url_path: str) -> PageSpec:
    """The page served at `url_path` ("" for Home)."""
    return next(spec for spec in PAGES if spec.url_path == url_path)


def navigation() -> StreamlitPage:
    """Set the page configuration and Dossier's navigation; returns the page this request asks
    for (call `.run()` on it)."""
    st.set_page_config(page_title="Dossier", page_icon="🗂️", layout="wide")
    return st.navigation(
        [
            st.Page(
                PROJECT_DIR / spec.file,
                title=spec.title,
                icon=spec.icon,
                url_path=spec.url_path or None,
                default=not spec.url_path,
            )
            for spec in PAGES
        ]
    )


def ensure_navigation() -> None:
    """Give a page run outside `app.py`'s routing Dossier's navigation and layout.

    Streamlit decides once per process, from the existence of a `pages/` folder beside the
    entry script, that the app is a legacy multipage app (`PagesManager.uses_pages_directory`);
    only a call to `st.navigation` turns that off. Until `app.py` has run once in a server,
    requests run in that legacy mode: the first visitor arriving by a shared link such as
    `/search?q=…` gets `pages/search.py` run on its own under Streamlit's automatic list of the
    folder's files, in the default narrow layout. A page that finds the legacy mode on sets
    Dossier's navigation and layout itself, which turns the legacy mode off for good, and keeps
    rendering: both routings give a URL path the same page id, and the page's own id stays the
    one its widgets are keyed by, so nothing the visitor did is lost.
    """
    if PagesManager.uses_pages_directory:
        # st.navigation makes the entry script the active one; the page's widgets stay keyed
        # by the page itself, as they are when app.py routes to it.
        with ThreadState.scoped(active_script_hash=ThreadState.get().active_script_hash):
            navigation()
