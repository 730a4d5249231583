"""Sentence vectors kept on disk by content hash and model, so retraining or rescoring a data
set never encodes the same text twice."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lib.settings import PROJECT_DIR
from lib.text.embeddings import Encoder, ProgressCallback

DEFAULT_CACHE_DIR = PROJECT_DIR / ".dossier" / "cache" / "embeddings"


def _content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def encode_cached(
    encoder: Encoder,
    texts: Sequence[str],
    cache_dir: Path | None,
    progress: ProgressCallback | None = None,
) -> np.ndarray:
    """Encode `texts`, re-using vectors stored under `cache_dir` keyed by content hash and model.

    Only texts never seen with this model are encoded; the cache file grows with them. Without a
    cache folder every distinct text is encoded once.
    """
    unique = list(dict.fromkeys(texts))
    hashes = [_content_hash(text) for text in unique]
    known: dict[str, np.ndarray] = {}
    cache_file = None
    if cache_dir is not None:
        safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", encoder.name)
        cache_file = Path(cache_dir) / f"{safe_name}.npz"
        if cache_file.is_file():
            try:
                with np.load(cache_file, allow_pickle=False) as stored:
                    if stored["vectors"].shape[1] == encoder.dim:
                        known = dict(zip(stored["hashes"].tolist(), stored["vectors"], strict=True))
            except (OSError, ValueError, KeyError):
                known = {}  # a damaged cache is rebuilt, never trusted
    missing = [i for i, key in enumerate(hashes) if key not in known]
    if missing:
        new_vectors = encoder.encode([unique[i] for i in missing], batch_size=64, progress=progress)
        for i, vector in zip(missing, new_vectors, strict=True):
            known[hashes[i]] = vector
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp.npz")
            np.savez(
                temporary,
                hashes=np.array(list(known), dtype="U40"),
                vectors=np.vstack(list(known.values())).astype(np.float32),
            )
            os.replace(temporary, cache_file)
    elif progress:
        progress(len(unique), len(unique))
    by_text = {text: known[key] for text, key in zip(unique, hashes, strict=True)}
    if not texts:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return np.vstack([by_text[text] for text in texts]).astype(np.float32)
