"""Transcribe a recording of any length in one call: `transcribe_long`."""

from __future__ import annotations

import asyncio
import functools
import re
import tempfile
from pathlib import Path
from typing import Any, Final

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel

from langchain_azure_audio._batch import RequestPacer
from langchain_azure_audio._media.pauses import MIN_PIECE_SECONDS
from langchain_azure_audio._model.instructions import (
    TRANSCRIBE_INSTRUCTION,
    TRANSCRIBE_LANGUAGE_HINT,
)
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioConfigError
from langchain_azure_audio.long_audio.cues import Cue
from langchain_azure_audio.long_audio.pieces import (
    PieceResult,
    ProgressCallback,
    add_usage,
    gap_marker,
    job_key,
    pieces_to_send,
    run_pieces,
)
from langchain_azure_audio.long_audio.prepare import (
    Manifest,
    Piece,
    PieceFormat,
    drop_pieces,
    prepare,
)
from langchain_azure_audio.long_audio.timing import drop_repeated_words
from langchain_azure_audio.long_audio.translate import (
    LongTranslation,
    atranslate,
    source_cues,
    timed_sentences,
    translation_of,
)

DEFAULT_SEGMENT_SECONDS: Final = 300.0
"""Five minutes a request: 14.4 MB as 24 kHz 16-bit WAV, inside Azure's 20 MiB input
limit, and about 3,000 input audio tokens."""
MAX_SEGMENT_SECONDS: Final = 436.0
"""The longest piece whose 24 kHz 16-bit mono WAV stays within 20 MiB."""
_LANGUAGE_TAG: Final = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*")
SUBTITLE_SEGMENT_SECONDS: Final = 60.0
"""Pieces of subtitle mode: their edges anchor the words' timing where speech runs on
without a pause (measured in benchmarks/bench_subtitles.py)."""


class LongTranscript(BaseModel):
    """A long recording's transcript: one text, and the segments it was made from."""

    source: str
    duration: float
    """Seconds."""
    text: str
    """The whole transcript; gaps (silence, failed segments) are marked with their times."""
    segments: list[PieceResult]
    transcoded: bool
    """True when the audio sent was decoded from the file (not the file's own bytes)."""
    container: str
    codec: str
    requested: int
    """Segments requested in this run (the rest were silent or came from checkpoints)."""
    cues: list[Cue] = []
    """Subtitle cues: each sentence's words where they were said, split to be read."""
    language: str | None = None
    """The spoken language, when hinted."""
    translation: LongTranslation | None = None
    """The transcript in `translate_to`'s language, timed like the source."""

    @property
    def usage(self) -> dict[str, Any]:
        """Token usage summed over the segments requested (now or in an earlier run)."""
        return add_usage(self.segments)

    @property
    def gaps(self) -> list[PieceResult]:
        """Segments with no text: silent, too short, or failed after the retries."""
        return [s for s in self.segments if s.status != "ok"]


def join_segments(segments: list[PieceResult]) -> str:
    """One text: segment texts in order, gaps marked with their time range."""
    parts: list[str] = []
    previous = ""
    for segment in segments:
        if segment.status != "ok":
            parts.append(gap_marker(segment))
            previous = ""
            continue
        text = drop_repeated_words(previous, segment.text) if segment.overlap else segment.text
        if text:
            parts.append(text)
        previous = segment.text
    return "\n\n".join(parts)


def _transcribe_messages(instruction: str) -> Any:
    def build(piece: Piece, block: dict[str, Any]) -> list[BaseMessage]:
        return [SystemMessage(instruction), HumanMessage(content=[block])]

    return build


def check_options(max_concurrency: int, segment_seconds: float, *languages: str | None) -> None:
    for language in languages:
        if language is not None and not _LANGUAGE_TAG.fullmatch(language):
            raise AzureAudioConfigError(
                f"language {language!r} is not a language tag; give one like en, pt-BR or "
                "es-419 (BCP 47)."
            )
    if max_concurrency < 1:
        raise AzureAudioConfigError("max_concurrency must be 1 or more.")
    if not MIN_PIECE_SECONDS <= segment_seconds <= MAX_SEGMENT_SECONDS:
        raise AzureAudioConfigError(
            f"segment_seconds must be between {MIN_PIECE_SECONDS:g} and "
            f"{MAX_SEGMENT_SECONDS:.0f} (a longer piece would exceed Azure's 20 MiB input "
            "limit); 300 is the default."
        )


async def prepared(
    path: Path,
    workdir: Path,
    segment_seconds: float,
    key: str,
    piece_format: PieceFormat,
    *more_keys: str,
) -> Manifest:
    """The recording's manifest, recut when a piece that still needs a request is gone."""
    cut = functools.partial(
        prepare, path, workdir, max_seconds=segment_seconds, piece_format=piece_format
    )
    manifest = await asyncio.to_thread(cut)
    needed = [p for k in (key, *more_keys) for p in pieces_to_send(manifest, workdir, k)]
    if any(not Path(p.file).is_file() for p in needed):
        manifest = await asyncio.to_thread(cut, recut=True)
    return manifest


