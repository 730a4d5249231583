"""The user's article library: add files or pasted text, edit an article's metadata, delete it.

Added articles live in the user corpus folder (`settings.user_corpus_dir`), their metadata
in that folder's `manifest.csv` (the columns `lib.corpus` reads). The bundled corpus is
never modified: its articles are read-only. Every write goes to a hidden temporary file
first and is swapped in with `os.replace`, so a failed add or edit leaves no partial file
and loses nothing already stored.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from lib.corpus.load import MANIFEST, SUFFIXES, content_hash, load_corpus, normalise_date, parse_article_bytes
from lib.errors import BadInputError

if TYPE_CHECKING:
    from lib.settings import Settings

MANIFEST_COLUMNS = ["id", "file", "title", "source", "url", "published", "notes"]
EDITABLE_FIELDS = ("title", "source", "url", "published")


@dataclass(frozen=True)
class Library:
    """The bundled folder(s), read-only, and the user's folder, where additions go."""

    user_dir: Path
    bundled_dirs: tuple[Path, ...]
    max_bytes: int = 20 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings: Settings) -> Library:
        """The library the configured settings describe."""
        return cls(
            Path(settings.user_corpus_dir), (Path(settings.corpus_dir),), settings.max_file_mb * 1024**2
        )


@dataclass(frozen=True)
class AddOutcome:
    """One file offered to the library: the ids it was stored under, or why it was rejected."""

    name: str
    article_ids: tuple[str, ...] = ()
    error: str = ""

    @property
    def added(self) -> bool:
        return not self.error


def list_articles(library: Library) -> pd.DataFrame:
    """Every article, bundled and user, with an `origin` column ("bundled" or "user")."""
    folders = [d for d in library.bundled_dirs if d.is_dir()]
    if library.user_dir.is_dir():
        folders.append(library.user_dir)
    articles = load_corpus(folders, max_bytes=library.max_bytes).articles
    user = str(library.user_dir.resolve())
    articles["origin"] = [
        "user" if str(Path(p).resolve().parent) == user else "bundled" for p in articles["path"]
    ]
    return articles


def add_file(
    library: Library,
    name: str,
    data: bytes,
    title: str = "",
    source: str = "",
    url: str = "",
    published: str = "",
) -> list[str]:
    """Store a file's bytes as new article(s) and return their ids.

    Raises `BadInputError`, storing nothing, for unsupported, empty, oversized, binary,
    undecodable, truncated or text-less files, and for a copy of a stored article.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise BadInputError(
            f"'{name}': '{suffix or 'no extension'}' is not a supported type; "
            f"use one of {', '.join(sorted(SUFFIXES))}."
        )
    if not data.strip():
        raise BadInputError(f"'{name}': the file is empty; choose a file with article text.")
    if len(data) > library.max_bytes:
        raise BadInputError(
            f"'{name}': the file is {len(data) / 1e6:.1f} MB, over the {library.max_bytes / 1e6:.0f} MB "
            "limit; split it or raise DOSSIER_MAX_FILE_MB."
        )
    try:
        records = list(parse_article_bytes(name, data))
    except BadInputError as exc:
        raise BadInputError(f"'{name}': {_reason(str(exc))}") from exc
    existing = list_articles(library)
    by_hash = {
        content_hash(t.strip()): a for t, a in zip(existing["text"], existing["article_id"], strict=True)
    }
    for record in records:
        twin = by_hash.get(content_hash(str(record["text"]).strip()))
        if twin is not None:
            raise BadInputError(
                f"'{name}': the same text is already stored as article '{twin}'; "
                "edit that article's metadata instead of adding it again."
            )
    published_day = normalise_date(published)
    if published.strip() and not published_day:
        raise BadInputError(f"'{published}' is not a date: use YYYY-MM-DD.")
    article_id = unique_id(slugify(Path(name).stem), set(existing["article_id"]))
    file_name = f"{article_id}{suffix}"
    row = {"id": article_id, "file": file_name, "title": title.strip(), "source": source.strip()}
    row |= {"url": url.strip(), "published": published_day, "notes": ""}
    if len(records) > 1:
        row["id"] = ""  # each record keeps its own id (`<file>-N` or the record's id)
    library.user_dir.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(library.user_dir)
    target = library.user_dir / file_name
    _atomic_write(target, data)
    try:
        _write_manifest(library.user_dir, pd.concat([manifest, pd.DataFrame([row])], ignore_index=True))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    if len(records) == 1:
        return [article_id]
    stored = load_corpus(library.user_dir, max_bytes=library.max_bytes).articles
    return stored.loc[stored["path"] == str(target), "article_id"].tolist()


def add_text(
    library: Library, text: str, title: str = "", source: str = "", url: str = "", published: str = ""
) -> str:
    """Store pasted text as a new `.txt` article named after its title; returns its id."""
    if not text.strip():
        raise BadInputError("The pasted text is empty; paste the article's text.")
    name = f"{slugify(title) if title.strip() else 'pasted'}.txt"
    return add_file(library, name, text.encode("utf-8"), title, source, url, published)[0]


def add_files(library: Library, files: Sequence[tuple[str, bytes]], **metadata: str) -> list[AddOutcome]:
    """`add_file` for each (name, bytes); a rejected file is reported and the rest still added."""
    outcomes = []
    for name, data in files:
        try:
            outcomes.append(AddOutcome(name, tuple(add_file(library, name, data, **metadata))))
        except BadInputError as exc:
            outcomes.append(AddOutcome(name, error=str(exc)))
    return outcomes


def edit_metadata(library: Library, article_id: str, **changes: str) -> None:
    """Change a user article's title, source, url or published date (YYYY-MM-DD or empty)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise BadInputError(
            f"Only {', '.join(EDITABLE_FIELDS)} can be edited, not {', '.join(sorted(unknown))}."
        )
    path = _user_article_path(library, article_id)
    if "published" in changes:
        day = normalise_date(changes["published"])
        if changes["published"].strip() and not day:
            raise BadInputError(f"'{changes['published']}' is not a date: use YYYY-MM-DD or leave it empty.")
        changes["published"] = day
    manifest = read_manifest(library.user_dir)
    rows = manifest["file"] == path.name
    if not rows.any():
        manifest = pd.concat(
            [manifest, pd.DataFrame([{"id": article_id, "file": path.name}])], ignore_index=True
        )
        manifest = manifest.fillna("")
        rows = manifest["file"] == path.name
    for key, value in changes.items():
        manifest.loc[rows, key] = str(value).strip()
    _write_manifest(library.user_dir, manifest)


