"""What the gradient-boosting stance model reads in a (claim, text) pair: sentences, cue-word
counts, word and n-gram overlap, TF-IDF and sentence-vector similarities, as one feature row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lib.stance.embedding_cache import encode_cached
from lib.text.embeddings import Encoder, ProgressCallback

MAX_SENTENCES = 80
"""Sentences of a text read by the model; later ones are ignored (bounds the cost of long texts)."""

_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\s*\n\s*")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Cue words, grouped; each group gives a count per sentence. Kept short and general on purpose.
CUES: dict[str, frozenset[str]] = {
    "refute": _word_set(
        "fake fraud hoax hoaxes false falsely deny denies denied denying debunk debunks debunked bogus "
        "untrue myth prank pranks retract retracts retracted retraction misleading fabricated incorrect "
        "refute refutes refuted disproved dismissed dismisses rejected rejects baseless satire satirical "
        "doubt doubts doubtful nonsense lie lies lying"
    ),
    "negation": _word_set(
        "not no never none nothing nobody neither nor without cannot can't don't doesn't didn't isn't "
        "aren't wasn't weren't won't wouldn't shouldn't couldn't hasn't haven't hadn't"
    ),
    "hedge": _word_set(
        "reportedly allegedly alleged purportedly purported rumor rumors rumored rumour rumours unconfirmed "
        "unverified may might could possibly apparently appears appear suggests suggest supposedly "
        "speculation speculated claim claims claimed claiming according sources report reports reported "
        "believed unclear if whether"
    ),
    "confirm": _word_set(
        "confirmed confirms confirm official officially announced announces proved proven revealed true "
        "indeed verified evidence shows showed definitely"
    ),
    "opinion_pos": _word_set(
        "agree agreed right correct absolutely exactly support supports should must best good great "
        "important benefit benefits"
    ),
    "opinion_neg": _word_set(
        "disagree wrong ridiculous absurd silly stupid misguided overrated bad worse worst harmful "
        "shouldn't mistake problem problems against"
    ),
}
_CUE_NAMES = tuple(CUES)
_STOP_WORDS: frozenset[str] = frozenset()  # filled lazily from scikit-learn's English list


def split_sentences(text: str, limit: int = MAX_SENTENCES) -> list[str]:
    """The text's sentences (and paragraph lines), at most `limit`; a blank text gives one empty string."""
    parts = [part.strip() for part in _SENTENCE_BREAK.split(text or "")]
    sentences = [part for part in parts if len(part) > 2]
    return sentences[:limit] or [(text or "").strip()]


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophe forms such as "didn't" kept whole)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def _stop_words() -> frozenset[str]:
    global _STOP_WORDS
    if not _STOP_WORDS:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # heavy: imported on first use

        _STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) - CUES["negation"] - CUES["hedge"]
    return _STOP_WORDS


@dataclass
class PreparedTexts:
    """Texts split into sentences with everything the features need, computed once per text."""

    offsets: np.ndarray
    """Sentences of text i are rows offsets[i]:offsets[i+1] of `vectors` and `cues`."""
    vectors: np.ndarray
    cues: np.ndarray
    """Per sentence, the count of each cue group (columns in `CUES` order)."""
    word_sets: list[frozenset[str]]
    """Per text, its content words (stop words removed)."""
    bigram_sets: list[frozenset[tuple[str, str]]]
    sentence_word_sets: list[frozenset[str]]
    tfidf: Any
    """Sparse L2-normalised TF-IDF rows, one per text."""


def _cue_counts(words: list[str]) -> list[int]:
    return [sum(word in CUES[name] for word in words) for name in _CUE_NAMES]


def prepare_texts(
    texts: Sequence[str],
    encoder: Encoder,
    vectorizer: Any,
    as_sentences: bool,
    cache_dir: Path | None = None,
    progress: ProgressCallback | None = None,
) -> PreparedTexts:
    """Split (when `as_sentences`), embed and tokenise `texts`; claims are kept whole."""
    stop = _stop_words()
    sentences: list[str] = []
    offsets = [0]
    for text in texts:
        parts = split_sentences(text) if as_sentences else [text.strip()]
        sentences.extend(parts)
        offsets.append(len(sentences))
    vectors = encode_cached(encoder, sentences, cache_dir, progress)
    sentence_words = [tokens(sentence) for sentence in sentences]
    cues = np.array([_cue_counts(words) for words in sentence_words], dtype=np.float32).reshape(-1, len(CUES))
    word_sets, bigram_sets = [], []
    for i in range(len(texts)):
        words = [word for s in range(offsets[i], offsets[i + 1]) for word in sentence_words[s]]
        word_sets.append(frozenset(word for word in words if word not in stop))
        bigram_sets.append(frozenset(zip(words, words[1:], strict=False)))
    return PreparedTexts(
        offsets=np.asarray(offsets),
        vectors=vectors,
        cues=cues,
        word_sets=word_sets,
        bigram_sets=bigram_sets,
        sentence_word_sets=[frozenset(w for w in words if w not in stop) for words in sentence_words],
        tfidf=vectorizer.transform(list(texts)),
    )


