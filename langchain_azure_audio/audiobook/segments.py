"""One segment's work as a plain, serialisable unit: text and settings in,
checkpointed audio out.

`SegmentJob` carries no client and no secret, so any worker (a thread, a
process, a Ray task) can run it with `render_segment`: the worker builds its
model from the job's settings and its own environment (key or Entra ID).
The finished segment is a checkpoint in the work folder (raw pcm16 plus a
small JSON record), written atomically; a job whose checkpoint exists is not
requested again.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import unicodedata
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Final

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field

from langchain_azure_audio._batch import (
    ainvoke_with_waits,
    error_line,
    read_checkpoint,
    stops_the_run,
    write_checkpoint,
)
from langchain_azure_audio.audio import audio_bytes
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioError

NARRATOR_INSTRUCTION: Final = (
    "You are the narrator of an audiobook. Read the user's text aloud exactly as written, "
    "word for word, at an even pace. Do not add, skip, reorder, summarise or comment on "
    "anything."
)


class SegmentJob(BaseModel):
    """Everything needed to narrate one segment (JSON-serialisable, no secrets)."""

    model_config = ConfigDict(protected_namespaces=())  # `model_settings` is ours, not pydantic's
    chapter: int
    index: int
    text: str
    model_settings: dict[str, Any] = Field(default_factory=dict)
    """`AzureChatOpenAIAudio` settings other than credentials (endpoint, deployment, voice)."""
    instruction: str = NARRATOR_INSTRUCTION
    threshold: float = 0.9
    max_attempts: int = 3

    @property
    def key(self) -> str:
        """Identifies the audio this job produces: same text and settings, same key."""
        voice = self.model_settings.get("voice", "alloy")
        digest = hashlib.sha256(
            json.dumps([self.text, voice, self.instruction], ensure_ascii=False).encode()
        ).hexdigest()
        return f"{self.chapter:03d}-{self.index:04d}-{digest[:12]}"

    def paths(self, workdir: Path) -> tuple[Path, Path]:
        folder = Path(workdir) / "segments"
        return folder / f"{self.key}.pcm", folder / f"{self.key}.json"


class SegmentResult(BaseModel):
    """What a finished segment's checkpoint records."""

    key: str
    chapter: int
    index: int
    pcm_path: str
    similarity: float
    attempts: int
    matched: bool
    transcript: str
    reused: bool = False
    """True when the checkpoint existed already and nothing was requested."""


class SegmentFailure(BaseModel):
    """A segment that was not narrated: the service still failed after the retries.
    Never checkpointed, so the next run asks for it again."""

    chapter: int
    index: int
    error: str
    """The service's last answer, on one line."""


def similarity(spoken: str, source: str) -> float:
    """How faithfully `spoken` reads `source`: 0..1 over normalised words."""
    a, b = _words(spoken), _words(source)
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text).casefold()
    return re.findall(r"[^\W_]+", text)


def load_checkpoint(job: SegmentJob, workdir: Path) -> SegmentResult | None:
    pcm, record = job.paths(workdir)
    result = read_checkpoint(record, SegmentResult, pcm)
    return None if result is None else result.model_copy(update={"reused": True})


def _messages(job: SegmentJob) -> list[BaseMessage]:
    return [SystemMessage(job.instruction), HumanMessage(job.text)]


def _keep_best(
    job: SegmentJob, best: tuple[float, bytes, str] | None, answer: Any
) -> tuple[float, bytes, str]:
    transcript = answer.text
    score = similarity(transcript, job.text)
    if best is None or score > best[0]:
        return score, audio_bytes(answer), transcript
    return best


def _checkpoint(
    job: SegmentJob, workdir: Path, best: tuple[float, bytes, str], attempts: int
) -> SegmentResult:
    pcm, record = job.paths(workdir)
    score, data, transcript = best
    result = SegmentResult(
        key=job.key, chapter=job.chapter, index=job.index, pcm_path=str(pcm),
        similarity=round(score, 4), attempts=attempts, matched=score >= job.threshold,
        transcript=transcript,
    )  # fmt: skip
    write_checkpoint(record, result, (pcm, data))
    return result


def model_for(job: SegmentJob) -> AzureChatOpenAIAudio:
    """A model for a worker: the job's settings, credentials from the worker's environment."""
    return AzureChatOpenAIAudio(**{**job.model_settings, "audio_format": "pcm16"})


def render_segment(
    job: SegmentJob, workdir: str | Path, llm: AzureChatOpenAIAudio | None = None
) -> SegmentResult:
    """Narrate one segment (or reuse its checkpoint), regenerating unfaithful readings.

    The synchronous entry point for workers (threads, processes, Ray tasks).
    """
    return asyncio.run(arender_segment(job, workdir, llm))


async def arender_segment(
    job: SegmentJob,
    workdir: str | Path,
    llm: AzureChatOpenAIAudio | None = None,
    *,
    before_request: Any = None,
) -> SegmentResult:
    """Async `render_segment`; `before_request` (an async callable) paces the requests."""
    workdir = Path(workdir)
    if (done := load_checkpoint(job, workdir)) is not None:
        return done
    llm = llm or model_for(job)
    best: tuple[float, bytes, str] | None = None
    attempts = 0
    while attempts < job.max_attempts and (best is None or best[0] < job.threshold):
        attempts += 1
        answer = await ainvoke_with_waits(
            llm, _messages(job), before_request=before_request, audio_format="pcm16"
        )
        best = _keep_best(job, best, answer)
    assert best is not None
    return _checkpoint(job, workdir, best, attempts)  # two small files: a thread hop costs more


async def arender_or_report(
    job: SegmentJob,
    workdir: str | Path,
    llm: AzureChatOpenAIAudio | None = None,
    *,
    before_request: Any = None,
) -> SegmentResult | SegmentFailure:
    """`arender_segment`, with a failure that only this segment met (a 5xx or 429 that
    outlasted the retries, the content filter) returned as a `SegmentFailure`; failures
    every segment would meet (sign-in, deployment, endpoint) are raised."""
    try:
        return await arender_segment(job, workdir, llm, before_request=before_request)
    except AzureAudioError as exc:
        if stops_the_run(exc):
            raise
        return SegmentFailure(chapter=job.chapter, index=job.index, error=error_line(exc))
