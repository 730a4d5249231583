"""Words as search sees them: one tokenizer and light stemmer shared by keyword scoring,
query-term coverage and highlighting, so what is highlighted is what matched."""

from __future__ import annotations

import re

WORD = re.compile(r"\w+", re.UNICODE)
STOPWORDS = frozenset(
    """a an and are as at be by for from has have he her his in is it its of on or that the their them they
    this to was were will with not but what which who whom how why when where into over than then there these
    those""".split()
)


def query_terms(text: str) -> list[str]:
    """Content words of `text` in order, lower case, without stop words or single letters
    (all words if that leaves none)."""
    words = [w.lower() for w in WORD.findall(text) if len(w) > 1 or w.isdigit()]
    content = [w for w in words if w not in STOPWORDS]
    return list(dict.fromkeys(content or words))


def stem(word: str) -> str:
    """A light English stemmer, enough to match "missile"/"missiles" and "launch"/"launched"."""
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "shes", "ches", "xes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ations", "ation", "ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def stems(text: str) -> set[str]:
    """The set of stemmed content words of `text`."""
    return {stem(w) for w in query_terms(text)}