def _coverage(claim: frozenset, other: frozenset) -> float:
    return len(claim & other) / len(claim) if claim else 0.0


def pair_features(
    claims: PreparedTexts, texts: PreparedTexts, claim_index: np.ndarray, text_index: np.ndarray
) -> np.ndarray:
    """One feature row per (claims[claim_index[k]], texts[text_index[k]]) pair.

    Columns: similarity summaries and lexical cues (see `feature_names`), then the claim vector
    times the best-matching sentence's vector, the absolute difference of the two, and the claim
    vector times the text's mean sentence vector.
    """
    dim = claims.vectors.shape[1]
    scalar_rows = []
    interactions = np.zeros((len(claim_index), 3 * dim), dtype=np.float32)
    tfidf_cosine = np.asarray(
        claims.tfidf[claim_index].multiply(texts.tfidf[text_index]).sum(axis=1), dtype=np.float32
    ).ravel()
    n_cues = len(CUES)
    for k, (ci, ti) in enumerate(zip(claim_index, text_index, strict=True)):
        claim_vector = claims.vectors[claims.offsets[ci]]
        claim_cues = claims.cues[claims.offsets[ci]]
        start, end = texts.offsets[ti], texts.offsets[ti + 1]
        sentence_vectors = texts.vectors[start:end]
        cosines = sentence_vectors @ claim_vector
        order = np.argsort(-cosines, kind="stable")
        best = int(order[0])
        top3 = order[:3]
        cues = texts.cues[start:end]
        top_cues = cues[top3].sum(axis=0)
        claim_words = claims.word_sets[ci]
        claim_polarity = (claim_cues[0] + claim_cues[1]) % 2
        top_polarity = (top_cues[0] + top_cues[1]) % 2
        scalar_rows.append(
            [
                cosines[best],
                cosines.mean(),
                cosines[top3].mean(),
                cosines[0],
                cosines.std(),
                float(np.log1p(end - start)),
                best / max(end - start, 1),
                tfidf_cosine[k],
                _coverage(claim_words, texts.word_sets[ti]),
                len(claim_words & texts.word_sets[ti]) / max(len(claim_words | texts.word_sets[ti]), 1),
                _coverage(claim_words, texts.sentence_word_sets[start + best]),
                _coverage(claim_words, texts.sentence_word_sets[start]),
                _coverage(claims.bigram_sets[ci], texts.bigram_sets[ti]),
                float(len(claim_words)),
                float(claim_polarity == top_polarity),
                *claim_cues,
                *(cues.sum(axis=0) / (end - start)),
                *cues[best],
                *top_cues,
            ]
        )
        best_vector = sentence_vectors[best]
        mean_vector = sentence_vectors.mean(axis=0)
        interactions[k, :dim] = claim_vector * best_vector
        interactions[k, dim : 2 * dim] = np.abs(claim_vector - best_vector)
        interactions[k, 2 * dim :] = claim_vector * mean_vector
    scalars = np.asarray(scalar_rows, dtype=np.float32).reshape(len(claim_index), 15 + 4 * n_cues)
    return np.hstack([scalars, interactions])


def feature_names(dim: int) -> list[str]:
    """Names of the columns `pair_features` returns, for inspection and the metadata."""
    base = [
        "cos_max", "cos_mean", "cos_top3", "cos_first", "cos_std", "log_sentences", "best_position",
        "tfidf_cosine", "claim_word_coverage", "word_jaccard", "best_sentence_coverage",
        "first_sentence_coverage", "claim_bigram_coverage", "claim_words", "polarity_match",
    ]  # fmt: skip
    for prefix in ("claim", "text_rate", "best", "top3"):
        base += [f"{prefix}_{name}" for name in _CUE_NAMES]
    for prefix in ("prod_best", "absdiff_best", "prod_mean"):
        base += [f"{prefix}_{i}" for i in range(dim)]
    return base