def delete_article(library: Library, article_id: str) -> None:
    """Remove a user article: its file and its manifest row. Bundled articles cannot be removed."""
    path = _user_article_path(library, article_id)
    manifest = read_manifest(library.user_dir)
    parked = path.with_name(f".deleting-{path.name}")
    os.replace(path, parked)
    try:
        _write_manifest(library.user_dir, manifest[manifest["file"] != path.name])
    except BaseException:
        os.replace(parked, path)
        raise
    parked.unlink(missing_ok=True)


def slugify(text: str) -> str:
    """A file-name-safe id: lower-case ASCII words joined by hyphens ("Kim's Visit" → "kim-s-visit")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or "article"


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, … whichever is not taken yet."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def read_manifest(folder: Path) -> pd.DataFrame:
    """The folder's manifest (all columns as text), or an empty one."""
    path = folder / MANIFEST
    if not path.exists():
        return pd.DataFrame(columns=MANIFEST_COLUMNS)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in MANIFEST_COLUMNS:
        if column not in table.columns:
            table[column] = ""
    return table


def _user_article_path(library: Library, article_id: str) -> Path:
    articles = list_articles(library)
    match = articles[articles["article_id"] == article_id]
    if match.empty:
        raise BadInputError(f"There is no article '{article_id}'; `python -m lib list` shows the ids.")
    article = match.iloc[0]
    if article["origin"] != "user":
        raise BadInputError(
            f"Article '{article_id}' is part of the bundled corpus, which is read-only; "
            "only articles you added can be edited or removed."
        )
    path = Path(article["path"])
    if (articles["path"] == article["path"]).sum() > 1:
        raise BadInputError(
            f"Article '{article_id}' is one of several stored in '{path.name}'; "
            "edit that file's records and add it again."
        )
    return path


def _reason(message: str) -> str:
    return message.removeprefix("skipped: ")


def _write_manifest(folder: Path, manifest: pd.DataFrame) -> None:
    _atomic_write(folder / MANIFEST, manifest[MANIFEST_COLUMNS].to_csv(index=False).encode("utf-8"))


def _atomic_write(target: Path, data: bytes) -> None:
    """Write `data` to `target` through a hidden temporary file in the same folder and
    `os.replace`: readers see the old file or the new one, never half of it."""
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
