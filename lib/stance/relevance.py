"""How much a sentence is about a claim, in words: the IDF-weighted share of the claim's content
words a sentence contains.

Sentence vectors alone cannot say "not addressed": in a corpus that is all about North Korea,
"He wants cooperation with North Korea (read: ... aid ...)" has a cosine of 0.65 with "Russia is
supporting North Korea". Requiring the claim's rarer words ("Russia") is what separates a
sentence that speaks to the claim from one that shares its topic. The same score ranks an FNC-1
or ARC body's sentences when the cross-encoder's training passages are built.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

import numpy as np

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
STOP_WORDS = frozenset(
    "a an the and or but if of to in on at by for with from as is are was were be been being it its this "
    "that these those he she they we you i his her their our your my me him them us there here which who "
    "whom what when where why how than then so such do does did done has have had having will would shall "
    "should can could may might must about into over under after before again further once also just very "
    "more most other some any each all both few only own same s t said says say".split()
)
"""Function words; negations are not among them (they matter for stance)."""


def words(text: str) -> list[str]:
    """Lower-case word tokens ("didn't" kept whole; curly apostrophes read as straight ones)."""
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def content_words(text: str) -> frozenset[str]:
    """The words of `text` less `STOP_WORDS`, with a plural "s" dropped ("sanctions" = "sanction")."""
    return frozenset(_singular(w) for w in words(text) if w not in STOP_WORDS)


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def fit_idf(texts: Iterable[str], min_df: int = 2) -> dict[str, float]:
    """Smoothed inverse document frequency of the content words of `texts` (words found in at
    least `min_df` texts; rarer and unseen words get `unseen_idf`)."""
    counts: dict[str, int] = {}
    n = 0
    for text in texts:
        n += 1
        for word in content_words(text):
            counts[word] = counts.get(word, 0) + 1
    return {w: round(math.log((n + 1) / (c + 1)) + 1.0, 4) for w, c in sorted(counts.items()) if c >= min_df}


def unseen_idf(idf: dict[str, float]) -> float:
    """The weight of a word the IDF table does not know: as rare as its rarest word."""
    return max(idf.values()) if idf else 1.0


def lexical_relevance(claim: str, sentences: Sequence[str], idf: dict[str, float]) -> np.ndarray:
    """Per sentence, the IDF-weighted share (0..1) of the claim's content words it contains."""
    return relevance_to_words(content_words(claim), [content_words(s) for s in sentences], idf)


def relevance_to_words(
    claim_words: frozenset[str], sentence_words: Sequence[frozenset[str]], idf: dict[str, float]
) -> np.ndarray:
    """`lexical_relevance` for sentences already reduced to their `content_words` (training
    ranks every body's sentences for many claims, so each sentence is tokenised once)."""
    if not claim_words:
        return np.zeros(len(sentence_words), dtype=np.float32)
    unseen = unseen_idf(idf)
    weight = {w: idf.get(w, unseen) for w in claim_words}
    total = sum(weight.values())
    return np.asarray(
        [sum(weight[w] for w in claim_words & found) / total for found in sentence_words], dtype=np.float32
    )


def rank_sentences(relevance: np.ndarray) -> np.ndarray:
    """Sentence indices by relevance, highest first; ties keep text order."""
    return np.argsort(-np.asarray(relevance), kind="stable")
