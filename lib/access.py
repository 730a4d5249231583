"""Who may open the dashboard, and whether they may change the corpus: decided from the
deployment's secrets (`.streamlit/secrets.toml`, or the secrets box of Streamlit Community
Cloud) and the settings table, without Streamlit, so the rules are tested on their own.

Three ways in, the first configured one wins:

- `oidc`: an `[auth]` section (Streamlit's OpenID Connect sign-in, `st.login`);
- `password`: `[dossier] password = "..."`, one password shared by the team;
- `open`: neither, anyone who reaches the address gets in (a local or private deployment).

Read-only deployments (`DOSSIER_READ_ONLY`, or `[dossier] read_only = true`) refuse uploads,
pasted text, metadata edits and deletes. Repeated wrong passwords are slowed down
(`delay_after`, `AttemptLog`): per session and per client address.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from time import monotonic
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


FREE_ATTEMPTS = 3
"""Wrong passwords allowed before attempts are slowed down."""
FIRST_DELAY_SECONDS = 2.0
MAX_DELAY_SECONDS = 300.0


def delay_after(failures: int) -> float:
    """Seconds to wait before the next attempt after `failures` wrong passwords in a row: none
    for the first few, then 2 s, doubling with each further failure, at most 5 minutes."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(FIRST_DELAY_SECONDS * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_SECONDS)


class AttemptLog:
    """Wrong passwords by key (a session, a client address), for slowing down guessing.

    Thread-safe: one log is shared by every session of the server (st.cache_resource). Keys
    that have not failed for an hour are forgotten, so the log stays small.
    """

    FORGET_AFTER_SECONDS = 3600.0

    def __init__(self, clock: Callable[[], float] = monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}

    def wait(self, *keys: str) -> float:
        """Seconds before any of `keys` may try again (0 when it may try now)."""
        now = self._clock()
        with self._lock:
            waits = [
                last + delay_after(failures) - now
                for key in keys
                if (entry := self._failures.get(key)) is not None
                for failures, last in [entry]
            ]
        return max([0.0, *waits])

    def fail(self, *keys: str) -> int:
        """Record a wrong password for each key; returns the highest count of failures in a row."""
        now = self._clock()
        with self._lock:
            self._failures = {
                k: v for k, v in self._failures.items() if now - v[1] < self.FORGET_AFTER_SECONDS
            }
            counts = []
            for key in keys:
                failures = self._failures.get(key, (0, now))[0] + 1
                self._failures[key] = (failures, now)
                counts.append(failures)
        return max(counts, default=0)

    def succeed(self, *keys: str) -> None:
        """The right password: these keys start afresh."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
