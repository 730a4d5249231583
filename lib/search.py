"""Hybrid paragraph search: dense cosine and BM25 keyword ranks, fused.

The ranking core is pure functions over arrays (`dense_top_k`, `fuse_ranks`) so it is
tested without a model; `search` ties them to a store and an encoder and returns a
ranked DataFrame with everything a hit needs to be shown and traced to its paragraph.
A paragraph's meaning score mixes its own cosine with its best sentence's (`meaning_scores`),
and that sentence is returned with each hit ("why this matched"). Passages that copies of one
story repeat are folded into one hit, shown from the most complete titled copy (`fold_copies`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from lib.corpus.copies import best_copies, shingles, story_of
from lib.errors import BadInputError
from lib.settings import Settings
from lib.store.base import SearchFilters, Store
from lib.text.embeddings import Encoder
from lib.text.terms import WORD, stems

Fusion = Literal["coverage", "rrf", "weighted"]
Mode = Literal["hybrid", "dense", "keyword"]
MAX_QUERY_CHARS = 2000
RRF_K = 60
HIT_COLUMNS = [
    "rank",
    "score",
    "dense_score",
    "keyword_score",
    "paragraph_id",
    "article_id",
    "ordinal",
    "title",
    "source",
    "published",
    "text",
    "also_in",
    "sentence_score",
    "sentence_start",
    "sentence_end",
]
COVERED = 0.6
"""Share of a passage's word 5-grams found in another copy's passages for it to be folded."""
SHARED_SHINGLES = 4
"""Word 5-grams (about a sentence's worth) two passages must share to be the same passage."""


@dataclass
class SearchResult:
    """A ranked hits table plus what the user should be told about it."""

    hits: pd.DataFrame
    query: str
    notes: list[str] = field(default_factory=list)
    best_similarity: float | None = None


def fuse_ranks(
    dense: pd.DataFrame, keyword: pd.DataFrame, fusion: Fusion = "rrf", keyword_weight: float = 0.5
) -> pd.DataFrame:
    """Combine two ranked lists (columns paragraph_id, score; best first) into one.

    `rrf`: reciprocal rank fusion, sum of 1/(60 + rank), robust to the two scores' scales.
    `weighted`: (1-w)·dense + w·keyword after min-max scaling each list (w = `keyword_weight`).
    Returns paragraph_id, score, dense_score, keyword_score, best first.
    """
    d = (
        dense[["paragraph_id", "score"]]
        .rename(columns={"score": "dense_score"})
        .astype({"paragraph_id": str})
    )
    kw = (
        keyword[["paragraph_id", "score"]]
        .rename(columns={"score": "keyword_score"})
        .astype({"paragraph_id": str})
    )
    d["dense_rank"] = np.arange(1, len(d) + 1)
    kw["keyword_rank"] = np.arange(1, len(kw) + 1)
    merged = d.merge(kw, on="paragraph_id", how="outer")
    if fusion == "rrf":
        merged["score"] = (1.0 / (RRF_K + merged["dense_rank"])).fillna(0) + (
            1.0 / (RRF_K + merged["keyword_rank"])
        ).fillna(0)
    else:
        merged["score"] = (1 - keyword_weight) * _minmax(merged["dense_score"]) + keyword_weight * _minmax(
            merged["keyword_score"]
        )
    merged = merged.sort_values(["score", "dense_rank"], ascending=[False, True], kind="stable")
    return merged[["paragraph_id", "score", "dense_score", "keyword_score"]].reset_index(drop=True)


def coverage(query_stems: set[str], idf: dict[str, float], paragraph_stems: list[set[str]]) -> np.ndarray:
    """Share of the query's IDF weight each paragraph contains: 1 when it has every query
    word, near 0 when it shares only common words. Rare words (names, terms) dominate."""
    total = sum(idf.get(t, 0.0) for t in query_stems)
    if total <= 0:
        return np.zeros(len(paragraph_stems))
    return np.array([sum(idf.get(t, 0.0) for t in query_stems & own) / total for own in paragraph_stems])


def fuse_coverage(
    cosine: pd.Series, coverage_share: np.ndarray, keyword_weight: float, keyword_score: pd.Series
) -> pd.DataFrame:
    """`coverage` fusion: cosine + w·coverage². Squaring keeps a few shared common words from
    outweighing meaning (paraphrases stay on top) while a paragraph holding all of the query's
    rare words rises. Inputs are aligned on a paragraph_id index."""
    scores = cosine.to_numpy() + keyword_weight * coverage_share**2
    fused = pd.DataFrame(
        {
            "paragraph_id": cosine.index,
            "score": scores,
            "dense_score": cosine.to_numpy(),
            "keyword_score": keyword_score.reindex(cosine.index).to_numpy(),
        }
    )
    return fused.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def _minmax(values: pd.Series) -> pd.Series:
    lo, hi = values.min(), values.max()
    if pd.isna(lo) or hi == lo:
        return values.notna().astype(float)
    return ((values - lo) / (hi - lo)).fillna(0.0)


def validate_query(query: str) -> str:
    """The query stripped; raises `BadInputError` for an empty or over-long query."""
    text = (query or "").strip()
    if not text:
        raise BadInputError("Type something to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise BadInputError(
            f"The query is {len(text):,} characters long; keep it under {MAX_QUERY_CHARS:,} "
            "(a sentence or a short paragraph works best)."
        )
    if not WORD.search(text):
        raise BadInputError("The query has no words to search for.")
    return text


def search(
    store: Store,
    encoder: Encoder,
    query: str,
    k: int = 10,
    filters: SearchFilters | None = None,
    mode: Mode = "hybrid",
    fusion: Fusion = "coverage",
    candidates: int = 100,
    min_similarity: float = 0.3,
    keyword_weight: float = 0.1,
    groups: pd.DataFrame | None = None,
    sentence_weight: float = 0.5,
) -> SearchResult:
    """Rank body paragraphs for `query`; filters apply before the cut. The meaning score of each
    candidate mixes in its best sentence's cosine with `sentence_weight`. With copy `groups`
    (lib.corpus.copies), a passage repeated by a copy of the same story counts once. Raises
    `BadInputError`."""
    text = validate_query(query)
    if k < 1:
        raise BadInputError("Ask for at least one result.")
    filters = filters or SearchFilters()
    pool = max(candidates, k)
    dense = keyword = pd.DataFrame({"paragraph_id": pd.Series(dtype=str), "score": pd.Series(dtype=float)})
    query_vector = encoder.encode([text]) if mode != "keyword" else None
    if query_vector is not None:
        dense = store.dense_search(query_vector, pool, filters)[0]
    if mode in ("hybrid", "keyword"):
        keyword = store.keyword_search(text, pool, filters)
    coverage_fusion = mode == "hybrid" and fusion == "coverage"
    if query_vector is not None:
        pool_ids = [*dense["paragraph_id"], *(keyword["paragraph_id"] if coverage_fusion else [])]
        meaning = meaning_scores(store, query_vector[0], list(dict.fromkeys(pool_ids)), sentence_weight)
        dense = _rescored(dense, meaning)
    if coverage_fusion and query_vector is not None:
        fused = _coverage_ranking(store, text, meaning, keyword, keyword_weight)
    else:
        fused = fuse_ranks(dense, keyword, fusion, keyword_weight)
    hits = attach_paragraphs(store, fold_copies(store, fused, groups, limit=k))
    hits = _with_best_sentences(store, hits, None if query_vector is None else query_vector[0])
    result = SearchResult(hits=hits, query=text)
    folded = sum(len(also) for also in hits["also_in"])
    if folded:
        result.notes.append(
            f"{folded} passage(s) repeated in copies of the same story were folded into the hit they repeat "
            "(listed under it), so each story counts once."
        )
    if len(dense):
        result.best_similarity = float(dense["score"].iloc[0])
    if hits.empty:
        result.notes.append(_empty_advice(filters, mode))
    elif result.best_similarity is not None and result.best_similarity < min_similarity:
        result.notes.append(
            f"No strong match: the closest paragraph has a similarity of {result.best_similarity:.2f}. "
            "Try other words, or fewer of them."
        )
    return result


def search_options(settings: Settings) -> dict[str, Any]:
    """The ranking settings every caller of `search` passes (fusion, weights, pool, threshold)."""
    return {
        "fusion": settings.fusion,
        "keyword_weight": settings.keyword_weight,
        "candidates": settings.candidates,
        "min_similarity": settings.min_similarity,
        "sentence_weight": settings.sentence_weight,
    }


def meaning_scores(
    store: Store, query_vector: np.ndarray, ids: list[str], sentence_weight: float
) -> pd.Series:
    """(1 − w)·cosine of the paragraph + w·cosine of its best sentence, for the candidates only
    (`ids`): a paragraph that says the query in one sentence among others is not diluted by them.
    w = `sentence_weight`, tuned on SciFact train (docs/search.md)."""
    if not ids:
        return pd.Series(dtype=float)
    cosine = store.vectors_for(ids) @ query_vector
    if sentence_weight <= 0:
        return pd.Series(cosine, index=ids)
    best = store.sentence_matches(query_vector, ids).set_index("paragraph_id")["sentence_score"]
    return pd.Series(
        (1 - sentence_weight) * cosine + sentence_weight * best.reindex(ids).to_numpy(), index=ids
    )


def _rescored(dense: pd.DataFrame, meaning: pd.Series) -> pd.DataFrame:
    """The dense candidates with their meaning score, best first."""
    out = dense.assign(score=meaning.reindex(dense["paragraph_id"]).to_numpy())
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def _coverage_ranking(
    store: Store, text: str, meaning: pd.Series, keyword: pd.DataFrame, keyword_weight: float
) -> pd.DataFrame:
    ids = meaning.index.tolist()
    if not ids:
        return fuse_ranks(keyword.iloc[:0], keyword, "rrf")
    texts = store.paragraphs().set_index("paragraph_id").loc[ids, "text"]
    query_stems = stems(text)
    share = coverage(query_stems, store.idf(query_stems), [stems(t) for t in texts])
    return fuse_coverage(meaning, share, keyword_weight, keyword.set_index("paragraph_id")["score"])


def _with_best_sentences(store: Store, hits: pd.DataFrame, query_vector: np.ndarray | None) -> pd.DataFrame:
    """Each hit's sentence closest to the query (score and offsets in its text): why it matched."""
    if query_vector is None or hits.empty:
        return hits
    best = store.sentence_matches(query_vector, hits["paragraph_id"]).set_index("paragraph_id")
    for column in ("sentence_score", "sentence_start", "sentence_end"):
        hits[column] = best[column].reindex(hits["paragraph_id"]).to_numpy()
    return hits


def _empty_advice(filters: SearchFilters, mode: Mode) -> str:
    relax = []
    if filters.since or filters.until:
        relax.append("widen the date range (articles without a known date are left out by it)")
    if filters.sources:
        relax.append("include more sources")
    if filters.articles:
        relax.append("include more articles")
    if filters.paragraph_ids is not None:
        relax.append("remove or change the entity filter (it keeps only paragraphs that name those entities)")
    if mode == "keyword":
        relax.append("switch to hybrid or semantic search (keyword search needs the exact words)")
    if not relax:
        return "No paragraph matches. Try other words."
    return "No paragraph matches these filters. To find more: " + "; ".join(relax) + "."


def fold_copies(
    store: Store, ranked: pd.DataFrame, groups: pd.DataFrame | None = None, limit: int | None = None
) -> pd.DataFrame:
    """Fold each passage that repeats a better-ranked one into it, listing it in `also_in`, so a
    syndicated story counts once: identical text anywhere; with copy `groups`
    (lib.corpus.copies), a passage of a copy whose words (`COVERED` of its 5-grams) are in the
    story's best copy (the most complete titled one) is shown from that copy's passages that
    hold them, or whose words are in a higher-ranked hit of another copy. A folded hit keeps
    the rank and score of the best passage it stands for. Stops after `limit` kept rows."""
    paragraphs = store.paragraphs().set_index("paragraph_id")
    order: dict[str, int] = {pid: i for i, pid in enumerate(ranked["paragraph_id"])}
    best = best_copies(store.articles(), groups) if groups is not None else {}
    group_of = story_of(groups)
    # Plain dicts, not pandas look-ups: a deep result list (400 hits) compares each hit with
    # every hit shown before it.
    article_of = dict(zip(paragraphs.index, paragraphs["article_id"].astype(str), strict=True))
    hash_of = dict(zip(paragraphs.index, paragraphs["text_hash"], strict=True))
    grams: dict[str, set[str]] = {}
    passages: dict[str, list[str]] = {}

    def grams_of(pid: str) -> set[str]:
        if pid not in grams:
            grams[pid] = shingles(str(paragraphs.at[pid, "text"]))
        return grams[pid]

    def passages_of(article: str) -> list[str]:
        if article not in passages:
            body = (paragraphs["article_id"] == article) & paragraphs["vec_row"].notna()
            passages[article] = list(paragraphs.index[body])
        return passages[article]

    def homes(pid: str, article: str) -> list[str]:
        """The best copy's passages holding this copy's passage, best-ranked first."""
        target = best.get(article, article)
        if target == article:
            return []
        own = grams_of(pid)
        shared = {p: len(own & grams_of(p)) for p in passages_of(target)}
        holding = [p for p, n in shared.items() if n >= min(SHARED_SHINGLES, len(grams_of(p)))]
        if not holding or len(own & set().union(*(grams_of(p) for p in holding))) < COVERED * len(own):
            return []
        return sorted(holding, key=lambda p: (order.get(p, len(order)), -shared[p]))

    kept: list[dict[str, Any]] = []
    shown: dict[str, int] = {}  # paragraph id → position in `kept`
    also: list[list[str]] = []
    waiting: dict[str, list[str]] = {}  # best-copy passage → folded copies to list under it
    shown_text: dict[str, int] = {}  # text hash → position of the first passage shown with it
    for row in ranked.itertuples(index=False):
        pid = str(row.paragraph_id)
        if pid in shown:
            continue
        article = article_of[pid]
        home = shown_text.get(hash_of[pid])
        places = homes(pid, article) if best else []
        if home is None and places:
            for place in places:
                waiting.setdefault(place, []).append(pid)
            home = next((shown[p] for p in places if p in shown), None)
            if home is None:
                pid = places[0]
        if home is None and group_of:
            story, own = group_of.get(article, article), grams_of(pid)
            home = next(
                (
                    at
                    for p, at in shown.items()
                    if article_of[p] != article
                    and group_of.get(article_of[p]) == story
                    and len(own & grams_of(p)) >= COVERED * len(own)
                ),
                None,
            )
        if home is not None:
            also[home].append(str(row.paragraph_id))
            continue
        if limit is not None and len(kept) == limit:
            break
        shown[pid] = len(kept)
        shown_text.setdefault(hash_of[pid], len(kept))
        kept.append(_row(row, pid))
        also.append([p for p in waiting.get(pid, []) if p != pid])
    for place, folded in waiting.items():  # a copy listed under every best-copy passage shown
        if place in shown:
            listed = also[shown[place]]
            listed.extend(p for p in folded if p not in listed and p != place)
    out = (
        pd.DataFrame(kept, columns=ranked.columns).reset_index(drop=True) if kept else ranked.iloc[:0].copy()
    )
    out["also_in"] = also
    return out


def _row(row: Any, paragraph_id: str) -> dict[str, Any]:
    """A ranked row shown as another paragraph (the best copy's passage it stands for)."""
    values = row._asdict()
    values["paragraph_id"] = paragraph_id
    return values


def attach_paragraphs(store: Store, ranked: pd.DataFrame) -> pd.DataFrame:
    """Ranked paragraph ids → hit rows with text, position and article metadata."""
    hits = ranked.reindex(columns=["paragraph_id", "score", "dense_score", "keyword_score", "also_in"])
    hits = hits.assign(rank=np.arange(1, len(hits) + 1))
    hits["also_in"] = [list(v) if isinstance(v, list) else [] for v in hits["also_in"]]
    paragraphs = store.paragraphs()[["paragraph_id", "article_id", "ordinal", "text"]]
    articles = store.articles()[["article_id", "title", "source", "published"]]
    hits = hits.merge(paragraphs, on="paragraph_id", how="left").merge(articles, on="article_id", how="left")
    for column in ("score", "dense_score", "keyword_score"):
        hits[column] = pd.to_numeric(hits[column], errors="coerce").astype(float)
    hits = hits.reindex(columns=[*hits.columns, *(c for c in HIT_COLUMNS if c not in hits.columns)])
    return hits.astype({"ordinal": int})[HIT_COLUMNS].reset_index(drop=True)


def more_like_this(
    store: Store, paragraph_id: str, k: int = 10, filters: SearchFilters | None = None
) -> pd.DataFrame:
    """Paragraphs closest to a given one (itself excluded), as hit rows."""
    vector = store.vectors_for([paragraph_id])
    found = store.dense_search(vector, k + 1, filters or SearchFilters())[0]
    found = found[found["paragraph_id"] != paragraph_id].head(k)
    ranked = found.assign(dense_score=found["score"], keyword_score=None)
    return attach_paragraphs(store, ranked)


def context(store: Store, paragraph_id: str, before: int = 1, after: int = 1) -> pd.DataFrame:
    """The paragraph with its neighbours in the same article (headings included)."""
    paragraphs = store.paragraphs()
    target = paragraphs[paragraphs["paragraph_id"] == paragraph_id]
    if target.empty:
        raise BadInputError(f"There is no paragraph '{paragraph_id}' in this index.")
    row = target.iloc[0]
    same = paragraphs[paragraphs["article_id"] == row["article_id"]]
    lo, hi = row["ordinal"] - before, row["ordinal"] + after
    return same[(same["ordinal"] >= lo) & (same["ordinal"] <= hi)].sort_values("ordinal")


def best_sentence_span(hit: Any) -> tuple[int, int] | None:
    """(start, end) of a hit's best-matching sentence in its text, None when not scored (keyword
    mode, "more like this"). `hit` is a hits row (itertuples) or record."""
    start = hit["sentence_start"] if isinstance(hit, dict) else hit.sentence_start
    end = hit["sentence_end"] if isinstance(hit, dict) else hit.sentence_end
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return None
    return int(start), int(end)


def best_sentence(hit: dict[str, Any]) -> dict[str, Any] | None:
    """A hit record's best-matching sentence as JSON: text, offsets in the paragraph, cosine."""
    span = best_sentence_span(hit)
    if span is None:
        return None
    return {
        "text": str(hit["text"])[span[0] : span[1]],
        "start": span[0],
        "end": span[1],
        "score": hit["sentence_score"],
    }


def hits_to_records(hits: pd.DataFrame) -> list[dict[str, object]]:
    """Hits as JSON-ready dicts (rank, score, article id, title, paragraph id, text, ...)."""
    return [
        {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}
        for row in hits.to_dict("records")
    ]
