"""How each ranking method does on the paraphrase suite of the bundled corpus.

The queries are those of `tests/test_search_quality.py` (each paraphrases one paragraph
without repeating its content words), the methods those of `bench/retrieval_quality.py`.
Prints, per method, how many queries find their paragraph in the top 3 and the top 10 and
the mean reciprocal rank. Keyword-heavy fusions lose here because a paraphrase shares almost
no words with its paragraph: the suite is the guard against tuning fusion on word-matching
benchmarks alone.

    python bench/paraphrase_fusion.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from retrieval_quality import METHODS  # noqa: E402
from test_search_quality import KNOWN_MISSES, PARAPHRASES  # noqa: E402

from lib.index.build import build_index  # noqa: E402
from lib.search import search  # noqa: E402
from lib.settings import DEFAULT_MODEL, load_settings  # noqa: E402
from lib.store.embedded import EmbeddedStore  # noqa: E402
from lib.text.embeddings import encoder_id, load_encoder  # noqa: E402

DEPTH = 10


def main() -> list[dict[str, float]]:
    encoder = load_encoder(encoder_id(DEFAULT_MODEL, load_settings().encoder_backend))  # the default: int8
    queries = PARAPHRASES + KNOWN_MISSES
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(ROOT / "corpus", Path(tmp), encoder, annotators=())
        store = EmbeddedStore(Path(tmp))
        print(f"{len(queries)} paraphrase queries over the bundled corpus, encoder {encoder.name}")
        print(f"{'method':<16} | {'top 3':>5} | {'top 10':>6} | {'MRR@10':>6}")
        for name, options in METHODS:
            ranks = []
            for query, paragraph_id in queries:
                found = list(search(store, encoder, query, k=DEPTH, **options).hits["paragraph_id"])
                ranks.append(found.index(paragraph_id) + 1 if paragraph_id in found else None)
            row = {
                "method": name,
                "top3": sum(1 for r in ranks if r and r <= 3),
                "top10": sum(1 for r in ranks if r),
                "mrr": sum(1 / r for r in ranks if r) / len(ranks),
            }
            rows.append(row)
            print(f"{name:<16} | {row['top3']:>5} | {row['top10']:>6} | {row['mrr']:6.3f}", flush=True)
    return rows


if __name__ == "__main__":
    main()
