"""The derived tables every index build computes per article (see `lib.index.Annotator`).

Each analysis that must be stored with the index, and reused for unchanged articles,
registers here; the single-process and distributed builds both run this list.
"""

from __future__ import annotations

from lib.events import find_mentions
from lib.index import Annotator

ANNOTATORS: tuple[Annotator, ...] = (
    Annotator("mentions", "1", "time expressions and events", find_mentions),
)
