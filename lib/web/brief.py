"""The analyst's brief in the dashboard: whose saved views a visitor sees (`view_owner`), the
sidebar form every page frame draws to save the current view (`save_view_control`), and the
Home page's list of saved views (`saved_views_ui`) and "Download a brief" (`brief_ui`). The
store and the document themselves are `lib.brief`."""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from lib.about import when_utc
from lib.access import access_policy
from lib.brief.document import BRIEFABLE_PAGES, brief_request, make_brief
from lib.brief.render import render_html, render_markdown
from lib.brief.views import MAX_NAME_CHARS, SavedView, ViewStore
from lib.errors import DossierError
from lib.settings import Settings
from lib.store.factory import OpenStore
from lib.text.markup import escape
from lib.web.gate import deployment_secrets, is_read_only, shown_message
from lib.web.loaders import get_encoder, get_stance_model
from lib.web.navigation import PAGES, PageSpec

BRIEF_FILES = "brief_files"
"""Session-state key of the last brief made (its HTML and Markdown), offered for download."""
VIEWS_MESSAGE = "views_message"


def view_owner() -> str:
    """Whose saved views this visitor sees and saves: with OpenID Connect sign-in, the signed-in
    person (their email, else name); otherwise "" (with no sign-in, or one shared password,
    every visitor is the same to Dossier, so the views are the deployment's, shared by all)."""
    try:
        if access_policy(deployment_secrets()).mode != "oidc":
            return ""
    except DossierError:
        return ""
    if not st.user.get("is_logged_in", False):
        return ""
    return str(st.user.get("email") or st.user.get("name") or st.user.get("sub") or "")


def sharing_note(owner: str) -> str:
    """Who else sees the saved views, in a sentence."""
    if owner:
        return "Your saved views are yours: other signed-in people see their own."
    return "Saved views are shared by everyone who uses this dashboard (there is no personal sign-in)."


def current_query() -> str:
    """The page's query string as it is now (the page keeps all of its state there)."""
    return urlencode([(key, value) for key in st.query_params for value in st.query_params.get_all(key)])


def _damage_warning(store: ViewStore, settings: Settings, in_sidebar: bool = False) -> None:
    """Tell the visitor when the store had to set a damaged database aside."""
    if store.damage_note:
        warn = st.sidebar.warning if in_sidebar else st.warning
        warn(shown_message(store.damage_note, settings))


def save_view_control(spec: PageSpec, settings: Settings) -> None:
    """The sidebar form that saves the page's current view under a name (replacing the visitor's
    view of that name). Not on Home (it has no view to save), nor in read-only deployments."""
    if not spec.url_path or is_read_only(settings):
        return
    owner = view_owner()
    with st.sidebar.form("save_view", clear_on_submit=True):
        name = st.text_input(
            "Save this view as",
            key="save_view_name",
            max_chars=MAX_NAME_CHARS,
            placeholder="a name, e.g. Hanoi sanctions",
            help="Keeps the query, filters and selection; reopen the view from the Home page.",
        )
        submitted = st.form_submit_button("Save view")
        st.caption(sharing_note(owner))
    if not submitted:
        return
    store = ViewStore(settings.views_file)
    try:
        replaced = any(v.name == name.strip() for v in store.views(owner))
        view = store.save(name, spec.url_path, current_query(), owner)
    except DossierError as exc:
        st.sidebar.error(shown_message(str(exc), settings))
        return
    finally:
        _damage_warning(store, settings, in_sidebar=True)
    verb = "Replaced" if replaced else "Saved"
    st.sidebar.success(f"{verb} the view “{escape(view.name)}”: reopen it from the Home page.")


