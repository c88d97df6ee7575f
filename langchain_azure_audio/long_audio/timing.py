"""Where each word of a piece was said, from what can be measured locally.

The chat API returns a piece's text with no word timings, so the words are placed on
the piece's *speech islands* (`_media.pauses.Piece.islands`: the stretches of sound
between quiet runs of 0.1 s or more, found with 20 ms resolution):

1. every word gets an expected length, its spoken characters (numbers spelled out
   with `num2words`, in the language hinted, so "117" weighs like "one hundred and
   seventeen");
2. a dynamic programme hands each island a run of consecutive words (or none: a
   cough, a door), so that every island's length matches its words' expected
   length at one speaking rate for the piece, preferring islands that end where a
   sentence ends; a misfit costs its squared error in seconds over a variance that
   grows with the length (speaking rate wanders), so no misfit spreads to its
   neighbours;
3. inside an island the words share its time in proportion to their lengths.

Between pauses this is exact to the 20 ms frame; inside speech with no pause (one
long island) it is proportional, which is why subtitle mode cuts shorter pieces
(their edges are anchors). Measured against the ground truth in
`benchmarks/bench_subtitles.py` (docs/long-recordings.md).

Why not a forced aligner: the maintained ones load acoustic models (wav2vec2, MMS,
Kaldi) from a model hub at run time, per language; pocketsphinx ships an English
model only. This needs numpy alone, in any language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import numpy as np
from num2words import num2words

SENTENCE_END: Final = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_NUMBER: Final = re.compile(r"\d+(?:[.,]\d+)?")
_RATE_SPREAD: Final = 0.06
"""Relative spread of one sentence's length at a steady speaking rate (about 4 s)."""
_SLACK_SECONDS: Final = 0.15
_EMPTY_ISLAND_COST: Final = 4.0
_AFTER_COMMA_COST: Final = 1.0
_MID_COST: Final = 8.0
_CLAUSE_END: Final = re.compile(r"[,;:—–-][\"'”’»)\]]*$")


@dataclass(frozen=True)
class TimedWord:
    """A word with where it was said, in seconds from the start of the recording."""

    text: str
    start: float
    end: float


@lru_cache(maxsize=4096)
def _spelled(number: str, lang: str) -> str:
    value = float(number.replace(",", ".")) if any(c in number for c in ".,") else int(number)
    try:
        return str(num2words(value, lang=lang))
    except (NotImplementedError, OverflowError, ValueError):
        return str(num2words(value, lang="en")) if lang != "en" else number * 3


def num2words_lang(language: str | None) -> str:
    """`pt-BR` → `pt_BR`, `en-US` → `en` (what num2words knows), default English."""
    if not language:
        return "en"
    code = language.replace("-", "_")
    from num2words import CONVERTER_CLASSES

    if code in CONVERTER_CLASSES:
        return code
    base = code.split("_")[0].lower()
    return base if base in CONVERTER_CLASSES else "en"


def spoken_weight(word: str, lang: str = "en") -> float:
    """How long `word` takes to say, in characters: letters and digits, numbers spelled."""
    spelled = _NUMBER.sub(lambda m: " " + _spelled(m[0], lang) + " ", word)
    return float(max(1, sum(c.isalnum() for c in spelled)))


def ends_sentence(word: str) -> bool:
    return SENTENCE_END.search(word) is not None


def drop_repeated_words(previous: str, text: str, limit: int = 12) -> str:
    """Where two segments overlap (no pause to cut at), the next one starts with words the
    previous one ended with: drop the longest such run (up to `limit` words)."""
    before, after = previous.split(), text.split()
    for n in range(min(limit, len(before), len(after)), 0, -1):
        tail = [w.strip(".,;:!?").casefold() for w in before[-n:]]
        if tail == [w.strip(".,;:!?").casefold() for w in after[:n]]:
            return " ".join(after[n:])
    return text


