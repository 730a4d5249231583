"""Corpus text → markup that is safe to pass to `st.markdown(..., unsafe_allow_html=True)`.

Corpus text is untrusted: it may hold `<script>`, `<img onerror=...>`, Markdown links or
`$...$` (which Streamlit renders as maths). Every character HTML or Markdown would
interpret becomes an entity, so the text always shows literally; the only markup added is
our own `<mark>` around query words and a `<span>` around the sentence that matched best.
"""

from __future__ import annotations

import re

from lib.text.terms import WORD, stem, stems

_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "*": "&#42;",
    "_": "&#95;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "(": "&#40;",
    ")": "&#41;",
    "#": "&#35;",
    "~": "&#126;",
    "|": "&#124;",
    "$": "&#36;",
    "\\": "&#92;",
    "!": "&#33;",
    "+": "&#43;",
    "-": "&#45;",
    "=": "&#61;",
    ":": "&#58;",
    "{": "&#123;",
    "}": "&#125;",
    "\n": " ",
}
_SPECIAL = re.compile("|".join(re.escape(c) for c in _ENTITIES))


def escape(text: str) -> str:
    """`text` with every HTML- or Markdown-active character turned into an entity."""
    return _SPECIAL.sub(lambda m: _ENTITIES[m.group()], text)


SENTENCE_STYLE = "background-color: rgba(255, 200, 60, 0.22); border-radius: 3px; padding: 0 2px"


def highlight(text: str, query: str, sentence: tuple[int, int] | None = None) -> str:
    """Escaped `text` with the query's words (and simple inflections of them) in <mark>, and the
    `sentence` span (start, end offsets: the best-matching sentence, "why this matched") shaded."""
    if sentence is not None:
        start, end = max(0, sentence[0]), min(len(text), sentence[1])
        if start < end:
            inside = highlight(text[start:end], query)
            shaded = f'<span class="why-matched" style="{SENTENCE_STYLE}">{inside}</span>'
            return highlight(text[:start], query) + shaded + highlight(text[end:], query)
    wanted = stems(query)
    out, pos = [], 0
    for match in WORD.finditer(text):
        if stem(match.group().lower()) in wanted:
            out.append(escape(text[pos : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            pos = match.end()
    out.append(escape(text[pos:]))
    return "".join(out)


_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]<>#+|~$&])")
_LEADING_MARKER = re.compile(r"^(?:([-=])|(\d+)([.)]))")


def escape_markdown(text: str) -> str:
    """`text` for a Markdown file, read as source or rendered: every character CommonMark or GFM
    would interpret (emphasis, links, raw HTML, entities, tables, maths) is backslash-escaped,
    line breaks become spaces, and a leading list marker is escaped, so it always shows as
    written. Unlike `escape`, the file stays readable as plain text."""
    flat = " ".join(text.split())
    escaped = _MARKDOWN_ACTIVE.sub(r"\\\1", flat)
    return _LEADING_MARKER.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)
