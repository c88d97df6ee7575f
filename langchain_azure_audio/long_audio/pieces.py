"""One request per piece of a recording, concurrent, checkpointed, honest about gaps.

Runs on the machinery the audiobook uses (`_batch`): the same pacer, the same
429/5xx waits, the same atomic checkpoints and bounded fail-fast pool. A piece
that is silent or too short is not sent; a piece whose request still fails
after the waits (or that the content filter refuses) becomes a reported gap,
and the other pieces go on. Failures that would hit every piece (a refused
sign-in, a missing deployment, an unreachable endpoint) stop the run at once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, Literal

from langchain_core.messages import BaseMessage
from pydantic import BaseModel

from langchain_azure_audio._batch import (
    RequestPacer,
    ainvoke_with_waits,
    error_line,
    read_checkpoint,
    run_bounded,
    stops_the_run,
    write_checkpoint,
)
from langchain_azure_audio.audio import audio_block
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioError
from langchain_azure_audio.long_audio.prepare import Manifest, Piece, recording_folder

MIN_SPEECH_SECONDS: Final = 0.1
"""Pieces shorter than this (after any overlap) are reported as too short, not sent.
This is our threshold, not a documented service limit: shorter audio holds no word."""

Status = Literal["ok", "silent", "too_short", "failed"]
BuildMessages = Callable[[Piece, dict[str, Any]], list[BaseMessage]]
ProgressCallback = Callable[[int, int, "PieceResult"], Any]
"""Called after each piece: (done, total, result)."""
CheckAnswer = Callable[[Piece, str], str]
"""Turns an answer's text into what is kept, or raises ValueError (the piece failed)."""


class PieceResult(BaseModel):
    """What one piece gave: its place in the recording, its text, or why there is none."""

    index: int
    start: float
    """Seconds from the start of the recording."""
    end: float
    status: Status
    text: str = ""
    error: str | None = None
    """Why a `failed` piece has no text (the service's last answer)."""
    attempts: int = 0
    """Requests sent for this piece in this run (0 when reused or not sent)."""
    overlap: float = 0.0
    usage: dict[str, Any] | None = None
    """Token usage of the request that gave `text` (LangChain's `usage_metadata`)."""
    reused: bool = False
    """True when the result came from a checkpoint of an earlier run."""
    islands: list[tuple[float, float]] = []
    """Where there is sound in the segment (seconds): kept with the text, so the cues
    can be made again from the checkpoint once the cut audio is gone."""


def clock(seconds: float) -> str:
    """`HH:MM:SS` for gap markers."""
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def gap_marker(segment: PieceResult) -> str:
    span = f"{clock(segment.start)}-{clock(segment.end)}"
    if segment.status == "silent":
        return f"[{span} silence]"
    if segment.status == "too_short":
        return f"[{span} too short to transcribe]"
    return f"[{span} not transcribed: {segment.error}]"


def add_usage(segments: list[PieceResult]) -> dict[str, Any]:
    """Token usage summed over segments (nested details too), as `usage_metadata` reads."""
    total: dict[str, Any] = {}

    def add(into: dict[str, Any], usage: dict[str, Any]) -> None:
        for name, value in usage.items():
            if isinstance(value, dict):
                add(into.setdefault(name, {}), value)
            elif isinstance(value, int | float):
                into[name] = into.get(name, 0) + value

    for segment in segments:
        if segment.usage:
            add(total, segment.usage)
    return total


def job_key(*parts: Any) -> str:
    """A short, stable name for one kind of pass over a recording (instruction, question)."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:12]


async def run_pieces(
    llm: AzureChatOpenAIAudio,
    manifest: Manifest,
    workdir: Path,
    *,
    key: str,
    build: BuildMessages,
    max_concurrency: int,
    pacer: RequestPacer,
    on_progress: ProgressCallback | None = None,
    check: CheckAnswer | None = None,
    **call_kwargs: Any,
) -> list[PieceResult]:
    """Send every piece of `manifest` through `build` → `llm`; results in order.

    Finished pieces are checkpointed under `workdir` by `key` and reused by a
    rerun with the same key; failed pieces are not, so a rerun tries them again.
    """
    results_dir = recording_folder(workdir, manifest.sha256) / "results" / key

    async def one(piece: Piece) -> PieceResult:
        base = PieceResult(index=piece.index, start=piece.start, end=piece.end,
                           overlap=piece.overlap, status="failed",
                           islands=piece.islands)  # fmt: skip
        if piece.silent:
            return base.model_copy(update={"status": "silent"})
        if piece.end - piece.start - piece.overlap < MIN_SPEECH_SECONDS:
            return base.model_copy(update={"status": "too_short"})
        record = results_dir / f"{piece.index:04d}.json"
        done = read_checkpoint(record, PieceResult)
        if done is not None:
            return done.model_copy(update={"reused": True, "attempts": 0})
        attempts = 0

        def count() -> None:
            nonlocal attempts
            attempts += 1

        messages = build(piece, audio_block(Path(piece.file)))
        try:
            answer = await ainvoke_with_waits(
                llm, messages, before_request=pacer, on_attempt=count, **call_kwargs
            )
        except AzureAudioError as exc:
            if stops_the_run(exc):
                raise
            return base.model_copy(update={"error": error_line(exc), "attempts": attempts})
        text = answer.text.strip()
        if check is not None:
            try:
                text = check(piece, text)
            except ValueError as exc:  # not kept: a rerun asks again
                return base.model_copy(update={"error": str(exc), "attempts": attempts})
        result = base.model_copy(
            update={
                "status": "ok",
                "text": text,
                "attempts": attempts,
                "usage": dict(answer.usage_metadata or {}) or None,
            }
        )
        write_checkpoint(record, result)
        return result

    return await run_bounded(
        manifest.pieces, one, max_concurrency=max_concurrency, on_done=on_progress
    )


def pieces_to_send(manifest: Manifest, workdir: Path, key: str) -> list[Piece]:
    """Pieces that still need a request (no checkpointed result)."""
    results_dir = recording_folder(workdir, manifest.sha256) / "results" / key
    return [
        p
        for p in manifest.pieces
        if not p.silent and not (results_dir / f"{p.index:04d}.json").is_file()
    ]