def saved_views_ui(settings: Settings) -> list[SavedView]:
    """The Home page's "Saved views": the visitor's views with a link that reopens each, and
    (unless read-only) a confirmed delete. Returns the views listed."""
    st.subheader("Saved views")
    if message := st.session_state.pop(VIEWS_MESSAGE, ""):
        st.success(message)
    owner, store = view_owner(), ViewStore(settings.views_file)
    try:
        views = store.views(owner)
    except DossierError as exc:
        st.error(shown_message(str(exc), settings))
        return []
    finally:
        _damage_warning(store, settings)
    if not views:
        st.caption("No saved view yet: on any page, name the view in the sidebar and save it.")
    else:
        titles = {spec.url_path: spec.title for spec in PAGES}
        table = pd.DataFrame(
            {
                "name": [v.name for v in views],
                "page": [titles.get(v.page, v.page) for v in views],
                "saved": [when_utc(v.created) for v in views],
                "open": [v.link for v in views],
            }
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config={
                "name": "Name",
                "page": "Page",
                "saved": "Saved",
                "open": st.column_config.LinkColumn("Open", display_text="Open"),
            },
            key="saved_views",
        )
        if not is_read_only(settings):
            _delete_ui(store, views, owner, settings)
    st.caption(sharing_note(owner))
    return views


def _delete_ui(store: ViewStore, views: list[SavedView], owner: str, settings: Settings) -> None:
    with st.expander("Delete a saved view"):
        chosen = st.selectbox(
            "View to delete",
            [""] + [v.name for v in views],
            key="delete_view",
            format_func=lambda name: name or "Choose a view…",
        )
        confirm = st.checkbox("Yes, delete this view", key="confirm_delete_view", disabled=not chosen)
        if st.button("Delete the view", key="delete_view_button", disabled=not (chosen and confirm)):
            try:
                store.delete(chosen, owner)
            except DossierError as exc:
                st.error(shown_message(str(exc), settings))
                return
            st.session_state[VIEWS_MESSAGE] = f"Deleted the saved view “{escape(chosen)}”."
            for key in ("delete_view", "confirm_delete_view"):
                del st.session_state[key]
            st.rerun()


def brief_ui(settings: Settings, store: OpenStore, views: list[SavedView]) -> None:
    """The Home page's "Download a brief": chosen saved views plus typed queries and claims →
    one document (lib.brief), made only when asked, offered as HTML and Markdown."""
    st.subheader("Download a brief")
    st.caption(
        "One document with the key events of the timeline, each article's stance on the claims with the "
        "deciding quotes and the top passages for each query: every statement cited and numbered, with "
        "the sources at the end."
    )
    usable = [v for v in views if v.page in BRIEFABLE_PAGES]
    with st.form("brief_form"):
        names = st.multiselect(
            "Saved views",
            [v.name for v in usable],
            key="brief_views",
            placeholder="Search, stance and timeline views",
            help="A search view gives its top passages, a stance view its claims, a timeline view its key "
            "events (without one, the whole corpus's).",
        )
        left, right = st.columns(2)
        queries = left.text_area("More queries, one per line", key="brief_queries")
        claims = right.text_area("More claims, one per line", key="brief_claims")
        make = st.form_submit_button("Make the brief", type="primary")
    if make:
        try:
            with st.spinner("Making the brief…"):
                request = brief_request(
                    [v for v in usable if v.name in names], queries.splitlines(), claims.splitlines()
                )
                model = get_stance_model(str(settings.stance_model)) if request.all_claims else None
                brief = make_brief(store, get_encoder(store.model), request, settings, model)
            st.session_state[BRIEF_FILES] = {
                "html": render_html(brief),
                "md": render_markdown(brief),
                "about": f"Made {brief.made:%H:%M} UTC: {len(brief.citations)} citations from "
                f"{len(brief.sources)} articles.",
            }
        except DossierError as exc:
            st.session_state.pop(BRIEF_FILES, None)
            st.error(shown_message(str(exc), settings))
    files = st.session_state.get(BRIEF_FILES)
    if files:
        st.caption(files["about"])
        first, second = st.columns(2)
        first.download_button(
            "Download the brief (HTML)",
            files["html"],
            "dossier-brief.html",
            "text/html",
            key="brief_html",
            on_click="ignore",
        )
        second.download_button(
            "Download the brief (Markdown)",
            files["md"],
            "dossier-brief.md",
            "text/markdown",
            key="brief_md",
            on_click="ignore",
        )
