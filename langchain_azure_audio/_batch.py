"""The machinery every long job shares: pacing, waits, checkpoints, a bounded pool.

Audiobooks (text → many spoken segments) and long recordings (many audio
segments → text) are the same shape of work: many independent requests,
started no faster than a rate limit, each retried through 429s and 5xx, each
checkpointed so a killed run resumes without asking again, results put back
in order. This module is that machinery, once:

* `RequestPacer`: spaces request starts (`requests_per_minute`).
* `ainvoke_with_waits`: one model call that waits out 429s (`Retry-After`) and
  backs off on 5xx, timeouts and dropped connections, on top of the `openai`
  SDK's own retries; sign-in refusals, other 4xx and unreachable endpoints
  fail at once.
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
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, Final, TypeVar

from langchain_core.messages import AIMessage, BaseMessage
from pydantic import BaseModel

from langchain_azure_audio.audio import atomic_write_bytes
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import (
    AzureAudioAuthenticationError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
)

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)

MAX_WAITS: Final = 5
"""Retries of one call after a 429 (waiting `Retry-After`), a 5xx, a timeout or a
dropped connection (exponential backoff), on top of the `openai` SDK's own
`max_retries`. Auth failures, 4xx answers and unreachable endpoints (DNS failure,
connection refused) are not retried here: they fail fast."""

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
    """A 5xx, a timeout or a dropped connection may pass; a 4xx, a refused sign-in or an
    endpoint that cannot be reached (DNS failure, connection refused: the SDK's own
    retries already tried it) will not."""
    if isinstance(exc, AzureAudioAuthenticationError):
        return False
    if exc.status_code is not None:
        return exc.status_code >= 500
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


async def ainvoke_with_waits(
    llm: AzureChatOpenAIAudio,
    messages: Sequence[BaseMessage],
    *,
    before_request: Callable[[], Awaitable[None]] | None = None,
    on_attempt: Callable[[], None] | None = None,
    **kwargs: Any,
) -> AIMessage:
    """`llm.ainvoke(messages, **kwargs)`, paced by `before_request`, waiting out 429s
    and backing off on 5xx up to `MAX_WAITS` times; the last error is raised."""
    for wait in range(MAX_WAITS + 1):
        if before_request is not None:
            await before_request()
        if on_attempt is not None:
            on_attempt()
        try:
            return await llm.ainvoke(list(messages), **kwargs)
        except AzureAudioRateLimitError as exc:
            if wait == MAX_WAITS:
                raise
            await asyncio.sleep(exc.retry_after or min(30.0, 2.0**wait))
        except AzureAudioServiceError as exc:
            if wait == MAX_WAITS or not worth_retrying(exc):
                raise
            await asyncio.sleep(min(30.0, 0.5 * 2.0**wait))
    raise AssertionError("unreachable: the last wait re-raises")  # pragma: no cover


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
