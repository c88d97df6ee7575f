"""A fault-injecting stand-in for Azure, on 127.0.0.1 only, for reliability tests.

Each request takes the next scripted `Fault` (the last one repeats), or the one
a `script` picks from the request's body. The
server is bounded: at most `max_requests` requests, and it shuts itself down
after `max_seconds` whatever happens.
"""

from __future__ import annotations

import json
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANSWER = {
    "id": "chatcmpl-fault",
    "object": "chat.completion",
    "model": "gpt-4o-mini-audio-preview-2024-12-17",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {
                "role": "assistant",
                "content": None,
                "audio": {
                    "id": "audio_fault",
                    "data": "AAAAAAAA",
                    "expires_at": 4102444800,
                    "transcript": "All good.",
                },
            },
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12},
}


@dataclass
class Fault:
    """What to do with one request."""

    status: int = 200
    body: Any = field(default_factory=lambda: ANSWER)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset_before: bool = False  # close the connection without answering
    stream_events: list[str] | None = None  # SSE events to send
    reset_after_events: int | None = None  # drop the connection mid-stream
    raw: bytes | None = None  # send these bytes as the body, as they are
    event_delay: float = 0.0  # seconds between stream events
    stall_after_events: int | None = None  # then send nothing more, connection open
    stall: float = 0.0  # for this long (it ends early when the client hangs up)


Script = Callable[[dict[str, Any]], Fault]
"""Chooses the answer from the request body (parsed JSON) instead of its order."""


class FaultServer:
    def __init__(
        self,
        *faults: Fault,
        script: Script | None = None,
        max_requests: int = 50,
        max_seconds: float = 60,
    ) -> None:
        self.faults = list(faults) or [Fault()]
        self.script = script
        self.requests: list[dict[str, Any]] = []
        self.ends: list[tuple[str, float]] = []
        """How each stream ended ("complete" or "client-closed") and when (monotonic)."""
        self.written: list[list[float]] = []
        """Per streamed answer, when each of its events was written (monotonic)."""
        self._ended = threading.Condition()
        self.max_requests = max_requests
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.requests.append({"headers": dict(self.headers), "body": body,
                                       "at": time.monotonic()})  # fmt: skip
                if len(outer.requests) > outer.max_requests:
                    self.send_error(503, "fault server request budget used up")
                    return
                if outer.script is not None:
                    outer._serve(self, outer.script(json.loads(body)))
                    return
                index = min(len(outer.requests), len(outer.faults)) - 1
                outer._serve(self, outer.faults[index])

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._deadline = threading.Timer(max_seconds, self._server.shutdown)
        self._deadline.daemon = True

    def _serve(self, handler: BaseHTTPRequestHandler, fault: Fault) -> None:
        if fault.delay:
            time.sleep(fault.delay)
        if fault.reset_before:
            _reset(handler)
            return
        if fault.stream_events is not None:
            payload = "".join(fault.stream_events).encode()
            handler.send_response(200)
            handler.send_header("content-type", "text/event-stream")
            handler.send_header("content-length", str(len(payload)))
            handler.end_headers()
            written: list[float] = []
            self.written.append(written)
            for number, event in enumerate(fault.stream_events):
                if number == fault.reset_after_events:
                    handler.wfile.flush()
                    _reset(handler)
                    return
                wait = fault.stall if number == fault.stall_after_events else fault.event_delay
                if wait and _client_gone(handler, wait):
                    self._end("client-closed")
                    return
                try:
                    handler.wfile.write(event.encode())
                    handler.wfile.flush()
                    written.append(time.monotonic())
                except OSError:  # the client hung up between two checks
                    self._end("client-closed")
                    return
            self._end("complete")
            return
        payload = fault.raw if fault.raw is not None else json.dumps(fault.body).encode()
        handler.send_response(fault.status)
        handler.send_header("content-type", "application/json")
        handler.send_header("content-length", str(len(payload)))
        for name, value in fault.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(payload)

    def _end(self, how: str) -> None:
        with self._ended:
            self.ends.append((how, time.monotonic()))
            self._ended.notify_all()

    def wait_for_ends(self, count: int = 1, timeout: float = 20.0) -> list[tuple[str, float]]:
        """The stream ends so far, once there are `count` of them (or `timeout` passed)."""
        with self._ended:
            self._ended.wait_for(lambda: len(self.ends) >= count, timeout)
            return list(self.ends)

    def __enter__(self) -> FaultServer:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline.cancel()
        self._server.shutdown()
        self._server.server_close()


def _client_gone(handler: BaseHTTPRequestHandler, seconds: float) -> bool:
    """Wait up to `seconds`; True as soon as the client closes its end."""
    readable, _, _ = select.select([handler.connection], [], [], seconds)
    if not readable:
        return False
    try:
        return handler.connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _reset(handler: BaseHTTPRequestHandler) -> None:
    """Close with RST (SO_LINGER 0), like a dropped connection."""
    handler.close_connection = True
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.rfile.close()  # drop every reference so the socket really closes now
    handler.wfile.close()
    handler.connection.close()
