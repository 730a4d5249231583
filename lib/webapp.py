"""The one `lib` module that knows Streamlit: the sign-in gate and sidebar every page opens
with, cached loaders, URL-bound page state and the index check every page runs first.

Pages get shared objects from here (never from session state only `app.py` sets), so
each page also runs on its own, as `AppTest.from_file("pages/x.py")` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import streamlit as st

from lib.access import AccessPolicy, access_policy, password_matches, read_only
from lib.backends import OpenStore, open_store, publish_index
from lib.embeddings import Encoder, load_encoder
from lib.errors import DossierError, IndexCorruptError, IndexMissingError
from lib.index import IndexStatus, build_index, index_status
from lib.settings import Settings, load_settings
from lib.store import CURRENT


@st.cache_resource(show_spinner="Loading the embedding model…")
def get_encoder(name: str) -> Encoder:
    """The sentence-transformers model, loaded once per process and shared by sessions."""
    return load_encoder(name)


@st.cache_resource(show_spinner="Opening the index…", max_entries=4)
def _open_store(settings: Settings, generation: str) -> OpenStore:
    return open_store(settings)


def get_store(settings: Settings) -> OpenStore:
    """The live index in the configured store (lib.backends), reopened automatically after a
    rebuild swaps generations."""
    index_dir = settings.resolved_index_dir
    pointer = index_dir / CURRENT
    if not pointer.exists():
        raise IndexMissingError("No index has been built yet.")
    return _open_store(settings, pointer.read_text().strip())


@st.cache_data(show_spinner=False, max_entries=16)
def _status(
    corpus_dirs: tuple[str, ...], index_dir: str, model: str, max_bytes: int, signature: tuple
) -> IndexStatus:
    return index_status([Path(f) for f in corpus_dirs], Path(index_dir), model, max_bytes)


def _folder_signature(settings: Settings) -> tuple:
    """Cheap fingerprint of the corpus folder and the live generation, so the status is
    recomputed only when a file or the index changed."""
    files = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size)
        for folder in settings.corpus_dirs
        if folder.is_dir()
        for p in sorted(folder.iterdir())
        if p.is_file()
    )
    pointer = settings.resolved_index_dir / CURRENT
    return files, pointer.read_text() if pointer.exists() else ""


def current_status(settings: Settings) -> IndexStatus:
    """Whether the index can serve the configured corpus and model."""
    return _status(
        tuple(str(f) for f in settings.corpus_dirs),
        str(settings.resolved_index_dir),
        settings.embedding_model,
        settings.max_file_mb * 1024 * 1024,
        _folder_signature(settings),
    )


def build_with_progress(settings: Settings, reason: str) -> None:
    """Build or update the index, showing progress; errors are shown, not raised."""
    with st.status(f"{reason} Building the search index…", expanded=True) as status:
        bar = st.progress(0.0, text="Starting")

        def show(fraction: float, message: str) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=message)

        try:
            encoder = get_encoder(settings.embedding_model)
            report = build_index(
                settings.corpus_dirs,
                settings.resolved_index_dir,
                encoder,
                settings.batch_size,
                progress=show,
                max_bytes=settings.max_file_mb * 1024 * 1024,
            )
            publish_index(settings)
        except DossierError as exc:
            status.update(label="The index could not be built", state="error")
            st.error(str(exc))
            return
        for problem in report.problems:
            st.warning(f"Skipped {problem.path}: {problem.message}")
        status.update(
            label=f"Index ready: {report.paragraphs} paragraphs ({report.embedded} embedded, "
            f"{report.reused} reused) in {report.seconds:.1f} s",
            state="complete",
            expanded=False,
        )
    _status.clear()


def ready_store(settings: Settings | None = None) -> OpenStore | None:
    """The store, building it first (with progress) when missing, stale or damaged.

    Returns None, after telling the user why, when no usable index can be had.
    """
    settings = settings or page_settings()
    try:
        status = current_status(settings)
    except DossierError as exc:
        st.error(str(exc))
        return None
    if status.state != "ready":
        build_with_progress(settings, status.message)
    try:
        return get_store(settings)
    except (IndexMissingError, IndexCorruptError) as exc:
        st.error(
            f"{exc} Check the corpus folder ({settings.corpus_dir}) and try the Home page's build button."
        )
        return None


def page_store(settings: Settings | None = None) -> OpenStore:
    """The ready store for a page that needs one; stops the page (after `ready_store` has said
    why) when there is none."""
    store = ready_store(settings)
    if store is None:
        st.stop()
    return store


@st.cache_data(show_spinner=False, max_entries=4)
def _entities(generation: str, _store: OpenStore) -> Any:
    return _store.table("entities")


def get_entities(store: OpenStore) -> Any:
    """The index's entity mentions (lib.entities), read once per index generation."""
    return _entities(store.folder.name, store)


