"""How long one claim takes over 300 real news articles (target: 15 s on two CPU cores).

    python bench/stance_speed.py [--articles 300] [--model DIR]

The corpus: the BP oil spill as five outlets covered it (Timeline17, `../shared/bench/t17`), an
equal share of each outlet's articles (in date order), written once as a Dossier corpus folder
(lines joined into paragraphs of four sentences, PTB brackets undone) and indexed once. Then,
per claim, `score_claims` as the Stance page runs it on a claim not seen before (the corpus's
sentences prepared once per index generation, timed apart): seconds, sentences scored, verdicts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib.corpus.copies import copy_groups, find_copies  # noqa: E402
from lib.settings import DEFAULT_MODEL, PROJECT_DIR  # noqa: E402
from lib.stance.crossencoder import DEFAULT_CROSS_ENCODER_DIR, StanceCrossEncoder  # noqa: E402
from lib.stance.verdicts import corpus_sentences, score_claims  # noqa: E402
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import load_encoder  # noqa: E402

T17 = ROOT.parent / "shared" / "bench" / "t17"
OUTLETS = ("bpoil_bbc", "bpoil_foxnews", "bpoil_guardian", "bpoil_reuters", "bpoil_washingtonpost")
CLAIMS = (
    "BP is to blame for the Deepwater Horizon oil spill.",
    "The oil spill is killing wildlife along the Gulf coast.",
    "The Obama administration responded too slowly to the spill.",
    "The moratorium on deepwater drilling should be lifted.",
)
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": "“", "''": "”"}


def detokenize(line: str) -> str:
    """Undo the PTB tokenisation of a Timeline17 sentence, roughly."""
    for token, char in _PTB.items():
        line = line.replace(token, char)
    line = re.sub(r"\s+([.,;:!?%)\]”]|'s|n't|'re|'ll|'ve|'m|'d)", r"\1", line)
    return re.sub(r"([(\[“$])\s+", r"\1", line).strip()


def write_corpus(folder: Path, articles: int, t17: Path = T17) -> None:
    """`articles` Timeline17 BP-oil-spill articles, an equal share per outlet, as JSON files."""
    per_outlet = articles // len(OUTLETS)
    folder.mkdir(parents=True, exist_ok=True)
    for outlet in OUTLETS:
        files = sorted((t17 / outlet / "articles").glob("*/*.txt"))[:per_outlet]
        for path in files:
            lines = [
                detokenize(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            ]
            lines = [line for line in lines if line]
            paragraphs = ["\n".join(lines[i : i + 4]).replace("\n", " ") for i in range(0, len(lines), 4)]
            record = {
                "title": lines[0][:120] if lines else "",
                "source": outlet.removeprefix("bpoil_"),
                "published": path.parent.name,
                "text": "\n\n".join(paragraphs),
            }
            name = f"{outlet}-{path.parent.name}-{path.name.split('.')[0]}.json"
            (folder / name).write_text(json.dumps(record), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument(
        "--t17", type=Path, default=T17, help="The Timeline17 folder of the shared bench data."
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_CROSS_ENCODER_DIR)
    parser.add_argument("--work", type=Path, default=PROJECT_DIR / ".dossier" / "bench" / "stance-speed")
    args = parser.parse_args()

    from lib.index.build import build_index

    corpus = args.work / f"t17-bpoil-{args.articles}"
    index = args.work / f"index-{args.articles}"
    if not corpus.is_dir():
        write_corpus(corpus, args.articles, args.t17)
    encoder = load_encoder(DEFAULT_MODEL)
    if not (index / "CURRENT").exists():
        started = time.time()
        build_index(corpus, index, encoder)
        print(f"index built in {time.time() - started:.0f} s")
    store = EmbeddedStore(index)
    articles = store.articles()
    groups = copy_groups(find_copies(articles), articles["article_id"].tolist())
    started = time.time()
    model = StanceCrossEncoder.load(args.model)
    stories, paragraphs = groups["group"].nunique(), len(store.paragraphs())
    print(
        f"{len(articles)} articles, {stories} stories, {paragraphs} paragraphs; "
        f"model loaded in {time.time() - started:.1f} s"
    )
    started = time.time()
    prepared = corpus_sentences(store)
    print(
        f"{len(prepared.sentences)} sentences prepared (once per index generation) "
        f"in {time.time() - started:.1f} s"
    )
    for claim in CLAIMS:
        started = time.time()
        result = score_claims(store, encoder, model, [claim], groups, corpus=prepared)
        seconds = time.time() - started
        counts = result.verdicts["verdict"].value_counts().to_dict()
        print(f"{seconds:5.1f} s  {len(result.evidence):4d} sentences scored  {claim}  {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
