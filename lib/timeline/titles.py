"""Event titles: a short "who did what" line for a time expression, from the spaCy parse of its
sentence (subject, verb group and object of the verb that governs the expression), so the
timeline shows "The Deepwater Horizon rig exploded" beside April 20 rather than a sentence cut
at a fixed length. Computed per mention at build time, where the paragraph's parse is at hand.
"""

from __future__ import annotations

import re
from typing import Any

_REPORTING = {"say", "tell", "announce", "report", "confirm", "state", "add", "claim", "insist", "warn",
              "declare", "reveal", "admit", "deny", "note", "explain", "acknowledge"}  # fmt: skip
_PRONOUNS = {"it", "he", "she", "they", "we", "i", "you", "this", "that", "which", "who"}
_SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "expl")
_OBJECT_DEPS = ("dobj", "attr", "oprd", "dative", "acomp", "xcomp", "ccomp", "agent")
_KEEP_LEFT = {"det", "amod", "compound", "poss", "nummod", "nmod", "quantmod", "case", "neg", "advmod"}


def _phrase(head: Any, budget: int, skip: tuple[int, int]) -> list[Any]:
    """A compact noun phrase around `head`: its left modifiers (with their own modifiers:
    "the Deepwater Horizon rig", "Spain's health minister"), the head, and one short "of"/"in"
    prepositional phrase if it fits in `budget` tokens (else the phrase is cut from the left, never
    in the middle of the prepositional phrase); the time expression (`skip`) is left out."""

    def clean(tokens: list[Any]) -> list[Any]:
        return sorted({t.i: t for t in tokens if not skip[0] <= t.idx < skip[1]}.values(), key=lambda t: t.i)

    core = [t for left in head.lefts if left.dep_ in _KEEP_LEFT for t in left.subtree] + [head]
    extra: list[Any] = []
    for child in head.rights:
        if child.dep_ in ("compound", "flat", "nummod") and child.i == head.i + 1:
            core.append(child)
            continue
        if child.dep_ == "prep" and child.lower_ in ("of", "in", "on", "at", "for", "to"):
            objects = [c for c in child.children if c.dep_ == "pobj"]
            if objects:
                obj = objects[0]
                extra = (
                    [child]
                    + [t for left in obj.lefts if left.dep_ in _KEEP_LEFT for t in left.subtree]
                    + [obj]
                )
        break
    core, extra = clean(core), clean(extra)
    if len(core) + len(extra) <= budget:
        return core + extra
    return core[-budget:]


def _verb_group(verb: Any) -> list[Any]:
    keep = [c for c in verb.children if c.dep_ in ("aux", "auxpass", "neg", "prt")]
    return sorted([*keep, verb], key=lambda t: t.i)


_RELATIVE = {"which", "who", "that", "whom"}


def _subject(verb: Any) -> Any | None:
    """The subject of `verb`, looking through conjunctions and complements ("... and then sank"
    takes the first verb's subject); for a clause that describes a noun (relative clause,
    participle: "the rig, which exploded", "the deal struck at the White House") the noun."""
    for _ in range(4):
        found = [c for c in verb.children if c.dep_ in _SUBJECT_DEPS]
        if found and not (found[0].lower_ in _RELATIVE and verb.dep_ in ("relcl", "acl")):
            return found[0]
        if verb.dep_ in ("relcl", "acl") and verb.head is not verb:
            return verb.head
        if verb.dep_ in ("conj", "xcomp", "advcl", "ccomp") and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _when_clause(inside: list[Any]) -> Any | None:
    """ "since April 22, when a drilling rig blew up": the clause that says what happened on the
    date, hanging from the expression itself."""
    for token in inside:
        for child in token.children:
            if child.dep_ in ("relcl", "advcl", "acl") and child.pos_ in ("VERB", "AUX"):
                first = min(child.subtree, key=lambda t: t.i)
                if first.lower_ in ("when", "as", "where") or any(c.lower_ == "when" for c in child.children):
                    return child
    return None


def short_clause(sentence: str, start: int, end: int, max_words: int = 12) -> str:
    """Fallback title: the words of the clause around [start, end) (split at commas, semicolons,
    brackets, dashes), without the expression, at most `max_words`."""
    cuts = [0, *[m.end() for m in re.finditer(r"[,;:()]|\s[–—-]\s", sentence)], len(sentence)]
    start, end = min(max(start, 0), len(sentence)), min(max(end, 0), len(sentence))
    lo = max(c for c in cuts if c <= start)
    hi = min(c for c in cuts if c >= end)
    before = sentence[lo:start].split()
    while before and before[-1].lower() in ("on", "in", "at", "since", "by", "until", "from", "of"):
        before.pop()  # the preposition that introduced the date
    words = before + sentence[end:hi].split()
    text = " ".join(words[:max_words]).strip(" ,;:-\"'")
    return text[:1].upper() + text[1:]


_DANGLING = {
    "by",
    "on",
    "at",
    "in",
    "since",
    "until",
    "from",
    "of",
    "to",
    "for",
    "the",
    "a",
    "an",
    "and",
    "'s",
}


