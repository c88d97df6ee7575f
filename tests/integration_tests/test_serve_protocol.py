"""The voice page's WebSocket protocol, without a browser (runs on every supported Python).

A Python WebSocket client stands in for the page against the real app on
127.0.0.1; the live answers come from the scripted service in
`tests/fault_server.py`. The browser tests cover the page itself.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("starlette", reason="`serve` needs the serve extra")

from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from langchain_azure_audio.audio import MAX_INPUT_AUDIO_BYTES
from langchain_azure_audio.serve import ServeOptions
from langchain_azure_audio.serve.session import OFFLINE_MESSAGE
from tests.fault_server import Fault, FaultServer
from tests.serve_harness import AppServer, request_messages, scripted_answer, tone

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@contextmanager
def page(app: AppServer) -> Iterator[ClientConnection]:
    """A connection like the page's (its own Origin), past the server's hello."""
    origin = app.url.rstrip("/")
    url = origin.replace("http://", "ws://") + "/ws"
    with connect(url, origin=origin, max_size=None, open_timeout=20) as ws:  # type: ignore[arg-type]
        hello = json.loads(ws.recv(10))
        assert hello["type"] == "hello"
        yield ws


def until(ws: ClientConnection, kind: str) -> tuple[list[dict[str, Any]], int]:
    """Messages up to and including the first of `kind`, and the audio bytes in between."""
    seen, audio = [], 0
    while True:
        message = ws.recv(20)
        if isinstance(message, bytes):
            audio += len(message)
            continue
        seen.append(json.loads(message))
        if seen[-1]["type"] == kind:
            return seen, audio


def test_offline_replays_the_demo_question_and_refuses_the_rest() -> None:
    with AppServer(ServeOptions(offline=True)) as app, page(app) as ws:
        ws.send(json.dumps({"type": "ask", "text": "  is a golden retriever a GOOD family dog? "}))
        seen, audio = until(ws, "answer_end")
        assert seen[0] == {"type": "answer_start", "turn": 1, "synthetic": True}
        assert seen[-1]["synthetic"] is True
        assert "golden retrievers" in seen[-1]["transcript"].lower()
        assert audio > 24_000 * 2  # over a second of speech
        ws.send(json.dumps({"type": "ask", "text": "What's the weather?"}))
        assert until(ws, "error")[0][-1]["message"] == OFFLINE_MESSAGE
        ws.send(bytes(9600))  # 200 ms of spoken audio, then the end of the turn
        ws.send(json.dumps({"type": "end_turn"}))
        seen, _ = until(ws, "error")
        assert seen[0] == {"type": "heard", "seconds": 0.2}
        assert seen[-1]["message"] == OFFLINE_MESSAGE


def test_refusals_keep_the_conversation_going() -> None:
    with AppServer(ServeOptions(offline=True)) as app, page(app) as ws:
        refusals = [
            ("{", "malformed message: not JSON"),
            ("[]", "expected a JSON object"),
            ('{"type": "dance"}', "unknown type 'dance'"),
            ('{"type": "config", "voice": "robot"}', "voice 'robot' is not one of"),
            ('{"type": "ask", "text": ""}', "`text` must be 1 to 4000 characters"),
            ('{"type": "end_turn"}', "no speech reached the server"),
            (b"\x00", "1 bytes is not whole 16-bit samples"),
            (bytes(MAX_INPUT_AUDIO_BYTES + 2), "the limit is 20 MiB"),
            ("x" * 70_000, "commands are small JSON objects"),
        ]
        for message, error in refusals:
            ws.send(message)
            seen, _ = until(ws, "error")
            assert error in seen[-1]["message"], (error, seen)
        for _ in range(3):  # a turn growing past Azure's 20 MiB input limit is dropped
            ws.send(bytes(MAX_INPUT_AUDIO_BYTES // 2))
        assert "over Azure's 20 MiB audio input limit" in until(ws, "error")[0][-1]["message"]
        ws.send('{"type": "config", "voice": "coral"}')
        assert until(ws, "config")[0][-1]["voice"] == "coral"


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_a_foreign_or_missing_origin_is_refused(origin: str | None) -> None:
    with AppServer(ServeOptions(offline=True)) as app:
        url = app.url.replace("http://", "ws://") + "ws"
        with pytest.raises(InvalidStatus) as refused, connect(url, origin=origin):  # type: ignore[arg-type]
            pass
        assert refused.value.response.status_code == 403
        assert app.alive()


def test_stop_cancels_the_answer_and_closes_the_stream_to_azure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    long = scripted_answer("audio_long", "Once upon a time", tone(4.0))
    with FaultServer(Fault(stream_events=long, event_delay=0.02), max_seconds=60) as service:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "protocol-test-key")
        options = ServeOptions(offline=False, deployments=("gpt-audio-1.5",))
        with AppServer(options) as app, page(app) as ws:
            ws.send(bytes(4800))
            ws.send(json.dumps({"type": "end_turn"}))
            until(ws, "first_audio")
            stopped = time.monotonic()
            ws.send(json.dumps({"type": "stop"}))
            seen, _ = until(ws, "cancelled")
            assert "answer_end" not in [m["type"] for m in seen]
        ends = [when for how, when in service.ends if how == "client-closed"]
        assert len(ends) == 1, service.ends
        assert ends[0] - stopped < 0.5
        (user,) = [m for m in request_messages(service.requests[0]) if m["role"] == "user"]
        assert user["content"][0]["type"] == "input_audio"


def test_a_frame_that_breaks_the_protocol_closes_only_that_connection() -> None:
    """A client frame without a mask breaks RFC 6455: the server closes that connection
    (1002) and goes on serving."""
    with AppServer(ServeOptions(offline=True)) as app:
        host, port = app.sock.getsockname()[:2]
        with socket.create_connection((host, port), timeout=5) as conn:
            conn.sendall(
                f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\nOrigin: http://{host}:{port}\r\n\r\n".encode()
            )
            got, ended = conn.recv(4096), False  # 101 Switching Protocols (and the hello)
            conn.sendall(b"\x81\x05hello")  # a text frame, unmasked
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                chunk = conn.recv(4096)
                if not chunk:
                    ended = True
                    break
                got += chunk
        assert got.startswith(b"HTTP/1.1 101")
        assert ended, "the server kept a connection that broke the protocol"
        close = got[got.rindex(b"\x88") :]  # the server's close frame: 1002, protocol error
        assert close[2:4] == (1002).to_bytes(2, "big"), got
        with page(app) as ws:
            ws.send(json.dumps({"type": "config", "voice": "ash"}))
            assert until(ws, "config")[0][-1]["voice"] == "ash"
