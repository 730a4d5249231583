"""Who argues what: each article's verdict on a claim, decided by its sentences that speak to it.

For a claim, in every article (copies of one story pooled and counted once):
1. its paragraphs closest to the claim by the stored paragraph vectors (at most
   `paragraphs_per_article`, cosine at least `min_paragraph_relevance`);
2. their sentences (spaCy's, stored by the index build: a quote is always a whole sentence)
   that contain enough of the claim's words, each weighted by how rare it is in the corpus
   (`min_lexical`): a sentence must name what the claim is about, not just share its topic;
3. the best `sentences_per_article` of them, scored by the cross-encoder (`lib.stance.crossencoder`);
   a sentence it finds unrelated is dropped;
4. the verdict: the most confident agree-or-disagree sentence decides if its calibrated probability
   reaches the threshold, else a confident "discuss" sentence, else **not clear**; an article
   with no sentence left is **not addressed**. The deciding sentences (one to three) come with
   their probabilities and their place in the paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from lib.corpus.copies import story_of
from lib.errors import BadInputError
from lib.stance.fnc1 import RELATED
from lib.stance.sentences import SENTENCE_COLUMNS, sentence_table
from lib.store.base import Store
from lib.text.embeddings import Encoder
from lib.text.terms import STOPWORDS, stems

NOT_CLEAR = "not clear"
NOT_ADDRESSED = "not addressed"
VERDICTS = ("agree", "disagree", "discuss", NOT_CLEAR, NOT_ADDRESSED)
MAX_CLAIM_CHARS = 500
VERDICT_COLUMNS = [
    "claim",
    "article_id",
    "group",
    "copies",
    "verdict",
    "confidence",
    "p_agree",
    "p_disagree",
    "p_discuss",
    "n_sentences",
    "quotes",
]
EVIDENCE_COLUMNS = [
    "claim",
    "article_id",
    "paragraph_id",
    "ordinal",
    "start",
    "end",
    "paragraph_relevance",
    "lexical",
    "label",
    "stance",
    "stance_confidence",
    "q_agree",
    "q_disagree",
    "q_discuss",
    "p_unrelated",
    "sentence",
]
# Common function words of other languages met in news claims (German, French, Spanish, Italian).
_FOREIGN_WORDS = frozenset(
    "der die das und ist nicht mit von zu den des im ein eine sind wird le la les et est une du dans pour "
    "pas que qui sur au aux ont el los las y es en una por con para del il che di gli sono".split()
)


Progress = Callable[[float, str], None]
"""Called as `progress(fraction done, message)` while claims are scored."""


class SentenceScorer(Protocol):
    """What verdicts need from a stance model (`lib.stance.crossencoder.StanceCrossEncoder`):
    calibrated predictions with its `PREDICTION_COLUMNS`, and its "not clear" threshold."""

    @property
    def threshold(self) -> float: ...

    def predict(self, claims: Sequence[str], texts: Sequence[str]) -> pd.DataFrame: ...


@dataclass(frozen=True)
class VerdictRules:
    """The retrieval floors and the decision rule (tuned on the Dossier dev claims only)."""

    paragraphs_per_article: int = 4
    min_paragraph_relevance: float = 0.2
    min_lexical: float = 0.35
    sentences_per_article: int = 2
    threshold: float | None = None
    """Calibrated stance probability below which the verdict is "not clear"; None: the model's."""


@dataclass
class StanceResult:
    """Per-article verdicts (`VERDICT_COLUMNS`) and every scored sentence (`EVIDENCE_COLUMNS`)."""

    verdicts: pd.DataFrame
    evidence: pd.DataFrame


@dataclass
class CorpusSentences:
    """Every paragraph's sentences with their words, prepared once per index generation."""

    paragraphs: pd.DataFrame
    """Body paragraphs: article_id, paragraph_id, ordinal, text (row order = `vectors`)."""
    vectors: np.ndarray
    sentences: pd.DataFrame
    """`SENTENCE_COLUMNS` plus `row` (the paragraph's row) and `text` (the sentence)."""
    stems: list[frozenset[str]]
    """Per sentence, the stems of its words."""
    by_paragraph: dict[int, list[int]]
    """Paragraph row -> its sentence rows, in order."""


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


