"""A folder of articles → an articles DataFrame, with a problem report for files that
could not be read.

Reads `.txt`, `.md`, `.html`/`.htm` (through trafilatura), `.pdf` (through pypdf, page by
page), `.json`/`.jsonl` (fields
title/source/url/published/text) and `.csv` (a text column), with or without a
`manifest.csv` (id, file, title, source, url, published, notes). Metadata the files do not
give stays empty: it is never invented. A bad file is reported and skipped; it never
stops the rest of the corpus from loading.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from lib.errors import BadInputError

ARTICLE_COLUMNS = [
    "article_id",
    "title",
    "source",
    "url",
    "published",
    "notes",
    "path",
    "format",
    "text",
    "content_hash",
    "published_origin",
    "published_evidence",
]
METADATA_FIELDS = ("title", "source", "url", "published", "notes")
TEXT_FIELDS = ("text", "body", "content", "articleBody", "article", "story")
SUFFIXES = {
    ".txt": "text",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".csv": "csv",
    ".pdf": "pdf",
}
MANIFEST = "manifest.csv"
BINARY = (
    "skipped: the file is binary, not text; check it is the article you meant "
    "and save it as text, HTML or PDF."
)
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class LoadProblem:
    """A file (or record) that was skipped, and why, in words a user can act on."""

    path: str
    message: str


@dataclass
class LoadedCorpus:
    """The articles that loaded, and the problems met on the way."""

    articles: pd.DataFrame
    problems: list[LoadProblem] = field(default_factory=list)


def file_stats(folders: Path | str | Sequence[Path | str]) -> tuple[tuple[str, int, int], ...]:
    """(path, modification time in ns, size) of every file `load_corpus` would look at, in
    order: a fingerprint that costs one `stat` per file, so a page can tell that nothing changed
    since the index was built without reading thousands of articles again."""
    paths = [Path(folders)] if isinstance(folders, (str, Path)) else [Path(f) for f in folders]
    stats = []
    for folder in paths:
        if not folder.is_dir():
            continue
        base = folder.resolve()  # once per folder: pages compute this on every rerun
        for path in sorted(folder.iterdir()):
            try:
                if path.is_file():
                    info = path.stat()
                    stats.append((str(base / path.name), info.st_mtime_ns, info.st_size))
            except OSError:  # removed while listed: the fingerprint differs, so the files are read
                continue
    return tuple(stats)


def load_corpus(
    folders: Path | str | Sequence[Path | str], max_bytes: int = DEFAULT_MAX_BYTES
) -> LoadedCorpus:
    """Load every readable article in one folder or several (e.g. the bundled corpus plus the
    user's uploads); not recursive, hidden files ignored. Ids must be unique across folders."""
    paths = [Path(folders)] if isinstance(folders, (str, Path)) else [Path(f) for f in folders]
    problems: list[LoadProblem] = []
    rows: list[dict[str, Any]] = []
    for folder in paths:
        if not folder.is_dir():
            raise BadInputError(f"Corpus folder '{folder}' does not exist or is not a folder.")
        rows.extend(_load_folder(folder, max_bytes, problems))
    articles = pd.DataFrame(rows, columns=ARTICLE_COLUMNS)
    duplicated = articles["article_id"].duplicated(keep="first")
    for article_id in articles.loc[duplicated, "article_id"]:
        problems.append(LoadProblem(str(article_id), "skipped: another article already has this id."))
    return LoadedCorpus(articles[~duplicated].reset_index(drop=True), problems)


def _load_folder(folder: Path, max_bytes: int, problems: list[LoadProblem]) -> list[dict[str, Any]]:
    manifest = _read_manifest(folder / MANIFEST, problems)
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == MANIFEST or not path.is_file():
            continue
        if path.suffix.lower() not in SUFFIXES:
            problems.append(
                LoadProblem(
                    path.name,
                    f"skipped: '{path.suffix}' is not a supported format ({', '.join(sorted(SUFFIXES))}).",
                )
            )
            continue
        try:
            records = list(read_article_file(path, max_bytes))
        except BadInputError as exc:
            problems.append(LoadProblem(path.name, str(exc)))
            continue
        for record in records:
            meta = manifest.get(record.pop("_key"), {})
            rows.append(_article_row(path, record, meta, problems))
    return rows


def read_article_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[dict[str, Any]]:
    """Yield one record per article in the file: text plus whatever metadata it carries.

    Raises `BadInputError` for empty, oversized, binary or unreadable files.
    """
    size = path.stat().st_size
    if size == 0:
        raise BadInputError("skipped: the file is empty.")
    if size > max_bytes:
        raise BadInputError(
            f"skipped: the file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit "
            "(raise DOSSIER_MAX_FILE_MB to load it)."
        )
    yield from parse_article_bytes(path.name, path.read_bytes())


def parse_article_bytes(name: str, data: bytes) -> Iterator[dict[str, Any]]:
    """Parse the bytes of a file called `name` into article records (see `read_article_file`)."""
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        raise BadInputError(f"skipped: '{Path(name).suffix}' is not a supported format.")
    stem = Path(name).stem
    if kind in ("text", "markdown"):
        yield _checked({"_key": name, "article_id": stem, "format": kind, "text": decode_text(data)})
    elif kind == "html":
        yield _checked({"_key": name, "article_id": stem, "format": kind, **extract_html(decode_text(data))})
    elif kind == "pdf":
        yield _checked({"_key": name, "article_id": stem, "format": kind, **extract_pdf(data)})
    elif kind == "json":
        yield from _records(name, stem, kind, _parse_json(decode_text(data)))
    elif kind == "jsonl":
        yield from _records(name, stem, kind, _parse_jsonl(decode_text(data)))
    else:
        yield from _records(name, stem, kind, _parse_csv(decode_text(data)))


def decode_text(data: bytes) -> str:
    """Bytes → text: UTF-8 when valid, else the encoding charset-normalizer detects.

    Raises `BadInputError` for binary data (NUL bytes, or no plausible text encoding).
    """
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadInputError(BINARY)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # heavy: imported on first use

    best = from_bytes(data).best()
    if best is None:
        raise BadInputError("skipped: the file's text encoding could not be recognised; save it as UTF-8.")
    text = str(best)
    if "\x00" in text:
        raise BadInputError(BINARY)
    return text


def extract_html(html: str) -> dict[str, Any]:
    """Main text and metadata of a web page, through trafilatura (menus, ads and comments dropped)."""
    from trafilatura import bare_extraction  # heavy: imported on first use

    doc: Any = bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    if doc is None or not (getattr(doc, "text", None) or "").strip():
        raise BadInputError("skipped: no article text could be found in this HTML page.")
    return {
        "text": doc.text,
        "title": doc.title or "",
        "source": doc.sitename or "",
        "url": doc.url or "",
        "published": doc.date or "",
    }


def extract_pdf(data: bytes) -> dict[str, Any]:
    """Text of a PDF, page by page (pages separated by a blank line), and its title if it has one.

    Raises `BadInputError` for files that are not PDFs, are cut off (no `%%EOF` marker),
    password-protected, damaged, or hold no text layer (a scanned image).
    """
    from pypdf import PdfReader  # heavy: imported on first use

    if b"%PDF-" not in data[:1024]:
        raise BadInputError("skipped: the file is not a PDF (no %PDF header); check its type.")
    if b"%%EOF" not in data[-2048:]:
        raise BadInputError(
            "skipped: the PDF is truncated (no end-of-file marker); download or save it again."
        )
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise BadInputError(
                "skipped: the PDF is password-protected; save an unprotected copy and add that."
            )
        pages = [(page.extract_text() or "").strip() for page in reader.pages]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except BadInputError:
        raise
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise BadInputError(
            f"skipped: the PDF is damaged and could not be read ({type(exc).__name__}); "
            "open it in a PDF viewer and save or export it again."
        ) from exc
    text = "\n\n".join(page for page in pages if page)
    if not text.strip():
        raise BadInputError(
            "skipped: the PDF has no extractable text (scanned image?); run it through OCR first."
        )
    return {"text": text, "title": str(title).strip()}


def content_hash(text: str) -> str:
    """Stable hash of an article's text: unchanged text is never embedded again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_date(value: Any) -> str:
    """An ISO `YYYY-MM-DD` string for a recognisable date, else ""."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    text = str(value).strip()
    if not text:
        return ""
    try:
        parsed = pd.to_datetime(text, errors="raise", format="mixed")
    except (ValueError, OverflowError, TypeError):
        return ""
    return "" if pd.isna(parsed) else parsed.date().isoformat()


def _read_manifest(path: Path, problems: list[LoadProblem]) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        problems.append(LoadProblem(MANIFEST, f"ignored: the manifest could not be read ({exc})."))
        return {}
    if "file" not in table.columns:
        problems.append(LoadProblem(MANIFEST, "ignored: the manifest has no 'file' column."))
        return {}
    return {row["file"]: row for row in table.to_dict("records")}


def _article_row(
    path: Path, record: dict[str, Any], meta: dict[str, str], problems: list[LoadProblem]
) -> dict[str, Any]:
    row = {column: "" for column in ARTICLE_COLUMNS}
    row.update({k: v for k, v in record.items() if k in ARTICLE_COLUMNS and v is not None})
    for key in METADATA_FIELDS:
        if str(meta.get(key, "")).strip():
            row[key] = str(meta[key]).strip()
    if str(meta.get("id", "")).strip():
        row["article_id"] = str(meta["id"]).strip()
    raw_date = row["published"]
    row["published"] = normalise_date(raw_date)
    if row["published"]:
        row["published_origin"] = "manifest" if str(meta.get("published", "")).strip() else "file"
    if raw_date and not row["published"]:
        problems.append(LoadProblem(path.name, f"'{raw_date}' is not a date: publication date left empty."))
    row = {k: str(v).strip() if k not in ("text",) else str(v) for k, v in row.items()}
    row["path"] = str(path)
    row["content_hash"] = content_hash(row["text"])
    return row


def _checked(record: dict[str, Any]) -> dict[str, Any]:
    if not str(record.get("text", "")).strip():
        raise BadInputError("skipped: the file holds no text; check it is the article you meant.")
    return record


def _records(name: str, stem: str, kind: str, items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    found = False
    for number, item in enumerate(items, start=1):
        text = next((item[f] for f in TEXT_FIELDS if isinstance(item.get(f), str) and item[f].strip()), None)
        if text is None:
            continue
        found = True
        record = {k: item.get(k, "") for k in METADATA_FIELDS}
        article_id = str(item.get("id") or (stem if len(items) == 1 else f"{stem}-{number}"))
        yield {**record, "_key": name, "article_id": article_id, "format": kind, "text": text}
    if not found:
        raise BadInputError(f"skipped: no record has a text field (one of {', '.join(TEXT_FIELDS)}).")


def _parse_json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInputError(
            f"skipped: not valid JSON ({exc.msg} at line {exc.lineno}); the file may be cut off, "
            "save or export it again."
        ) from exc
    except RecursionError as exc:
        raise BadInputError("skipped: the JSON is nested too deeply to be an article.") from exc
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]


def _parse_jsonl(text: str) -> list[dict[str, Any]]:
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInputError(f"skipped: line {number} is not valid JSON ({exc.msg}).") from exc
        except RecursionError as exc:
            raise BadInputError(f"skipped: line {number} is nested too deeply to be an article.") from exc
        if isinstance(item, dict):
            items.append(item)
    return items


def _parse_csv(text: str) -> list[dict[str, Any]]:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise BadInputError(f"skipped: not a readable CSV file ({exc}).") from exc
    if rows and not any(f in rows[0] for f in TEXT_FIELDS):
        raise BadInputError(f"skipped: the CSV has no text column (one of {', '.join(TEXT_FIELDS)}).")
    return rows
