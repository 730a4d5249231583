"""Sentences, as spaCy's parser splits them (`lib.text.nlp`): the unit a stance verdict is
decided on and quoted by. Abbreviations ("U.S.", "Mr.") and quotes ending in `.”` stay whole,
which a regular expression gets wrong.

Two uses: the sentence table each index build stores for Dossier's paragraphs (start and end
offsets in the paragraph text, from the parses the entity and time-expression analyses already
made), and the sentences of FNC-1/ARC bodies for training, cached on disk by content hash (spaCy
over the ~5,000 bodies takes minutes).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from lib.text.embeddings import Encoder
from lib.text.nlp import load_pipeline, parse_texts, sentence_spans

MAX_PARAGRAPH_CHARS = 5000
"""Longer lines are cut before parsing (a few FNC-1 bodies have no line breaks at all)."""
MAX_SENTENCES = 200
"""Sentences of a training body kept, in order."""
SENTENCE_COLUMNS = ["article_id", "paragraph_id", "sentence", "start", "end"]
_NOT_NEEDED_FOR_SENTENCES = ("ner", "entity_ruler", "lemmatizer", "attribute_ruler", "tagger")


def sentence_table(
    articles: pd.DataFrame, paragraphs: pd.DataFrame, encoder: Encoder | None = None
) -> pd.DataFrame:
    """One row per sentence of each paragraph: `article_id`, `paragraph_id`, `sentence` (its
    number in the paragraph, from 0) and the `start`/`end` character offsets in the paragraph's
    text (`lib.text.nlp.sentence_spans`, the spans the search's sentence vectors use). An
    index-build annotator (`lib.index.annotators`); `encoder` is not needed."""
    body = paragraphs[paragraphs["article_id"].isin(articles["article_id"])]
    texts = body["text"].tolist()
    rows = []
    for article_id, paragraph_id, spans in zip(
        body["article_id"], body["paragraph_id"], sentence_spans(parse_texts(texts)), strict=True
    ):
        kept = [(int(start), int(end)) for start, end in spans if end - start > 1]
        rows += [(article_id, paragraph_id, number, start, end) for number, (start, end) in enumerate(kept)]
    return pd.DataFrame(rows, columns=SENTENCE_COLUMNS)


def split_sentences(texts: Sequence[str], max_sentences: int = MAX_SENTENCES) -> list[list[str]]:
    """Each text as its sentences: lines first (paragraphs), then spaCy's sentences, whitespace
    inside a sentence collapsed; a text without any gives `[text]` (collapsed)."""
    lines: list[str] = []
    owner: list[int] = []
    for i, text in enumerate(texts):
        for line in (text or "").split("\n"):
            line = " ".join(line.split())
            if line:
                lines.append(line[:MAX_PARAGRAPH_CHARS])
                owner.append(i)
    nlp = load_pipeline()
    disabled = [name for name in _NOT_NEEDED_FOR_SENTENCES if name in nlp.pipe_names]
    result: list[list[str]] = [[] for _ in texts]
    for i, doc in zip(owner, nlp.pipe(lines, batch_size=64, disable=disabled), strict=True):
        for sent in doc.sents:
            sentence = " ".join(sent.text.split())
            if len(sentence) > 1 and len(result[i]) < max_sentences:
                result[i].append(sentence)
    return [found or [" ".join((text or "").split())] for found, text in zip(result, texts, strict=True)]


def cached_split_sentences(
    texts: Sequence[str], cache_file: Path | None, log: Callable[[str], None] = print
) -> list[list[str]]:
    """`split_sentences`, re-using (and growing) a JSON cache keyed by the sha1 of each text."""
    cache: dict[str, list[str]] = {}
    if cache_file is not None and cache_file.is_file():
        try:
            cache = json.loads(cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}  # a damaged cache is rebuilt, never trusted
    keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
    missing = list(dict.fromkeys(i for i, key in enumerate(keys) if key not in cache))
    if missing:
        log(f"splitting {len(missing)} texts into sentences (spaCy)")
        for i, found in zip(missing, split_sentences([texts[i] for i in missing]), strict=True):
            cache[keys[i]] = found
        if cache_file is not None:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_file.with_suffix(".tmp")
            temporary.write_text(json.dumps(cache), encoding="utf-8")
            os.replace(temporary, cache_file)
    return [cache[key] for key in keys]
