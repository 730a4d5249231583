"""Time-expression quality of each candidate tagger on the shared benchmark data.

    python bench/timex_quality.py [--taggers rules,rules+spacy,dateparser,spacy+dateparser] [--limit-docs N]

Data (read from ../shared/bench/timex/, never copied):
- TempEval-3 training data: TimeBank (183 news documents, 1989-1998; the only portion whose errors
  were looked at to tune the rules) and AQUAINT (73 documents, 1998-2000; held out), each
  document tagged as a whole against its creation date;
- Recognizers-Text's English date/date-range test cases (81 sentences; held out);
- the five bundled articles against tests/data/timex_gold.jsonl (the rules were written on them).

Scores, as TempEval-3 reports them: span precision/recall/F1 relaxed (any overlap) and strict
(same offsets); value accuracy on the relaxed matches; value F1 = relaxed F1 x value accuracy;
and value accuracy on DATE expressions alone (TBAQ).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.timex.base import TimeExpression  # noqa: E402
from lib.timex.registry import TAGGER_NAMES, get_tagger

BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "timex"
BUNDLED_PUBLISHED = {  # ../shared/seeds/METADATA.md
    "000": date(2019, 5, 10),
    "001": date(2019, 5, 10),
    "002": date(2019, 12, 9),
    "003": date(2019, 8, 1),
    "004": date(2018, 7, 9),
}


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    values: frozenset[str]  # any of these counts as right
    type: str
    bounds: tuple[str, str] | None = None  # (first day, day after the last) for Recognizers ranges


@dataclass(frozen=True)
class Document:
    name: str
    text: str
    published: date
    gold: list[GoldSpan]


def load_tbaq(corpus: str) -> list[Document]:
    """TimeBank or AQUAINT documents: the tag-free TEXT element and its gold TIMEX3s."""
    rows = [json.loads(line) for line in (BENCH / "tbaq" / f"{corpus}_timex.jsonl").open(encoding="utf-8")]
    folder = BENCH / "tbaq" / "tml" / ("TimeBank" if corpus == "timebank" else "AQUAINT")
    documents = []
    for name in sorted({row["doc"] for row in rows}):
        markup = (folder / f"{name}.tml").read_text(encoding="utf-8")
        body = re.search(r"<TEXT>(.*)</TEXT>", markup, re.S)
        text = _unescape_keeping_offsets(re.sub(r"<[^>]+>", "", body.group(1) if body else ""))
        mine = [row for row in rows if row["doc"] == name]
        gold = [GoldSpan(r["start"], r["end"], frozenset({r["value"]}), r["type"]) for r in mine]
        bad = sum(text[r["start"] : r["end"]] != r["text"] for r in mine)
        if bad:
            raise SystemExit(f"{name}: {bad} gold offsets do not match the text")
        documents.append(Document(name, text, date.fromisoformat(mine[0]["dct"][:10]), gold))
    return documents


def _unescape_keeping_offsets(text: str) -> str:
    """ "&amp;" -> "&    ": the gold offsets count the escaped characters."""
    return re.sub(r"&\w+;|&#\d+;", lambda m: html.unescape(m.group(0)).ljust(len(m.group(0))), text)


def load_recognizers() -> list[Document]:
    """One document per Recognizers-Text test sentence."""
    documents = []
    path = BENCH / "recognizers_datetime_en_dev.jsonl"
    for number, line in enumerate(path.open(encoding="utf-8")):
        row = json.loads(line)
        gold = []
        for span in row["expected"]:
            accepted = set(span.get("timex", []))
            bounds = None
            for value in span.get("values", []):
                if value.get("value") and value["value"] != "not resolved":
                    accepted.add(value["value"])
                if value.get("start") and value.get("end"):
                    bounds = (value["start"], value["end"])
            start = span["start"]
            gold.append(GoldSpan(start, start + len(span["text"]), frozenset(accepted), span["type"], bounds))
        documents.append(
            Document(f"recognizers-{number}", row["input"], date.fromisoformat(row["reference"][:10]), gold)
        )
    return documents


def load_bundled_gold() -> list[Document]:
    """The five bundled articles with the hand-written gold file of tests/data/timex_gold.jsonl."""
    root = Path(__file__).resolve().parent.parent
    rows = [
        json.loads(line) for line in (root / "tests" / "data" / "timex_gold.jsonl").open(encoding="utf-8")
    ]
    documents = []
    for prefix, published in BUNDLED_PUBLISHED.items():
        text = next((root / "corpus").glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
        gold = [
            GoldSpan(r["start"], r["end"], frozenset({r["value"]}), r["kind"].upper())
            for r in rows
            if r["file"] == prefix
        ]
        documents.append(Document(prefix, text, published, gold))
    return documents


def value_matches(found: TimeExpression, gold: GoldSpan) -> bool:
    """Exact TIMEX value, or for a Recognizers range the same first and last day."""
    if found.value.upper() in {v.upper() for v in gold.values}:
        return True
    if gold.bounds and found.start_date and found.end_date:
        return (found.start_date.isoformat(), (found.end_date + timedelta(days=1)).isoformat()) == gold.bounds
    return False


def score(documents: list[Document], tagger_name: str) -> dict[str, float]:
    tagger = get_tagger(tagger_name)
    found_total = gold_total = relaxed_found = relaxed_gold = strict = 0
    matched = right = date_matched = date_right = 0
    started = time.perf_counter()
    for document in documents:
        found = tagger.tag(document.text, document.published)
        found_total += len(found)
        gold_total += len(document.gold)
        relaxed_found += sum(any(_overlap(f, g) for g in document.gold) for f in found)
        for gold in document.gold:
            overlapping = [f for f in found if _overlap(f, gold)]
            if not overlapping:
                continue
            relaxed_gold += 1
            strict += any(f.start == gold.start and f.end == gold.end for f in overlapping)
            best = max(overlapping, key=lambda f: min(f.end, gold.end) - max(f.start, gold.start))
            ok = value_matches(best, gold)
            matched += 1
            right += ok
            if gold.type.upper() == "DATE":
                date_matched += 1
                date_right += ok
    precision = relaxed_found / found_total if found_total else 0.0
    recall = relaxed_gold / gold_total if gold_total else 0.0
    strict_p = strict / found_total if found_total else 0.0
    strict_r = strict / gold_total if gold_total else 0.0
    relaxed_f1 = _f1(precision, recall)
    accuracy = right / matched if matched else 0.0
    return {
        "P": precision,
        "R": recall,
        "F1": relaxed_f1,
        "strict P": strict_p,
        "strict R": strict_r,
        "strict F1": _f1(strict_p, strict_r),
        "value acc": accuracy,
        "value F1": relaxed_f1 * accuracy,
        "DATE value acc": date_right / date_matched if date_matched else float("nan"),
        "gold": gold_total,
        "seconds": time.perf_counter() - started,
    }


def _overlap(found: TimeExpression, gold: GoldSpan) -> bool:
    return found.start < gold.end and gold.start < found.end


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taggers", default=",".join(TAGGER_NAMES))
    parser.add_argument("--limit-docs", type=int, default=0, help="Only the first N documents of each set.")
    args = parser.parse_args()
    datasets = {
        "TimeBank (tuned on)": load_tbaq("timebank"),
        "AQUAINT (held out)": load_tbaq("aquaint"),
        "Recognizers dev (held out)": load_recognizers(),
        "Bundled articles (written on)": load_bundled_gold(),
    }
    columns = ["P", "R", "F1", "strict P", "strict R", "strict F1", "value acc", "value F1", "DATE value acc"]
    print("| data | tagger | " + " | ".join(columns) + " | gold | s |")
    print("|---|---|" + "---|" * (len(columns) + 2))
    for data_name, documents in datasets.items():
        if args.limit_docs:
            documents = documents[: args.limit_docs]
        for tagger_name in args.taggers.split(","):
            result = score(documents, tagger_name)
            cells = " | ".join(f"{100 * result[c]:.1f}" for c in columns)
            print(
                f"| {data_name} | {tagger_name} | {cells} | {result['gold']} | {result['seconds']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
