"""The one way the index is brought up to date: `update_index(settings)` builds (incrementally),
publishes the new generation to the configured store, and reports. `python -m lib build`,
`add`, `remove`, the Corpus page and every page's first-run build all call it, so with
`DOSSIER_STORE=milvus` an added article is searchable wherever it was added from.

One build at a time per index folder: a cross-process file lock beside the folder makes a
second caller wait (with progress) and then, when the index it waited for is already up to
date, use it instead of building again. A build that is interrupted leaves the previous
generation live (see `lib.store.embedded.write_generation`) and releases the lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from filelock import FileLock, Timeout

from lib.index.build import BatchRunner, BuildReport, IndexStatus, Progress, build_index, index_status
from lib.settings import Settings
from lib.store.factory import publish_index
from lib.text.embeddings import Encoder, encoder_id, load_encoder

WAIT_POLL_SECONDS = 0.5


def with_eta(fraction: float, message: str, elapsed: float) -> str:
    """A build's progress message with its elapsed time and, once a tenth is done, an estimate of
    the time left from the pace so far ("Embedding …: batch 3 of 9 · 0:42 elapsed, about 1:24 left")."""
    clock = _clock(elapsed) + " elapsed"
    if 0.1 <= fraction < 1:
        clock += f", about {_clock(elapsed * (1 - fraction) / fraction)} left"
    return f"{message} · {clock}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def lock_path(index_dir: Path) -> Path:
    """The lock file of an index folder (beside it, so removing the folder keeps the lock)."""
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}.build.lock"


def configured_encoder(settings: Settings) -> str:
    """The `encoder_id` the settings build with: the model, on its ONNX graph when so configured."""
    return encoder_id(settings.embedding_model, settings.encoder_backend)


def current_index_status(settings: Settings) -> IndexStatus:
    """Whether the configured index can serve the configured corpus and model, and why not."""
    return index_status(
        settings.corpus_dirs,
        settings.resolved_index_dir,
        configured_encoder(settings),
        settings.max_file_mb * 1024 * 1024,
    )


def update_index(
    settings: Settings,
    progress: Progress | None = None,
    *,
    encoder: Encoder | None = None,
    runner: BatchRunner | None = None,
    publish_uri: str | None = None,
    skip_when_ready: bool = False,
    load: Callable[[str], Encoder] = load_encoder,
) -> BuildReport | None:
    """Build or update the index the settings name, publish it, and return what was done.

    With `skip_when_ready`, an index that is already up to date (typically because another
    process built it while this one waited for the lock) is left as it is and None is
    returned. `publish_uri` also publishes to that Milvus, whatever the configured store.
    """
    report_progress = progress or (lambda fraction, message: None)
    index_dir = settings.resolved_index_dir
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(index_dir))
    waited = _acquire(lock, report_progress)
    try:
        if (skip_when_ready or waited) and current_index_status(settings).state == "ready":
            report_progress(1.0, "The index is up to date")
            return None
        report = build_index(
            settings.corpus_dirs,
            index_dir,
            encoder or load(configured_encoder(settings)),
            settings.batch_size,
            report_progress,
            max_bytes=settings.max_file_mb * 1024 * 1024,
            runner=runner,
            ann_min_rows=settings.ann_threshold,
            spacy_processes=settings.spacy_processes,
        )
        collection = publish_index(settings, publish_uri)
    finally:
        lock.release()
    return replace(report, published_to=collection)


def _acquire(lock: FileLock, progress: Progress) -> bool:
    """Take the lock, telling `progress` while another build holds it; True if it had to wait."""
    try:
        lock.acquire(timeout=0)
        return False
    except Timeout:
        pass
    started = time.monotonic()
    while True:
        waited = time.monotonic() - started
        progress(0.0, f"Another build of this index is running; waiting for it ({waited:.0f} s)")
        try:
            lock.acquire(timeout=WAIT_POLL_SECONDS)
            return True
        except Timeout:
            continue
