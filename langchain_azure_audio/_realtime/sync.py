"""Sync `invoke`/`stream` over the async realtime connection: a private loop in a thread.

The Realtime API is a WebSocket conversation; the package speaks it once, in
async code. A sync call runs that code on an event loop of its own in a worker
thread (so it works with or without a loop running in the caller's thread) and
hands each item over through a queue. Stopping early (a `break`, closing the
generator, an exception in the caller) cancels the async side, which closes its
connection before the thread ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Final, TypeVar

T = TypeVar("T")
JOIN_TIMEOUT: Final = 5.0
"""Seconds to wait for the worker thread after a cancel (its close is bounded too)."""


def iterate_async(factory: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Iterate `factory()` from sync code, on a private event loop in a worker thread."""
    handoff: queue.Queue[tuple[str, object]] = queue.Queue()
    loop = asyncio.new_event_loop()

    async def pump() -> None:
        try:
            async for item in factory():
                handoff.put(("item", item))
        except asyncio.CancelledError:
            handoff.put(("end", None))
            raise
        except BaseException as exc:
            handoff.put(("error", exc))
        else:
            handoff.put(("end", None))

    task = loop.create_task(pump())

    def run() -> None:
        try:
            loop.run_until_complete(task)
        except BaseException:
            pass
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    thread = threading.Thread(target=run, name="lcaa-realtime-sync", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "item":
                yield value  # type: ignore[misc]
            elif kind == "error":
                assert isinstance(value, BaseException)
                raise value
            else:
                return
    finally:
        if thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed: nothing to cancel
                loop.call_soon_threadsafe(task.cancel)
            thread.join(JOIN_TIMEOUT)
