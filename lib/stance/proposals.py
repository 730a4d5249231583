"""Proposed claims: statements several articles take positions on, found when the index is built
(a corpus table, `lib.index.annotators`), so the Stance page opens on them.

A paragraph is a candidate when paragraphs of at least `min_articles` - 1 other stories (copies
of one story count once) share its rarer words (TF-IDF cosine between `RELATED_SIMILARITY` and
`COPY_SIMILARITY`: the same subject, not a copied passage). The best candidates (most stories,
then the closest neighbours) are kept one per subject, and each becomes its sentence (spaCy)
that shares most with those neighbours, if it has the length of a claim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lib.corpus.copies import copy_groups, find_copies, story_of
from lib.text.nlp import parse_texts

PROPOSAL_COLUMNS = ["claim", "paragraph_id", "article_id", "articles", "centrality"]
RELATED_SIMILARITY = 0.15
COPY_SIMILARITY = 0.8
SAME_SUBJECT = 0.35
"""Two candidates this similar address one subject: only the better is kept."""
MAX_PROPOSALS = 8
MIN_ARTICLES = 3
CLAIM_WORDS = (6, 35)


def proposed_claims(
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    limit: int = MAX_PROPOSALS,
    min_articles: int = MIN_ARTICLES,
) -> pd.DataFrame:
    """`PROPOSAL_COLUMNS`, best first: the claim, the paragraph it comes from and its article,
    how many stories address it (`articles`) and the mean similarity of their paragraphs
    (`centrality`); see the module docstring."""
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
    similarity = (matrix @ matrix.T).toarray()
    story = story_of(copy_groups(find_copies(articles), articles["article_id"].tolist()))
    owners = body["article_id"].map(lambda a: story.get(a, a)).to_numpy()
    candidates = []
    for i in range(len(body)):
        close = np.flatnonzero((similarity[i] >= RELATED_SIMILARITY) & (similarity[i] < COPY_SIMILARITY))
        close = close[owners[close] != owners[i]]
        others = set(owners[close].tolist())
        if len(others) + 1 >= min_articles:
            candidates.append((len(others) + 1, float(similarity[i, close].mean()), i, close))
    candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
    chosen: list[tuple[int, float, int, np.ndarray]] = []
    for candidate in candidates:
        if all(similarity[candidate[2], c[2]] < SAME_SUBJECT for c in chosen):
            chosen.append(candidate)
        if len(chosen) == 3 * limit:
            break
    docs = parse_texts([body.at[c[2], "text"] for c in chosen])
    rows = []
    for (count, centrality, i, close), doc in zip(chosen, docs, strict=True):
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
