"""Ask a question about a recording of any length: `ask_long`.

A recording that fits one request is asked directly (one request, the
model's own modalities: a spoken answer if the model speaks). A longer one
is mapped and reduced: each segment is asked for notes on the question
(text, concurrently, checkpointed), then one request answers, spoken, from
the notes of the segments that bear on the question: those are the segments
the answer draws on. (Audio models take audio on one side of every request,
so the final answer, which has text in, comes out as text and audio.)
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict

from langchain_azure_audio._batch import RequestPacer, ainvoke_with_waits
from langchain_azure_audio._model.instructions import (
    ASK_ANSWER_INSTRUCTION,
    ASK_PART_INSTRUCTION,
    NOTHING_RELEVANT,
)
from langchain_azure_audio.audio import audio_block
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioInputError
from langchain_azure_audio.long_audio.pieces import (
    PieceResult,
    ProgressCallback,
    clock,
    gap_marker,
    job_key,
    run_pieces,
)
from langchain_azure_audio.long_audio.prepare import Piece, PieceFormat
from langchain_azure_audio.long_audio.transcribe import (
    DEFAULT_SEGMENT_SECONDS,
    check_options,
    prepared,
)


class LongAnswer(BaseModel):
    """An answer about a long recording, and where in the recording it comes from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    question: str
    answer: str
    drawn_from: list[PieceResult]
    """The segments the answer draws on (their start and end in seconds)."""
    notes: list[PieceResult]
    """Each segment's notes on the question (`text`), or why it has none."""
    message: AIMessage
    """The final answer as the model gave it (with audio when asked directly)."""
    requested: int
    """Requests sent in this run, the final answer included."""


def _check_question(question: str) -> str:
    if not isinstance(question, str) or not question.strip():
        raise AzureAudioInputError("question is empty; ask something about the recording.")
    return question


def _notes_messages(question: str, total: int) -> Any:
    def build(piece: Piece, block: dict[str, Any]) -> list[BaseMessage]:
        where = f"Part {piece.index + 1} of {total} ({clock(piece.start)}-{clock(piece.end)})."
        prompt = f"{where}\nQuestion about the whole recording: {question}"
        return [SystemMessage(ASK_PART_INSTRUCTION),
                HumanMessage(content=[{"type": "text", "text": prompt}, block])]  # fmt: skip

    return build


def relevant(notes: list[PieceResult]) -> list[PieceResult]:
    """The segments whose notes bear on the question (the rest said NOTHING RELEVANT,
    were silent, or failed)."""
    return [n for n in notes if n.status == "ok" and NOTHING_RELEVANT not in n.text.upper()]


def notes_prompt(question: str, notes: list[PieceResult]) -> str:
    """The final request's text: the relevant segments' notes, labelled, then the question
    (and the gaps, so the answer can say what it could not hear)."""
    lines = [f"[{clock(n.start)}-{clock(n.end)}] {n.text}" for n in relevant(notes)]
    gaps = [gap_marker(n) for n in notes if n.status == "failed"]
    body = "\n".join(lines) or "(no part of the recording bears on the question)"
    missing = f"\nParts not heard: {' '.join(gaps)}" if gaps else ""
    return f"Notes:\n{body}{missing}\n\nQuestion: {question}"


async def aask_long(
    llm: AzureChatOpenAIAudio,
    path: str | Path,
    question: str,
    *,
    workdir: str | Path | None = None,
    segment_seconds: float = DEFAULT_SEGMENT_SECONDS,
    max_concurrency: int = 4,
    requests_per_minute: float | None = None,
    on_progress: ProgressCallback | None = None,
    piece_format: PieceFormat = "mp3",
) -> LongAnswer:
    """Answer `question` about a recording of any length (see `ask_long`)."""
    _check_question(question)
    check_options(max_concurrency, segment_seconds)
    path = Path(path)
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="lcaa-") as scratch:
            return await aask_long(
                llm, path, question, workdir=scratch, segment_seconds=segment_seconds,
                max_concurrency=max_concurrency, requests_per_minute=requests_per_minute,
                on_progress=on_progress, piece_format=piece_format,
            )  # fmt: skip
    workdir = Path(workdir)
    pacer = RequestPacer(requests_per_minute)
    key = "ask-" + job_key(ASK_PART_INSTRUCTION, question)
    manifest = await prepared(path, workdir, segment_seconds, key, piece_format)
    if len(manifest.pieces) == 1 and not manifest.pieces[0].silent:
        return await _ask_directly(llm, manifest.pieces[0], question, pacer)
    notes = await run_pieces(
        llm, manifest, workdir, key=key, build=_notes_messages(question, len(manifest.pieces)),
        max_concurrency=max_concurrency, pacer=pacer, on_progress=on_progress,
        modalities=["text"],
    )  # fmt: skip
    final = await ainvoke_with_waits(
        llm,
        [SystemMessage(ASK_ANSWER_INSTRUCTION), HumanMessage(notes_prompt(question, notes))],
        before_request=pacer,
        modalities=["text", "audio"],
    )
    return LongAnswer(
        question=question, answer=final.text.strip(), drawn_from=relevant(notes), notes=notes,
        message=final, requested=1 + sum(1 for n in notes if n.attempts),
    )  # fmt: skip


async def _ask_directly(
    llm: AzureChatOpenAIAudio, piece: Piece, question: str, pacer: RequestPacer
) -> LongAnswer:
    attempts = 0

    def count() -> None:
        nonlocal attempts
        attempts += 1

    block = audio_block(Path(piece.file))
    message = HumanMessage(content=[{"type": "text", "text": question}, block])
    final = await ainvoke_with_waits(llm, [message], before_request=pacer, on_attempt=count)
    whole = PieceResult(index=0, start=piece.start, end=piece.end, status="ok",
                        text=final.text, attempts=attempts)  # fmt: skip
    return LongAnswer(question=question, answer=final.text.strip(), drawn_from=[whole],
                      notes=[whole], message=final, requested=attempts)  # fmt: skip


def ask_long(
    llm: AzureChatOpenAIAudio, path: str | Path, question: str, **kwargs: Any
) -> LongAnswer:
    """Answer a question about a recording of any length and any common format.

    A recording that fits one request is asked directly. A longer one is cut
    at pauses; each segment is asked for notes on the question (concurrently,
    checkpointed in `workdir`), then one final request answers, in text and
    speech, from the notes of the segments that bear on the question:
    `LongAnswer.drawn_from`.

    Example:
        ```python
        from langchain_azure_audio import AzureChatOpenAIAudio
        from langchain_azure_audio.long_audio import ask_long

        llm = AzureChatOpenAIAudio(azure_deployment="gpt-audio-1.5")
        result = ask_long(llm, "meeting.m4a", "What did we decide about the budget?")
        print(result.answer)
        for segment in result.drawn_from:
            print(f"  from {segment.start:.0f}s to {segment.end:.0f}s")
        ```
    """

    async def run() -> LongAnswer:
        try:
            return await aask_long(llm, path, question, **kwargs)
        finally:
            await llm.aclose()

    return asyncio.run(run())
