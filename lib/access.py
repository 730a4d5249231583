"""Who may open the dashboard, and whether they may change the corpus: decided from the
deployment's secrets (`.streamlit/secrets.toml`, or the secrets box of Streamlit Community
Cloud) and the settings table, without Streamlit, so the rules are tested on their own.

Three ways in, the first configured one wins:

- `oidc`: an `[auth]` section (Streamlit's OpenID Connect sign-in, `st.login`);
- `password`: `[dossier] password = "..."`, one password shared by the team;
- `open`: neither, anyone who reaches the address gets in (a local or private deployment).

Read-only deployments (`DOSSIER_READ_ONLY`, or `[dossier] read_only = true`) refuse uploads,
pasted text, metadata edits and deletes.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lib.errors import BadInputError

AccessMode = Literal["oidc", "password", "open"]


@dataclass(frozen=True)
class AccessPolicy:
    """How visitors get in: `mode`, the OIDC `providers` to offer (None is the provider
    configured directly in `[auth]`, a name one of its `[auth.<name>]` subsections), or the
    shared `password`."""

    mode: AccessMode
    providers: tuple[str | None, ...] = ()
    password: str = ""


def access_policy(secrets: Mapping[str, Any]) -> AccessPolicy:
    """The access policy configured by these secrets.

    Fails closed: a `[dossier] password` that is empty or not a string is an error, never an
    open dashboard.
    """
    auth = secrets.get("auth")
    if isinstance(auth, Mapping) and auth:
        providers = oidc_providers(auth)
        if not providers:
            raise BadInputError(
                "The [auth] secrets section names no identity provider: add client_id, client_secret and "
                "server_metadata_url to [auth] or to an [auth.<provider>] section (docs/deployment.md)."
            )
        return AccessPolicy("oidc", providers=providers)
    dossier = secrets.get("dossier")
    if isinstance(dossier, Mapping) and "password" in dossier:
        password = dossier["password"]
        if not isinstance(password, str) or not password:
            raise BadInputError(
                "The [dossier] password in the secrets is empty: set one, or remove the line to run "
                "the dashboard open."
            )
        return AccessPolicy("password", password=password)
    return AccessPolicy("open")


def oidc_providers(auth: Mapping[str, Any]) -> tuple[str | None, ...]:
    """The providers `st.login` can use: None when `[auth]` itself holds a `client_id`, then
    each `[auth.<name>]` subsection that holds one, in the order written."""
    default = (None,) if "client_id" in auth else ()
    named = tuple(name for name, value in auth.items() if isinstance(value, Mapping) and "client_id" in value)
    return default + named


def password_matches(given: str, expected: str) -> bool:
    """Whether a typed password is the shared one, in constant time (no timing hints)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def read_only(setting: bool, secrets: Mapping[str, Any]) -> bool:
    """Whether the corpus is read-only: the `DOSSIER_READ_ONLY` setting or the secrets'
    `[dossier] read_only` (either one is enough; a string "false" is not true)."""
    dossier = secrets.get("dossier")
    flag = dossier.get("read_only", False) if isinstance(dossier, Mapping) else False
    if isinstance(flag, str):
        flag = flag.strip().lower() in ("1", "true", "yes", "on")
    return bool(setting) or flag is True
