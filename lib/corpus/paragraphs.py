"""Article text → clean, addressable paragraphs, and the site furniture removed from it.

Scraped pages carry navigation lines, "See also" links, comment prompts, newsletter
adverts, photo credits, repeated titles and pull quotes. Each is removed by a named,
tested rule and kept in a furniture table (viewable on request), never silently lost.
Hard-wrapped lines are rejoined into real paragraphs. Every paragraph keeps its
character offsets into the article's source text, so a hit leads back to the exact place.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

PARAGRAPH_COLUMNS = ["paragraph_id", "article_id", "ordinal", "text", "start", "end", "kind"]


def paragraph_id(article_id: str, ordinal: int) -> str:
    """The stable id of an article's paragraph: `<article id>:<number>` ("003:11")."""
    return f"{article_id}:{ordinal}"


def parse_paragraph_id(value: str) -> tuple[str, int]:
    """(article id, paragraph number) of a paragraph id; the number alone ("12") gives ("", 12).
    Raises `ValueError` for anything else (a number below 1 included)."""
    article_id, _, number = str(value).strip().rpartition(":")
    ordinal = int(number)
    if ordinal < 1:
        raise ValueError("paragraph numbers start at 1")
    return article_id, ordinal


def paragraph_ordinals(paragraph_ids: pd.Series) -> pd.Series:
    """The paragraph numbers of a column of paragraph ids (for sorting by position)."""
    return paragraph_ids.str.rpartition(":")[2].astype(int)


FURNITURE_COLUMNS = ["article_id", "rule", "text", "start", "end"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_LINE = (
    rf"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})"
    r"(?:\s*(?:at\s+)?\d{1,2}:\d{2}\s*(?:[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
)

# (rule name, pattern matched against a whole line of at most _MAX_FURNITURE_LINE characters)
LINE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("date_only_line", rf"^(?:(?:published|updated|posted)(?: on)?:?\s*)?{_DATE_LINE}$"),
        ("skip_link", r"^skip to (?:toolbar|content|main content|navigation|main|footer)\b"),
        (
            "see_also",
            r"^(?:see also|read also|also read|read more|related(?: articles| stories| posts)?"
            r"|more from|recommended(?: for you)?|you may also like)\b",
        ),
        (
            "comment_prompt",
            r"^(?:be the first to comment|leave a (?:reply|comment)|post a comment"
            r"|join the (?:conversation|discussion)|your email address will not be published"
            r"|add a comment|show comments|view comments|\d+\s+comments?|comments?)\b",
        ),
        (
            "newsletter",
            r"(?:sign up|subscribe)\b.{0,80}\b(?:newsletter|inbox|updates?|mailing list|stories)"
            r"|^get (?:our|the) .{0,60}newsletter|^newsletter\b|delivered (?:straight )?to your inbox",
        ),
        ("byline_credit", r"^(?:edited|written|reported|compiled|additional reporting) by\b.{0,60}$"),
        (
            "photo_credit",
            r"^(?:photo|image|picture|credit|photograph|illustration)s?(?: credit)?\s*:"
            r"|\|\s*(?:photo|image|credit)\s*:|\b(?:photo|image|credit)\s*:\s*[\w .,'’/&-]{2,60}$",
        ),
        (
            "republication_notice",
            r"^this (?:article|story) (?:first|originally) (?:appeared|was published)"
            r"|republished (?:here )?with (?:kind )?permission",
        ),
        ("disclaimer", r"\b(?:views|opinions) expressed (?:in|here|are)\b"),
        ("source_tag", r"^\[[\w .&'-]{1,40}\]$"),
        (
            "site_navigation",
            r"^(?:recent features|advertisement|sponsored(?: content)?|trending(?: now)?"
            r"|most (?:read|popular)|share (?:this|on)\b.{0,30}|follow us\b.{0,40}|click here\b.{0,60}"
            r"|home|menu|search|log ?in|sign in|back to top)$",
        ),
        (
            "social_share",
            r"^(?:facebook|twitter|linkedin|whatsapp|email|print|reddit)(?:\s*[|/,]\s*"
            r"(?:facebook|twitter|linkedin|whatsapp|email|print|reddit))+$",
        ),
    )
)
_MAX_FURNITURE_LINE = 300
_HEADER_LINES = 12
_TERMINAL = tuple(".!?…\"”’':;)")


@dataclass(frozen=True)
class _Line:
    text: str
    start: int
    end: int


