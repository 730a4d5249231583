"""The page frame: the set-up every page runs (sign-in, title, settings, a ready index, built
with progress when missing or stale, the sidebar's control that saves the view) and one error
boundary that shows a `DossierError` as a clear message instead of a traceback.

    with page_frame("search") as (settings, store):
        ...  # the page's body
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import streamlit as st

from lib.errors import DossierError, IndexCorruptError, IndexMissingError
from lib.index.background import start_build
from lib.index.update import configured_encoder, with_eta
from lib.settings import Settings
from lib.store.factory import OpenStore
from lib.web.brief import save_view_control
from lib.web.gate import require_access, shown_message
from lib.web.loaders import current_status, forget_status, get_encoder, get_store, page_settings
from lib.web.navigation import ensure_navigation, page_spec

PROGRESS_POLL_SECONDS = 0.5


class Frame(NamedTuple):
    """What a page body gets: the settings, and the ready store (None for pages opened with
    `needs_index=False`, which call `ready_store` themselves)."""

    settings: Settings
    store: OpenStore | None


@contextmanager
def page_frame(page: str, caption: str = "", needs_index: bool = True) -> Iterator[Frame]:
    """For the page served at URL path `page` (lib.web.navigation.PAGES): sign-in gate, title
    and caption, settings, (unless `needs_index` is False) the ready store and the sidebar's
    control that saves the view; a `DossierError` raised by the body is shown with `st.error`,
    never as a traceback."""
    spec = page_spec(page)
    ensure_navigation()
    require_access()
    st.title(spec.page_heading)
    if caption:
        st.caption(caption)
    try:
        settings = page_settings()
        store = page_store(settings) if needs_index else None
    except DossierError as exc:  # a bad setting: nothing of the page can be drawn
        st.error(shown_message(str(exc)))
        st.stop()
    save_view_control(spec, settings)
    try:
        yield Frame(settings, store)
    except DossierError as exc:
        st.error(shown_message(str(exc), settings))


def build_with_progress(settings: Settings, reason: str, articles: int = 0) -> None:
    """Build or update the index (`lib.index.background`: on its own thread, so leaving the
    page does not stop it), following its progress; errors are shown, not raised. A build
    already running for this index, started here or by another session, is followed, not
    repeated."""
    label = "Building the search index" + (
        f" for {articles:,} article{'s' * (articles != 1)}" if articles else ""
    )
    job = start_build(settings, get_encoder(configured_encoder(settings)))
    with st.status(f"{label}…", expanded=True) as status:
        st.caption(reason + " The build goes on if you open another page meanwhile.")
        bar = st.progress(0.0, text="Starting")
        while not job.wait(PROGRESS_POLL_SECONDS):
            done = min(max(job.fraction, 0.0), 1.0)
            bar.progress(done, text=with_eta(done, job.message, time.monotonic() - job.started))
        forget_status()
        if job.error:
            status.update(label="The index could not be built", state="error")
            st.error(shown_message(job.error, settings))
            return
        report = job.report
        if report is None:
            status.update(label="Index ready", state="complete", expanded=False)
            return
        for problem in report.problems:
            st.warning(shown_message(f"Skipped {problem.path}: {problem.message}", settings))
        status.update(
            label=f"Index ready: {report.paragraphs} paragraphs ({report.embedded} embedded, "
            f"{report.reused} reused) in {report.seconds:.1f} s",
            state="complete",
            expanded=False,
        )


def ready_store(settings: Settings | None = None) -> OpenStore | None:
    """The store, building it first (with progress) when missing, stale or damaged.

    Returns None, after telling the user why, when no usable index can be had.
    """
    settings = settings or page_settings()
    try:
        status = current_status(settings)
    except DossierError as exc:
        st.error(shown_message(str(exc), settings))
        return None
    if status.state != "ready":
        reason = "No index has been built yet." if status.state == "missing" else status.message
        build_with_progress(settings, reason, status.articles)
    try:
        return get_store(settings)
    except (IndexMissingError, IndexCorruptError) as exc:
        st.error(
            shown_message(f"{exc} Check the corpus folder and try the Home page's update button.", settings)
        )
        return None


def page_store(settings: Settings | None = None) -> OpenStore:
    """The ready store for a page that needs one; stops the page (after `ready_store` has said
    why) when there is none."""
    store = ready_store(settings)
    if store is None:
        st.stop()
    return store
