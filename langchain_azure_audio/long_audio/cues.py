"""Subtitle cues a viewer can read, from timed words.

The rules are Netflix's (Timed Text Style Guide: General Requirements, and the
English (USA) guide; partnerhelp.netflixstudios.com, articles 215758617 and
217350977): at most 2 lines of at most 42 characters, on screen 5/6 s to 7 s,
at most 20 characters per second (adult programmes), lines broken after
punctuation and before conjunctions or prepositions but never between an article
and its noun, a pronoun and its verb, a verb and its auxiliary or negation; the
out-time may run up to 12 frames (0.5 s) past the end of the audio when reading
needs it. Cues never overlap.

Every sentence starts a cue of its own (a viewer sees it as it is said); a long
sentence is split at its best phrase boundary, recursively, until each part fits.
A pause of a second or more inside a sentence also starts a new cue, so no cue
stays on screen through a silence. `subtitles.validate` checks any file against
the same rules.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from typing import Final

from pydantic import BaseModel

from langchain_azure_audio.long_audio.timing import TimedWord, ends_sentence, spoken_weight

MAX_LINE_CHARS: Final = 42
MAX_LINES: Final = 2
MIN_SECONDS: Final = 5 / 6
MAX_SECONDS: Final = 7.0
MAX_CPS: Final = 20.0
HOLD_SECONDS: Final = 0.5
"""How far past the last word a cue may stay, for reading speed (12 frames at 24 fps)."""
PAUSE_BREAK_SECONDS: Final = 1.0
"""A pause this long inside a sentence starts a new cue."""

# Words a line must not end with: they bind to the word that follows (articles,
# prepositions, conjunctions, possessives, subject pronouns, auxiliaries, negations),
# in English, Portuguese, Spanish, French and German.
BINDING_WORDS: Final = frozenset(
    """a an the of to in on at by for with from into onto about as and or but nor if
    my your his her its our their this that these those i we you he she they it is are
    was were be been am will would shall should can could may might must do does did
    has have had not no very than
    o os as um uma uns umas de do da dos das em no na nos nas ao aos à às pelo pela
    pelos pelas por com para e ou mas que se não meu minha meus minhas seu sua seus
    suas nosso nossa eu ele ela eles elas é foi
    el la los las un una del en y ni pero mi tu su sus es
    le les une des du et ou mais je tu il elle nous vous ils elles ne est
    der die das den dem des ein eine einer und oder aber ich du er sie wir ihr es ist
    nicht zu mit von für""".split()  # noqa: SIM905
)
# Words a line may well start with (a break before them is a phrase boundary).
OPENING_WORDS: Final = frozenset(
    """and or but nor so because when while if that which who where of to in on at by
    for with from into about as than e ou mas porque quando enquanto se que de em para
    com por y pero cuando et mais quand und oder aber weil wenn dass""".split()  # noqa: SIM905
)
_PUNCTUATION_END: Final = re.compile(r"[,;:.!?…)\]\"”»—-]$")


class Cue(BaseModel):
    """One subtitle: when it is on screen (seconds), its lines, and for a translation
    the source text it translates."""

    start: float
    end: float
    text: str
    """Its lines, joined by a newline."""
    source: str | None = None


def bare(word: str) -> str:
    return word.strip(".,;:!?…\"'“”‘’«»()[]—-").casefold()


def break_lines(text: str) -> list[str] | None:
    """`text` on one line, or broken into two at its best phrase boundary; None when it
    cannot fit two lines of `MAX_LINE_CHARS`."""
    if len(text) <= MAX_LINE_CHARS:
        return [text]
    words = text.split()
    best: tuple[float, int] | None = None
    for i in range(1, len(words)):
        top, bottom = " ".join(words[:i]), " ".join(words[i:])
        if len(top) > MAX_LINE_CHARS or len(bottom) > MAX_LINE_CHARS:
            continue
        score = _boundary_score(words[i - 1], words[i]) - abs(len(top) - len(bottom)) / 10.0
        if best is None or score > best[0]:
            best = (score, i)
    if best is None:
        return None
    return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]


def _boundary_score(before: str, after: str) -> float:
    """How good a phrase boundary the space between two words is."""
    score = 0.0
    if _PUNCTUATION_END.search(before):
        score += 4.0
    if bare(after) in OPENING_WORDS:
        score += 2.0
    if bare(before) in BINDING_WORDS:
        score -= 6.0
    return score


def fits(words: Sequence[TimedWord]) -> bool:
    text = " ".join(w.text for w in words)
    return words[-1].end - words[0].start <= MAX_SECONDS and break_lines(text) is not None


def _split(words: list[TimedWord]) -> list[list[TimedWord]]:
    """`words` (one phrase) in parts that each fit a cue, cut at phrase boundaries."""
    if len(words) == 1 or fits(words):
        return [words]
    span = words[-1].end - words[0].start or 1.0
    middle = (words[0].start + words[-1].end) / 2.0
    best: tuple[float, int] | None = None
    for i in range(1, len(words)):
        gap = words[i].start - words[i - 1].end
        score = (
            _boundary_score(words[i - 1].text, words[i].text)
            + 4.0 * min(gap, 1.0)
            - 6.0 * abs(words[i].start - middle) / span
        )
        if best is None or score > best[0]:
            best = (score, i)
    assert best is not None
    return _split(words[: best[1]]) + _split(words[best[1] :])


def sentences_of(words: Sequence[TimedWord]) -> list[list[TimedWord]]:
    """The words, grouped into sentences (split after a word that ends one)."""
    out: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        current.append(word)
        if ends_sentence(word.text):
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def sentence_texts(text: str) -> list[str]:
    """A text's sentences, as `sentences_of` splits its words."""
    words = [TimedWord(w, 0.0, 0.0) for w in text.split()]
    return [" ".join(w.text for w in sentence) for sentence in sentences_of(words)]


