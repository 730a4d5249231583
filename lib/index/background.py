"""Index builds started by a page run on their own thread, so they outlive the page.

Streamlit stops a page's script when its user clicks to another page; a build run inside the
script stopped with it (at its next progress report), and the next page started over: at
thousands of articles, an hour of work lost to a click. `start_build` runs `update_index` on a
daemon thread instead and keeps one job per index folder in this process: the page that
started it, or any page opened later by anyone, follows the same job's progress, and a page
left half-way leaves the build running. Builds in other processes are still serialised by
`update_index`'s file lock.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from lib.errors import DossierError
from lib.index.build import BuildReport
from lib.index.update import update_index
from lib.settings import Settings
from lib.text.embeddings import Encoder

log = logging.getLogger(__name__)


@dataclass
class BuildJob:
    """One build in progress or finished: its latest progress, then its report or its error."""

    index_dir: str
    started: float = field(default_factory=time.monotonic)
    fraction: float = 0.0
    message: str = "Starting"
    report: BuildReport | None = None
    error: str = ""
    """What went wrong, in words for the user (a `DossierError`'s message), or "" ."""
    finished: threading.Event = field(default_factory=threading.Event, repr=False)

    def progress(self, fraction: float, message: str) -> None:
        """The build's progress callback: only records, so it never stops the build."""
        self.fraction, self.message = fraction, message

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the build to finish; True once it has."""
        return self.finished.wait(seconds)


_jobs: dict[str, BuildJob] = {}
_jobs_lock = threading.Lock()


def start_build(settings: Settings, encoder: Encoder) -> BuildJob:
    """The build of the settings' index running in this process, or a new one started on its
    own thread (`update_index`, leaving an index that is already up to date as it is)."""
    key = str(settings.resolved_index_dir)
    with _jobs_lock:
        running = _jobs.get(key)
        if running is not None and not running.finished.is_set():
            return running
        job = _jobs[key] = BuildJob(key)
        thread = threading.Thread(
            target=_run, args=(job, settings, encoder), name=f"dossier-build {key}", daemon=True
        )
        thread.start()
    return job


def _run(job: BuildJob, settings: Settings, encoder: Encoder) -> None:
    try:
        job.report = update_index(settings, job.progress, encoder=encoder, skip_when_ready=True)
    except DossierError as exc:
        job.error = str(exc)
    except Exception as exc:  # a thread's error would otherwise vanish: logged, and told to the page
        log.exception("Index build of %s failed", job.index_dir)
        job.error = f"The build stopped on an unexpected error ({type(exc).__name__}: {exc})."
    finally:
        job.finished.set()
