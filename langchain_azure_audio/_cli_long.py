"""The CLI's `transcribe` and `ask` bodies: recordings of any length and format.

Both run through `long_audio` (`transcribe_long` / `ask_long`), which sends a
short WAV or MP3 unchanged in one request and cuts anything longer at pauses.
A progress bar on stderr counts segments; finished segments are kept in the
work folder, so running the same command again after a kill resumes.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.long_audio import (
    TRANSCRIPT_SUFFIXES,
    LongAnswer,
    LongTranscript,
    aask_long,
    atranscribe_long,
    render,
)
from langchain_azure_audio.long_audio.pieces import PieceResult
from langchain_azure_audio.long_audio.transcribe import clock

Status = Callable[[str], None]


def default_workdir(file: Path, output: Path | None) -> Path:
    """`OUTPUT.work` beside the output, else `.FILE.work` in the current folder."""
    if output is not None:
        return output.with_name(output.name + ".work")
    return Path(f".{file.name}.work")


def check_transcript_output(output: Path | None) -> None:
    if output is not None and output.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise click.BadParameter(
            f"{str(output)!r}: a transcript is written as {', '.join(TRANSCRIPT_SUFFIXES)}; "
            "give -o one of those suffixes.",
            param_hint="'-o'",
        )


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int, PieceResult], None]]:
    """An `on_progress` callback drawing a bar on stderr once the segment count is known."""
    bar: Any = None

    def update(done: int, total: int, result: PieceResult) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                    show_eta=True, show_pos=True)  # fmt: skip
            bar.__enter__()
        bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def report_gaps(segments: list[PieceResult], status: Status) -> None:
    for gap in segments:
        if gap.status == "failed":
            status(f"warning: {clock(gap.start)}-{clock(gap.end)} not transcribed: {gap.error}")
        elif gap.status == "too_short":
            status(f"note: {clock(gap.start)}-{clock(gap.end)} too short to send")


def transcribe(
    llm: AzureChatOpenAIAudio,
    file: Path,
    *,
    output: Path | None,
    as_json: bool,
    workdir: Path,
    status: Status,
    **options: Any,
) -> LongTranscript:
    async def run() -> LongTranscript:
        try:
            with _progress("Transcribing") as progress:
                return await atranscribe_long(
                    llm, file, workdir=workdir, on_progress=progress, **options
                )
        finally:
            await llm.aclose()

    status("Transcribing...")
    transcript = asyncio.run(run())
    if output is not None:
        from langchain_azure_audio.long_audio import write_transcript

        status(f"Saved {write_transcript(transcript, output)}")
    if as_json:
        data = json.loads(render(transcript, ".json"))
        data = {"file": str(file), "usage": transcript.usage, **data}
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        click.echo(transcript.text)
    report_gaps(transcript.segments, status)
    if len(transcript.segments) > 1:
        status(f"{len(transcript.segments)} segments, {transcript.requested} requested now "
               f"(the rest silent or resumed from {workdir}).")  # fmt: skip
    return transcript


def ask(
    llm: AzureChatOpenAIAudio,
    file: Path,
    question: str,
    *,
    workdir: Path,
    status: Status,
    **options: Any,
) -> LongAnswer:
    """Ask `question` about `file`; for a long recording, say which segments the answer
    draws on (the caller speaks the answer)."""

    async def run() -> LongAnswer:
        try:
            with _progress("Reading") as progress:
                return await aask_long(
                    llm, file, question, workdir=workdir, on_progress=progress, **options
                )
        finally:
            await llm.aclose()

    status("Asking...")
    result = asyncio.run(run())
    if len(result.notes) > 1:
        spans = ", ".join(
            f"{s.index + 1} ({clock(s.start)}-{clock(s.end)})" for s in result.drawn_from
        )
        status(f"Drawn from segment(s): {spans or 'none'}")
        report_gaps(result.notes, status)
    return result
