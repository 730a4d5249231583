"""Proposed claims: statements several articles take positions on, found when the index is built
(a corpus table, `lib.index.annotators`), so the Stance page opens on them.

A paragraph is a candidate when paragraphs of at least `min_articles` - 1 other stories (copies
of one story count once) share its rarer words (TF-IDF cosine between `RELATED_SIMILARITY` and
`COPY_SIMILARITY`: the same subject, not a copied passage). The best candidates (most stories,
then the closest neighbours) are kept one per subject, and each becomes its sentence (spaCy)
that shares most with those neighbours, if it has the length of a claim.

Memory and time stay bounded at thousands of articles: similarities are computed a block of
rows at a time and kept sparse (never the paragraphs × paragraphs matrix, 3.9 GB at 31,000
paragraphs), and past `MAX_CANDIDATES` paragraphs only that many, chosen by a stable hash of their
ids, are tried as candidates (each against every paragraph): a subject several stories take
positions on is in many paragraphs, so a sample still finds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of
from lib.text.nlp import parse_texts

PROPOSAL_COLUMNS = ["claim", "paragraph_id", "article_id", "articles", "centrality"]
RELATED_SIMILARITY = 0.15
COPY_SIMILARITY = 0.8
SAME_SUBJECT = 0.35
"""Two candidates this similar address one subject: only the better is kept."""
MAX_PROPOSALS = 8
MIN_ARTICLES = 3
CLAIM_WORDS = (6, 35)
MAX_CANDIDATES = 10_000
BLOCK_ENTRIES = 20_000_000
"""Similarities computed at once (rows x paragraphs): about 240 MB as a sparse block."""


def proposed_claims(
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    groups: pd.DataFrame,
    limit: int = MAX_PROPOSALS,
    min_articles: int = MIN_ARTICLES,
) -> pd.DataFrame:
    """`PROPOSAL_COLUMNS`, best first: the claim, the paragraph it comes from and its article,
    how many stories address it (`articles`) and the mean similarity of their paragraphs
    (`centrality`); copies of one story (`groups`, the build's copies table) count once. See the
    module docstring."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # heavy: imported on first use

    body = paragraphs[paragraphs.get("kind", "body") == "body"] if "kind" in paragraphs else paragraphs
    body = body[body["article_id"].isin(articles["article_id"])].reset_index(drop=True)
    if body["article_id"].nunique() < min_articles:
        return pd.DataFrame(columns=PROPOSAL_COLUMNS)
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=2, dtype=np.float32)
    try:
        matrix = vectorizer.fit_transform(body["text"])
    except ValueError:  # no word occurs twice: nothing is shared
        return pd.DataFrame(columns=PROPOSAL_COLUMNS)
    story = story_of(groups)
    owners = body["article_id"].map(lambda a: story.get(a, a)).to_numpy()
    candidates = []
    for i, close, similarities in _neighbours(matrix, _candidate_rows(body["paragraph_id"]), owners):
        stories = len(set(owners[close].tolist())) + 1
        if stories >= min_articles:
            candidates.append((stories, float(similarities.mean()), i))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    chosen: list[tuple[int, float, int]] = []
    for candidate in candidates:
        if not chosen or _similarity(matrix, candidate[2], [c[2] for c in chosen]).max() < SAME_SUBJECT:
            chosen.append(candidate)
        if len(chosen) == 3 * limit:
            break
    docs = parse_texts([body.at[c[2], "text"] for c in chosen])
    neighbours = {i: close for i, close, _ in _neighbours(matrix, np.array([c[2] for c in chosen]), owners)}
    rows = []
    for (count, centrality, i), doc in zip(chosen, docs, strict=True):
        close = neighbours[i]
        sentence = _claim_sentence(doc, vectorizer, matrix[close])
        if sentence:
            rows.append(
                (sentence, body.at[i, "paragraph_id"], body.at[i, "article_id"], count, round(centrality, 4))
            )
        if len(rows) == limit:
            break
    return pd.DataFrame(rows, columns=PROPOSAL_COLUMNS)


def _claim_sentence(doc: object, vectorizer: object, neighbours: object) -> str:
    """The paragraph's sentence of claim length closest to its neighbours' words ("" if none)."""
    sentences = [" ".join(s.text.split()).strip(' “”"') for s in doc.sents]  # type: ignore[attr-defined]
    sentences = [s for s in sentences if CLAIM_WORDS[0] <= len(s.split()) <= CLAIM_WORDS[1]]
    if not sentences:
        return ""
    centroid = np.asarray(neighbours.mean(axis=0)).ravel()  # type: ignore[attr-defined]
    scores = vectorizer.transform(sentences) @ centroid  # type: ignore[attr-defined]
    return sentences[int(np.argmax(scores))]


def _candidate_rows(paragraph_ids: pd.Series) -> np.ndarray:
    """The rows tried as candidates, in order: all of them, or past `MAX_CANDIDATES` those whose
    id hashes lowest (stable across builds, so an added article does not reshuffle the rest)."""
    if len(paragraph_ids) <= MAX_CANDIDATES:
        return np.arange(len(paragraph_ids))
    keys = pd.util.hash_pandas_object(paragraph_ids.astype(str), index=False).to_numpy()
    return np.sort(np.argsort(keys, kind="stable")[:MAX_CANDIDATES])


def _neighbours(
    matrix: Any, rows: np.ndarray, owners: np.ndarray
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """For each row: the paragraphs of other stories on the same subject (TF-IDF cosine in
    [`RELATED_SIMILARITY`, `COPY_SIMILARITY`)), in order, and their similarities; a block of
    rows at a time, sparse."""
    block_rows = max(1, BLOCK_ENTRIES // max(matrix.shape[0], 1))
    transposed = matrix.T.tocsr()
    for start in range(0, len(rows), block_rows):
        chosen = rows[start : start + block_rows]
        block = (matrix[chosen] @ transposed).tocsr()
        block.sort_indices()
        for offset, i in enumerate(chosen):
            lo, hi = block.indptr[offset], block.indptr[offset + 1]
            columns, values = block.indices[lo:hi], block.data[lo:hi]
            keep = (
                (values >= RELATED_SIMILARITY) & (values < COPY_SIMILARITY) & (owners[columns] != owners[i])
            )
            yield int(i), columns[keep], values[keep]


def _similarity(matrix: Any, row: int, others: list[int]) -> np.ndarray:
    """TF-IDF cosine of one row with a few others."""
    return np.asarray((matrix[others] @ matrix[row].T).toarray()).ravel()
