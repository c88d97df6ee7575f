"""One open realtime connection, and the one-response exchange `invoke`/`stream` make.

`Wire` wraps the `openai` SDK's connection (see `_azure/realtime.py` for why
events go as JSON text through `send_raw`/`recv_bytes`): every receive waits a
bounded time, every event arrives with its GA name, and closing is bounded too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from langchain_azure_audio._azure.realtime import CLOSE_TIMEOUT, Protocol, error_event_error
from langchain_azure_audio._realtime.protocol import item_create, normalize_event
from langchain_azure_audio.errors import AzureAudioServiceError

if TYPE_CHECKING:
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

DEFAULT_TIMEOUT: Final = 60.0
"""Seconds to wait for the service (a connection, the next event of an answer) when
`timeout` is not set: nothing waits for ever."""


class Wire:
    """One realtime connection: JSON events out, normalised events in, a bounded close."""

    def __init__(self, connection: AsyncRealtimeConnection, protocol: Protocol) -> None:
        self.connection = connection
        self.protocol = protocol
        self._lock = asyncio.Lock()
        self.closed = False
        self._closing: asyncio.Future[None] | None = None

    async def send(self, event: Mapping[str, Any]) -> None:
        await self.send_text(json.dumps(event))

    async def send_text(self, text: str) -> None:
        """Send one event already serialised (the audio path builds its JSON itself)."""
        async with self._lock:  # whole messages, never interleaved
            await self.connection.send_raw(text)

    async def recv(self, timeout: float | None) -> dict[str, Any]:
        """The next event, with its GA name. Raises `asyncio.TimeoutError` after `timeout`
        seconds, or the transport's `ConnectionClosed`.

        The deadline is a timer that cancels this task when it fires (the way
        `asyncio.timeout` works, which Python 3.10 lacks) rather than
        `asyncio.wait_for`: no task per event, and a cancellation from outside
        (a cancelled `ainvoke`) reaches the receive at once.
        """
        if timeout is None:
            raw = await self.connection.recv_bytes()
        else:
            task = asyncio.current_task()
            assert task is not None
            fired: list[bool] = []
            timer = asyncio.get_running_loop().call_later(timeout, _expire, task, fired)
            try:
                raw = await self.connection.recv_bytes()
            except asyncio.CancelledError:
                if not fired:
                    raise
                uncancel = getattr(task, "uncancel", None)  # Python 3.11+ counts cancels
                if uncancel is not None:
                    uncancel()
                raise asyncio.TimeoutError(f"no event for {timeout:g} s") from None
            finally:
                timer.cancel()
        event = json.loads(raw)
        if not isinstance(event, dict):
            raise AzureAudioServiceError(f"The realtime service sent a non-event: {raw[:80]!r}")
        return normalize_event(event, self.protocol)

    async def close(self) -> None:
        """Close the connection; the service sees the close frame at once.

        The close runs in a task of its own, shielded: a caller cancelled meanwhile (a
        session closing while it reconnects) does not leave it half done, and every
        later caller waits for the same close.
        """
        if self._closing is None:
            self.closed = True
            self._closing = asyncio.ensure_future(self._close())
        await asyncio.shield(self._closing)

    async def _close(self) -> None:
        with contextlib.suppress(Exception):  # closing a connection that already failed
            await asyncio.wait_for(self.connection.close(), CLOSE_TIMEOUT + 0.5)


def _expire(task: asyncio.Task[Any], fired: list[bool]) -> None:
    fired.append(True)
    task.cancel()


async def one_response(
    open_wire: Callable[[], Awaitable[Wire]],
    session: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    *,
    timeout: float,
    deployment: str,
    voice: str,
) -> AsyncGenerator[dict[str, Any], None]:
    """Open a connection, configure it, send the conversation, ask for one response and
    yield its events until `response.done` (included); the connection is closed on the
    way out, however the caller stops (break, cancel, error).

    Raises:
        AzureAudioError: the service's `error` event, as a typed error.
        asyncio.TimeoutError: no event for `timeout` seconds.
    """
    wire = await open_wire()
    try:
        await wire.send({"type": "session.update", "session": dict(session)})
        for item in items:
            await wire.send(item_create(dict(item)))
        await wire.send({"type": "response.create"})
        while True:
            event = await wire.recv(timeout)
            if event.get("type") == "error":
                raise error_event_error(
                    event.get("error") or {}, deployment=deployment, voice=voice
                )
            yield event
            if event.get("type") == "response.done":
                return
    finally:
        await wire.close()
