"""Who argues what: each article's stance towards a claim, with the quotes that decide it.

For a claim, every article's most relevant paragraphs (cosine of the claim and the stored
paragraph vectors, above a floor) are labelled agree / disagree / discuss / unrelated by the
stance model trained here on FNC-1 and ARC (`lib.stance.model`; not an NLI model, see
docs/stance-model.md). An article's verdict is the stance of its most relevant related
paragraph; an article with no relevant paragraph is unrelated. Copies of one story
(lib.corpus.copies) are shown together and count once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of
from lib.corpus.paragraphs import paragraph_ordinals
from lib.errors import BadInputError
from lib.store.base import Store
from lib.text.embeddings import Encoder
from lib.text.terms import STOPWORDS

STANCES = ("agree", "disagree", "discuss")
MAX_CLAIM_CHARS = 500
PARAGRAPHS_PER_ARTICLE = 4
MIN_RELEVANCE = 0.35
VERDICT_COLUMNS = [
    "claim",
    "article_id",
    "group",
    "copies",
    "verdict",
    "confidence",
    "n_paragraphs",
    "quotes",
]
EVIDENCE_COLUMNS = [
    "claim",
    "article_id",
    "paragraph_id",
    "ordinal",
    "relevance",
    "label",
    "confidence",
    "p_agree",
    "p_disagree",
    "p_discuss",
    "p_unrelated",
    "text",
]
# Common function words of other languages met in news claims (German, French, Spanish, Italian).
_FOREIGN_WORDS = frozenset(
    "der die das und ist nicht mit von zu den des im ein eine sind wird le la les et est une du dans pour "
    "pas que qui sur au aux ont el los las y es en una por con para del il che di gli sono".split()
)
_SENTENCE = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")


class StancePredictor(Protocol):
    """What the verdict layer needs from a stance model (lib.stance.model.StanceModel)."""

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> pd.DataFrame: ...


@dataclass
class StanceResult:
    """Per-article verdicts and the labelled paragraphs behind them, for several claims."""

    verdicts: pd.DataFrame
    evidence: pd.DataFrame


def validate_claim(claim: str) -> str:
    """The claim stripped; raises `BadInputError` for an empty, over-long or non-English claim."""
    text = " ".join((claim or "").split())
    if not text:
        raise BadInputError("Type a claim, e.g. “The Singapore summit produced a meaningful agreement”.")
    if len(text) > MAX_CLAIM_CHARS:
        raise BadInputError(
            f"The claim is {len(text):,} characters long; state it in one sentence (under {MAX_CLAIM_CHARS} "
            "characters), e.g. “Sanctions relief should come before denuclearisation”."
        )
    words = re.findall(r"[^\W\d_]+", text.lower())
    letters = "".join(words)
    foreign = sum(w in _FOREIGN_WORDS for w in words)
    english = sum(w in STOPWORDS for w in words)
    if letters and (
        sum(not c.isascii() for c in letters) / len(letters) > 0.3 or (foreign >= 2 and foreign > english)
    ):
        raise BadInputError(
            "This claim does not look English. The stance model was trained on English news only: "
            "please state the claim in English."
        )
    if not words:
        raise BadInputError("The claim has no words to compare with the articles.")
    return text


def score_claims(
    store: Store,
    encoder: Encoder,
    model: StancePredictor,
    claims: Sequence[str],
    groups: pd.DataFrame | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> StanceResult:
    """Verdicts of every article on every claim (copies counted once when `groups` is given)."""
    checked = list(dict.fromkeys(validate_claim(c) for c in claims))
    verdicts, evidence = [], []
    for number, claim in enumerate(checked):
        found = relevant_paragraphs(store, encoder, claim)
        if not found.empty:
            labels = model.predict([claim] * len(found), found["text"].tolist())
            found = pd.concat([found.reset_index(drop=True), labels.reset_index(drop=True)], axis=1)
        evidence.append(found.assign(claim=claim).reindex(columns=EVIDENCE_COLUMNS))
        verdicts.append(
            article_verdicts(claim, store.articles()["article_id"].tolist(), evidence[-1], groups)
        )
        if progress:
            progress(number + 1, len(checked))
    return StanceResult(
        pd.concat(verdicts, ignore_index=True) if verdicts else pd.DataFrame(columns=VERDICT_COLUMNS),
        pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(columns=EVIDENCE_COLUMNS),
    )


def relevant_paragraphs(
    store: Store,
    encoder: Encoder,
    claim: str,
    per_article: int = PARAGRAPHS_PER_ARTICLE,
    min_relevance: float = MIN_RELEVANCE,
) -> pd.DataFrame:
    """Each article's paragraphs closest to the claim (at most `per_article`, cosine ≥ floor)."""
    paragraphs = store.paragraphs().dropna(subset=["vec_row"])
    vector = encoder.encode([claim])[0]
    scored = paragraphs.assign(relevance=store.vectors_for(paragraphs["paragraph_id"]) @ vector)
    scored = scored[scored["relevance"] >= min_relevance].sort_values("relevance", ascending=False)
    top = scored.groupby("article_id", sort=False).head(per_article)
    return top[["article_id", "paragraph_id", "ordinal", "relevance", "text"]].reset_index(drop=True)


