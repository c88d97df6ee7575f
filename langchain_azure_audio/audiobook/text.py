"""Books to chapters to segments: split at paragraph and sentence boundaries.

Pure functions. A segment never exceeds the character budget and never ends
mid-word; a paragraph or sentence that is longer than the budget on its own
is cut at the last space that fits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_MARKDOWN_INLINE = re.compile(r"(\*\*|__|\*|_|`)(.+?)\1")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")


@dataclass
class Chapter:
    """A chapter's title and the texts of its segments, in reading order."""

    title: str
    segments: list[str] = field(default_factory=list)


def split_book(text: str, *, max_chars: int = 1500) -> list[Chapter]:
    """Chapters from Markdown headings (`#`, `##`, `###`), each split into segments.

    Plain text without headings is one chapter. Markdown emphasis, code marks
    and links are reduced to their words; the title of each chapter is read as
    its first segment.
    """
    if max_chars < 40:
        raise ValueError("max_chars must be at least 40 characters")
    chapters: list[tuple[str, list[str]]] = []
    title, lines = "", list[str]()
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            if title or any(part.strip() for part in lines):
                chapters.append((title, lines))
            title, lines = _plain(heading.group(2)), []
        else:
            lines.append(line)
    if title or any(part.strip() for part in lines):
        chapters.append((title, lines))
    out = []
    for chapter_title, chapter_lines in chapters:
        paragraphs = [_plain(" ".join(p.split())) for p in "\n".join(chapter_lines).split("\n\n")]
        paragraphs = [p for p in paragraphs if p]
        if chapter_title:
            paragraphs.insert(0, chapter_title + ".")
        out.append(Chapter(chapter_title, pack(paragraphs, max_chars)))
    return [chapter for chapter in out if chapter.segments]


def pack(paragraphs: list[str], max_chars: int) -> list[str]:
    """Greedily fill segments with whole paragraphs, then sentences, then words."""
    pieces: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= max_chars:
            pieces.append(paragraph)
            continue
        for sentence in _SENTENCE_END.split(paragraph):
            pieces.extend(_cut_words(sentence, max_chars))
    segments: list[str] = []
    for piece in pieces:
        if segments and len(segments[-1]) + 1 + len(piece) <= max_chars:
            segments[-1] = f"{segments[-1]} {piece}"
        else:
            segments.append(piece)
    return segments


def _cut_words(text: str, max_chars: int) -> list[str]:
    out: list[str] = []
    while len(text) > max_chars:
        cut = text.rfind(" ", 0, max_chars + 1)
        if cut <= 0:  # one "word" longer than the budget: cut it, there is no boundary
            cut = max_chars
        out.append(text[:cut].strip())
        text = text[cut:].strip()
    if text:
        out.append(text)
    return out


def _plain(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    while _MARKDOWN_INLINE.search(text):
        text = _MARKDOWN_INLINE.sub(r"\2", text)
    return text.strip()
