"""The machinery every long job shares: pacing, waits, checkpoints, a bounded pool.

Audiobooks (text → many spoken segments) and long recordings (many audio
segments → text) are the same shape of work: many independent requests,
started no faster than a rate limit, each retried through 429s and 5xx, each
checkpointed so a killed run resumes without asking again, results put back
in order. This module is that machinery, once:

* `RequestPacer`: spaces request starts (`requests_per_minute`).
* `ainvoke_with_waits`: one model call, attempted at most `max_retries + 1` times
  in all: it is the only retry layer on this path (the `openai` SDK's own retries
  are off inside it), so every attempt is paced, a 429 waits the `Retry-After` the
  service asked for, and 5xx, timeouts and dropped connections back off; sign-in
  refusals, other 4xx and unreachable endpoints fail at once.
* `stops_the_run`: the failures every other request would hit too (fail fast).
* `write_checkpoint` / `read_checkpoint`: a JSON record plus payload files,
  written atomically, payloads first, so a record always points at finished
  data.
* `run_bounded`: runs async jobs at most N at a time, reports progress, and
  cancels the rest when one fails for good (fail fast).
* `map_with_ray`: the same jobs as Ray tasks, for batches that outgrow a process.
"""

from __future__ import annotations

import asyncio
import errno
import random
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Final, TypeVar

from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel

from langchain_azure_audio._azure.clients import caller_retries
from langchain_azure_audio.audio import atomic_write_bytes
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import (
    ApiVersionTooOldError,
    AzureAudioAuthenticationError,
    AzureAudioError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    DeploymentNotFoundError,
    VoiceNotAvailableError,
)

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)

MAX_BACKOFF_SECONDS: Final = 8.0
"""The longest wait between attempts after a 5xx, a timeout or a dropped connection
(the `openai` SDK's own cap); a 429 waits what its `Retry-After` says."""

_UNREACHABLE_ERRNOS: Final = (errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH)


