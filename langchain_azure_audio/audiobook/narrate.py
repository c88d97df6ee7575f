"""Long text to narrated audio: split, narrate concurrently under limits, check, stitch.

`anarrate_book` / `narrate_book` turn a plain-text or Markdown book into one
WAV for the book or one per chapter. Segments run concurrently in a bounded
pool, never faster than `requests_per_minute`; each request is attempted at
most `max_retries + 1` times (429s wait for `Retry-After`, 5xx back off). Each
finished segment is checkpointed in `workdir`, so a killed run resumes where
it stopped: nothing finished is requested again, and the output is
byte-identical to an uninterrupted run's. A segment the service keeps
failing does not stop the others: the run ends with `AudiobookIncompleteError`
(the whole chapters written), and the next run asks only for what is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from langchain_azure_audio._batch import RequestPacer, model_settings, run_bounded
from langchain_azure_audio.audiobook.segments import (
    NARRATOR_INSTRUCTION,
    SegmentFailure,
    SegmentJob,
    SegmentResult,
    arender_or_report,
)
from langchain_azure_audio.audiobook.stitch import stitch
from langchain_azure_audio.audiobook.text import Chapter, split_book
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AudiobookIncompleteError, AzureAudioConfigError

Outcome = SegmentResult | SegmentFailure
ProgressCallback = Callable[[int, int, Outcome], Any]
"""Called after each segment: (done, total, result)."""


class AudiobookReport(BaseModel):
    """What a narration produced, and which segments never read faithfully."""

    outputs: list[str]
    segments: int
    requested: int
    """Segments narrated in this run (the rest came from checkpoints)."""
    attempts: int
    unmatched: list[SegmentResult]
    """Segments whose best reading stayed below the similarity threshold."""
    seconds_of_audio: float
    failed: list[SegmentFailure] = []
    """Segments not narrated: the service kept failing (the run raised
    `AudiobookIncompleteError` with this report)."""


def plan(
    chapters: list[Chapter],
    llm: AzureChatOpenAIAudio,
    *,
    threshold: float = 0.9,
    max_attempts: int = 3,
    instruction: str = NARRATOR_INSTRUCTION,
) -> list[SegmentJob]:
    """The segment jobs of a book, in reading order (plain data for any worker)."""
    settings = model_settings(llm)
    return [
        SegmentJob(chapter=c, index=i, text=text, model_settings=settings,
                   instruction=instruction, threshold=threshold, max_attempts=max_attempts)
        for c, chapter in enumerate(chapters)
        for i, text in enumerate(chapter.segments)
    ]  # fmt: skip


async def anarrate_book(
    text: str,
    output: str | Path,
    *,
    llm: AzureChatOpenAIAudio,
    workdir: str | Path,
    per_chapter: bool = False,
    max_concurrency: int = 4,
    requests_per_minute: float | None = None,
    pause_ms: int = 400,
    threshold: float = 0.9,
    max_attempts: int = 3,
    max_chars: int = 1500,
    on_progress: ProgressCallback | None = None,
) -> AudiobookReport:
    """Narrate `text` (plain or Markdown) into `output`.

    `output` is a `.wav` file, or a folder when `per_chapter` (one
    `NN-title.wav` per chapter). Reuses any checkpoints in `workdir`.

    Example:
        ```python
        report = await anarrate_book(Path("book.md").read_text(), "book.wav",
                                     llm=AzureChatOpenAIAudio(voice="echo"), workdir=".book")
        print(report.unmatched)   # segments that never read back faithfully
        ```
    """
    if max_concurrency < 1:
        raise AzureAudioConfigError("max_concurrency must be 1 or more.")
    if not 0 < threshold <= 1:
        raise AzureAudioConfigError("threshold must be in (0, 1]; 0.9 is a good start.")
    chapters = split_book(text, max_chars=max_chars)
    if not chapters:
        raise AzureAudioConfigError("the book has no text to narrate.")
    jobs = plan(chapters, llm, threshold=threshold, max_attempts=max_attempts)
    results = await _render_all(
        jobs, Path(workdir), llm, max_concurrency, RequestPacer(requests_per_minute), on_progress
    )
    return finish(chapters, results, Path(output), per_chapter=per_chapter, pause_ms=pause_ms,
                  workdir=Path(workdir))  # fmt: skip


def finish(
    chapters: list[Chapter],
    results: list[Outcome],
    output: Path,
    *,
    per_chapter: bool,
    pause_ms: int,
    workdir: Path,
) -> AudiobookReport:
    """Stitch what is whole (the book, or with `per_chapter` each whole chapter) and report;
    `AudiobookIncompleteError` (carrying the report) when a segment was not narrated."""
    done = [r for r in results if isinstance(r, SegmentResult)]
    failed = [r for r in results if isinstance(r, SegmentFailure)]
    outputs = _stitch_outputs(chapters, results, output, per_chapter, pause_ms)
    fresh = [r for r in done if not r.reused]
    report = AudiobookReport(
        outputs=[str(p) for p in outputs],
        segments=len(results),
        requested=len(fresh),
        attempts=sum(r.attempts for r in fresh),
        unmatched=[r for r in done if not r.matched],
        seconds_of_audio=sum(Path(r.pcm_path).stat().st_size for r in done) / 48_000,
        failed=failed,
    )
    if failed:
        raise AudiobookIncompleteError(_incomplete_message(report, output, workdir),
                                       report=report)  # fmt: skip
    return report


def _incomplete_message(report: AudiobookReport, output: Path, workdir: Path) -> str:
    missing = "; ".join(
        f"chapter {f.chapter + 1} segment {f.index + 1}: {f.error}" for f in report.failed[:3]
    ) + ("; ..." if len(report.failed) > 3 else "")
    written = f"wrote {', '.join(report.outputs)}" if report.outputs else f"{output} not written"
    return (
        f"{len(report.failed)} of {report.segments} segments not narrated ({missing}). "
        f"{written}; the {report.segments - len(report.failed)} narrated are kept in {workdir}: "
        "run the same narration again to resume."
    )


def narrate_book(text: str, output: str | Path, **kwargs: Any) -> AudiobookReport:
    """Synchronous `anarrate_book` (runs its own event loop)."""

    async def run() -> AudiobookReport:
        try:
            return await anarrate_book(text, output, **kwargs)
        finally:
            await kwargs["llm"].aclose()  # this loop's connections end with it

    return asyncio.run(run())


async def _render_all(
    jobs: list[SegmentJob],
    workdir: Path,
    llm: AzureChatOpenAIAudio,
    max_concurrency: int,
    pacer: RequestPacer,
    on_progress: ProgressCallback | None,
) -> list[Outcome]:
    async def one(job: SegmentJob) -> Outcome:
        return await arender_or_report(job, workdir, llm, before_request=pacer)

    return await run_bounded(jobs, one, max_concurrency=max_concurrency, on_done=on_progress)


def _stitch_outputs(
    chapters: list[Chapter],
    results: list[Outcome],
    output: Path,
    per_chapter: bool,
    pause_ms: int,
) -> list[Path]:
    """The book, or each chapter, stitched when all its segments were narrated."""
    groups = [(output, results)] if not per_chapter else [
        (output / f"{number + 1:02d}-{_file_name(chapter.title)}.wav",
         [r for r in results if r.chapter == number])
        for number, chapter in enumerate(chapters)
    ]  # fmt: skip
    outputs = []
    for target, parts in groups:
        done = [r.pcm_path for r in parts if isinstance(r, SegmentResult)]
        if len(done) == len(parts):  # a book or chapter with a hole is not written
            outputs.append(stitch(done, target, pause_ms=pause_ms))
    return outputs


def _file_name(title: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-") or "chapter"
