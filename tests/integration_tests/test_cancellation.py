"""Stopping a stream early closes its HTTP response at once and leaves nothing behind.

A local server (tests/fault_server.py, 127.0.0.1 only) drips a long answer,
one event every 20 ms (about 4 s in all), and notes when the client hangs up.
Breaking out of `stream()`, closing the generator, cancelling the task that
runs `astream()`, and a read timeout mid-stream must each end the connection
within a fraction of that, with no thread or socket left open, and what
arrived must be reported: to callbacks (LangSmith, tracers) on a
cancellation, on `StreamInterruptedError.partial` on a timeout.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, BaseCallbackHandler
from langchain_core.messages import AIMessageChunk

from langchain_azure_audio import AzureChatOpenAIAudio, StreamInterruptedError
from tests.fault_server import Fault, FaultServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

EVENTS = 200
DELAY = 0.02  # the whole answer takes EVENTS * DELAY = 4 s
PROMPT_END = 1.0  # the connection must end well within this after the stop


def sse(chunk: dict[str, Any]) -> str:
    return f"data: {json.dumps(chunk)}\n\n"


def long_answer() -> list[str]:
    base = {"id": "chatcmpl-long", "object": "chat.completion.chunk"}
    events = [sse({**base, "choices": [{"index": 0, "delta": {
        "role": "assistant", "audio": {"id": "audio_long", "transcript": "Once"}}}]})]  # fmt: skip
    for number in range(EVENTS):
        data = base64.b64encode(bytes([number % 256]) * 960).decode()
        events.append(sse({**base, "choices": [{"index": 0, "delta": {"audio": {"data": data}}}]}))
    events.append(sse({**base, "choices": [], "usage": {"prompt_tokens": 5,
                       "completion_tokens": 9, "total_tokens": 14}}))  # fmt: skip
    events.append("data: [DONE]\n\n")
    return events


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def server() -> Iterator[FaultServer]:
    long = Fault(stream_events=long_answer(), event_delay=DELAY)
    with FaultServer(Fault(), long, max_seconds=30) as s:  # a warm-up answer, then the long one
        yield s


def model(server: FaultServer, **kwargs: Any) -> AzureChatOpenAIAudio:
    return AzureChatOpenAIAudio(azure_endpoint=server.endpoint, api_key="cancel-test-key",
                                azure_deployment="gpt-4o-mini-audio-preview", max_retries=0,
                                **kwargs)  # fmt: skip


class Seen(BaseCallbackHandler):
    """What a tracer is told when the run ends in an error (a stop is one)."""

    def __init__(self) -> None:
        self.error: BaseException | None = None
        self.text: str | None = None

    def on_llm_error(self, error: BaseException, *, response: Any = None, **kwargs: Any) -> None:
        self.error = error
        generations = response.generations if response is not None else []
        self.text = generations[0][0].text if generations and generations[0] else None


class AsyncSeen(AsyncCallbackHandler, Seen):
    async def on_llm_error(  # type: ignore[override]
        self, error: BaseException, *, response: Any = None, **kwargs: Any
    ) -> None:
        Seen.on_llm_error(self, error, response=response)


def audio_chunks(chunk: AIMessageChunk) -> bool:
    return bool(chunk.additional_kwargs.get("audio", {}).get("data"))


def assert_ended_at_once(server: FaultServer, stopped: float) -> None:
    deadline = time.monotonic() + 5
    while not server.ends and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.ends, "the server never saw the connection end"
    how, when = server.ends[0]
    assert how == "client-closed"  # not streamed to the end
    assert when - stopped < PROMPT_END


async def ended_at_once(server: FaultServer, stopped: float) -> None:
    """`assert_ended_at_once`, waiting without blocking the event loop (or adding a thread)."""
    deadline = time.monotonic() + 5
    while not server.ends and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert_ended_at_once(server, stopped)


def assert_nothing_left(threads: int, fds: int) -> None:
    deadline = time.monotonic() + 2  # the server's handler thread needs a moment to return
    while time.monotonic() < deadline and (threading.active_count() > threads or open_fds() > fds):
        gc.collect()
        time.sleep(0.02)
    assert threading.active_count() <= threads, [t.name for t in threading.enumerate()]
    assert open_fds() <= fds


def baseline(llm: AzureChatOpenAIAudio) -> tuple[int, int]:
    """Threads and fds once the model has answered once (its client and pool exist)."""
    assert llm.invoke("Hello").content == "All good."
    gc.collect()
    return threading.active_count(), open_fds()


async def abaseline(llm: AzureChatOpenAIAudio) -> tuple[int, int]:
    """`baseline` for async code (the event loop's helper thread exists after this)."""
    assert (await llm.ainvoke("Hello")).content == "All good."
    gc.collect()
    return threading.active_count(), open_fds()


# ---------------------------------------------------------------------- sync


def test_breaking_out_of_a_stream_closes_the_response_at_once(server: FaultServer) -> None:
    llm = model(server)
    threads, fds = baseline(llm)
    seen = Seen()
    received = []
    for chunk in llm.stream("Read me a long story.", config={"callbacks": [seen]}):
        received.append(chunk)
        if sum(map(audio_chunks, received)) == 3:
            break
    stopped = time.monotonic()
    assert_ended_at_once(server, stopped)
    assert_nothing_left(threads, fds)
    assert isinstance(seen.error, GeneratorExit)  # the tracer hears of the stop...
    assert seen.text == "Once"  # ...with what had arrived


def test_closing_the_generator_closes_the_response_at_once(server: FaultServer) -> None:
    llm = model(server)
    threads, fds = baseline(llm)
    stream = llm.stream("Read me a long story.")
    first = [next(stream) for _ in range(4)]
    assert sum(map(audio_chunks, first)) == 3
    stream.close()
    stopped = time.monotonic()
    assert_ended_at_once(server, stopped)
    assert_nothing_left(threads, fds)


def test_a_timeout_mid_stream_closes_the_response_and_keeps_what_arrived() -> None:
    stalls = Fault(stream_events=long_answer(), stall_after_events=5, stall=10)
    with FaultServer(Fault(), stalls, max_seconds=30) as server:
        llm = model(server, timeout=0.5)
        threads, fds = baseline(llm)
        received: list[AIMessageChunk] = []
        with pytest.raises(StreamInterruptedError, match=r"timed out|Timeout") as caught:
            received.extend(llm.stream("Read me a long story."))
        stopped = time.monotonic()
        assert_ended_at_once(server, stopped)
        assert_nothing_left(threads, fds)
    partial = caught.value.partial
    assert partial.content == "Once"
    assert base64.b64decode(partial.additional_kwargs["audio"]["data"]) == b"".join(
        bytes([n]) * 960 for n in range(4)
    )
    assert len(received) == 1 + 4  # what arrived was also yielded as it came


# --------------------------------------------------------------------- async


async def test_cancelling_the_task_running_astream_closes_the_response(
    server: FaultServer,
) -> None:
    llm = model(server)
    threads, fds = await abaseline(llm)
    seen = AsyncSeen()
    received: list[AIMessageChunk] = []
    three = asyncio.Event()

    async def listen() -> None:
        async for chunk in llm.astream("Read me a long story.", config={"callbacks": [seen]}):
            received.append(chunk)
            if sum(map(audio_chunks, received)) == 3:
                three.set()

    task = asyncio.create_task(listen())
    await asyncio.wait_for(three.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    stopped = time.monotonic()
    await ended_at_once(server, stopped)
    assert_nothing_left(threads, fds)
    assert isinstance(seen.error, asyncio.CancelledError)
    assert seen.text == "Once"


async def test_closing_the_async_generator_closes_the_response(server: FaultServer) -> None:
    llm = model(server)
    threads, fds = await abaseline(llm)
    stream = llm.astream("Read me a long story.")
    first = [await anext(stream) for _ in range(4)]
    assert sum(map(audio_chunks, first)) == 3
    await stream.aclose()
    stopped = time.monotonic()
    await ended_at_once(server, stopped)
    assert_nothing_left(threads, fds)


async def test_an_async_timeout_mid_stream_keeps_what_arrived() -> None:
    stalls = Fault(stream_events=long_answer(), stall_after_events=5, stall=10)
    with FaultServer(Fault(), stalls, max_seconds=30) as server:
        llm = model(server, timeout=0.5)
        threads, fds = await abaseline(llm)
        with pytest.raises(StreamInterruptedError) as caught:
            [c async for c in llm.astream("Read me a long story.")]
        stopped = time.monotonic()
        await ended_at_once(server, stopped)
        assert_nothing_left(threads, fds)
    assert caught.value.partial.content == "Once"