def _stem_set(text: str) -> frozenset[str]:
    """The stemmed content words of `text`, as the index's keyword table has them."""
    return frozenset(stems(text))


def corpus_sentences(store: Store) -> CorpusSentences:
    """The index's paragraphs, vectors and sentences (the build's `sentences` table; paragraphs
    an older index has no sentences for are split now)."""
    paragraphs = store.paragraphs().dropna(subset=["vec_row"]).reset_index(drop=True)
    paragraphs = paragraphs[["article_id", "paragraph_id", "ordinal", "text"]]
    vectors = store.vectors_for(paragraphs["paragraph_id"]) if len(paragraphs) else np.zeros((0, 1))
    stored = store.table("sentences")
    stored = stored.reindex(columns=SENTENCE_COLUMNS)
    missing = paragraphs[~paragraphs["paragraph_id"].isin(stored["paragraph_id"])]
    if len(missing):
        articles = missing[["article_id"]].drop_duplicates()
        stored = pd.concat([stored, sentence_table(articles, missing)], ignore_index=True)
    row_of = {p: i for i, p in enumerate(paragraphs["paragraph_id"])}
    sentences = stored[stored["paragraph_id"].isin(row_of)].copy()
    sentences["row"] = sentences["paragraph_id"].map(row_of).astype(int)
    sentences = sentences.sort_values(["row", "sentence"], kind="stable").reset_index(drop=True)
    texts = paragraphs["text"].to_numpy()
    sentences["text"] = [
        " ".join(texts[r][int(s) : int(e)].split())
        for r, s, e in zip(sentences["row"], sentences["start"], sentences["end"], strict=True)
    ]
    by_paragraph: dict[int, list[int]] = {}
    for i, row in enumerate(sentences["row"].tolist()):
        by_paragraph.setdefault(row, []).append(i)
    words = [_stem_set(text) for text in sentences["text"]]
    return CorpusSentences(paragraphs, vectors, sentences, words, by_paragraph)


def claim_weights(store: Store, claim: str) -> dict[str, float]:
    """The claim's word stems weighted by their rarity in the corpus's paragraphs (BM25 IDF):
    the words a sentence must contain to be about this claim rather than the corpus's topic."""
    terms = sorted(_stem_set(claim))
    return store.idf(terms) if terms else {}


def candidate_sentences(
    corpus: CorpusSentences, claim_vector: np.ndarray, weights: dict[str, float], rules: VerdictRules
) -> pd.DataFrame:
    """Every sentence of each article's `paragraphs_per_article` paragraphs closest to the claim
    (cosine at least `min_paragraph_relevance`) that holds at least `min_lexical` of the claim's
    word weight (module docstring, steps 1-2), most relevant first, with `paragraph_rank` (0 for
    the article's closest paragraph): `EVIDENCE_COLUMNS` up to `lexical`, and `sentence`."""
    paragraphs = corpus.paragraphs
    relevance = corpus.vectors @ claim_vector if len(paragraphs) else np.zeros(0)
    order = np.argsort(-relevance, kind="stable")
    order = order[relevance[order] >= rules.min_paragraph_relevance]
    top = pd.DataFrame({"row": order, "article_id": paragraphs["article_id"].to_numpy()[order]})
    top["paragraph_rank"] = top.groupby("article_id", sort=False).cumcount()
    top = top[top["paragraph_rank"] < rules.paragraphs_per_article]
    total = sum(weights.values())
    rows = []
    for row, rank in zip(top["row"].tolist(), top["paragraph_rank"].tolist(), strict=True):
        for s in corpus.by_paragraph.get(row, []):
            found = corpus.stems[s]
            lexical = sum(w for term, w in weights.items() if term in found) / total if total else 0.0
            if lexical >= rules.min_lexical:
                rows.append((s, row, rank, float(relevance[row]), round(lexical, 4)))
    columns = [*EVIDENCE_COLUMNS[1:8], "paragraph_rank", "sentence"]
    if not rows:
        return pd.DataFrame(columns=columns)
    picked = pd.DataFrame(rows, columns=["s", "row", "paragraph_rank", "paragraph_relevance", "lexical"])
    sentences = corpus.sentences.loc[picked["s"]].reset_index(drop=True)
    found = picked.assign(
        article_id=sentences["article_id"],
        paragraph_id=sentences["paragraph_id"],
        ordinal=paragraphs["ordinal"].to_numpy()[picked["row"]].astype(int),
        start=sentences["start"].astype(int),
        end=sentences["end"].astype(int),
        sentence=sentences["text"],
    )
    found = found.sort_values(["lexical", "paragraph_relevance"], ascending=False, kind="stable")
    return found.drop_duplicates(["article_id", "sentence"])[columns].reset_index(drop=True)


