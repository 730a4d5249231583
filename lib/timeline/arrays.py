"""The data structures the event merge (`lib.timeline.merge`) is built from: arrays that grow
by doubling, integer lists filed under keys, a union-find that refuses to join incompatible date
spans, and spherical k-means for the vector lists. Plain numpy, linear memory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class GrowingArray:
    """A growing 1-D numpy array (capacity doubling)."""

    def __init__(self, dtype: Any, width: int | None = None, capacity: int = 1024) -> None:
        self.data = np.zeros((capacity,) if width is None else (capacity, width), dtype=dtype)
        self.n = 0

    def extend(self, values: Any) -> None:
        values = np.asarray(values, dtype=self.data.dtype)
        need = self.n + len(values)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data)), *self.data.shape[1:]), dtype=self.data.dtype)
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n : need] = values
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.n]


EMPTY = np.zeros(0, dtype=np.int64)


class FiledLists:
    """Mention indices filed under hashable keys, each key's list kept as a growing array."""

    def __init__(self) -> None:
        self.keys: dict[Any, GrowingArray] = {}

    def add(self, key: Any, index: Sequence[int] | np.ndarray) -> None:
        if key not in self.keys:
            self.keys[key] = GrowingArray(np.int64, capacity=8)
        self.keys[key].extend(index)

    def get(self, key: Any) -> np.ndarray:
        column = self.keys.get(key)
        return column.view if column is not None else EMPTY

    def clear(self) -> None:
        self.keys.clear()


NO_LIMIT = 10**9


class CoherentUnionFind:
    """Union-find over a growing number of items (path halving, union by size). With `coherent`
    each root keeps the intersection [lo, hi] of its placed members' date spans, and a union that
    would leave it empty is refused: an event never holds two different days."""

    def __init__(self, coherent: bool = True) -> None:
        self.coherent = coherent
        self.parent: list[int] = []
        self.size: list[int] = []
        self.lo: list[int] = []
        self.hi: list[int] = []
        self.refused = 0

    def add(self, n: int, lo: Sequence[int] | None = None, hi: Sequence[int] | None = None) -> None:
        start = len(self.parent)
        self.parent.extend(range(start, start + n))
        self.size.extend([1] * n)
        self.lo.extend(lo if lo is not None else [-NO_LIMIT] * n)
        self.hi.extend(hi if hi is not None else [NO_LIMIT] * n)

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        lo, hi = max(self.lo[ra], self.lo[rb]), min(self.hi[ra], self.hi[rb])
        if self.coherent and lo > hi:
            self.refused += 1
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        self.lo[ra], self.hi[ra] = lo, hi
        return True


def spherical_kmeans(X: np.ndarray, k: int, rng: np.random.Generator, iterations: int = 12) -> np.ndarray:
    """k unit centroids of the unit rows of X (cosine k-means), initialised from a random sample."""
    k = min(k, len(X))
    centroids = X[rng.choice(len(X), k, replace=False)].copy()
    for _ in range(iterations):
        nearest = (X @ centroids.T).argmax(axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, nearest, X)
        empty = ~sums.any(axis=1)
        if empty.any():
            sums[empty] = X[rng.choice(len(X), int(empty.sum()), replace=False)]
        centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True)
    return centroids.astype(np.float32)