def split_paragraphs(article_id: str, text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split one article's source text into (paragraphs, furniture) DataFrames.

    Paragraph ids are `<article_id>:<ordinal>` (1-based); `start`/`end` are offsets into
    `text`. `kind` is "heading" for short unpunctuated lines (section titles, decks) and
    "body" otherwise; only body paragraphs are embedded and searched.
    """
    lines = _lines(text)
    furniture: list[tuple[str, _Line]] = []
    repeated = _repeated_header_lines(lines)
    blocks: list[list[_Line]] = [[]]
    for line in lines:
        rule = _furniture_rule(line.text, repeated)
        if not line.text.strip() or rule:
            if rule:
                furniture.append((rule, line))
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
    wrap_width = _wrap_width(blocks)
    chunks = [para for block in blocks if block for para in _join_wrapped(block, wrap_width)]
    joined_chunks = [_join_text(chunk) for chunk in chunks]
    kept: list[tuple[list[_Line], str]] = []
    for number, (chunk, joined) in enumerate(zip(chunks, joined_chunks, strict=True)):
        if _is_pull_quote(joined, (other for n, other in enumerate(joined_chunks) if n != number)):
            furniture.append(("pull_quote", _Line(joined, chunk[0].start, chunk[-1].end)))
        else:
            kept.append((chunk, joined))
    rows = []
    for ordinal, (chunk, joined) in enumerate(kept, start=1):
        rows.append(
            {
                "paragraph_id": paragraph_id(article_id, ordinal),
                "article_id": article_id,
                "ordinal": ordinal,
                "text": joined,
                "start": chunk[0].start,
                "end": chunk[-1].end,
                "kind": "heading" if _looks_like_heading(joined) else "body",
            }
        )
    removed = [
        {
            "article_id": article_id,
            "rule": rule,
            "text": _normal(line.text),
            "start": line.start,
            "end": line.end,
        }
        for rule, line in sorted(furniture, key=lambda item: item[1].start)
    ]
    return (
        pd.DataFrame(rows, columns=PARAGRAPH_COLUMNS),
        pd.DataFrame(removed, columns=FURNITURE_COLUMNS),
    )


def split_corpus(articles: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`split_paragraphs` over every article of an articles DataFrame (columns article_id, text)."""
    parts = [split_paragraphs(row.article_id, row.text) for row in articles.itertuples()]
    if not parts:
        return pd.DataFrame(columns=PARAGRAPH_COLUMNS), pd.DataFrame(columns=FURNITURE_COLUMNS)
    paragraphs = pd.concat([p for p, _ in parts], ignore_index=True)
    furniture = pd.concat([f for _, f in parts], ignore_index=True)
    return paragraphs.astype({"ordinal": int, "start": int, "end": int}), furniture


def _lines(text: str) -> list[_Line]:
    lines, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(_Line(body, pos, pos + len(body)))
        pos += len(raw)
    return lines


def _normal(text: str) -> str:
    return " ".join(text.split())


def _furniture_rule(line: str, repeated: set[str]) -> str | None:
    text = _normal(line)
    if not text:
        return None
    if text in repeated:
        return "repeated_header_line"
    if len(text) > _MAX_FURNITURE_LINE:
        return None
    for name, pattern in LINE_RULES:
        if pattern.search(text):
            return name
    return None


def _repeated_header_lines(lines: list[_Line]) -> set[str]:
    """Short lines that occur twice or more and first occur in the page header (titles,
    section labels, capture dates): page chrome rather than article text."""
    normal = [_normal(line.text) for line in lines]
    counts = Counter(t for t in normal if t and len(t) <= 200)
    header = [t for t in normal if t][:_HEADER_LINES]
    return {t for t in header if counts[t] >= 2}


def _wrap_width(blocks: list[list[_Line]]) -> int | None:
    """The column at which the text was hard-wrapped, or None if it was not.

    A text counts as hard-wrapped when, inside multi-line blocks, at least a quarter of the
    line breaks fall mid-sentence (the next line starts in lower case) and there are at
    least two such breaks.
    """
    pairs = [(a, b) for block in blocks for a, b in zip(block, block[1:], strict=False)]
    if not pairs:
        return None
    mid_sentence = sum(1 for _, b in pairs if b.text.lstrip()[:1].islower())
    if mid_sentence < 2 or mid_sentence < len(pairs) / 4:
        return None
    return max(len(a.text.rstrip()) for a, b in pairs if b.text.lstrip()[:1].islower())


def _join_wrapped(block: list[_Line], width: int | None) -> list[list[_Line]]:
    """Group a block's lines into paragraphs: each line alone unless the text is hard-wrapped
    and the line ends where the wrap (not the author) broke it."""
    if width is None:
        return [[line] for line in block]
    paragraphs = [[block[0]]]
    for a, b in zip(block, block[1:], strict=False):
        if _continues(a.text.rstrip(), b.text.strip(), width):
            paragraphs[-1].append(b)
        else:
            paragraphs.append([b])
    return paragraphs


def _continues(a: str, b: str, width: int) -> bool:
    slack = 3
    if len(a) > width + slack or len(b) > width + slack:
        return False  # a line longer than the wrap column was never wrapped
    if b[:1].islower():
        return True
    if len(a) < 0.6 * width:
        return False
    first_word = b.split(" ", 1)[0]
    would_have_fit = len(a) + 1 + len(first_word) <= width
    return not (a.endswith(_TERMINAL) and would_have_fit) and not a.endswith(_TERMINAL[:4])


def _join_text(chunk: list[_Line]) -> str:
    return _normal(" ".join(line.text for line in chunk))


def _looks_like_heading(text: str) -> bool:
    words = len(text.split())
    if text.endswith("?"):
        return words <= 6
    return len(text) < 120 and words <= 15 and not text.endswith(_TERMINAL[:4] + ("”", '"'))


def _is_pull_quote(text: str, others: Iterable[str]) -> bool:
    """A short unpunctuated line whose words reappear inside another paragraph."""
    if len(text) > 200 or text.endswith((".", "!", "?")) or len(text.split()) < 5:
        return False
    needle = text.lower().rstrip(".")
    return any(len(other) > len(text) and needle in other.lower() for other in others)
