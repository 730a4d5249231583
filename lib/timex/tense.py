"""The tense cue: whether the verb governing a time expression looks back or ahead (spaCy's
parse), which decides the occurrence of bare weekdays, months, month-days and seasons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

Tense = Literal["past", "future"] | None

_FUTURE_AUX = {"will", "'ll", "shall", "wo"}
_OPEN_ENDED_NOUNS = {"deadline", "ultimatum"}
_FUTURE_HEADS = {"likely", "set", "due", "expected", "scheduled", "going", "plan", "planned", "poised"}


class TenseReader:
    """Tense of the verb governing a span, parsing each paragraph (line) at most once."""

    def __init__(self, text: str, parse: Callable[[str], Any]) -> None:
        self._text = text
        self._parse = parse
        self._docs: dict[int, Any] = {}

    def __call__(self, start: int, end: int) -> Tense:
        line_start = self._text.rfind("\n", 0, start) + 1
        return governing_tense(self._doc(line_start), start - line_start, end - line_start)

    def line_docs(self) -> list[tuple[int, Any]]:
        """(offset, parsed line) for every non-empty line of the text."""
        offsets = [0] + [i + 1 for i, char in enumerate(self._text) if char == "\n"]
        return [(offset, self._doc(offset)) for offset in offsets if self._text[offset : offset + 1].strip()]

    def _doc(self, line_start: int) -> Any:
        if line_start not in self._docs:
            line_end = self._text.find("\n", line_start)
            line = self._text[line_start : line_end if line_end >= 0 else len(self._text)]
            self._docs[line_start] = self._parse(line)
        return self._docs[line_start]


def governing_tense(doc: Any, start: int, end: int) -> Tense:
    """The tense ("past", "future" or None) of the verb governing the span [start, end) of a spaCy doc."""
    inside = [token for token in doc if start <= token.idx < end]
    if not inside:
        return None
    node = next((t for t in inside if not start <= t.head.idx < end), inside[0])
    for _ in range(20):
        if node.lemma_.lower() in _OPEN_ENDED_NOUNS:
            return None  # "set a deadline of December 31": the verb's tense says nothing of the date
        if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("amod", "aux", "auxpass"):
            return _verb_tense(node)
        if node.head is node:
            return None
        node = node.head
    return None


def _verb_tense(verb: Any) -> Tense:
    auxes = [child for child in verb.children if child.dep_ in ("aux", "auxpass")]
    words = {aux.lower_ for aux in auxes}
    if verb.dep_ == "conj" and not auxes and verb.tag_ == "VB" and verb.head.pos_ in ("VERB", "AUX"):
        return _verb_tense(verb.head)  # "will travel ... and return on Sunday": shares "will"
    if words & _FUTURE_AUX:
        return "future"
    if any(child.dep_ == "acomp" and child.lower_ in _FUTURE_HEADS for child in verb.children):
        return "future"
    if verb.dep_ == "xcomp" and "to" in words:
        if verb.head.lower_ in _FUTURE_HEADS or verb.head.lemma_ in ("plan", "expect", "schedule", "intend"):
            return "future"
        return _verb_tense(verb.head)
    if verb.tag_ == "VBD" or any(aux.tag_ == "VBD" for aux in auxes):
        return "past"
    if verb.tag_ == "VBN" and words & {"has", "have", "'ve", "'s"}:
        return "past"
    return None