def place_words(
    words: list[str],
    islands: list[tuple[float, float]],
    *,
    span: tuple[float, float],
    lang: str = "en",
) -> list[TimedWord]:
    """Time `words` (one piece's text, in order) on the piece's speech `islands`.

    `span` is the piece's audio (after any overlap); with no island in it, the words
    spread over the whole span.
    """
    if not words:
        return []
    inside = [(max(a, span[0]), min(b, span[1])) for a, b in islands]
    inside = [(a, b) for a, b in inside if b - a > 0.0]
    if not inside:
        inside = [span]
    weights = np.array([spoken_weight(w, lang) for w in words])
    durations = [b - a for a, b in inside]
    pause_cost = [  # a pause after this word: at a sentence's end, a comma's, or inside
        0.0 if ends_sentence(w) else _AFTER_COMMA_COST if _CLAUSE_END.search(w) else _MID_COST
        for w in words
    ]
    rate = sum(durations) / float(weights.sum())
    runs = _assign(weights, durations, pause_cost, rate)
    if runs is not None:  # again at the rate of the islands that hold words (not a cough's)
        runs = _assign(weights, durations, pause_cost, _fitted_rate(weights, durations, runs))
    if runs is None:  # no fit (far more words than the islands hold): one stretch of speech
        spoken = sum(b - a for a, b in inside)
        inside, runs = [(inside[0][0], inside[0][0] + spoken)], [(0, len(words))]
    timed: list[TimedWord] = []
    for (a, b), (first, last) in zip(inside, runs, strict=True):
        share = weights[first:last]
        if not len(share):
            continue
        edges = a + (b - a) * np.concatenate(([0.0], np.cumsum(share))) / share.sum()
        timed += [
            TimedWord(words[i], float(edges[i - first]), float(edges[i - first + 1]))
            for i in range(first, last)
        ]
    return timed


def _fitted_rate(weights: np.ndarray, durations: list[float], runs: list[tuple[int, int]]) -> float:
    """Seconds per character: the median over the islands holding words, by length."""
    pairs = zip(durations, runs, strict=True)
    ratios = sorted((d / float(weights[a:b].sum()), d) for d, (a, b) in pairs if b > a)
    half, seen = sum(d for _, d in ratios) / 2.0, 0.0
    for ratio, d in ratios:
        seen += d
        if seen >= half:
            return ratio
    return ratios[-1][0]


def _assign(
    weights: np.ndarray, durations: list[float], pause_cost: list[float], rate: float
) -> list[tuple[int, int]] | None:
    """For each island, the run `[first, last)` of words it holds (a monotone split);
    None when no split fits."""
    n, k = len(weights), len(durations)
    prefix = np.concatenate(([0.0], np.cumsum(weights)))
    end_bonus = np.zeros(n + 1)  # an island ending after word i: is that a place to pause?
    end_bonus[1:] = pause_cost
    end_bonus[n] = 0.0
    cost = np.full(n + 1, math.inf)
    cost[0] = 0.0
    steps = np.zeros((k, n + 1), dtype=np.int64)  # words taken by island j to reach i
    index = np.arange(n + 1)
    for j, d in enumerate(durations):
        best = cost + _EMPTY_ISLAND_COST + d  # the island holds no word (a cough, a door)
        take = np.zeros(n + 1, dtype=np.int64)
        longest = int(min(n, math.ceil(3.0 * d / rate / max(weights.min(), 1.0)) + 2))
        for step in range(1, longest + 1):
            before = index - step
            ok = before >= 0
            expected = np.where(ok, rate * (prefix - prefix[np.maximum(before, 0)]), 0.0)
            misfit = (expected - d) ** 2 / variance((expected + d) / 2.0)
            candidate = np.where(ok, cost[np.maximum(before, 0)] + misfit + end_bonus, math.inf)
            better = candidate < best
            best = np.where(better, candidate, best)
            take = np.where(better, step, take)
        cost, steps[j] = best, take
    if not math.isfinite(cost[n]):
        return None
    runs: list[tuple[int, int]] = []
    last = n
    for j in range(k - 1, -1, -1):
        first = last - int(steps[j][last])
        runs.append((first, last))
        last = first
    runs.reverse()
    return runs


def variance(seconds: np.ndarray | float) -> np.ndarray | float:
    """How far a stretch of `seconds` may stray from its expected length (squared)."""
    return (_RATE_SPREAD**2) * 4.0 * seconds + _SLACK_SECONDS**2