class RequestPacer:
    """Spaces request starts so that no more than `per_minute` begin in any minute."""

    def __init__(self, per_minute: float | None) -> None:
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def __call__(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self._interval
        if wait > 0:
            await asyncio.sleep(wait)


def model_settings(llm: AzureChatOpenAIAudio) -> dict[str, Any]:
    """The model's settings a worker needs to build the same model, without credentials
    (each worker signs in from its own environment: a key or Entra ID)."""
    return {
        "azure_endpoint": llm.azure_endpoint,
        "azure_deployment": llm.azure_deployment,
        "model_name": llm.model_name,
        "api_version": llm.api_version,
        "token_scope": llm.token_scope,
        "voice": llm.voice,
        "allow_unknown_voice": llm.allow_unknown_voice,
    }


def worth_retrying(exc: AzureAudioServiceError) -> bool:
    """A 429, a 5xx, a timeout or a dropped connection may pass; another 4xx, a refused
    sign-in or an endpoint that cannot be reached (DNS failure, connection refused)
    will not."""
    if isinstance(exc, AzureAudioAuthenticationError):
        return False
    if exc.status_code is not None:
        return exc.status_code == 429 or exc.status_code >= 500
    return not unreachable(exc)


def unreachable(exc: BaseException) -> bool:
    """Whether the OS said the endpoint cannot be reached at all (not: it dropped us)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror) or (
            isinstance(cause, OSError) and cause.errno in _UNREACHABLE_ERRNOS
        ):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def backoff(attempt: int) -> float:
    """Seconds to wait after failed attempt `attempt` (1, 2, ...): 0.5 s doubling up to
    `MAX_BACKOFF_SECONDS`, less up to 25% at random so concurrent jobs spread out (the
    `openai` SDK's schedule)."""
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2.0 ** (attempt - 1)) * (1 - 0.25 * random.random())


def stops_the_run(exc: AzureAudioError) -> bool:
    """Failures every other request of a batch would hit too (a refused sign-in, a missing
    deployment, a wrong api-version or voice, an unreachable endpoint): stop at once."""
    return isinstance(
        exc,
        AzureAudioAuthenticationError
        | DeploymentNotFoundError
        | ApiVersionTooOldError
        | VoiceNotAvailableError,
    ) or unreachable(exc)


def error_line(exc: BaseException) -> str:
    """An error as one line (for reports of the parts a batch could not produce)."""
    return " ".join(str(exc).split()) or type(exc).__name__


async def ainvoke_with_waits(
    llm: AzureChatOpenAIAudio,
    messages: Sequence[BaseMessage],
    *,
    before_request: Callable[[], Awaitable[None]] | None = None,
    on_attempt: Callable[[], None] | None = None,
    **kwargs: Any,
) -> AIMessage:
    """`llm.ainvoke(messages, **kwargs)`, attempted at most `llm.max_retries + 1` times.

    This is the only retry layer of the call (the SDK sends each attempt once):
    every attempt is paced by `before_request` and counted by `on_attempt`; a 429
    waits its `Retry-After` (or backs off), 5xx, timeouts and dropped connections
    back off; anything else, and the last failure, is raised.
    """
    attempts = llm.max_retries + 1
    for attempt in range(1, attempts + 1):
        if before_request is not None:
            await before_request()
        if on_attempt is not None:
            on_attempt()
        try:
            with caller_retries():
                return await llm.ainvoke(list(messages), **kwargs)
        except AzureAudioServiceError as exc:
            if attempt == attempts or not worth_retrying(exc):
                raise
            asked = exc.retry_after if isinstance(exc, AzureAudioRateLimitError) else None
            await asyncio.sleep(asked or backoff(attempt))
    raise AssertionError("unreachable: the last attempt re-raises")  # pragma: no cover


def read_checkpoint(record: Path, model: type[M], *payloads: Path) -> M | None:
    """The checkpointed record, when it and every payload it names are on disk."""
    if record.is_file() and all(p.is_file() for p in payloads):
        return model.model_validate_json(record.read_text())
    return None


def write_checkpoint(record: Path, result: BaseModel, *payloads: tuple[Path, bytes]) -> None:
    """Payloads first, then the record, each atomically: a record always points at
    finished data, and a kill at any moment leaves either nothing or the whole."""
    for path, data in payloads:
        atomic_write_bytes(path, data)
    atomic_write_bytes(record, result.model_dump_json(indent=1).encode())


async def run_bounded(
    jobs: Sequence[T],
    work: Callable[[T], Awaitable[R]],
    *,
    max_concurrency: int,
    on_done: Callable[[int, int, R], Any] | None = None,
) -> list[R]:
    """`work(job)` for every job, at most `max_concurrency` at a time; results in the
    jobs' order. `on_done(done, total, result)` after each. The first job that raises
    cancels the others (fail fast: a refused sign-in is not tried once per job)."""
    gate = asyncio.Semaphore(max_concurrency)
    done = 0
    tasks: list[asyncio.Task[R]] = []

    async def one(job: T) -> R:
        nonlocal done
        try:
            async with gate:
                result = await work(job)
        except Exception:
            for task in tasks:
                if task is not asyncio.current_task():
                    task.cancel()
            raise
        done += 1
        if on_done is not None:
            on_done(done, len(jobs), result)
        return result

    tasks.extend(asyncio.ensure_future(one(job)) for job in jobs)
    return list(await asyncio.gather(*tasks))


WorkerContext = Callable[[], AbstractContextManager[Any]]
"""A picklable factory of a context manager each Ray task runs inside (tests use it
to replay a cassette in the workers)."""


def _in_worker(
    func: Callable[..., dict[str, Any]], payload: dict[str, Any], context: WorkerContext | None
) -> dict[str, Any]:
    with context() if context is not None else nullcontext():
        return func(payload)


def map_with_ray(
    func: Callable[[dict[str, Any]], dict[str, Any]],
    payloads: Sequence[dict[str, Any]],
    *,
    env: dict[str, str] | None = None,
    context: WorkerContext | None = None,
) -> list[dict[str, Any]]:
    """`func(payload)` as one Ray task per payload (plain JSON-like dicts, no clients,
    no secrets); results in the payloads' order.

    `env`: environment variables for the workers (e.g. AZURE_OPENAI_API_KEY).
    Requires `pip install "langchain-azure-audio[ray]"`.
    """
    import ray

    task = ray.remote(_in_worker)
    if env:
        task = task.options(runtime_env={"env_vars": env})
    refs = [task.remote(func, payload, context) for payload in payloads]
    return list(ray.get(refs))