def phrases(sentence: list[TimedWord]) -> list[list[TimedWord]]:
    """A sentence split where it pauses for `PAUSE_BREAK_SECONDS` or more."""
    out = [[sentence[0]]]
    for before, word in itertools.pairwise(sentence):
        if word.start - before.end >= PAUSE_BREAK_SECONDS:
            out.append([])
        out[-1].append(word)
    return out


def time_translation(source: Sequence[TimedWord], translated: str, lang: str) -> list[TimedWord]:
    """The words of `translated` timed over the speech of its `source` sentence: the
    sentence's timing carries to its translation (its first word where the source's
    first word starts, its last where the source's last ends), pauses included."""
    words = translated.split()
    if not words or not source:
        return []
    weights = [spoken_weight(w, lang) for w in words]
    total, spoken = sum(weights), sum(w.end - w.start for w in source)
    out: list[TimedWord] = []
    done = 0.0

    def at(fraction: float) -> float:
        left = fraction * spoken
        for word in source:
            length = word.end - word.start
            if left <= length:
                return word.start + left
            left -= length
        return source[-1].end

    for word, weight in zip(words, weights, strict=True):
        start = at(done / total) if out else source[0].start
        done += weight
        out.append(TimedWord(word, start, at(done / total) if done < total else source[-1].end))
    return out


def build_cues(
    sentences: Sequence[Sequence[TimedWord]], sources: Sequence[str | None] | None = None
) -> list[Cue]:
    """Cues for timed sentences (each starts a cue), split to fit, timed to be read."""
    parts: list[tuple[list[TimedWord], str | None]] = []
    for n, sentence in enumerate(sentences):
        if not sentence:
            continue
        source = sources[n] if sources is not None else None
        for phrase in phrases(list(sentence)):
            parts += [(part, source) for part in _split(phrase)]
    cues: list[Cue] = []
    for i, (words, source) in enumerate(parts):
        text = " ".join(w.text for w in words)
        lines = break_lines(text) or [text]
        start, end = words[0].start, words[-1].end
        if cues and start < cues[-1].end:
            start = cues[-1].end
        following = parts[i + 1][0][0].start if i + 1 < len(parts) else end + HOLD_SECONDS
        need = max(MIN_SECONDS, len(text) / MAX_CPS)
        hold = max(HOLD_SECONDS, MIN_SECONDS - (end - start))
        end = max(end, min(start + need, end + hold, following, start + MAX_SECONDS))
        cues.append(Cue(start=start, end=end, text="\n".join(lines), source=source))
    return cues
