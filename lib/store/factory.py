"""Which store serves search, chosen by the settings: the one place the CLI and pages open it.

`embedded` (default) searches the index folder's numpy matrix; `milvus` searches a Milvus
collection published from the same index generation (`lib.store.milvus`). Both satisfy
`lib.store.base.Store`, so search, pages and commands never know which one they got.
"""

from __future__ import annotations

from lib.settings import Settings
from lib.store.embedded import EmbeddedStore
from lib.store.milvus import MilvusStore, publish_generation

OpenStore = EmbeddedStore | MilvusStore
"""A live index in either backend: the `lib.store.base.Store` protocol plus `folder` (the
generation, a cache key for pages), `meta` and `index_dir`."""


def open_store(settings: Settings) -> OpenStore:
    """The configured store over the live index generation; raises `IndexMissingError` when
    the index (or, for Milvus, its collection) has not been built or published yet."""
    if settings.store == "milvus":
        return MilvusStore(settings.resolved_index_dir, settings.milvus_uri)
    return EmbeddedStore(settings.resolved_index_dir)


def publish_index(settings: Settings, uri: str | None = None) -> str | None:
    """After a build: copy the live generation into Milvus when the store is `milvus` or a
    `uri` is given; return the collection name (None when nothing was published)."""
    target = uri or (settings.milvus_uri if settings.store == "milvus" else None)
    if not target:
        return None

    return publish_generation(settings.resolved_index_dir, target, settings.milvus_index)