def piece_seconds(
    segment_seconds: float | None, *, subtitles: bool = False, translate_to: str | None = None
) -> float:
    """The longest piece: as given, else 60 s for subtitles and translations, else 300 s."""
    if segment_seconds is not None:
        return segment_seconds
    shorter = subtitles or translate_to is not None
    return SUBTITLE_SEGMENT_SECONDS if shorter else DEFAULT_SEGMENT_SECONDS


def result_keys(instruction: str, segment_seconds: float, translate_to: str | None) -> list[str]:
    """The checkpoint keys of a transcription's passes over the pieces: the transcription,
    then its translation when one is asked for (a rerun with the same keys resumes)."""
    key = "transcribe-" + job_key(instruction, segment_seconds)
    return [key, *([f"translate-{translate_to}-" + job_key(key)] if translate_to else [])]


async def atranscribe_long(
    llm: AzureChatOpenAIAudio,
    path: str | Path,
    *,
    workdir: str | Path | None = None,
    segment_seconds: float | None = None,
    max_concurrency: int = 4,
    requests_per_minute: float | None = None,
    instruction: str = TRANSCRIBE_INSTRUCTION,
    piece_format: PieceFormat = "mp3",
    on_progress: ProgressCallback | None = None,
    subtitles: bool = False,
    language: str | None = None,
    translate_to: str | None = None,
) -> LongTranscript:
    """Transcribe a recording of any length and format (see `transcribe_long`)."""
    segment_seconds = piece_seconds(segment_seconds, subtitles=subtitles, translate_to=translate_to)
    check_options(max_concurrency, segment_seconds, language, translate_to)
    path = Path(path)
    options: dict[str, Any] = dict(
        segment_seconds=segment_seconds, max_concurrency=max_concurrency,
        requests_per_minute=requests_per_minute, instruction=instruction,
        piece_format=piece_format, on_progress=on_progress, language=language,
        translate_to=translate_to,
    )  # fmt: skip
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="lcaa-") as scratch:
            return await atranscribe_long(llm, path, workdir=scratch, **options)
    workdir = Path(workdir)
    if language is not None:
        instruction += TRANSCRIBE_LANGUAGE_HINT.format(language=language)
    key, *more = result_keys(instruction, segment_seconds, translate_to)
    manifest = await prepared(path, workdir, segment_seconds, key, piece_format, *more)
    segments = await run_pieces(
        llm, manifest, workdir, key=key, build=_transcribe_messages(instruction),
        max_concurrency=max_concurrency, pacer=RequestPacer(requests_per_minute),
        on_progress=on_progress, modalities=["text"],
    )  # fmt: skip
    sentences = timed_sentences(segments, language)
    translation = None
    if translate_to is not None:
        translated = await atranslate(
            llm, manifest, workdir, sentences=sentences, target=translate_to, key=more[0],
            max_concurrency=max_concurrency, requests_per_minute=requests_per_minute,
            on_progress=on_progress,
        )  # fmt: skip
        translation = translation_of(segments, sentences, translated, translate_to)
    requests = [*segments, *(translation.segments if translation else [])]
    if all(s.status != "failed" for s in requests):
        drop_pieces(manifest)  # the text is checkpointed; the cut audio is not needed again
    return LongTranscript(
        source=str(path), duration=manifest.duration, text=join_segments(segments),
        segments=segments, transcoded=manifest.transcoded, container=manifest.container,
        codec=manifest.codec, requested=sum(1 for s in segments if s.attempts),
        cues=source_cues(segments, sentences), language=language, translation=translation,
    )  # fmt: skip


def transcribe_long(llm: AzureChatOpenAIAudio, path: str | Path, **kwargs: Any) -> LongTranscript:
    """Transcribe a recording of any length and any common format, in one call.

    The file is decoded as a stream, cut at pauses into segments the service
    takes (at most `segment_seconds` each), and the segments are transcribed
    concurrently (`max_concurrency`, `requests_per_minute`) with the same
    429/5xx waits as the audiobook. With a `workdir`, finished segments are
    checkpointed: run it again after a kill and only the rest is requested.
    Pieces go as 64 kbit/s MP3; `piece_format="wav"` sends them lossless (six
    times the size).

    `transcript.cues` are subtitle cues (each sentence's words placed where they
    were said, split to be read); `subtitles=True` cuts pieces of 60 s instead of
    300 s, whose edges time the words better where speech runs on without a
    pause. `translate_to="pt-BR"` adds `transcript.translation` (text and cues,
    each sentence timed like its source; one more request per piece, implies
    subtitle pieces); `language` hints the spoken language.

    Example:
        ```python
        from langchain_azure_audio import AzureChatOpenAIAudio
        from langchain_azure_audio.long_audio import transcribe_long, write_transcript

        llm = AzureChatOpenAIAudio(azure_deployment="gpt-audio-1.5")
        transcript = transcribe_long(llm, "meeting.m4a", workdir=".meeting")
        write_transcript(transcript, "meeting.srt")
        for gap in transcript.gaps:
            print(gap.start, gap.end, gap.status)
        ```
    """

    async def run() -> LongTranscript:
        try:
            return await atranscribe_long(llm, path, **kwargs)
        finally:
            await llm.aclose()  # this loop's connections end with it

    return asyncio.run(run())
