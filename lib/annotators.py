"""The derived tables every index build computes per article (see `lib.index.Annotator`).

Each analysis that must be stored with the index, and reused for unchanged articles,
registers here; the single-process and distributed builds both run this list.
"""

from __future__ import annotations

from lib.entities import find_entities
from lib.events import find_mentions
from lib.index import Annotator

ANNOTATORS: tuple[Annotator, ...] = (
    # Both read the same spaCy parses (lib.nlp.parse_texts): the second reuses the first's.
    Annotator("mentions", "2", "time expressions and events", find_mentions),
    Annotator("entities", "1", "people, places, organisations and groups", find_entities),
)