def article_verdicts(
    claim: str, article_ids: list[str], evidence: pd.DataFrame, groups: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One verdict per article (or per copy group): the stance of its paragraph most relevant to
    the claim among those the model relates to it (the passage that addresses the claim most
    directly decides), that paragraph's probability as confidence, and up to three quotes."""
    group_of = story_of(groups)
    members: dict[str, list[str]] = {}
    for article_id in article_ids:
        members.setdefault(group_of.get(article_id, article_id), []).append(article_id)
    rows = []
    for group, ids in members.items():
        own = evidence[evidence["article_id"].isin(ids)].drop_duplicates("text")
        related = own[own["label"].isin(STANCES)] if not own.empty else own
        lead = group if group in ids else ids[0]
        row: dict[str, Any] = {
            "claim": claim,
            "article_id": lead,
            "group": group,
            "copies": [a for a in ids if a != lead],
            "n_paragraphs": len(own),
        }
        if related.empty:
            row.update(
                verdict="unrelated",
                quotes=[],
                confidence=float(own["p_unrelated"].mean()) if len(own) else 1.0,
            )
        else:
            lead_paragraph = related.sort_values("relevance", ascending=False).iloc[0]
            verdict = str(lead_paragraph["label"])
            deciding = related[related["label"] == verdict].sort_values("relevance", ascending=False).head(3)
            row.update(
                verdict=verdict,
                confidence=float(lead_paragraph[f"p_{verdict}"]),
                quotes=[quote(r, claim) for r in deciding.itertuples()],
            )
        rows.append(row)
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def quote(paragraph: Any, claim: str) -> dict[str, Any]:
    """The sentence of a paragraph that shares most words with the claim, with where it is."""
    sentences = _SENTENCE.split(paragraph.text) or [paragraph.text]
    claim_words = set(re.findall(r"\w+", claim.lower())) - STOPWORDS
    best = max(sentences, key=lambda s: len(claim_words & set(re.findall(r"\w+", s.lower()))))
    return {
        "paragraph_id": paragraph.paragraph_id,
        "article_id": paragraph.article_id,
        "ordinal": int(paragraph.ordinal),
        "label": paragraph.label,
        "confidence": round(float(paragraph.confidence), 3),
        "sentence": best,
        "start": paragraph.text.find(best),
    }


def candidate_claims(store: Store, limit: int = 8, min_articles: int = 3) -> pd.DataFrame:
    """Statements the articles diverge on: paragraphs whose nearest neighbours come from many
    different articles (a topic several articles address), best first, one per topic."""
    paragraphs = store.paragraphs().dropna(subset=["vec_row"]).reset_index(drop=True)
    if len(paragraphs) < 2:
        return pd.DataFrame(columns=["claim", "paragraph_id", "article_id", "articles"])
    vectors = store.vectors_for(paragraphs["paragraph_id"])
    similarity = vectors @ vectors.T
    articles = paragraphs["article_id"].to_numpy()
    rows = []
    for i in range(len(paragraphs)):
        close = np.where(similarity[i] >= 0.5)[0]
        others = {articles[j] for j in close} - {articles[i]}
        if len(others) + 1 < min_articles:
            continue
        sentence = max(_SENTENCE.split(paragraphs.at[i, "text"]), key=len)
        if not 6 <= len(sentence.split()) <= 35:
            continue
        rows.append(
            {
                "claim": sentence.strip(' “”"'),
                "paragraph_id": paragraphs.at[i, "paragraph_id"],
                "article_id": articles[i],
                "articles": len(others) + 1,
                "centrality": float(similarity[i, close].mean()),
                "_i": i,
            }
        )
    ranked = sorted(rows, key=lambda r: (-r["articles"], -r["centrality"]))
    chosen: list[dict[str, Any]] = []
    for row in ranked:
        if all(similarity[row["_i"], c["_i"]] < 0.6 for c in chosen):
            chosen.append(row)
        if len(chosen) == limit:
            break
    return pd.DataFrame(chosen, columns=["claim", "paragraph_id", "article_id", "articles", "centrality"])


def align_articles(
    store: Store, model: StancePredictor, left: str, right: str, min_similarity: float = 0.5
) -> pd.DataFrame:
    """Pair two articles' paragraphs by similarity (each used once, best pairs first) and mark
    each pair agreeing, contradicting or unrelated with the stance model in both directions."""
    paragraphs = store.paragraphs().dropna(subset=["vec_row"])
    a = paragraphs[paragraphs["article_id"] == left].reset_index(drop=True)
    b = paragraphs[paragraphs["article_id"] == right].reset_index(drop=True)
    if a.empty or b.empty:
        raise BadInputError("Choose two articles that both have paragraphs.")
    similarity = store.vectors_for(a["paragraph_id"]) @ store.vectors_for(b["paragraph_id"]).T
    pairs, used_a, used_b = [], set(), set()
    for flat in np.argsort(-similarity, axis=None):
        i, j = divmod(int(flat), similarity.shape[1])
        if similarity[i, j] < min_similarity:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j, float(similarity[i, j])))
    if not pairs:
        return pd.DataFrame(
            columns=["left_paragraph", "right_paragraph", "similarity", "relation", "left_text", "right_text"]
        )
    left_texts = [a.at[i, "text"] for i, _, _ in pairs]
    right_texts = [b.at[j, "text"] for _, j, _ in pairs]
    forward = model.predict(left_texts, right_texts)
    backward = model.predict(right_texts, left_texts)
    relations = [_relation(f, r) for f, r in zip(forward["label"], backward["label"], strict=True)]
    return pd.DataFrame(
        {
            "left_paragraph": [a.at[i, "paragraph_id"] for i, _, _ in pairs],
            "right_paragraph": [b.at[j, "paragraph_id"] for _, j, _ in pairs],
            "similarity": [s for _, _, s in pairs],
            "relation": relations,
            "left_text": left_texts,
            "right_text": right_texts,
        }
    ).sort_values("left_paragraph", key=paragraph_ordinals, ignore_index=True)


def _relation(forward: str, backward: str) -> str:
    labels = {forward, backward}
    if "disagree" in labels:
        return "contradicting"
    if labels & {"agree", "discuss"}:
        return "agreeing"
    return "unrelated"