def page_settings() -> Settings:
    """Settings from the table and environment (shared by every page and the CLI)."""
    return load_settings()


# ---- page state in the URL -------------------------------------------------------------------

Parser = Callable[[str], Any]


def init_state(defaults: dict[str, Any], parsers: dict[str, Parser] | None = None) -> list[str]:
    """Seed `st.session_state` from the URL once per session, so widgets keyed by these names
    open on the linked view. Returns warnings for URL values that could not be used."""
    warnings = []
    parsers = parsers or {}
    for key, default in defaults.items():
        if key in st.session_state:
            continue
        if key not in st.query_params:
            st.session_state[key] = default
            continue
        try:
            if isinstance(default, list):
                st.session_state[key] = [parsers.get(key, str)(v) for v in st.query_params.get_all(key)]
            else:
                st.session_state[key] = _parse(st.query_params[key], default, parsers.get(key))
        except (ValueError, TypeError):
            st.session_state[key] = default
            warnings.append(f"Ignored the link's '{key}={st.query_params[key]}': not a valid value.")
    return warnings


def _parse(raw: str, default: Any, parser: Parser | None) -> Any:
    if parser is not None:
        return parser(raw)
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, date) or default is None and len(raw) == 10 and raw[4] == "-":
        return date.fromisoformat(raw)
    return raw


def sync_url(defaults: dict[str, Any]) -> None:
    """Write the current values of these session-state keys to the URL (defaults left out),
    so copying the address reproduces the view."""
    for key, default in defaults.items():
        value = st.session_state.get(key, default)
        if value == default or value is None or value == "" or value == []:
            if key in st.query_params:
                del st.query_params[key]
            continue
        if isinstance(value, list):
            st.query_params[key] = [str(v) for v in value]
        elif isinstance(value, date):
            st.query_params[key] = value.isoformat()
        else:
            st.query_params[key] = str(value)


def page_url(page: str, **params: Any) -> str:
    """A relative link to another page with its state in the query string (a plain link, so it
    works from any page, opened alone or through the router, and can be shared)."""
    from urllib.parse import urlencode

    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    return f"./{page}" + (f"?{query}" if query else "")


def reader_link(article_id: str, ordinal: int | None = None, label: str | None = None) -> str:
    """Markdown for a link that opens the article reader at a paragraph."""
    from lib.markup import escape

    text = label or (f"Open ¶{ordinal} in the article reader" if ordinal else "Open the article")
    return f"[{escape(text)}]({page_url('reader', article=article_id, p=ordinal)})"


def download_buttons(what: str, name: str, table: Any, records: Any, key: str = "download") -> None:
    """CSV and JSON download buttons side by side: `table` (a DataFrame, flat cells) as
    `dossier-<name>.csv`, `records` (anything JSON can hold, nested sources kept) as
    `dossier-<name>.json`; widget keys `<key>_csv` and `<key>_json`."""
    left, right = st.columns(2)
    left.download_button(
        f"Download {what} (CSV)",
        table.to_csv(index=False),
        f"dossier-{name}.csv",
        "text/csv",
        key=f"{key}_csv",
    )
    right.download_button(
        f"Download {what} (JSON)",
        json.dumps(records, ensure_ascii=False, indent=2, default=str),
        f"dossier-{name}.json",
        "application/json",
        key=f"{key}_json",
    )


