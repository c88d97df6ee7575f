"""Run segment jobs on Ray, for catalogues that outgrow one process.

Each `SegmentJob` is plain data; a Ray task narrates it with
`render_segment`, building its model from the job's settings and the
worker's environment (pass credentials with `env`, or give the workers an
Entra ID identity). Checkpoints go to `workdir`, which must be a folder every
worker can reach (a shared filesystem); finished segments are skipped, so a
rerun after a failure requests only what is missing.

Requires `pip install "langchain-azure-audio[ray]"`.

Example:
    ```python
    import ray
    from langchain_azure_audio.audiobook import narrate_book_with_ray

    ray.init(address="auto")   # your cluster
    report = narrate_book_with_ray(text, "book.wav", llm=llm, workdir="/shared/book")
    ```
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from langchain_azure_audio._batch import WorkerContext, map_with_ray
from langchain_azure_audio.audiobook.narrate import AudiobookReport, Outcome, finish, plan
from langchain_azure_audio.audiobook.segments import (
    SegmentFailure,
    SegmentJob,
    SegmentResult,
    arender_or_report,
)
from langchain_azure_audio.audiobook.text import split_book
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio


def _render_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    job = SegmentJob.model_validate(payload["job"])
    outcome = asyncio.run(arender_or_report(job, payload["workdir"]))
    return {"failed": isinstance(outcome, SegmentFailure), **outcome.model_dump()}


def render_with_ray(
    jobs: list[SegmentJob],
    workdir: str | Path,
    *,
    env: dict[str, str] | None = None,
    context: WorkerContext | None = None,
) -> list[Outcome]:
    """Narrate `jobs` as Ray tasks (one per segment); results in the jobs' order (a
    `SegmentFailure` for a segment the service kept failing).

    `env`: environment variables for the workers (e.g. AZURE_OPENAI_API_KEY).
    `context`: a picklable factory of a context manager each task runs inside
    (tests use it to replay a cassette in the workers).
    """
    payloads = [{"job": job.model_dump(), "workdir": str(workdir)} for job in jobs]
    results = map_with_ray(_render_in_worker, payloads, env=env, context=context)
    return [
        (SegmentFailure if result.pop("failed") else SegmentResult).model_validate(result)
        for result in results
    ]


def narrate_book_with_ray(
    text: str,
    output: str | Path,
    *,
    llm: AzureChatOpenAIAudio,
    workdir: str | Path,
    per_chapter: bool = False,
    pause_ms: int = 400,
    threshold: float = 0.9,
    max_attempts: int = 3,
    max_chars: int = 1500,
    env: dict[str, str] | None = None,
    context: WorkerContext | None = None,
) -> AudiobookReport:
    """`narrate_book`, with the segments narrated by Ray tasks and stitched here."""
    chapters = split_book(text, max_chars=max_chars)
    jobs = plan(chapters, llm, threshold=threshold, max_attempts=max_attempts)
    results = render_with_ray(jobs, workdir, env=env, context=context)
    return finish(chapters, results, Path(output), per_chapter=per_chapter,
                  pause_ms=pause_ms, workdir=Path(workdir))  # fmt: skip
