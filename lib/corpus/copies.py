"""Copies and syndication: articles that are exact, near or abridged copies of another.

Each article becomes a set of word 5-grams (case, punctuation and line breaks ignored, so a
hard-wrapped copy still matches). Candidate pairs come from datasketch's MinHash LSH
Ensemble, which finds sets *contained* in others (an abridged copy is mostly contained in
the full story even though their Jaccard similarity is low), so thousands of articles are
not compared pair by pair. Candidates are then measured exactly.
"""

from __future__ import annotations

import re

import pandas as pd

MAX_PAIR_BARS = 40
"""Copy pairs the Corpus page draws one bar each; beyond, a histogram of how much each copies."""

SHINGLE = 5
NUM_PERM = 128
MIN_CONTAINMENT = 0.6
NEAR_JACCARD = 0.8
EXACT_JACCARD = 0.98
PAIR_COLUMNS = ["article_id", "copy_of", "kind", "jaccard", "containment", "shared_shingles"]
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The article's word n-grams, normalised (a text shorter than n words is one shingle)."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def find_copies(articles: pd.DataFrame, min_containment: float = MIN_CONTAINMENT) -> pd.DataFrame:
    """Pairs (article_id, copy_of) where the first is a copy of the second.

    `kind` is "exact" (same text), "near" (Jaccard ≥ 0.8) or "abridged" (at least
    `min_containment` of its 5-grams are in the other, longer article); `containment` is the
    share of the copy's 5-grams found in the original, `jaccard` their overlap.
    """
    from datasketch import MinHash, MinHashLSHEnsemble  # heavy: imported on first use

    sets = {a: shingles(t) for a, t in zip(articles["article_id"], articles["text"], strict=True)}
    sets = {a: s for a, s in sets.items() if s}
    if len(sets) < 2:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    hashes = {}
    for article_id, grams in sets.items():
        minhash = MinHash(num_perm=NUM_PERM, seed=1)
        minhash.update_batch([g.encode("utf-8") for g in grams])
        hashes[article_id] = minhash
    ensemble = MinHashLSHEnsemble(threshold=min_containment * 0.8, num_perm=NUM_PERM, num_part=8)
    ensemble.index([(a, hashes[a], len(sets[a])) for a in sets])
    rows = {}
    for article_id, grams in sets.items():
        for other in ensemble.query(hashes[article_id], len(grams)):
            if other == article_id:
                continue
            shared = len(grams & sets[other])
            containment = shared / len(grams)
            jaccard = shared / len(grams | sets[other])
            if containment < min_containment:
                continue
            copy, original = _orient(article_id, other, sets, articles)
            if (copy, original) in rows or (original, copy) in rows:
                continue
            kind = "exact" if jaccard >= EXACT_JACCARD else "near" if jaccard >= NEAR_JACCARD else "abridged"
            rows[(copy, original)] = {
                "article_id": copy,
                "copy_of": original,
                "kind": kind,
                "jaccard": round(jaccard, 3),
                "containment": round(shared / len(sets[copy]), 3),
                "shared_shingles": shared,
            }
    return pd.DataFrame(list(rows.values()), columns=PAIR_COLUMNS).sort_values(
        ["copy_of", "article_id"], ignore_index=True
    )


def _orient(a: str, b: str, sets: dict[str, set[str]], articles: pd.DataFrame) -> tuple[str, str]:
    """(copy, original): the shorter text is the copy; ties go to the later id."""
    if len(sets[a]) != len(sets[b]):
        return (a, b) if len(sets[a]) < len(sets[b]) else (b, a)
    return (max(a, b), min(a, b))


COPY_TABLE_COLUMNS = ["article_id", "group", "group_size", *PAIR_COLUMNS[1:]]


def copy_table(articles: pd.DataFrame, paragraphs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every article, once, with its copy group (`copy_groups`) and, for a copy, what it copies and
    how closely (`find_copies`, its pair with the group's original; empty for originals): the
    table the index stores once per build, so pages and commands never recompute it.
    (`paragraphs` is unused: corpus tables all take it.)"""
    pairs = find_copies(articles)
    groups = copy_groups(pairs, articles["article_id"].tolist())
    return groups.merge(_one_pair_per_copy(pairs, groups), on="article_id", how="left")[COPY_TABLE_COLUMNS]


def _one_pair_per_copy(pairs: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Each copy's pair with its group's representative, or when it has none its closest pair:
    46 versions of one wire story are 1,035 pairs, and the table keeps one row per article."""
    representative = dict(zip(groups["article_id"], groups["group"], strict=True))
    ranked = pairs.assign(_other=pairs["copy_of"] != pairs["article_id"].map(representative))
    ranked = ranked.sort_values(
        ["article_id", "_other", "containment", "jaccard", "copy_of"],
        ascending=[True, True, False, False, True],
        kind="stable",
    )
    return ranked.drop_duplicates("article_id").drop(columns="_other")


def copy_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """The (copy, original) pairs of a `copy_table`, as `find_copies` gives them."""
    pairs = table.dropna(subset=["copy_of"])[PAIR_COLUMNS].reset_index(drop=True)
    return pairs.astype({"shared_shingles": int})


def story_of(groups: pd.DataFrame | None) -> dict[str, str]:
    """Article id → the id of its story (its copy group's representative); {} when copies are
    counted separately. Look an article up with `.get(a, a)`: an article absent is its own story."""
    if groups is None:
        return {}
    return dict(zip(groups["article_id"], groups["group"], strict=True))


def best_copies(articles: pd.DataFrame, groups: pd.DataFrame | None) -> dict[str, str]:
    """Article id → the copy of its story a reader should see: the most complete titled one
    (titled before untitled, then the longest text, then the smallest id). {} without groups."""
    if groups is None or groups.empty:
        return {}
    info = articles.set_index("article_id")
    ranked = groups.assign(
        titled=[
            bool(str(info.at[a, "title"] or "").strip()) if a in info.index else False
            for a in groups["article_id"]
        ],
        length=[len(str(info.at[a, "text"] or "")) if a in info.index else 0 for a in groups["article_id"]],
    ).sort_values(["group", "titled", "length", "article_id"], ascending=[True, False, False, True])
    first = ranked.drop_duplicates("group").set_index("group")["article_id"]
    return {a: str(first[g]) for a, g in zip(groups["article_id"], groups["group"], strict=True)}


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def copy_groups(pairs: pd.DataFrame, article_ids: list[str]) -> pd.DataFrame:
    """Every article with its group (copies joined transitively) and the group's
    representative: the original that the others copy (the most complete text)."""
    parent = {a: a for a in article_ids}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for copy, original in zip(pairs["article_id"], pairs["copy_of"], strict=True):
        if copy in parent and original in parent:
            parent[root(copy)] = root(original)
    copies = set(pairs["article_id"])
    groups: dict[str, list[str]] = {}
    for a in article_ids:
        groups.setdefault(root(a), []).append(a)
    rows = []
    for members in groups.values():
        representative = next((m for m in sorted(members) if m not in copies), sorted(members)[0])
        for member in members:
            rows.append({"article_id": member, "group": representative, "group_size": len(members)})
    return pd.DataFrame(rows, columns=["article_id", "group", "group_size"])
