"""Stance of a text towards a claim: agree / disagree / discuss / unrelated, with probabilities.

No natural-language-inference model loads offline here, so Dossier trains its own small one on the
FNC-1 (news headline vs article) and ARC (opinion claim vs reader's post) data in `../shared/bench`.
A (claim, text) pair becomes a feature row: cosines between the claim and the text's sentences in
the offline sentence-transformer space, the claim and best-matching-sentence vectors combined, and
lexical cues (word and n-gram overlap, TF-IDF cosine, refuting, negation and hedging words). A
gradient-boosted classifier maps the row to the four classes. The artifact in `models/stance/` is
the classifier plus its TF-IDF vocabulary (a few MB); `python -m lib train-stance` rebuilds it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.errors import BadInputError, ModelLoadError
from lib.settings import PROJECT_DIR
from lib.stance import features
from lib.stance.features import feature_names, pair_features, prepare_texts
from lib.stance.fnc1 import LABELS
from lib.text.embeddings import Encoder, ProgressCallback, load_encoder

DEFAULT_MODEL_DIR = PROJECT_DIR / "models" / "stance"
MODEL_FILE = "stance_model.joblib"
METADATA_FILE = "metadata.json"
LEGACY_MODULES = {"lib.stance_model": features}
"""Module names older pickles refer to (the TF-IDF tokenizer was `lib.stance_model.tokens` before
`lib/` was divided into sub-packages), mapped to where those functions live now."""


@contextmanager
def _legacy_module_names() -> Iterator[None]:
    """While unpickling, let the old module names resolve to the current modules."""
    added = [name for name in LEGACY_MODULES if name not in sys.modules]
    sys.modules.update({name: LEGACY_MODULES[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            del sys.modules[name]


@dataclass
class StanceModel:
    """A trained stance classifier; `predict` labels (claim, text) pairs."""

    classifier: Any
    vectorizer: Any
    encoder_name: str
    metadata: dict = field(default_factory=dict)
    encoder: Encoder | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_DIR, encoder: Encoder | None = None) -> StanceModel:
        """Load a model saved by `save` (the committed one by default). `encoder` is used only if it
        is the one the model was trained with (an index's int8 encoder is not); otherwise that one
        loads on first use."""
        import joblib  # heavy: imported on first use

        folder = Path(path)
        model_file = folder / MODEL_FILE
        if not model_file.is_file():
            raise ModelLoadError(
                f"No stance model at {folder}: run `python -m lib train-stance` to build {model_file}."
            )
        try:
            with _legacy_module_names():
                parts = joblib.load(model_file)
            metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        except Exception as exc:  # unpickling fails in many ways for a damaged or foreign file
            raise ModelLoadError(
                f"The stance model at {folder} could not be read ({exc}); "
                "rebuild it with `python -m lib train-stance`."
            ) from exc
        if encoder is not None and encoder.name != metadata["encoder"]:
            encoder = None  # the classifier reads the vectors it was trained on (torch, not int8)
        return cls(parts["classifier"], parts["vectorizer"], metadata["encoder"], metadata, encoder)

    def save(self, path: Path) -> None:
        """Write the classifier and its metadata to the folder `path`."""
        import joblib  # heavy: imported on first use

        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        joblib.dump(
            {"classifier": self.classifier, "vectorizer": self.vectorizer}, folder / MODEL_FILE, compress=3
        )
        (folder / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2) + "\n", encoding="utf-8")

    def _encoder(self) -> Encoder:
        if self.encoder is None:
            self.encoder = load_encoder(self.encoder_name)
        return self.encoder

    def features(
        self,
        claims: Sequence[str],
        texts: Sequence[str],
        cache_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> np.ndarray:
        """Feature rows for the pairs (claims[k], texts[k]); each distinct text is prepared once."""
        if len(claims) != len(texts):
            raise BadInputError(f"{len(claims)} claims but {len(texts)} texts: give one claim per text.")
        encoder = self._encoder()
        if not claims:
            return np.zeros((0, len(feature_names(encoder.dim))), dtype=np.float32)
        claim_list = list(dict.fromkeys(claims))
        text_list = list(dict.fromkeys(texts))
        prepared_claims = prepare_texts(claim_list, encoder, self.vectorizer, False, cache_dir)
        prepared_texts = prepare_texts(text_list, encoder, self.vectorizer, True, cache_dir, progress)
        claim_position = {claim: i for i, claim in enumerate(claim_list)}
        text_position = {text: i for i, text in enumerate(text_list)}
        return pair_features(
            prepared_claims,
            prepared_texts,
            np.array([claim_position[claim] for claim in claims], dtype=int),
            np.array([text_position[text] for text in texts], dtype=int),
        )

    def predict_features(self, features: np.ndarray) -> pd.DataFrame:
        """Labels and class probabilities for feature rows from `features`."""
        probabilities = np.zeros((len(features), len(LABELS)))
        if len(features):
            probabilities[:, self.classifier.classes_] = self.classifier.predict_proba(features)
        best = probabilities.argmax(axis=1)
        frame = pd.DataFrame(
            {
                "label": [LABELS[i] for i in best],
                "confidence": probabilities[np.arange(len(best)), best],
            }
        )
        for i, label in enumerate(LABELS):
            frame[f"p_{label}"] = probabilities[:, i]
        return frame

    def predict(
        self,
        claims: Sequence[str],
        texts: Sequence[str],
        cache_dir: Path | None = None,
        progress: ProgressCallback | None = None,
    ) -> pd.DataFrame:
        """Stance of texts[k] towards claims[k]: columns label, confidence, p_agree, p_disagree,
        p_discuss, p_unrelated (one row per pair, in order)."""
        return self.predict_features(self.features(claims, texts, cache_dir, progress))