def select_candidates(found: pd.DataFrame, rules: VerdictRules, groups: pd.DataFrame | None) -> pd.DataFrame:
    """The candidates `rules` keep, at most `sentences_per_article` per story (copies of one story
    pooled, a sentence they share counted once), in the order `candidate_sentences` gave."""
    if found.empty:
        return found
    kept = found[
        (found["paragraph_relevance"] >= rules.min_paragraph_relevance)
        & (found["lexical"] >= rules.min_lexical)
        & (found["paragraph_rank"] < rules.paragraphs_per_article)
    ]
    group_of = story_of(groups)
    story = pd.Series([group_of.get(a, a) for a in kept["article_id"]], index=kept.index)
    kept = kept[~pd.DataFrame({"story": story, "sentence": kept["sentence"]}).duplicated()]
    return kept[
        story[kept.index].groupby(story[kept.index], sort=False).cumcount() < rules.sentences_per_article
    ]


def score_claims(
    store: Store,
    encoder: Encoder,
    model: SentenceScorer,
    claims: Sequence[str],
    groups: pd.DataFrame | None = None,
    progress: Progress | None = None,
    rules: VerdictRules = VerdictRules(),
    corpus: CorpusSentences | None = None,
) -> StanceResult:
    """Verdicts of every article (or story, when `groups` is given) on every claim.

    `corpus` is `corpus_sentences(store)` when the caller keeps it between calls;
    `progress(fraction done, what is happening)` is called as the sentences are scored.
    """
    checked = list(dict.fromkeys(validate_claim(c) for c in claims))
    corpus = corpus if corpus is not None else corpus_sentences(store)
    rules = rules if rules.threshold is not None else replace(rules, threshold=model.threshold)
    article_ids = store.articles()["article_id"].tolist()
    vectors = encoder.encode(checked) if checked else np.zeros((0, 1))
    verdicts, evidence = [], []
    for number, (claim, vector) in enumerate(zip(checked, vectors, strict=True)):
        found = candidate_sentences(corpus, vector, claim_weights(store, claim), rules)
        chosen = select_candidates(found, rules, groups)

        def report(done: int, total: int, number: int = number) -> None:
            if progress:
                share = (number + done / max(total, 1)) / len(checked)
                progress(share, f"Claim {number + 1} of {len(checked)}: scored {done} of {total} sentences")

        scored = score_sentences(model, claim, chosen, report)
        evidence.append(scored.reindex(columns=EVIDENCE_COLUMNS))
        verdicts.append(article_verdicts(claim, article_ids, scored, groups, rules))
    return StanceResult(
        pd.concat(verdicts, ignore_index=True) if verdicts else pd.DataFrame(columns=VERDICT_COLUMNS),
        pd.concat(evidence, ignore_index=True) if evidence else pd.DataFrame(columns=EVIDENCE_COLUMNS),
    )


