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

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from langchain_azure_audio.audiobook.narrate import AudiobookReport, finish, plan
from langchain_azure_audio.audiobook.segments import SegmentJob, SegmentResult, render_segment
from langchain_azure_audio.audiobook.text import split_book
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio

WorkerContext = Callable[[], AbstractContextManager[Any]]


def _render_in_worker(
    job: dict[str, Any], workdir: str, context: WorkerContext | None
) -> dict[str, Any]:
    with context() if context is not None else nullcontext():
        return render_segment(SegmentJob.model_validate(job), workdir).model_dump()


def render_with_ray(
    jobs: list[SegmentJob],
    workdir: str | Path,
    *,
    env: dict[str, str] | None = None,
    context: WorkerContext | None = None,
) -> list[SegmentResult]:
    """Narrate `jobs` as Ray tasks (one per segment); results in the jobs' order.

    `env`: environment variables for the workers (e.g. AZURE_OPENAI_API_KEY).
    `context`: a picklable factory of a context manager each task runs inside
    (tests use it to replay a cassette in the workers).
    """
    import ray

    task = ray.remote(_render_in_worker)
    if env:
        task = task.options(runtime_env={"env_vars": env})
    refs = [task.remote(job.model_dump(), str(workdir), context) for job in jobs]
    return [SegmentResult.model_validate(result) for result in ray.get(refs)]


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
    return finish(chapters, results, Path(output), per_chapter=per_chapter, pause_ms=pause_ms)
