"""What a deployed dashboard is serving, for its About panel: the corpus version, how many
articles and paragraphs, the models, the store and when the index was built.

Everything comes from the index's own metadata (written by `lib.index.build.build_index`), the
settings and the stance model's metadata file, so the panel says what is live, not what the
code would build today.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata as packages
from pathlib import Path
from typing import Any

from lib.settings import Settings
from lib.text.embeddings import describe_encoder
from lib.text.nlp import DEFAULT_SPACY_MODEL

NOT_BUILT = "not built yet"


@dataclass(frozen=True)
class Fact:
    """One line of the About panel: a label and its value, as text."""

    label: str
    value: str


def about_facts(
    index_meta: Mapping[str, Any],
    settings: Settings,
    stance_meta: Mapping[str, Any],
    spacy_version: str = "",
    access: str = "open",
    read_only: bool = False,
) -> list[Fact]:
    """The About panel's facts, in display order. `index_meta` is the live index's `meta`
    (empty when no index has been built); `stance_meta` the stance model's metadata; `access`
    how visitors sign in (lib.access mode) and `read_only` whether the corpus can change."""
    built = bool(index_meta)
    store = settings.store if settings.store != "milvus" else f"milvus ({settings.milvus_index})"
    spacy = DEFAULT_SPACY_MODEL + (f" {spacy_version}" if spacy_version else "")
    stance = (
        f"{stance_meta.get('classifier', 'stance classifier')} on {stance_meta.get('encoder', '?')}"
        if stance_meta
        else "not installed"
    )
    return [
        Fact("Corpus version", str(index_meta.get("corpus_version", NOT_BUILT))),
        Fact("Articles", f"{int(index_meta['n_articles']):,}" if built else NOT_BUILT),
        Fact("Paragraphs", f"{int(index_meta['n_vectors']):,}" if built else NOT_BUILT),
        Fact("Embedding model", describe_encoder(str(index_meta.get("model", settings.embedding_model)))),
        Fact("spaCy model", spacy),
        Fact("Stance model", stance),
        Fact("Store", store),
        Fact("Index built", when_utc(str(index_meta.get("built_at", ""))) if built else NOT_BUILT),
        Fact("Sign-in", {"oidc": "OpenID Connect", "password": "shared password"}.get(access, "none (open)")),
        Fact("Corpus changes", "read-only" if read_only else "allowed"),
    ]


def when_utc(iso_time: str) -> str:
    """An ISO time in UTC as "2026-11-23 07:55 UTC" (the index records UTC); "unknown" when empty."""
    return iso_time[:16].replace("T", " ") + " UTC" if iso_time else "unknown"


def stance_metadata(model_dir: Path) -> dict[str, Any]:
    """The stance model's metadata file, or {} when the model is not installed."""
    path = Path(model_dir) / "metadata.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def installed_version(package: str) -> str:
    """The installed version of a package, or "" when it is not installed."""
    try:
        return packages.version(package)
    except packages.PackageNotFoundError:
        return ""