def score_sentences(
    model: SentenceScorer,
    claim: str,
    found: pd.DataFrame,
    progress: Callable[[int, int], None] | None = None,
    batch: int = 64,
) -> pd.DataFrame:
    """The candidates with the model's predictions for (claim, sentence) and the claim, scored
    `batch` at a time with `progress(done, total)` after each."""
    sentences = found["sentence"].tolist()
    parts = [model.predict([], [])]
    for start in range(0, len(sentences), batch):
        chunk = sentences[start : start + batch]
        parts.append(model.predict([claim] * len(chunk), chunk))
        if progress:
            progress(start + len(chunk), len(sentences))
    predicted = pd.concat(parts, ignore_index=True)
    return pd.concat([found.reset_index(drop=True), predicted], axis=1).assign(claim=claim)


def article_verdicts(
    claim: str,
    article_ids: list[str],
    evidence: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    rules: VerdictRules = VerdictRules(threshold=0.5),
) -> pd.DataFrame:
    """One verdict per article or story from its scored sentences (module docstring, step 4)."""
    group_of = story_of(groups)
    members: dict[str, list[str]] = {}
    for article_id in article_ids:
        members.setdefault(group_of.get(article_id, article_id), []).append(article_id)
    by_article = dict(tuple(evidence.groupby("article_id", sort=False))) if len(evidence) else {}
    rows = []
    for group, ids in members.items():
        lead = group if group in ids else ids[0]
        own = pd.concat([by_article[a] for a in ids if a in by_article] or [evidence.iloc[:0]])
        decided = decide(own, rules.threshold if rules.threshold is not None else 0.5)
        rows.append(
            {"claim": claim, "article_id": lead, "group": group, "copies": [a for a in ids if a != lead]}
            | decided
            | {"n_sentences": len(own)}
        )
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)


def decide(scored: pd.DataFrame, threshold: float) -> dict[str, Any]:
    """Verdict, confidence, stance probabilities and quotes of one article from its scored
    sentences: the rule of the module docstring, step 4."""
    related = scored[scored["label"] != "unrelated"] if len(scored) else scored
    empty: dict[str, Any] = {"confidence": None, "p_agree": None, "p_disagree": None, "p_discuss": None}
    empty["quotes"] = []
    if related.empty:
        return {"verdict": NOT_ADDRESSED} | empty
    sided = related[related["stance"].isin(("agree", "disagree"))]
    discuss = related[related["stance"] == "discuss"]
    if len(sided) and sided["stance_confidence"].max() >= threshold:
        lead = sided.loc[sided["stance_confidence"].idxmax()]
    elif len(discuss) and discuss["stance_confidence"].max() >= threshold:
        lead = discuss.loc[discuss["stance_confidence"].idxmax()]
    else:
        lead = related.loc[related["stance_confidence"].idxmax()]
    verdict = str(lead["stance"]) if lead["stance_confidence"] >= threshold else NOT_CLEAR
    quoted = related[related["stance"] == lead["stance"]] if verdict != NOT_CLEAR else related
    quoted = quoted.sort_values("stance_confidence", ascending=False, kind="stable").head(3)
    return {
        "verdict": verdict,
        "confidence": round(float(lead["stance_confidence"]), 4),
        **{f"p_{s}": round(float(lead[f"q_{s}"]), 4) for s in RELATED},
        "quotes": [quote(row) for row in quoted.itertuples()],
    }


def quote(row: Any) -> dict[str, Any]:
    """One deciding sentence as shown and exported: where it is, what the model says of it."""
    return {
        "paragraph_id": row.paragraph_id,
        "article_id": row.article_id,
        "ordinal": int(row.ordinal),
        "start": int(row.start),
        "end": int(row.end),
        "sentence": row.sentence,
        "stance": row.stance,
        "probability": round(float(row.stance_confidence), 3),
        "p_unrelated": round(float(row.p_unrelated), 3),
    }
