"""A scripted loopback Realtime API server (127.0.0.1 only), GA and preview protocols.

For the realtime tests, the docs' live-voice example and benchmarks/bench_realtime.py.
It speaks the protocol as documented (the GA shapes of the `openai` SDK's
`types/realtime`, the preview ones of `types/beta/realtime`, Microsoft's WebSockets
page and migration guide): the protocol is told by the URL (`/openai/v1/realtime?model=`
is GA, `/openai/realtime?api-version=&deployment=` preview), `session.update` is
checked against that protocol's shape, and its events carry that protocol's names.

What it answers is scripted per test (`brain`: a `Speak`, a `CallTools` or a
`Fail` for each `response.create`); by default it answers like the package's
synthetic chat service (`scripts/synthetic_service.py`: a tool's result, or "You
said ..."; the bound tool with arguments from the user's words). It can refuse
handshakes (`refuse`), hold an answer mid-speech until the client cancels it
(`Speak.hold_after`), detect speech in appended audio (a simple energy VAD, for
`server_vad` sessions), end a session like the service's time limit
(`expire_after` responses: an `error` event `session_expired`, then a close) or drop
the socket (`drop_after`). Everything the client sent is logged per connection.

Nothing here is recorded from Azure: it is a synthetic stand-in.

    python -m tests.realtime_server     # serve on a free port until Ctrl-C
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.realtime_script import (  # noqa: F401 - the tests import them from here
    BYTES_PER_MS,
    MODEL_VERSIONS,
    PREVIEW_NAMES,
    RATE,
    SILENCE_MS,
    SPEECH_LEVEL,
    WATCHED,
    Brain,
    CallTools,
    Conn,
    Fail,
    Speak,
    Step,
    chat_body,
    default_brain,
    input_setting,
    scripted,
    session_problem,
    silence,
    tone,
    usage,
)


class RealtimeServer:
    """The scripted server, on its own event loop in a thread (see the module docstring)."""

    def __init__(
        self,
        brain: Brain | None = None,
        *,
        refuse: dict[int, tuple[int, str]] | None = None,
        expire_after: int | None = None,
        drop_after: int | None = None,
        transcripts: list[str] | None = None,
        stamp: bool = False,
    ) -> None:
        self.brain = brain or default_brain
        self.refuse = dict(refuse or {})
        """Handshake attempt number (from 1) → (HTTP status, body) to refuse it with."""
        self.expire_after, self.drop_after = expire_after, drop_after
        self.transcripts = list(transcripts or [])
        """What the user "said" in each detected or committed turn, in order."""
        self.stamp = stamp
        """Put `time.monotonic_ns()` as `t_ns` on audio deltas (the benchmark's clock)."""
        self.connections: list[Conn] = []
        self.handshakes: list[dict[str, str]] = []
        self._attempts = itertools.count(1)
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._release = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # ---------------------------------------------------------- running

    def __enter__(self) -> RealtimeServer:
        started = threading.Event()

        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()

            async def main() -> None:
                self._server = await serve(self._handle, "127.0.0.1", 0,
                                           process_request=self._process_request,
                                           max_size=None)  # fmt: skip
                self.port = self._server.sockets[0].getsockname()[1]
                started.set()
                try:
                    await self._server.serve_forever()
                finally:  # answers still held or under way end with the server
                    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                    for task in others:
                        task.cancel()
                    await asyncio.gather(*others, return_exceptions=True)

            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(main())
            loop.close()

        self._thread = threading.Thread(target=run, name="realtime-server", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the scripted realtime server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        if self._thread is not None:
            self._thread.join(10)

    @property
    def endpoint(self) -> str:
        """The `azure_endpoint` to give a model (plain `http`: the URL becomes `ws://`)."""
        return f"http://127.0.0.1:{self.port}"

    # ----------------------------------------------------- what tests read

    def wait(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """Block until `predicate()` (checked whenever the server logs something)."""
        with self._cond:
            if not self._cond.wait_for(predicate, timeout):
                raise AssertionError(f"the server never saw that within {timeout} s")

    async def await_(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:
        """`wait` without blocking the caller's event loop."""
        await asyncio.to_thread(self.wait, predicate, timeout)

    def received(self, kind: str) -> list[dict[str, Any]]:
        """Every event of type `kind` the server received, over all connections."""
        with self._cond:
            return [e for c in self.connections for e in c.received if e.get("type") == kind]

    def inject(self, event: dict[str, Any], connection: int = -1) -> None:
        """Send `event` on a connection (the latest by default), from any thread."""
        conn = self.connections[connection]
        assert self._loop is not None
        assert conn.ws is not None
        event = {"event_id": self._id("event"), **event}
        asyncio.run_coroutine_threadsafe(conn.ws.send(json.dumps(event)), self._loop).result(5)

    def release(self) -> None:
        """Let held answers go on."""
        self._release.set()

    def _note(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):05d}"

    # --------------------------------------------------------- handshake

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        attempt = next(self._attempts)
        with self._cond:
            self.handshakes.append({k.lower(): v for k, v in request.headers.raw_items()})
            self._cond.notify_all()
        if attempt in self.refuse:
            status, body = self.refuse[attempt]
            return connection.respond(status, body)
        path = urlsplit(request.path).path
        if path.endswith("/openai/v1/realtime") or path.endswith("/openai/realtime"):
            return None
        return connection.respond(
            404, json.dumps({"error": {"code": "404", "message": "Resource not found"}})
        )

    async def _handle(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        parts = urlsplit(ws.request.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        protocol = "ga" if parts.path.endswith("/openai/v1/realtime") else "preview"
        conn = Conn(number=len(self.connections) + 1, path=parts.path, query=query,
                    headers={k.lower(): v for k, v in ws.request.headers.raw_items()},
                    protocol=protocol, ws=ws)  # fmt: skip
        with self._cond:
            self.connections.append(conn)
            self._cond.notify_all()
        deployment = query.get("model") or query.get("deployment") or ""
        model = MODEL_VERSIONS.get(deployment, deployment)
        await self._send(conn, {"type": "session.created",
                                "session": {"id": self._id("sess"), "model": model}})  # fmt: skip
        try:
            async for raw in ws:
                event = json.loads(raw)
                with self._cond:
                    conn.received.append(event)
                    self._cond.notify_all()
                try:
                    await self._on_event(conn, event)
                except ConnectionClosed:
                    # the client closed while we answered: still log what it sent before
                    # (e.g. a truncate right after a cancel the server answers with an error)
                    continue
        except Exception:
            pass
        finally:
            conn.closed_at = time.monotonic()
            conn.cancel.set()
            self._note()

    async def _send(self, conn: Conn, event: dict[str, Any]) -> None:
        event.setdefault("event_id", self._id("event"))
        if conn.protocol == "preview":
            event["type"] = PREVIEW_NAMES.get(event["type"], event["type"])
        assert conn.ws is not None
        await conn.ws.send(json.dumps(event))
        conn.log.append((event["type"], time.monotonic(), event.get("item_id")))
        if event["type"] in WATCHED:
            self._note()

    async def _error(
        self,
        conn: Conn,
        code: str,
        message: str,
        *,
        param: str | None = None,
        event_id: str | None = None,
        kind: str = "invalid_request_error",
    ) -> None:
        await self._send(conn, {"type": "error", "error": {
            "type": kind, "code": code, "message": message, "param": param,
            "event_id": event_id}})  # fmt: skip

    # ------------------------------------------------------------ events

    async def _on_event(self, conn: Conn, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "session.update":
            problem = session_problem(conn.protocol, event.get("session") or {})
            if problem:
                await self._error(conn, problem[0], problem[1], param=problem[2])
                return
            conn.session.update(event.get("session") or {})
            await self._send(conn, {"type": "session.updated", "session": conn.session})
        elif kind == "conversation.item.create":
            item = {"id": self._id("item"), **(event.get("item") or {})}
            conn.items.append(item)
            added = (
                "conversation.item.added" if conn.protocol == "ga" else "conversation.item.created"
            )
            await self._send(conn, {"type": added, "item": item})
        elif kind == "input_audio_buffer.append":
            await self._on_audio(conn, base64.b64decode(event.get("audio", "")))
        elif kind == "input_audio_buffer.commit":
            await self._user_turn(conn, respond=False)
        elif kind == "response.create":
            if conn.active:
                await self._error(conn, "conversation_already_has_active_response",
                                  "Conversation already has an active response in progress.",
                                  event_id=event.get("event_id"))  # fmt: skip
                return
            conn.active = True
            conn.cancel.clear()
            asyncio.get_running_loop().create_task(self._respond(conn, event.get("event_id")))
        elif kind == "response.cancel":
            if not conn.active:
                await self._error(conn, "response_cancel_not_active",
                                  "Cancellation failed: no active response found")  # fmt: skip
            conn.cancel.set()
        elif kind == "conversation.item.truncate":
            await self._truncate(conn, event)

    async def _truncate(self, conn: Conn, event: dict[str, Any]) -> None:
        item_id, end = event.get("item_id"), event.get("audio_end_ms")
        generated = conn.generated_ms.get(str(item_id))
        if generated is None:
            await self._error(conn, "item_not_found", f"Item {item_id!r} not found.")
        elif not isinstance(end, int) or end < 0 or end > generated:
            await self._error(conn, "invalid_value",
                              f"audio_end_ms {end} is beyond the item's {generated:.0f} ms.",
                              param="audio_end_ms")  # fmt: skip
        else:
            await self._send(conn, {"type": "conversation.item.truncated", "item_id": item_id,
                                    "content_index": event.get("content_index"),
                                    "audio_end_ms": end})  # fmt: skip

    async def _on_audio(self, conn: Conn, pcm: bytes) -> None:
        detection = input_setting(conn, "turn_detection", "turn_detection")
        ms = len(pcm) / BYTES_PER_MS
        conn.heard_ms += ms
        if not detection:
            return
        loud = len(pcm) > 1 and int(np.abs(np.frombuffer(pcm, "<i2")).max()) >= SPEECH_LEVEL
        if loud and not conn.speaking:
            conn.speaking, conn.quiet_ms = True, 0.0
            await self._send(conn, {"type": "input_audio_buffer.speech_started",
                                    "audio_start_ms": int(conn.heard_ms - ms),
                                    "item_id": self._id("item")})  # fmt: skip
        elif conn.speaking and not loud:
            conn.quiet_ms += ms
            if conn.quiet_ms >= SILENCE_MS:
                conn.speaking = False
                await self._send(conn, {"type": "input_audio_buffer.speech_stopped",
                                        "audio_end_ms": int(conn.heard_ms)})  # fmt: skip
                await self._user_turn(conn, respond=detection.get("create_response", True))
        elif loud:
            conn.quiet_ms = 0.0

    async def _user_turn(self, conn: Conn, *, respond: bool) -> None:
        item = {"id": self._id("item"), "type": "message", "role": "user",
                "content": [{"type": "input_audio", "transcript": None}]}  # fmt: skip
        conn.items.append(item)
        await self._send(conn, {"type": "input_audio_buffer.committed", "item_id": item["id"]})
        transcription = input_setting(conn, "input_audio_transcription", "transcription")
        if transcription:
            said = self.transcripts.pop(0) if self.transcripts else "(speech)"
            item["content"] = [{"type": "input_text", "text": said}]
            await self._send(conn, {
                "type": "conversation.item.input_audio_transcription.completed",
                "item_id": item["id"], "content_index": 0, "transcript": said})  # fmt: skip
        if respond and not conn.active:
            conn.active = True
            conn.cancel.clear()
            asyncio.get_running_loop().create_task(self._respond(conn))

    async def _respond(self, conn: Conn, asked_by: str | None = None) -> None:
        try:
            step = self.brain(conn, {})
            if isinstance(step, Fail):
                await self._error(conn, step.code, step.message, param=step.param, kind=step.type,
                                  event_id=asked_by)  # fmt: skip
                return
            response_id = self._id("resp")
            await self._send(
                conn,
                {
                    "type": "response.created",
                    "response": {"id": response_id, "status": "in_progress"},
                },
            )
            if isinstance(step, CallTools):
                output, status = await self._call_tools(conn, response_id, step), step.status
            else:
                output, status = await self._speak(conn, response_id, step)
            conn.items.extend(output)
            details = {"cancelled": {"type": "cancelled", "reason": "client_cancelled"},
                       "incomplete": {"type": "incomplete", "reason": "max_output_tokens"},
                       }.get(status)  # fmt: skip
            await self._send(conn, {"type": "response.done", "response": {
                "id": response_id, "status": status, "status_details": details,
                "output": output, "usage": usage(conn, output)}})  # fmt: skip
        except Exception:
            return
        finally:
            conn.active = False
        conn.responses += 1
        self._note()
        assert conn.ws is not None
        if self.expire_after and conn.responses >= self.expire_after:
            await self._error(conn, "session_expired",
                              "Your session hit the maximum duration of 30 minutes.")  # fmt: skip
            await conn.ws.close(1000, "session expired")
        elif self.drop_after and conn.responses >= self.drop_after:
            conn.ws.transport.abort()

    async def _call_tools(self, conn: Conn, response_id: str, step: CallTools) -> list[Any]:
        output = []
        for index, (name, args) in enumerate(step.calls):
            item = {
                "id": self._id("item"),
                "type": "function_call",
                "status": "completed",
                "call_id": self._id("call"),
                "name": name,
                "arguments": json.dumps(args),
            }
            await self._send(
                conn,
                {
                    "type": "response.output_item.added",
                    "response_id": response_id,
                    "output_index": index,
                    "item": {**item, "arguments": "", "status": "in_progress"},
                },
            )
            done = {
                "type": "response.function_call_arguments.done",
                "response_id": response_id,
                "item_id": item["id"],
                "output_index": index,
                "call_id": item["call_id"],
                "arguments": item["arguments"],
            }
            if conn.protocol == "ga":
                done["name"] = name
            await self._send(conn, done)
            await self._send(
                conn,
                {
                    "type": "response.output_item.done",
                    "response_id": response_id,
                    "output_index": index,
                    "item": item,
                },
            )
            output.append(item)
        return output  # fmt: skip

    async def _speak(self, conn: Conn, response_id: str, step: Speak) -> tuple[list[Any], str]:
        item_id = self._id("item")
        pcm = b"" if step.text_only else step.audio()
        words = step.transcript.split(" ")
        chunks = [pcm[i : i + step.chunk_bytes] for i in range(0, len(pcm), step.chunk_bytes)]
        base = {"response_id": response_id, "item_id": item_id, "output_index": 0,
                "content_index": 0}  # fmt: skip
        text_kind = "response.output_text.delta" if step.text_only else (
            "response.output_audio_transcript.delta")  # fmt: skip
        await self._send(
            conn,
            {
                "type": "response.output_item.added",
                "response_id": response_id,
                "output_index": 0,
                "item": {
                    "id": item_id,
                    "type": "message",
                    "role": "assistant",
                    "status": "in_progress",
                    "content": [],
                },
            },
        )
        conn.generated_ms[item_id] = 0.0
        sent_words, status = 0, step.status
        for n in range(max(len(chunks), len(words))):
            if n < len(words):
                piece = words[n] if n == 0 else " " + words[n]
                await self._send(conn, {"type": text_kind, **base, "delta": piece})
                sent_words += 1
            if n < len(chunks):
                delta: dict[str, Any] = {
                    "type": "response.output_audio.delta",
                    **base,
                    "delta": base64.b64encode(chunks[n]).decode(),
                }
                if self.stamp:
                    delta["t_ns"] = time.monotonic_ns()
                conn.generated_ms[item_id] += len(chunks[n]) / BYTES_PER_MS
                await self._send(conn, delta)
                if step.hold_after is not None and n + 1 == step.hold_after:
                    await self._hold(conn)
            if conn.cancel.is_set():
                status = "cancelled"
                break
            if step.pace:
                await asyncio.sleep(step.pace)
        spoken = " ".join(words[:sent_words])
        part = ({"type": "output_text", "text": spoken} if step.text_only else
                {"type": "output_audio", "transcript": spoken})  # fmt: skip
        item = {"id": item_id, "type": "message", "role": "assistant",
                "status": "completed" if status == "completed" else "incomplete",
                "content": [part]}  # fmt: skip
        return [item], status

    async def _hold(self, conn: Conn) -> None:
        while not conn.cancel.is_set() and not self._release.is_set():
            await asyncio.sleep(0.005)


@contextlib.contextmanager
def running(**kwargs: Any) -> Iterator[RealtimeServer]:
    with RealtimeServer(**kwargs) as server:
        yield server


if __name__ == "__main__":  # pragma: no cover - a manual tool
    with RealtimeServer() as server:
        print(f"AZURE_OPENAI_ENDPOINT={server.endpoint}  (any deployment, any key)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
