"""Merging mentions into events, incrementally and without comparing all pairs.

Two placed mentions merge when they have the same date value and similar sentences, or
overlapping dates and very similar sentences (single linkage), never two dates of one sentence,
and never into an event that would then hold two incompatible dates; a vague mention
("recently") joins the placed mention its sentence is most like, in another article, when the
cosine is high. `EventIndex` finds the candidates by blocking on the resolved date and, once
large, by vector neighbours, so time and memory grow about linearly; `add` merges a batch of new
mentions into the events held, and `restore` takes back the previous build's events without
comparing anything again, so a build that adds articles merges only their mentions.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from lib.timeline.arrays import EMPTY, NO_LIMIT, CoherentUnionFind, FiledLists, GrowingArray, spherical_kmeans
from lib.timeline.events import events_table, unpack_vectors


@dataclass(frozen=True)
class MergeRules:
    """Cosine of two mentions' sentences needed to merge them (set by hand on the bundled corpus,
    docs/timeline.md), plus `coherent_dates`. Conservative: a wrong merge hides a difference,
    a missed one only shows two markers."""

    same_day: float = 0.45
    same_month: float = 0.5
    same_coarser: float = 0.6
    overlapping_dates: float = 0.7
    vague_to_dated: float = 0.75
    coherent_dates: bool = True
    """Refuse a merge that would put two incompatible dates in one event (the intersection of the
    members' date spans must stay non-empty). The snapshot's merge has no such check, and on a
    real collection single linkage chains day after day through year-level mentions ("in 2010")
    into one event of 245 articles."""

    def same_date(self, granularity: str) -> float:
        """Threshold for two mentions of the same value: the coarser, the stricter."""
        if granularity in ("day", "week"):
            return self.same_day
        return self.same_month if granularity == "month" else self.same_coarser


@dataclass(frozen=True)
class IndexSettings:
    """Bounds that keep the merge near-linear in time and linear in memory.

    exemplars: a new mention is compared with at most this many members of one event filed under
        one date value (the first ones). The merge is exactly single linkage while
        no event holds more mentions of one value than this.
    ivf_min: while fewer placed mentions are held, every candidate in the date blocks is compared
        (exact). When the index reaches this size, it trains vector lists (spherical k-means on
        the vectors held: one list per `per_list` vectors, 16 to `max_lists`) and from then on the
        rules that reach across many mentions (overlapping dates; vague-to-dated; same value once
        a value holds more than `exact_block` exemplars) compare a new mention only with candidates
        filed in its `probes` nearest lists: the vector-neighbour half of the candidate search.
        The lists are retrained (and everything re-filed, O(n)) each time the index has grown
        `retrain_growth` times, so a list's length stays about `per_list` x growth and the time
        per added mention stays flat (amortised O(n) in all).
    """

    exemplars: int = 32
    ivf_min: int = 5000
    per_list: int = 40
    max_lists: int = 1024
    retrain_growth: int = 4
    probes: int = 8
    exact_block: int = 2000
    seed: int = 0


_LONG_BUCKET = -1
LONG_SPAN_DAYS = 3 * 366
"""Spans longer than this (decades, centuries, long ranges) are filed in one bucket, not per year."""


class EventIndex:
    """Mentions merged into events, incrementally: `add` a batch (an article, a build batch),
    read `events()` at any time. The rules (`MergeRules`): two placed mentions
    merge when they have the same date value and similar sentences, or overlapping dates and very
    similar sentences, never two dates of one sentence (single linkage); a vague mention joins the
    placed mention its sentence is most like if that is in another article and the cosine is at
    least `vague_to_dated`.

    Candidates come from blocks, never from all pairs:
    - same value: the exemplars filed under that value (at most `exemplars` per event);
    - overlapping values: day mentions are filed by month, coarser ones by year (long spans in
      one bucket); a new mention looks only in the buckets its span can overlap, then keeps the
      candidates whose span really overlaps (a day never looks at other days);
    - vague: placed mentions, in the new mention's nearest vector lists once the index is large.
    Memory is linear in the mentions held (their vectors, float32, plus a few integers each).
    """

    def __init__(
        self, dim: int, rules: MergeRules | None = None, settings: IndexSettings | None = None
    ) -> None:
        self.rules = rules or MergeRules()
        self.settings = settings or IndexSettings()
        self.dim = dim
        self.n = 0
        self._frames: list[pd.DataFrame] = []  # the mention rows, as added
        self.vectors = GrowingArray(np.float32, dim)
        self.start = GrowingArray(np.int64)
        self.end = GrowingArray(np.int64)
        self.value_id = GrowingArray(np.int64)
        self.sentence_id = GrowingArray(np.int64)
        self.article = GrowingArray(np.int64)
        self.list_id = GrowingArray(np.int64)
        self.placed = GrowingArray(bool)
        self.uf = CoherentUnionFind(coherent=self.rules.coherent_dates)
        self._sentence_ids: dict[str, int] = {}
        self._article_ids: dict[str, int] = {}
        self._value_ids: dict[str, int] = {}
        self._ordinals: dict[str, int] = {"": 0}
        self._value_granularity: list[str] = []
        self._by_value = FiledLists()  # value id -> exemplars
        self._by_value_list = FiledLists()  # (value id, list) -> exemplars (for very large values)
        self._value_roots: list[dict[int, int]] = []  # per value: root -> exemplars filed
        self._days = FiledLists()  # (month key, list) -> placed day-level exemplars
        self._day_of = FiledLists()  # day ordinal -> placed day-level exemplars ("Thursday evening")
        self._coarse = FiledLists()  # (year | _LONG_BUCKET, list) -> placed coarser exemplars
        self._coarse_years: set[int] = set()
        self._dated = FiledLists()  # list -> every placed mention
        self._vague = GrowingArray(np.int64)  # vague mentions
        self._vague_best = GrowingArray(np.int64)  # ... their most similar placed mention (-1: none)
        self._vague_sim = GrowingArray(np.float32)  # ... and its cosine
        self._vague_lists = FiledLists()  # list -> positions in _vague
        self.centroids: np.ndarray | None = None
        self._trained_on = 0
        self.compared = 0  # cosine computations made (for the measurements)

    def __len__(self) -> int:
        return self.n

    # ---- public ---------------------------------------------------------------------------------

    def add(self, mentions: pd.DataFrame, vectors: np.ndarray) -> None:
        """Merge a batch of mentions (`lib.timeline.events` rows: value, granularity, start_date,
        end_date, vague, resolved, article_id, paragraph_id, sentence_start) with their
        L2-normalised sentence vectors into the events held."""
        if len(mentions) == 0:
            return
        new, placed, vague = self._hold(mentions, vectors)
        self._train_if_grown(int(new[0]))
        new_placed = new[placed]
        groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for i in new_placed.tolist():
            groups[(int(self.value_id.data[i]), int(self.start.data[i]), int(self.end.data[i]))].append(i)
        for members in groups.values():
            self._merge_group(np.asarray(members, dtype=np.int64))
        self._file_dated(new_placed)
        self._attach_vague(new[~placed & vague], new_placed)

    def restore(self, mentions: pd.DataFrame, vectors: np.ndarray, members: Sequence[Sequence[str]]) -> None:
        """Hold mentions already merged by an earlier build, without comparing them again:
        `members` lists each earlier event's mention ids. The unions are replayed, the
        exemplars filed as `add` files them, and each vague mention that joined an event gets
        back its cosine to that event's most similar placed mention (so a later, closer one
        takes it over as in an uninterrupted run). Call it on an empty index, then `add`."""
        if self.n:
            raise ValueError("restore() needs an empty index")
        if len(mentions) == 0:
            return
        new, placed, vague = self._hold(mentions, vectors)
        position = {m: i for i, m in enumerate(mentions["mention_id"].tolist())}
        event = np.arange(self.n)
        for ids in members:
            rows = [position[m] for m in ids if m in position]
            for i in rows[1:]:
                if placed[i] and placed[rows[0]]:
                    self.uf.union(rows[0], i)
            event[rows] = rows[0]
        self._train_if_grown(0)
        new_placed = new[placed]
        groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for i in new_placed.tolist():
            groups[(int(self.value_id.data[i]), int(self.start.data[i]), int(self.end.data[i]))].append(i)
        for group in groups.values():
            index = np.asarray(group, dtype=np.int64)
            self._file(
                index,
                int(self.value_id.data[index[0]]),
                int(self.start.data[index[0]]),
                int(self.end.data[index[0]]),
            )
        self._file_dated(new_placed)
        held_vague = new[~placed & vague]
        best = np.full(len(held_vague), -1, dtype=np.int64)
        sim = np.full(len(held_vague), -1.0, dtype=np.float32)
        placed_of_event: dict[int, list[int]] = defaultdict(list)
        for i in new_placed.tolist():
            placed_of_event[int(event[i])].append(i)
        for k, v in enumerate(held_vague.tolist()):
            targets = placed_of_event.get(int(event[v]))
            if targets:
                scores = self.vectors.data[targets] @ self.vectors.data[v]
                best[k], sim[k] = targets[int(scores.argmax())], float(scores.max())
        self._vague.extend(held_vague)
        self._vague_best.extend(best)
        self._vague_sim.extend(sim)
        self._file_vague(np.arange(len(held_vague)), self._vague_probes(held_vague))

    def _hold(self, mentions: pd.DataFrame, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Append a batch's columns (dates as ordinals, ids as integers) and make each mention
        its own event; returns the new positions and their placed and vague masks."""
        first, count = self.n, len(mentions)
        values = mentions["value"].astype(str).tolist()
        granularity = mentions["granularity"].astype(str).tolist()
        start_dates = mentions["start_date"].fillna("").astype(str).str[:10].to_numpy(dtype=object)
        end_dates = mentions["end_date"].fillna("").astype(str).str[:10].to_numpy(dtype=object)
        vague = mentions["vague"].astype(bool).to_numpy()
        resolved = mentions["resolved"].astype(bool).to_numpy()
        articles = mentions["article_id"].astype(str).tolist()
        keys = [f"{p}@{s}" for p, s in zip(mentions["paragraph_id"], mentions["sentence_start"], strict=True)]
        placed = (start_dates != "") & ~vague & resolved
        for iso in set(start_dates) | set(end_dates):
            if iso not in self._ordinals:
                self._ordinals[iso] = date.fromisoformat(iso).toordinal()
        value_ids = np.empty(count, dtype=np.int64)
        for k, (value, gran) in enumerate(zip(values, granularity, strict=True)):
            vid = self._value_ids.get(value)
            if vid is None:
                vid = self._value_ids[value] = len(self._value_ids)
                self._value_granularity.append(gran)
                self._value_roots.append({})
            value_ids[k] = vid
        self._frames.append(mentions.reset_index(drop=True))
        self.n += count
        self.vectors.extend(np.asarray(vectors, dtype=np.float32))
        self.placed.extend(placed)
        self.start.extend([self._ordinals[s] for s in start_dates])
        self.end.extend([self._ordinals[s] for s in end_dates])
        self.value_id.extend(value_ids)
        self.sentence_id.extend([self._sentence_ids.setdefault(k, len(self._sentence_ids)) for k in keys])
        self.article.extend([self._article_ids.setdefault(a, len(self._article_ids)) for a in articles])
        self.list_id.extend(np.zeros(count, dtype=np.int64))
        starts, ends = self.start.data[first : self.n], self.end.data[first : self.n]
        self.uf.add(
            count, np.where(placed, starts, -NO_LIMIT).tolist(), np.where(placed, ends, NO_LIMIT).tolist()
        )
        return np.arange(first, self.n), placed, vague

    def _train_if_grown(self, first: int) -> None:
        """Train the vector lists the first time the index is large enough, and again each time
        it has grown `retrain_growth` times; file the new mentions (from `first`) in them."""
        n_placed = int(self.placed.view.sum())
        if (self.centroids is None and n_placed >= self.settings.ivf_min) or (
            self.centroids is not None and n_placed >= self.settings.retrain_growth * self._trained_on
        ):
            self._train_lists(first)
        if self.centroids is not None:
            self._assign_lists(np.arange(first, self.n))

    def event_of(self) -> np.ndarray:
        """For every mention held (insertion order), the index of its event's root mention."""
        roots = np.fromiter((self.uf.find(i) for i in range(self.n)), dtype=np.int64, count=self.n)
        vague, best, sim = self._vague.view, self._vague_best.view, self._vague_sim.view
        joined = (best >= 0) & (sim >= self.rules.vague_to_dated)
        joined &= self.article.data[vague] != self.article.data[np.maximum(best, 0)]
        roots[vague[joined]] = roots[best[joined]]
        return roots

    def events(self, groups: pd.DataFrame | None = None) -> pd.DataFrame:
        """The events table (`lib.timeline.events.EVENT_COLUMNS`) of the mentions held."""
        return events_table(self.mentions(), self.event_of(), self.placed.view, groups)

    def mentions(self) -> pd.DataFrame:
        """The mention rows held, in insertion order (positions = the index's mention numbers)."""
        frame = pd.concat(self._frames, ignore_index=True)
        self._frames = [frame]
        return frame

    # ---- merging --------------------------------------------------------------------------------

    def _merge_group(self, idx: np.ndarray) -> None:
        """New placed mentions sharing one value and span: link them to the exemplars of the same
        value, to each other, and to overlapping mentions of other values; then file them."""
        first = int(idx[0])
        vid, start, end = (
            int(self.value_id.data[first]),
            int(self.start.data[first]),
            int(self.end.data[first]),
        )
        X = self.vectors.data[idx]
        sid = self.sentence_id.data[idx]
        same = self.rules.same_date(self._value_granularity[vid])
        block = self._by_value.get(vid)
        if len(block) > self.settings.exact_block and self.centroids is not None:
            block = np.concatenate(
                [self._by_value_list.get((vid, list_id)) for list_id in self._lists_for(X)]
            )
        self._link(idx, X, sid, block, same)
        if len(idx) > 1:
            sims = X @ X.T
            self.compared += len(idx) * (len(idx) - 1) // 2
            sims[sid[:, None] == sid[None, :]] = -1.0
            for a, b in zip(*np.nonzero(np.triu(sims >= same, k=1)), strict=True):
                self.uf.union(int(idx[a]), int(idx[b]))
        candidates = self._overlap_candidates(start, end, X)
        if len(candidates):
            keep = (
                (self.value_id.data[candidates] != vid)
                & (self.start.data[candidates] <= end)
                & (self.end.data[candidates] >= start)
            )
            self._link(idx, X, sid, candidates[keep], self.rules.overlapping_dates)
        self._file(idx, vid, start, end)

    def _link(
        self, idx: np.ndarray, X: np.ndarray, sid: np.ndarray, cand: np.ndarray, threshold: float
    ) -> None:
        """Union each new mention with the candidates whose cosine reaches `threshold`, never two
        mentions of one sentence; in chunks of candidates, so memory stays bounded."""
        if len(cand) == 0:
            return
        for lo in range(0, len(cand), 16384):
            part = cand[lo : lo + 16384]
            sims = X @ self.vectors.data[part].T
            self.compared += sims.size
            a, b = np.nonzero(sims >= threshold)
            if len(a):
                other = sid[a] != self.sentence_id.data[part[b]]  # never two dates of one sentence
                for i, j in zip(idx[a[other]].tolist(), part[b[other]].tolist(), strict=True):
                    self.uf.union(i, j)

    def _lists_for(self, X: np.ndarray) -> list[int]:
        return [0] if self.centroids is None else sorted({int(x) for x in self._probes(X).ravel()})

    def _overlap_candidates(self, start: int, end: int, X: np.ndarray) -> np.ndarray:
        """Filed mentions whose bucket can overlap [start, end]: coarse ones of the years it
        touches and of the long bucket; day ones of the months it touches, or, for a day, those
        of that very day (another value of one day: "Thursday evening" and "Thursday")."""
        first, last = date.fromordinal(start), date.fromordinal(end)
        lists = self._lists_for(X)
        parts = [self._day_of.get(start)] if start == end else []
        years = (
            [y for y in self._coarse_years if first.year <= y <= last.year]
            if end - start > LONG_SPAN_DAYS
            else range(first.year, last.year + 1)
        )
        coarse, days = self._coarse.keys, self._days.keys
        month_keys = (
            range(first.year * 12 + first.month - 1, last.year * 12 + last.month) if end > start else range(0)
        )
        for list_id in lists:
            keys = [(_LONG_BUCKET, list_id), *((year, list_id) for year in years)]
            parts.extend(coarse[k].view for k in keys if k in coarse)
            parts.extend(days[(k, list_id)].view for k in month_keys if (k, list_id) in days)
        parts = [p for p in parts if len(p)]
        out = np.concatenate(parts) if parts else EMPTY
        # a coarse mention is filed under each year it touches: only a query over several years
        # can meet it twice
        return np.unique(out) if len(out) and last.year > first.year else out

    def _file(self, idx: np.ndarray, vid: int, start: int, end: int) -> None:
        roots = self._value_roots[vid]
        chosen = []
        for i in idx.tolist():
            root = self.uf.find(i)
            if roots.get(root, 0) < self.settings.exemplars:
                roots[root] = roots.get(root, 0) + 1
                chosen.append(i)
        if not chosen:
            return
        chosen_arr = np.asarray(chosen, dtype=np.int64)
        self._by_value.add(vid, chosen_arr)
        self._file_value_lists(chosen_arr, vid)
        self._file_buckets(chosen_arr, start, end)

    def _file_value_lists(self, idx: np.ndarray, vid: int) -> None:
        lists = self.list_id.data[idx]
        for list_id in np.unique(lists).tolist():
            self._by_value_list.add((vid, list_id), idx[lists == list_id])

    def _file_buckets(self, idx: np.ndarray, start: int, end: int) -> None:
        first, last = date.fromordinal(start), date.fromordinal(end)
        lists = self.list_id.data[idx]
        for list_id in np.unique(lists).tolist():
            members = idx[lists == list_id]
            if start == end:
                self._days.add((first.year * 12 + first.month - 1, list_id), members)
                self._day_of.add(start, members)
            elif end - start > LONG_SPAN_DAYS:
                self._coarse.add((_LONG_BUCKET, list_id), members)
            else:
                for year in range(first.year, last.year + 1):
                    self._coarse.add((year, list_id), members)
                    self._coarse_years.add(year)

    def _file_dated(self, new_placed: np.ndarray) -> None:
        lists = self.list_id.data[new_placed]
        for list_id in np.unique(lists).tolist():
            rows = new_placed[lists == list_id]
            self._dated.add(list_id, rows)

    def _attach_vague(self, vague: np.ndarray, new_placed: np.ndarray) -> None:
        """New placed mentions may be a better match for the vague mentions held; new vague
        mentions look for their most similar placed mention (in their nearest lists once large)."""
        if len(new_placed) and self._vague.n:
            lists = self.list_id.data[new_placed]
            for list_id in np.unique(lists).tolist():
                if list_id not in self._vague_lists.keys:
                    continue
                positions = self._vague_lists.get(list_id)
                V = self.vectors.data[self._vague.data[positions]]
                rows = new_placed[lists == list_id]
                sims = V @ self.vectors.data[rows].T
                self.compared += sims.size
                best = sims.argmax(axis=1)
                top = sims[np.arange(len(positions)), best]
                better = top > self._vague_sim.data[positions]
                self._vague_sim.data[positions[better]] = top[better]
                self._vague_best.data[positions[better]] = rows[best[better]]
        if not len(vague):
            return
        V = self.vectors.data[vague]
        probes = self._vague_probes(vague)
        best = np.full(len(vague), -1, dtype=np.int64)
        sim = np.full(len(vague), -1.0, dtype=np.float32)
        for list_id in np.unique(probes).tolist():
            rows = np.flatnonzero((probes == list_id).any(axis=1))
            index = self._dated.get(list_id)
            for lo in range(0, len(index), 16384):
                sims = V[rows] @ self.vectors.data[index[lo : lo + 16384]].T
                self.compared += sims.size
                j = sims.argmax(axis=1)
                top = sims[np.arange(len(rows)), j]
                better = top > sim[rows]  # strictly: the earliest of equals wins, as in the snapshot
                sim[rows[better]] = top[better]
                best[rows[better]] = index[lo + j[better]]
        positions = np.arange(self._vague.n, self._vague.n + len(vague))
        self._vague.extend(vague)
        self._vague_best.extend(best)
        self._vague_sim.extend(sim)
        self._file_vague(positions, probes)

    def _vague_probes(self, vague: np.ndarray) -> np.ndarray:
        """The vector lists each vague mention looks in (all in list 0 while there are none)."""
        if self.centroids is None:
            return np.zeros((len(vague), 1), dtype=np.int64)
        return self._probes(self.vectors.data[vague])

    def _file_vague(self, positions: np.ndarray, probes: np.ndarray) -> None:
        """File vague mentions (their `positions` in the vague arrays) under their lists."""
        for list_id in np.unique(probes).tolist():
            rows = np.flatnonzero((probes == list_id).any(axis=1))
            self._vague_lists.add(list_id, positions[rows])

    # ---- vector lists (a small inverted-file index, trained once) --------------------------------

    def _train_lists(self, first: int) -> None:
        """Train the vector lists on the placed mentions held and re-file what was filed."""
        rng = np.random.default_rng(self.settings.seed)
        sample = np.flatnonzero(self.placed.view)
        self._trained_on = len(sample)
        lists = int(np.clip(len(sample) // self.settings.per_list, 16, self.settings.max_lists))
        if len(sample) > 20000:
            sample = rng.choice(sample, 20000, replace=False)
        self.centroids = spherical_kmeans(self.vectors.data[sample], lists, rng, iterations=8)
        self._assign_lists(np.arange(first))
        self._days, self._day_of, self._coarse, self._by_value_list = (
            FiledLists(),
            FiledLists(),
            FiledLists(),
            FiledLists(),
        )
        self._dated, self._vague_lists = FiledLists(), FiledLists()
        for column in self._by_value.keys.values():
            exemplars = column.view
            spans = np.stack([self.start.data[exemplars], self.end.data[exemplars]], axis=1)
            for s, e in {(int(a), int(b)) for a, b in spans.tolist()}:
                self._file_buckets(exemplars[(spans[:, 0] == s) & (spans[:, 1] == e)], s, e)
        for vid, column in self._by_value.keys.items():
            self._file_value_lists(column.view, vid)
        self._file_dated(np.flatnonzero(self.placed.view[:first]))
        if self._vague.n:
            self._file_vague(np.arange(self._vague.n), self._vague_probes(self._vague.view))

    def _assign_lists(self, index: np.ndarray) -> None:
        assert self.centroids is not None
        for lo in range(0, len(index), 16384):
            part = index[lo : lo + 16384]
            self.list_id.data[part] = (self.vectors.data[part] @ self.centroids.T).argmax(axis=1)

    def _probes(self, X: np.ndarray) -> np.ndarray:
        assert self.centroids is not None
        scores = X @ self.centroids.T
        k = min(self.settings.probes, scores.shape[1])
        return np.argpartition(-scores, k - 1, axis=1)[:, :k]


def merge_mentions(
    mentions: pd.DataFrame,
    rules: MergeRules | None = None,
    groups: pd.DataFrame | None = None,
    settings: IndexSettings | None = None,
) -> pd.DataFrame:
    """Events of `mentions` (the stored `mentions` table, vectors packed in `vector`), merged
    from scratch one article at a time; `n_stories` counts a story and its copies once with
    copy `groups`. Columns: `lib.timeline.events.EVENT_COLUMNS`."""
    if mentions.empty:
        return events_table(mentions, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), groups)
    mentions = mentions.reset_index(drop=True)
    vectors = unpack_vectors(mentions["vector"])
    index = EventIndex(vectors.shape[1], rules, settings)
    with single_threaded_blas():
        for _, rows in mentions.groupby("article_id", sort=False):
            index.add(rows, vectors[rows.index.to_numpy()])
    return index.events(groups)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """numpy's BLAS held to one thread: the merge makes many small matrix products, and on a
    busy machine multi-threaded BLAS mostly waits (measured: 18 s instead of 4 s for 300
    articles on 2 loaded cores)."""
    with threadpool_limits(limits=1, user_api="blas"):
        yield
