"""Timeline17 topics as Dossier-style tables, and their gold timelines.

A topic folder holds `articles/<YYYY-MM-DD>/<id>.htm.txt` (tokenised text, one sentence a line,
PTB brackets and quotes) and `timelines/*.txt` (a `YYYY-MM-DD` line, the day's summary
sentences, then a `-----` line). The folder name of an article is its publication date.

`load_topic(path)` gives an articles table (article_id, published, source, title, text) whose
text is the detokenised article, one sentence a line, so the snapshot's time-expression tagger
(which parses line by line for its tense cue) sees one sentence a line, as in the raw data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

T17 = Path("/work/shared/bench/t17")

OUTLETS = {
    "H1N1_guardian": "guardian",
    "MJ_bbc": "bbc",
    "bpoil_bbc": "bbc",
    "bpoil_foxnews": "foxnews",
    "bpoil_guardian": "guardian",
    "bpoil_reuters": "reuters",
    "bpoil_washingtonpost": "washingtonpost",
}

_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
_CLITICS = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m|'S|N'T)\b")
_SPACE_BEFORE = re.compile(r" ([,.;:?!%)\]}]|\.\.\.)")
_SPACE_AFTER = re.compile(r"([(\[{$#]) ")


def detokenise(line: str) -> str:
    """A PTB-tokenised sentence as ordinary text: `-LRB- x -RRB-` -> `(x)`, `` `` x '' `` -> `"x"`,
    `do n't` -> `don't`, no space before punctuation. Good enough for reading and embedding."""
    tokens = [_BRACKETS.get(t, t) for t in line.split()]
    out: list[str] = []
    for token in tokens:
        if token == "``":
            out.append('"\x00')  # opening quote: glue to the next token
        elif token == "''":
            if out:
                out[-1] = out[-1] + '"'
            else:
                out.append('"')
        else:
            if out and out[-1].endswith("\x00"):
                out[-1] = out[-1][:-1] + token
            else:
                out.append(token)
    text = " ".join(t.replace("\x00", "") for t in out)
    text = _CLITICS.sub(r"\1", text)
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    text = re.sub(r" - (?=\w)", "-", text) if " - like" in text else text  # "flu - like" -> "flu-like"
    return text.strip()


@dataclass
class GoldTimeline:
    """One journalist's timeline: date -> its summary sentences (tokenised, as distributed)."""

    name: str
    dates: dict[date, list[str]] = field(default_factory=dict)

    @property
    def first(self) -> date:
        return min(self.dates)

    @property
    def last(self) -> date:
        return max(self.dates)

    def mean_sentences(self) -> int:
        """Average summary length in sentences, rounded (news-tls's k)."""
        return round(sum(len(s) for s in self.dates.values()) / len(self.dates))


def read_timeline(path: Path) -> GoldTimeline:
    """A gold timeline file: a YYYY-MM-DD line, sentences, a ----- line, repeated."""
    timeline = GoldTimeline(path.stem)
    current: date | None = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line:
            continue
        if re.fullmatch(r"-{5,}", line):
            current = None
            continue
        if current is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", line):
            current = date.fromisoformat(line)
            timeline.dates.setdefault(current, [])
            continue
        if current is not None:
            timeline.dates[current].append(line)
    return timeline


def load_topic(topic: str | Path, root: Path = T17) -> tuple[pd.DataFrame, list[GoldTimeline]]:
    """(articles, gold timelines) of one topic. Articles: article_id ("<topic>/<date>/<id>"),
    published (ISO date string), source (outlet), title (first sentence, cut), text
    (detokenised, one sentence a line), n_sentences. Sorted by publication date then id."""
    folder = Path(topic) if Path(topic).is_absolute() else root / str(topic)
    name = folder.name
    rows = []
    for day_dir in sorted((folder / "articles").iterdir()):
        if not day_dir.is_dir():
            continue
        for path in sorted(day_dir.iterdir()):
            lines = [
                detokenise(line)
                for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                if line.strip()
            ]
            lines = [line for line in lines if line]
            if not lines:
                continue
            rows.append(
                {
                    "article_id": f"{name}/{day_dir.name}/{path.name.split('.')[0]}",
                    "published": day_dir.name,
                    "source": OUTLETS.get(name, name),
                    "topic": name,
                    "title": lines[0][:120],
                    "text": "\n".join(lines),
                    "n_sentences": len(lines),
                }
            )
    articles = pd.DataFrame(rows).sort_values(["published", "article_id"]).reset_index(drop=True)
    timelines = [read_timeline(p) for p in sorted((folder / "timelines").glob("*.txt"))]
    return articles, timelines


def topics(root: Path = T17) -> list[str]:
    """The topic folder names under `root`."""
    return sorted(p.name for p in root.iterdir() if (p / "articles").is_dir())


def sentences_of(articles: pd.DataFrame) -> pd.DataFrame:
    """One row per sentence (line): article_id, line (0-based), start (offset in the article
    text), text."""
    rows = []
    for article in articles.itertuples():
        offset = 0
        for number, line in enumerate(article.text.split("\n")):
            rows.append({"article_id": article.article_id, "line": number, "start": offset, "text": line})
            offset += len(line) + 1
    return pd.DataFrame(rows)


def write_corpus(articles: pd.DataFrame, folder: Path) -> None:
    """Write `articles` as a Dossier corpus folder: one `.txt` file each (the detokenised text, one
    sentence a line) and a `manifest.csv` giving its id, outlet and publication date (the name of
    the folder it came from). Unchanged files are left alone, so an index over the folder is
    updated, not rebuilt."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for article in articles.itertuples():
        article_id = article.article_id.split("/", 1)[1].replace("/", "_")
        name = f"{article_id}.txt"
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != article.text:
            path.write_text(article.text, encoding="utf-8")
        rows.append({"id": article_id, "file": name, "title": "", "source": article.source, "url": "",
                     "published": article.published, "notes": ""})  # fmt: skip
    wanted = {r["file"] for r in rows} | {"manifest.csv"}
    for path in folder.iterdir():
        if path.name not in wanted:
            path.unlink()
    manifest = pd.DataFrame(rows).to_csv(index=False)
    target = folder / "manifest.csv"
    if not target.exists() or target.read_text(encoding="utf-8") != manifest:
        target.write_text(manifest, encoding="utf-8")


def in_window(articles: pd.DataFrame, timeline: GoldTimeline) -> pd.DataFrame:
    """The articles published inside the gold timeline's first..last date: the input the
    news-tls protocol gives a system (T17's window extension is 0 days)."""
    start, end = timeline.first.isoformat(), timeline.last.isoformat()
    return articles[(articles["published"] >= start) & (articles["published"] <= end)]
