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
from tests.serve_harness import (
    AppServer,
    input_audio_seconds,
    page,
    request_messages,
    scripted_answer,
    tone,
    until,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def test_offline_replays_the_demo_question_and_refuses_the_rest() -> None:
    hello: list[dict[str, Any]] = []
    with AppServer(ServeOptions(offline=True)) as app, page(app, hello) as ws:
        assert (hello[0]["mode"], hello[0]["offline"], hello[0]["tools"]) == ("chat", True, [])
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


@pytest.mark.parametrize("realtime", [False, True], ids=["chat", "realtime"])
@pytest.mark.parametrize("origin", ["http://evil.example", "null", None])
def test_a_foreign_or_missing_origin_is_refused(origin: str | None, realtime: bool) -> None:
    options = (ServeOptions(offline=False, deployments=("gpt-realtime",), realtime=True)
               if realtime else ServeOptions(offline=True))  # fmt: skip
    with AppServer(options) as app:
        url = app.url.replace("http://", "ws://") + "ws"
        with pytest.raises(InvalidStatus) as refused, connect(url, origin=origin):  # type: ignore[arg-type]
            pass
        assert refused.value.response.status_code == 403
        assert app.alive()


@contextmanager
def live(
    monkeypatch: pytest.MonkeyPatch, *answers: Fault
) -> Iterator[tuple[FaultServer, ClientConnection]]:
    """A live page (the scripted service plays `answers`, one a request) and its service."""
    with FaultServer(*answers, max_seconds=60) as service:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "protocol-test-key")
        options = ServeOptions(offline=False, deployments=("gpt-audio-1.5",))
        with AppServer(options) as app, page(app) as ws:
            yield service, ws


def speak(ws: ClientConnection, seconds: float) -> None:
    """One spoken turn as the page sends it: 100 ms pcm16 messages, then end_turn."""
    pcm = tone(seconds)
    for start in range(0, len(pcm), 4800):
        ws.send(pcm[start : start + 4800])
    ws.send(json.dumps({"type": "end_turn"}))


def long_answer() -> Fault:
    """A 4-second spoken answer, dripped as Azure streams it: time to interrupt it."""
    return Fault(stream_events=scripted_answer("audio_long", "Once upon a time", tone(4.0)),
                 event_delay=0.02)  # fmt: skip


def test_stop_closes_the_stream_to_azure_while_the_page_stays_connected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with live(monkeypatch, long_answer()) as (service, ws):
        speak(ws, 0.5)
        until(ws, "first_audio")
        ws.send(json.dumps({"type": "stop"}))
        seen, _ = until(ws, "cancelled")
        assert "answer_end" not in [m["type"] for m in seen], (
            f"Stop did not stop the answer: it played to its end first ({seen})"
        )
        # the page is still connected: only the stop can have closed the stream to Azure
        ends = service.wait_for_ends(1, timeout=20)
        assert [how for how, _ in ends] == ["client-closed"], (
            f"after Stop, Azure kept streaming the old answer (its stream ended {ends}): the "
            "user is billed for, and may still be sent, an answer they talked over"
        )
        ws.send(json.dumps({"type": "config", "voice": "ash"}))
        after, audio = until(ws, "config")
        assert (audio, [m["type"] for m in after]) == (0, ["config"]), (
            f"after Stop the page still received {audio} bytes of the old answer's audio and "
            f"{[m['type'] for m in after[:-1]]}: the interrupted answer goes on playing"
        )
    (user,) = [m for m in request_messages(service.requests[0]) if m["role"] == "user"]
    assert user["content"][0]["type"] == "input_audio"


TURNS = (0.5, 1.25, 0.75)
"""Seconds of speech in each turn, typed by hand (exact in 24 kHz samples)."""


def test_each_turn_sends_only_its_own_speech(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [Fault(stream_events=scripted_answer(f"audio_{n}", f"Answer {n}.", tone(0.2)))
               for n in (1, 2, 3)]  # fmt: skip
    with live(monkeypatch, *answers) as (service, ws):
        for seconds in TURNS:
            speak(ws, seconds)
            seen, _ = until(ws, "answer_end")
            heard = [m["seconds"] for m in seen if m["type"] == "heard"]
            assert heard == [seconds], (
                f"the page says it heard {heard} s of a {seconds} s turn: earlier speech is "
                "sent again with every turn"
            )
    assert len(service.requests) == len(TURNS)
    for number, request in enumerate(service.requests, start=1):
        users = [m for m in request_messages(request) if m["role"] == "user"]
        lengths = [input_audio_seconds(m)[0] for m in users]
        assert lengths == list(TURNS[:number]), (
            f"turn {number} sent Azure user audio of {lengths} s, not {list(TURNS[:number])} "
            "s: every turn re-sends all earlier speech (slower, dearer, and the model hears "
            "old questions as new)"
        )


def test_after_a_barge_in_the_next_turn_remembers_the_interrupted_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    follow_up = scripted_answer("audio_next", "It was about a dragon.", tone(0.2))
    with live(monkeypatch, long_answer(), Fault(stream_events=follow_up)) as (service, ws):
        speak(ws, 0.5)
        until(ws, "first_audio")
        ws.send(json.dumps({"type": "stop"}))
        until(ws, "cancelled")
        ws.send(json.dumps({"type": "ask", "text": "What were you saying?"}))
        until(ws, "answer_end")
    assert len(service.requests) == 2
    sent = request_messages(service.requests[1])
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"], (
        f"the turn after a barge-in sent {[m['role'] for m in sent]}: the model forgot the "
        "question it was answering and what it had said"
    )
    assert input_audio_seconds(sent[1])[0] == 0.5, "the interrupted turn's question is not kept"
    assert sent[2]["content"] == "Once upon a time [interrupted]", (
        f"the interrupted answer went back as {sent[2]['content']!r}, not the words heard "
        "so far marked [interrupted]"
    )
    assert sent[3]["content"] == "What were you saying?"


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


def test_the_page_connection_sends_each_message_at_once() -> None:
    """TCP_NODELAY on the page's connection: without it, Nagle's algorithm holds every small
    message that follows another back until the page's delayed ACK (about 40 ms on Linux),
    so an answer's first audio reached the page that much late."""
    with AppServer(ServeOptions(offline=True)) as app, page(app) as ws:
        ws.send(json.dumps({"type": "config", "voice": "ash"}))
        until(ws, "config")
        (connection,) = app.server.server_state.connections
        sock = connection.transport.get_extra_info("socket")
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
