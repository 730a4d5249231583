"""The sign-in gate every page passes first (OpenID Connect or a shared password, from the
secrets), read-only mode, and the sidebar's About panel."""

from __future__ import annotations

import logging
import math
import re
import uuid
from pathlib import Path
from typing import Any

import streamlit as st

from lib.about import about_facts, installed_version, stance_metadata
from lib.access import AccessPolicy, AttemptLog, access_policy, delay_after, password_matches, read_only
from lib.errors import DossierError
from lib.settings import PROJECT_DIR, Settings
from lib.stance.model import DEFAULT_MODEL_DIR
from lib.text.nlp import DEFAULT_SPACY_MODEL
from lib.web.loaders import get_store, page_settings

LOG = logging.getLogger("dossier.access")
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


def is_shared_deployment(settings: Settings | None = None) -> bool:
    """Whether visitors are not the person running the server: sign-in is configured or the
    corpus is read-only. Such visitors are never shown the server's folders."""
    secrets = deployment_secrets()
    try:
        policy = access_policy(secrets)
    except DossierError:
        return True
    try:
        return policy.mode != "open" or is_read_only(settings)
    except DossierError:  # the settings themselves are broken: the secrets alone decide
        return read_only(False, secrets)


_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s'\"`/]+/)*([^\s'\"`/]+)")


def shown_path(path: Path | str, settings: Settings | None = None) -> str:
    """How a server folder or file is named on a page: relative to the project when inside it,
    as is for a local user, and by its last name only to visitors of a shared deployment."""
    path = Path(path)
    if is_shared_deployment(settings):
        return path.name
    try:
        return str(path.resolve().relative_to(PROJECT_DIR))
    except ValueError:
        return str(path)


def shown_message(message: str, settings: Settings | None = None) -> str:
    """A message for the page: absolute server paths in it cut to their last name for visitors
    of a shared deployment (a local user keeps them: they say where to look)."""
    return _ABSOLUTE_PATH.sub(r"\1", message) if is_shared_deployment(settings) else message


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


@st.cache_resource
def _attempts() -> AttemptLog:
    """Wrong passwords of every session and client address of this server (one shared log)."""
    return AttemptLog()


def _attempt_keys() -> tuple[str, str]:
    """Who is trying: this session, and the client's address (all local visitors share one)."""
    if "dossier_session_key" not in st.session_state:
        st.session_state["dossier_session_key"] = uuid.uuid4().hex
    address = st.context.ip_address
    address = address if isinstance(address, str) and address else "localhost"
    return f"session:{st.session_state['dossier_session_key']}", f"address:{address}"


def _password_gate(policy: AccessPolicy) -> None:
    if st.session_state.get(SIGNED_IN):
        if st.sidebar.button("Sign out", key="sign_out"):
            del st.session_state[SIGNED_IN]
            st.rerun()
        return
    with st.form("sign_in"):
        typed = st.text_input("Password", type="password", key="access_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        st.stop()
    keys, attempts = _attempt_keys(), _attempts()
    del st.session_state["access_password"]  # never keep the password itself
    wait = attempts.wait(*keys)
    if wait > 0:
        st.error(f"Too many wrong passwords: try again in {math.ceil(wait)} s.")
        st.stop()
    if password_matches(typed, policy.password):
        attempts.succeed(*keys)
        st.session_state[SIGNED_IN] = True
        st.rerun()
    failures = attempts.fail(*keys)
    LOG.warning("wrong password (%d in a row) from %s", failures, keys[1].removeprefix("address:"))
    delay = delay_after(failures)
    st.error("Wrong password" + (f": the next attempt is possible in {math.ceil(delay)} s." if delay else ""))
    st.stop()


def _about_panel(policy: AccessPolicy) -> None:
    """The sidebar's About panel: what this deployment serves (lib.about)."""
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
