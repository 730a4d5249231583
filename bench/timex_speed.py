"""Time-expression extraction + resolution speed against spaCy's own processing of the same text.

    python bench/timex_speed.py [--taggers rules,rules+spacy] [--repeat 1]

The text: the news paragraphs of TempEval-3's TimeBank + AQUAINT (../shared/bench/timex/tbaq/),
each with its document's creation date. In one run, models loaded first: spaCy's full pipeline
(`nlp.pipe`, the offline small English model with Dossier's entity ruler) over the paragraphs,
then each tagger over the same paragraphs. Prints sentences/s for each and the ratio
tagger / spaCy (above 1 means faster than spaCy alone).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib.text.nlp import load_pipeline  # noqa: E402
from lib.timex.registry import find_time_expressions, get_tagger  # noqa: E402

TBAQ = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "timex" / "tbaq"


def load_paragraphs() -> list[tuple[str, date]]:
    """Distinct (paragraph, creation date) pairs from the flattened TimeBank and AQUAINT files."""
    seen: dict[str, date] = {}
    for name in ("timebank_timex.jsonl", "aquaint_timex.jsonl"):
        for line in (TBAQ / name).open(encoding="utf-8"):
            row = json.loads(line)
            seen.setdefault(row["context"], date.fromisoformat(row["dct"][:10]))
    return list(seen.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taggers", default="rules,rules+spacy")
    parser.add_argument("--repeat", type=int, default=1, help="Passes over the text (best time is kept).")
    args = parser.parse_args()
    paragraphs = load_paragraphs()
    texts = [text for text, _ in paragraphs]
    nlp = load_pipeline()
    taggers = {name: get_tagger(name) for name in args.taggers.split(",")}
    for tagger in taggers.values():  # load models and warm caches outside the timing
        find_time_expressions("He left on Thursday, May 9, 2019.", date(2019, 5, 10), tagger)

    def spacy_pass() -> int:
        return sum(len(list(doc.sents)) for doc in nlp.pipe(texts, batch_size=64))

    sentences, spacy_seconds = _best(spacy_pass, args.repeat)
    spacy_rate = sentences / spacy_seconds
    print(f"{len(texts)} paragraphs, {sentences} sentences, {sum(map(len, texts))} characters")
    print(f"spaCy nlp.pipe (full pipeline): {spacy_seconds:.1f} s, {spacy_rate:.0f} sentences/s")
    for name, tagger in taggers.items():

        def tagger_pass(tagger=tagger) -> int:
            return sum(len(find_time_expressions(text, published, tagger)) for text, published in paragraphs)

        found, seconds = _best(tagger_pass, args.repeat)
        rate = sentences / seconds
        print(
            f"timex '{name}': {seconds:.1f} s, {rate:.0f} sentences/s, {found} expressions; "
            f"ratio to spaCy: {rate / spacy_rate:.2f}x"
        )


def _best(run: Callable[[], int], repeat: int) -> tuple[int, float]:
    best = float("inf")
    result = 0
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return result, best


if __name__ == "__main__":
    main()
