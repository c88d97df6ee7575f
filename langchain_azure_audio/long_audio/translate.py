"""A transcript's subtitle cues, and its translation timed like the source.

Each segment's text is placed on its speech islands (`timing.place_words`) and
grouped into sentences; each sentence starts a cue (`cues.build_cues`).

Translation is one more request per segment, audio in and text out: the segment's
audio with its numbered sentences, answered with the numbered translations. The
audio models need audio on one side of every request, and a text-only request
would have to ask for spoken output (billed as audio tokens out, several times the
price of audio in); sending the segment's audio again costs its input tokens once
more but lets the model hear what it translates. The numbering maps every
translation to its source sentence, whose time span it takes: the cue holding a
translated sentence's first word starts where the source sentence starts. An answer
whose numbering does not match is not kept (the segment is reported and a rerun
asks again).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from langchain_azure_audio._batch import RequestPacer
from langchain_azure_audio._model.instructions import TRANSLATE_INSTRUCTION
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.long_audio.cues import (
    MAX_SECONDS,
    Cue,
    build_cues,
    sentences_of,
    time_translation,
)
from langchain_azure_audio.long_audio.pieces import (
    CheckAnswer,
    PieceResult,
    ProgressCallback,
    add_usage,
    clock,
    gap_marker,
    run_pieces,
)
from langchain_azure_audio.long_audio.prepare import Manifest, Piece
from langchain_azure_audio.long_audio.timing import (
    TimedWord,
    drop_repeated_words,
    ends_sentence,
    num2words_lang,
    place_words,
)

Sentences = list[list[TimedWord]]
_NUMBERED: Final = re.compile(r"^\s*(\d+)\s*[.):]\s*(.*?)\s*$")


class LongTranslation(BaseModel):
    """A transcript in another language, timed like the source."""

    language: str
    text: str
    """The translation, a paragraph per segment; gaps marked as in the transcript."""
    cues: list[Cue]
    """Subtitle cues; each carries the source sentence it translates (`source`)."""
    segments: list[PieceResult]
    """One translation request per segment with speech (`text`: a translation a line)."""
    requested: int

    @property
    def usage(self) -> dict[str, Any]:
        """Token usage of the translation requests."""
        return add_usage(self.segments)


def timed_sentences(segments: Sequence[PieceResult], language: str | None) -> list[Sentences]:
    """Each segment's sentences, their words placed on the segment's speech islands."""
    lang = num2words_lang(language)
    out: list[Sentences] = []
    previous = ""
    for segment in segments:
        if segment.status != "ok":
            out.append([])
            previous = ""
            continue
        text = drop_repeated_words(previous, segment.text) if segment.overlap else segment.text
        previous = segment.text
        span = (segment.start + segment.overlap, segment.end)
        out.append(sentences_of(place_words(text.split(), segment.islands, span=span, lang=lang)))
    for before, (segment, after) in zip(out, zip(segments[1:], out[1:], strict=True), strict=False):
        # a sentence cut where no pause was (the next segment overlaps) is one sentence
        if before and after and segment.overlap and not ends_sentence(before[-1][-1].text):
            before[-1] = before[-1] + after.pop(0)
    return out


def _gap_cue(segment: PieceResult, what: str = "transcribed") -> Cue:
    start = segment.start + segment.overlap
    text = f"[{clock(start)}-{clock(segment.end)} not {what}]"
    return Cue(start=start, end=min(segment.end, start + MAX_SECONDS), text=text)


def _with_gaps(cues: list[Cue], segments: Sequence[PieceResult]) -> list[Cue]:
    gaps = [_gap_cue(s) for s in segments if s.status == "failed"]
    return sorted(cues + gaps, key=lambda cue: cue.start)


def source_cues(segments: Sequence[PieceResult], sentences: Sequence[Sentences]) -> list[Cue]:
    """Subtitle cues of the transcript: a failed segment is a cue saying so; silence none."""
    flat = [sentence for per_segment in sentences for sentence in per_segment]
    return _with_gaps(build_cues(flat), segments)


def _numbered(sentences: Sentences) -> str:
    return "\n".join(
        f"{n}. {' '.join(w.text for w in sentence)}" for n, sentence in enumerate(sentences, 1)
    )


def parse_numbered(answer: str, count: int) -> list[str]:
    """The translations `1.` to `count.` of a numbered answer, in order.

    Raises:
        ValueError: a number is missing, repeated or out of order.
    """
    found: list[str] = []
    for line in answer.splitlines():
        match = _NUMBERED.match(line)
        if match is None:
            if found and line.strip():  # a translation that runs onto the next line
                found[-1] += " " + line.strip()
            continue
        if int(match[1]) != len(found) + 1:
            raise ValueError(f"the translation numbered {match[1]} where {len(found) + 1} was due")
        found.append(match[2])
    if len(found) != count:
        raise ValueError(f"the translation had {len(found)} sentences for {count}")
    return found


async def atranslate(
    llm: AzureChatOpenAIAudio,
    manifest: Manifest,
    workdir: Any,
    *,
    sentences: Sequence[Sentences],
    target: str,
    key: str,
    max_concurrency: int,
    requests_per_minute: float | None,
    on_progress: ProgressCallback | None = None,
) -> list[PieceResult]:
    """One request per segment with sentences: its audio and numbered sentences in, the
    numbered translations out (checkpointed under `key`, like the transcript)."""
    by_index = {piece.index: per for piece, per in zip(manifest.pieces, sentences, strict=True)}
    # segments with nothing to translate are not sent (as if silent)
    pieces = [p.model_copy(update={"silent": p.silent or not by_index[p.index]})
              for p in manifest.pieces]  # fmt: skip
    instruction = TRANSLATE_INSTRUCTION.format(language=target)

    def build(piece: Piece, block: dict[str, Any]) -> list[BaseMessage]:
        numbered = {"type": "text", "text": _numbered(by_index[piece.index])}
        return [SystemMessage(instruction), HumanMessage(content=[block, numbered])]

    def check(piece: Piece, answer: str) -> str:
        return "\n".join(parse_numbered(answer, len(by_index[piece.index])))

    checked: CheckAnswer = check
    return await run_pieces(
        llm, manifest.model_copy(update={"pieces": pieces}), workdir, key=key, build=build,
        max_concurrency=max_concurrency, pacer=RequestPacer(requests_per_minute),
        on_progress=on_progress, check=checked, modalities=["text"],
    )  # fmt: skip


def translation_of(
    segments: Sequence[PieceResult],
    sentences: Sequence[Sentences],
    translated: list[PieceResult],
    target: str,
) -> LongTranslation:
    """The translated cues and text: every source sentence's span carried to its
    translation."""
    lang = num2words_lang(target)
    timed: list[list[TimedWord]] = []
    sources: list[str | None] = []
    paragraphs: list[str] = []
    for segment, per_segment, result in zip(segments, sentences, translated, strict=True):
        if segment.status != "ok" or result.status == "silent":
            if segment.status != "ok":
                paragraphs.append(gap_marker(segment))
            continue
        if result.status != "ok":
            paragraphs.append(gap_marker(result).replace("not transcribed", "not translated"))
            continue
        lines = result.text.split("\n")
        paragraphs.append(" ".join(lines))
        for sentence, line in zip(per_segment, lines, strict=True):
            words = time_translation(sentence, line, lang)
            for part in sentences_of(words) if words else []:
                timed.append(part)
                sources.append(" ".join(w.text for w in sentence))
    failed = [t for t in translated if t.status == "failed"]
    cues = _with_gaps(build_cues(timed, sources), segments)
    cues = sorted(cues + [_gap_cue(t, "translated") for t in failed], key=lambda cue: cue.start)
    return LongTranslation(
        language=target, text="\n\n".join(p for p in paragraphs if p), cues=cues,
        segments=translated, requested=sum(1 for t in translated if t.attempts),
    )  # fmt: skip