def selected_points(chart_event: Any) -> list[dict[str, Any]]:
    """The points a user clicked in a plotly chart drawn with `on_select="rerun"` (none if none)."""
    selection = getattr(chart_event, "selection", None) if chart_event else None
    return list(selection.points) if selection else []


@st.cache_data(show_spinner="Looking for copies of the same story…", max_entries=4)
def _copy_groups(generation: str, _store: OpenStore) -> Any:
    from lib.copies import corpus_copy_groups

    return corpus_copy_groups(_store.articles())


def get_copy_groups(store: OpenStore) -> Any:
    """Copy groups of the corpus (lib.copies), computed once per index generation."""
    return _copy_groups(store.folder.name, store)


# ---- access: the sign-in gate and the sidebar every page shares ---------------------------------

SIGNED_IN = "dossier_signed_in"
"""Session-state flag set once the shared password was typed correctly (kept for the session)."""


def deployment_secrets() -> dict[str, Any]:
    """The secrets (`.streamlit/secrets.toml` or the hosting's secrets box); {} when none exist."""
    try:
        return st.secrets.to_dict()
    except FileNotFoundError:  # Streamlit's 'no secrets found' is one
        return {}


def is_read_only(settings: Settings | None = None) -> bool:
    """Whether this deployment refuses corpus changes (DOSSIER_READ_ONLY or secrets)."""
    return read_only((settings or page_settings()).read_only, deployment_secrets())


def require_access() -> None:
    """Stop the page unless the visitor may see it; every page calls this first.

    OIDC (`[auth]` in the secrets) shows a sign-in button that starts `st.login`; a shared
    password (`[dossier] password`) shows a form; otherwise the dashboard is open. Once in,
    the sidebar shows who is signed in, a sign-out button and the About panel.
    """
    try:
        policy = access_policy(deployment_secrets())
    except DossierError as exc:
        st.error(str(exc))
        st.stop()
    if policy.mode == "oidc":
        _oidc_gate(policy)
    elif policy.mode == "password":
        _password_gate(policy)
    _about_panel(policy)


def _oidc_gate(policy: AccessPolicy) -> None:
    # st.user has no is_logged_in key until Streamlit has seen an [auth] section; absent means out.
    if st.user.get("is_logged_in", False):
        who = st.user.get("name") or st.user.get("email") or "signed in"
        st.sidebar.caption(f"Signed in as {who}")
        if st.sidebar.button("Sign out", key="sign_out"):
            st.logout()
        return
    st.info("Sign in to open Dossier.")
    for provider in policy.providers:
        label = "Sign in" if provider is None else f"Sign in with {provider.title()}"
        if st.button(label, key=f"sign_in_{provider or 'default'}", type="primary"):
            st.login(provider)
    st.stop()


def _password_gate(policy: AccessPolicy) -> None:
    if st.session_state.get(SIGNED_IN):
        if st.sidebar.button("Sign out", key="sign_out"):
            del st.session_state[SIGNED_IN]
            st.rerun()
        return
    with st.form("sign_in"):
        typed = st.text_input("Password", type="password", key="access_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted and password_matches(typed, policy.password):
        st.session_state[SIGNED_IN] = True
        del st.session_state["access_password"]  # never keep the password itself
        st.rerun()
    if submitted:
        st.error("Wrong password")
    st.stop()


def _about_panel(policy: AccessPolicy) -> None:
    """The sidebar's About panel: what this deployment serves (lib.about)."""
    from lib.about import about_facts, installed_version, stance_metadata
    from lib.nlp import DEFAULT_SPACY_MODEL
    from lib.stance_model import DEFAULT_MODEL_DIR

    try:
        settings = page_settings()
    except DossierError:
        return  # the page reports the bad setting itself
    try:
        meta = get_store(settings).meta
    except DossierError:
        meta = {}  # no usable index yet: the page builds it
    facts = about_facts(
        meta,
        settings,
        stance_metadata(DEFAULT_MODEL_DIR),
        installed_version(DEFAULT_SPACY_MODEL),
        policy.mode,
        is_read_only(settings),
    )
    with st.sidebar.expander("About this dashboard"):
        st.text("\n".join(f"{f.label}: {f.value}" for f in facts))  # plain text: never markup