def _complement(verb: Any, skip: tuple[int, int], depth: int = 0) -> list[Any]:
    """What the verb does to what: its object (or attribute, or first prepositional phrase); a
    clause object ("ruled the film would not help the defence") with its own subject, verb and
    complement, one level deep."""
    inside = lambda t: skip[0] <= t.idx < skip[1]  # noqa: E731
    objects = [c for c in verb.children if c.dep_ in _OBJECT_DEPS and not inside(c)]
    if objects:
        obj = objects[0]
        if obj.dep_ in ("xcomp", "ccomp") and obj.pos_ in ("VERB", "AUX"):
            if depth > 0:
                return _verb_group(obj)
            own = [c for c in obj.children if c.dep_ in _SUBJECT_DEPS and c.lower_ not in _RELATIVE]
            subject = _phrase(own[0], 5, skip) if own and obj.dep_ == "ccomp" else []
            return [*subject, *_verb_group(obj), *_complement(obj, skip, depth + 1)]
        return _phrase(obj, 8, skip)
    for prep in (c for c in verb.children if c.dep_ == "prep" and not inside(c)):
        pobj = [c for c in prep.children if c.dep_ == "pobj" and not inside(c)]
        if pobj:
            return [prep, *_phrase(pobj[0], 5, skip)]
    return []


def event_title(doc: Any, start: int, end: int, max_words: int = 16) -> str:
    """`_parsed_title`, or when it holds no word (a lone bracket or full stop left by a clause
    cut), the sentence's words without the expression, shortened ("" for a sentence that is
    only the date: pages then show its summary sentence)."""
    title = _parsed_title(doc, start, end, max_words)
    if WORD.search(title):
        return title
    inside = [t for t in doc if start <= t.idx < end]
    spans = ([(inside[0].sent.text, inside[0].sent.start_char)] if inside else []) + [(doc.text, 0)]
    for text, offset in spans:  # its sentence, else the whole text (a date split off on its own)
        rest = text[: max(start - offset, 0)] + text[max(end - offset, 0) :]
        words = " ".join(rest.split()[:max_words]).strip(" ,;:.-\"'()")
        if WORD.search(words):
            return words[:1].upper() + words[1:]
    return ""


WORD = re.compile(r"[^\W\d_]{2,}")
"""A word of two letters or more: what a title must hold."""


def _parsed_title(doc: Any, start: int, end: int, max_words: int = 16) -> str:
    """A short "who did what" title for the time expression at characters [start, end) of the
    spaCy `doc` (a parsed sentence or paragraph; offsets into its text): subject, verb group and
    object of the verb that governs the expression, without the expression itself (the date is
    shown beside it): "The Deepwater Horizon rig exploded".
    - "since April 22, when a rig blew up": the "when" clause says what happened that day;
    - a reporting verb with a clause ("BP said on Tuesday it had capped the well") gives the
      clause, its pronoun subject replaced by the reporter ("BP had capped the well");
    - a clause describing a noun takes the noun as subject ("The deal struck at the White House").
    Falls back to `short_clause` when the parse gives no subject or object."""
    inside = [t for t in doc if start <= t.idx < end]
    if not inside:  # the expression is glued inside a token ("Schools:12 January")
        return short_clause(doc.text, start, end)
    fallback = short_clause(
        inside[0].sent.text, start - inside[0].sent.start_char, end - inside[0].sent.start_char
    )
    verb = _when_clause(inside)
    node = next((t for t in inside if not start <= t.head.idx < end), inside[0])
    for _ in range(12):
        if verb is not None:
            break
        if node.pos_ in ("VERB", "AUX") and node.dep_ not in ("aux", "auxpass", "amod"):
            verb = node
            break
        if node.head is node:
            break
        node = node.head
    if verb is None:
        root = inside[0].sent.root
        if root.pos_ not in ("VERB", "AUX"):
            return fallback
        verb = root
    reporter = None
    if verb.lemma_.lower() in _REPORTING:
        clauses = [c for c in verb.children if c.dep_ == "ccomp" and c.pos_ in ("VERB", "AUX")]
        if clauses:
            reporter, verb = _subject(verb), clauses[0]
    skip = (start, end)
    subject = _subject(verb)
    if reporter is None and verb.dep_ == "ccomp" and verb.head.lemma_.lower() in _REPORTING:
        reporter = _subject(verb.head)
    subject_tokens: list[Any] = []
    if subject is not None:
        if subject.lower_ in _PRONOUNS | _RELATIVE and reporter is not None:
            subject = reporter
        if subject.lower_ not in _RELATIVE:
            subject_tokens = _phrase(subject, 7, skip)
    object_tokens = _complement(verb, skip)
    if not subject_tokens or not (object_tokens or verb.pos_ == "VERB"):
        return fallback
    # Who, did, what: in that order whatever the sentence's ("..., a spokesman joked" and "the
    # deal struck at the White House" put the subject or the object first).
    tokens: list[Any] = []
    for part in (subject_tokens, _verb_group(verb), object_tokens):
        tokens.extend(t for t in sorted(part, key=lambda t: t.i) if t not in tokens)
    kept = [t for t in tokens if t.text.strip() and not start <= t.idx < end][:max_words]
    while kept and kept[-1].lower_ in _DANGLING:
        kept.pop()  # "shut off by [July 15]": the date was the preposition's object
    # Neighbouring tokens keep the text's own spacing ("short-range"); others get one space.
    words = [
        t.text.lower() if t.is_sent_start and t is not kept[0] and t.pos_ != "PROPN" else t.text for t in kept
    ]
    title = "".join(
        word + (t.whitespace_ if nxt is not None and nxt.i == t.i + 1 else " ")
        for word, t, nxt in zip(words, kept, [*kept[1:], None], strict=True)
    )
    title = re.sub(r"\s+([,.;:'’)])", r"\1", re.sub(r"\s+", " ", title)).strip(" ,;:-")
    title = re.sub(r"\(\s+", "(", title)
    return title[:1].upper() + title[1:] if title else fallback
