"""Subtitle files: written from cues, and checked against the conventions.

Files are written and parsed with `pysubs2` (maintained; SubRip and WebVTT both
ways, hours past 99 minutes, escaping). `validate_subtitles` checks any `.srt` or
`.vtt` against the rules `long_audio.cues` follows, from the Netflix Timed Text
Style Guide (General Requirements, partnerhelp.netflixstudios.com article
215758617: 5/6 s to 7 s on screen, 2 lines at most, lines broken after punctuation
and before conjunctions and prepositions, never after an article, a pronoun or an
auxiliary; English (USA) guide, article 217350977: 42 characters a line, 20
characters a second for adult programmes) plus: no cue overlaps the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pysubs2

from langchain_azure_audio.errors import AzureAudioInputError
from langchain_azure_audio.long_audio.cues import (
    BINDING_WORDS,
    MAX_CPS,
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_SECONDS,
    MIN_SECONDS,
    Cue,
    bare,
)

Rule = Literal["lines", "line_length", "too_short", "too_long", "reading_speed", "overlap",
               "line_break"]  # fmt: skip
SUBTITLE_FORMATS: Final = {".srt": "srt", ".vtt": "vtt"}
_TOLERANCE_MS: Final = 1  # times are written to the millisecond


@dataclass(frozen=True)
class SubtitleProblem:
    """A cue that breaks a rule: its number (from 1), when it starts, what is wrong."""

    cue: int
    start: float
    rule: Rule
    detail: str

    def __str__(self) -> str:
        whole = int(self.start)
        clock = f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
        return f"cue {self.cue} at {clock}: {self.detail}"


def _clean(text: str) -> str:
    """Text pysubs2 writes as it reads: no override braces, no `-->` inside a cue."""
    return text.replace("{", "(").replace("}", ")").replace("-->", "->")


def cues_to_file(cues: Sequence[Cue], suffix: str) -> str:
    """The cues as a `.srt` or `.vtt` file's text."""
    subs = pysubs2.SSAFile()
    for cue in cues:
        event = pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000))
        event.plaintext = _clean(cue.text)
        subs.append(event)
    return subs.to_string(SUBTITLE_FORMATS[suffix.lower()])


def read_cues(text: str, suffix: str) -> list[Cue]:
    """The cues of a `.srt` or `.vtt` file's text."""
    subs = pysubs2.SSAFile.from_string(text, format_=SUBTITLE_FORMATS[suffix.lower()])
    return [Cue(start=e.start / 1000, end=e.end / 1000, text=e.plaintext) for e in subs]


def validate_subtitles(file: str | Path) -> list[SubtitleProblem]:
    """Every rule a `.srt` or `.vtt` file breaks, cue by cue (empty: it follows them all).

    Raises:
        AzureAudioInputError: the file is neither `.srt` nor `.vtt`.
    """
    path = Path(file)
    suffix = path.suffix.lower()
    if suffix not in SUBTITLE_FORMATS:
        raise AzureAudioInputError(
            f"{str(path)!r}: validate_subtitles reads .srt or .vtt files; give one of those."
        )
    return check_cues(read_cues(path.read_text(encoding="utf-8"), suffix))


def check_cues(cues: Sequence[Cue]) -> list[SubtitleProblem]:
    """Every rule `cues` break (times to the millisecond, as a file holds them)."""
    problems: list[SubtitleProblem] = []
    previous_end: int | None = None
    for number, cue in enumerate(cues, start=1):
        start, end = round(cue.start * 1000), round(cue.end * 1000)

        def problem(rule: Rule, detail: str) -> None:
            problems.append(SubtitleProblem(number, start / 1000, rule, detail))  # noqa: B023

        lines = cue.text.split("\n")
        if len(lines) > MAX_LINES:
            problem("lines", f"{len(lines)} lines (at most {MAX_LINES})")
        for line in lines:
            if len(line) > MAX_LINE_CHARS:
                problem("line_length", f"a line of {len(line)} characters (at most "
                        f"{MAX_LINE_CHARS}): {line!r}")  # fmt: skip
        for line in lines[:-1]:
            words = line.split()
            if words and bare(words[-1]) in BINDING_WORDS:
                problem("line_break", f"line broken after {words[-1]!r}, which belongs with "
                        "the next line")  # fmt: skip
        seconds = (end - start) / 1000
        if end - start < round(MIN_SECONDS * 1000) - _TOLERANCE_MS:
            problem("too_short", f"on screen {seconds:.3f} s (at least 5/6 s)")
        if end - start > MAX_SECONDS * 1000 + _TOLERANCE_MS:
            problem("too_long", f"on screen {seconds:.3f} s (at most {MAX_SECONDS:g} s)")
        chars = len(cue.text.replace("\n", ""))
        if seconds > 0 and chars / seconds > MAX_CPS + 0.05:
            problem("reading_speed", f"{chars / seconds:.1f} characters a second (at most "
                    f"{MAX_CPS:g}): the speech is faster than a viewer reads")  # fmt: skip
        if previous_end is not None and start < previous_end:
            problem("overlap", f"starts {(previous_end - start) / 1000:.3f} s before the "
                    "previous cue ends")  # fmt: skip
        previous_end = end if previous_end is None else max(previous_end, end)
    return problems
