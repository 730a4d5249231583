"""Saved views: a page's view (its URL path and query string, which hold all of its state) kept
under a name, per user, in a small SQLite file (`DOSSIER_VIEWS`).

Every change is one SQLite transaction, so a crash never leaves half a change. A file that is
not a sound views database (damaged, truncated, another program's) is never silently lost: it is
renamed `<name>.damaged-<time>` beside the new, empty database, and `ViewStore.set_aside` says
where it went so the page or command can tell the user.

The user is whoever signed in personally (OpenID Connect); "" is the deployment's shared views
(no sign-in, or one shared password).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qs, parse_qsl, urlencode

from lib.errors import BadInputError, DossierError

LOG = logging.getLogger("dossier.views")
MAX_NAME_CHARS = 80
COLUMNS = ["user", "name", "page", "query", "created"]
_SCHEMA = """
CREATE TABLE IF NOT EXISTS views (
    user TEXT NOT NULL,
    name TEXT NOT NULL,
    page TEXT NOT NULL,
    query TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (user, name)
)
"""
_PAGE = re.compile(r"[a-z0-9-]*")
_SIDECARS = ("-journal", "-wal", "-shm")
T = TypeVar("T")


@dataclass(frozen=True)
class SavedView:
    """A named view: the page's URL path ("" for Home), its query string, its owner ("" for the
    deployment's shared views) and when it was saved (UTC, ISO 8601)."""

    name: str
    page: str
    query: str
    user: str = ""
    created: str = ""

    @property
    def link(self) -> str:
        """A relative link that reopens the view, e.g. `./search?q=sanctions&k=5`."""
        return f"./{self.page}" + (f"?{self.query}" if self.query else "")

    @property
    def params(self) -> dict[str, list[str]]:
        """The view's query parameters, each with its values in order."""
        return parse_qs(self.query)


class DamagedViews(Exception):
    """The file is not a sound views database (internal: the store sets it aside)."""


class ViewStore:
    """The saved views in one SQLite file; each method opens it, does one transaction, closes it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.set_aside: Path | None = None
        """Where a damaged database was moved during this store's life (None: none was)."""

    def save(self, name: str, page: str, query: str, user: str = "") -> SavedView:
        """Save (or replace) the user's view called `name`; raises `BadInputError` for an empty,
        over-long or unprintable name or a malformed page path."""
        view = SavedView(
            check_name(name),
            _check_page(page),
            urlencode(parse_qsl(query, keep_blank_values=True)),
            user,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )

        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO views (user, name, page, query, created) VALUES (?, ?, ?, ?, ?)",
                (view.user, view.name, view.page, view.query, view.created),
            )

        self._run(write)
        return view

    def views(self, user: str | None = "") -> list[SavedView]:
        """The user's views, newest first (every user's when `user` is None). Listing never
        creates the file (a read-only deployment may have none)."""
        if not self.path.exists():
            return []

        def read(db: sqlite3.Connection) -> list[SavedView]:
            where, args = ("", ()) if user is None else (" WHERE user = ?", (user,))
            rows = db.execute(
                f"SELECT name, page, query, user, created FROM views{where} ORDER BY created DESC, name",
                args,
            ).fetchall()
            return [SavedView(*row) for row in rows]

        return self._run(read)

    def get(self, name: str, user: str = "") -> SavedView:
        """The user's view called `name`; `BadInputError` listing the saved names otherwise."""
        for view in self.views(user):
            if view.name == name.strip():
                return view
        names = ", ".join(f"'{v.name}'" for v in self.views(user))
        raise BadInputError(
            f"No saved view is called '{name}'."
            + (f" Saved: {names}." if names else " None is saved yet: save one from a page's sidebar.")
        )

    def delete(self, name: str, user: str = "") -> None:
        """Delete the user's view called `name`; `BadInputError` when there is none."""

        def remove(db: sqlite3.Connection) -> int:
            return db.execute("DELETE FROM views WHERE user = ? AND name = ?", (user, name)).rowcount

        if not self._run(remove):
            raise BadInputError(f"No saved view is called '{name}': nothing was deleted.")

    def _run(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        """Run `operation` in one transaction; a damaged database is set aside and the operation
        runs again on a new, empty one. A file or folder that cannot be written is a
        `BadInputError` naming the setting."""
        try:
            try:
                return self._transaction(operation)
            except DamagedViews as exc:
                self._set_aside(str(exc))
                return self._transaction(operation)
        except OSError as exc:
            raise BadInputError(
                f"Cannot use the saved views file {self.path} ({exc}): check DOSSIER_VIEWS."
            ) from exc

    def _transaction(self, operation: Callable[[sqlite3.Connection], T]) -> T:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with closing(sqlite3.connect(self.path, timeout=10)) as db:
                _check(db)
                with db:  # one transaction: committed whole, or rolled back
                    return operation(db)
        except sqlite3.OperationalError as exc:
            message = str(exc)
            if "locked" in message or "busy" in message:
                raise DossierError(
                    "The saved views are being changed by another session: try again in a moment."
                ) from exc
            if "malformed" in message or "not a database" in message:
                raise DamagedViews(message) from exc
            raise BadInputError(
                f"Cannot use the saved views file {self.path} ({message}): check DOSSIER_VIEWS."
            ) from exc
        except sqlite3.DatabaseError as exc:  # not a database, malformed, ...
            raise DamagedViews(str(exc)) from exc

    def _set_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        target = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        number = 1
        while target.exists():
            number += 1
            target = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{number}")
        self.path.replace(target)
        for suffix in _SIDECARS:  # a stale journal must never be replayed into the new database
            sidecar = self.path.with_name(self.path.name + suffix)
            if sidecar.exists():
                sidecar.replace(target.with_name(target.name + suffix))
        self.set_aside = target
        LOG.warning("saved views database %s was damaged (%s); set aside as %s", self.path, reason, target)

    @property
    def damage_note(self) -> str:
        """What to tell the user after a damaged database was set aside ("" when none was)."""
        if self.set_aside is None:
            return ""
        return (
            f"The saved views file {self.path} was damaged: it was set aside as {self.set_aside} "
            "(nothing in it was deleted) and a new, empty one was started."
        )


def _check(db: sqlite3.Connection) -> None:
    """Create the table in a new file; raise `DamagedViews` when the file fails SQLite's own
    check or holds a `views` table of another shape."""
    result = db.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise DamagedViews(f"integrity check: {result[0] if result else 'no answer'}")
    db.execute(_SCHEMA)
    columns = [row[1] for row in db.execute("PRAGMA table_info(views)")]
    if columns != COLUMNS:
        raise DamagedViews(f"unexpected columns {columns}")


def check_name(name: str) -> str:
    """A view's name stripped; `BadInputError` when empty, over-long or holding control characters."""
    text = (name or "").strip()
    if not text:
        raise BadInputError("Give the view a name, e.g. “Hanoi sanctions”.")
    if len(text) > MAX_NAME_CHARS:
        raise BadInputError(f"Keep the view's name under {MAX_NAME_CHARS} characters.")
    if any(not ch.isprintable() for ch in text):
        raise BadInputError("A view's name cannot hold line breaks or control characters.")
    return text


def _check_page(page: str) -> str:
    if not _PAGE.fullmatch(page):
        raise BadInputError(f"'{page}' is not a page of Dossier.")
    return page
