"""Page state in the URL: widgets open on the linked view, and the address always reproduces what
is on screen (defaults left out), so any view can be shared by copying the address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import streamlit as st

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
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    return f"./{page}" + (f"?{query}" if query else "")
