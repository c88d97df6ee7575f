"""The voice page's realtime mode, without a browser (runs on every supported Python).

A Python WebSocket client stands in for the page against the real app on
127.0.0.1; the app's live session talks to the scripted realtime server
(`tests/realtime_server.py`: its voice detection hears speech in the appended
audio and ends a turn after 300 ms of quiet). Every expectation is typed here
from what the test sent and scripted. The browser test covers the page itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("starlette", reason="`serve` needs the serve extra")

from langchain_azure_audio.serve import ServeOptions
from langchain_azure_audio.serve.example_tools import TOOLS
from langchain_azure_audio.serve.realtime_session import MAX_FRAME
from tests.realtime_server import CallTools, RealtimeServer, Speak, Step, scripted, silence, tone
from tests.serve_harness import AppServer, page
from tests.serve_harness import until as until_any

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

KEY = "sk-realtime-page-SECRET-7d2e"
WAIT = 5.0
FRAME_MS = 20


def until(ws: Any, kind: str) -> tuple[list[dict[str, Any]], int]:
    return until_any(ws, kind, WAIT)


def audio_heard(ws: Any, ms: int) -> list[dict[str, Any]]:
    """Read until the page has received `ms` of the answer's audio (24 kHz, 16-bit), so
    the app's live session has it too; the messages seen on the way."""
    seen: list[dict[str, Any]] = []
    received = 0
    while received < ms * 48:
        message = ws.recv(WAIT)
        if isinstance(message, bytes):
            received += len(message)
        else:
            seen.append(json.loads(message))
            assert seen[-1]["type"] != "answer_end", f"the answer ended after {received} bytes"
    return seen


@contextmanager
def realtime_page(
    monkeypatch: pytest.MonkeyPatch, *steps: Step, tools: bool = False, **server: Any
) -> Iterator[tuple[RealtimeServer, Any, dict[str, Any]]]:
    """A page in realtime mode (deployment gpt-realtime), its service, and its hello."""
    with RealtimeServer(scripted(*steps, then=Speak("Go on.")), **server) as service:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", KEY)
        options = ServeOptions(offline=False, deployments=("gpt-realtime",), voice="marin",
                               realtime=True, tools=tuple(TOOLS) if tools else ())  # fmt: skip
        hello: list[dict[str, Any]] = []
        with AppServer(options) as app, page(app, hello) as ws:
            yield service, ws, hello[0]


def frames(pcm: bytes) -> list[bytes]:
    """Audio as the page sends it: one message per 20 ms frame."""
    step = FRAME_MS * 48
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def speak(ws: Any, speech_ms: int, quiet_ms: int = 400) -> None:
    """A spoken turn, streamed frame by frame: speech, then enough quiet to end it."""
    for frame in frames(tone(speech_ms) + silence(quiet_ms)):
        ws.send(frame)


def appended(service: RealtimeServer) -> bytes:
    import base64

    return b"".join(base64.b64decode(e["audio"]) for e in
                    service.received("input_audio_buffer.append"))  # fmt: skip


def test_each_frame_reaches_azure_as_it_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    """No end-of-turn wait: each frame is in the service's buffer before the next is sent
    (quiet frames, so no turn ever ends), byte for byte."""
    quiet = [bytes([n, 0]) * 480 for n in (3, 5, 7, 9)]  # 20 ms each, distinct, inaudible
    with realtime_page(monkeypatch) as (service, ws, hello):
        for number, frame in enumerate(quiet, start=1):
            ws.send(frame)
            service.wait(lambda n=number: len(service.received("input_audio_buffer.append")) == n,
                         timeout=WAIT)  # fmt: skip
        assert appended(service) == b"".join(quiet)
    assert hello["mode"] == "realtime"


def test_a_spoken_turn_streams_back_with_its_turn_indicator_and_transcripts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = Speak("It is not raining.", pcm=tone(500, hz=330))
    transcripts = ["Is it raining?"]
    with realtime_page(monkeypatch, answer, transcripts=transcripts) as (service, ws, hello):
        speak(ws, 300)
        seen, audio = until(ws, "answer_end")
        received = [m for m in seen if m["type"] != "played"]
    kinds = [m["type"] for m in received]
    assert kinds[:3] == ["speech_started", "speech_stopped", "user_transcript"], kinds
    assert {"type": "user_transcript", "turn": 1, "text": "Is it raining?"} in received
    assert kinds.index("answer_start") < kinds.index("first_audio") < kinds.index("answer_end")
    text = "".join(m["delta"] for m in received if m["type"] == "transcript")
    assert text == "It is not raining."
    assert audio == 500 * 48  # the whole answer: 500 ms of pcm16 at 24 kHz
    assert received[-1]["transcript"] == "It is not raining."
    assert received[-1]["status"] == "completed"
    first = next(m for m in received if m["type"] == "first_audio")
    assert first["turn"] == 1
    assert 0 < first["server_ms"] < 5000
    # The key went to the service, and nowhere near the page.
    assert service.handshakes[0]["api-key"] == KEY
    assert KEY not in json.dumps([hello, *seen])
    assert hello["voices"][-2:] == ["marin", "cedar"]
    assert hello["voice"] == "marin"


def test_speech_over_an_answer_truncates_it_at_the_samples_the_page_played(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer (10 chunks of 100 ms arrived, more held back) has played 14,400 samples
    (600 ms) on the page when the user speaks: Azure's copy is cut at 600 ms, however long
    ago its first audio arrived, and nothing more of it reaches the page."""
    story = Speak("Once upon a time " * 8, ms_per_word=100, hold_after=10)
    with realtime_page(monkeypatch, story) as (service, ws, _):
        ws.send(json.dumps({"type": "ask", "text": "Tell me a story."}))
        start, _ = until(ws, "answer_start")
        item = start[-1]["item"]
        service.wait(lambda: sum(service.connections[0].generated_ms.values()) == 1000)
        ws.send(json.dumps({"type": "played", "item": item, "samples": 14_400}))
        # a late report of an earlier answer's tail counts for nothing
        ws.send(json.dumps({"type": "played", "item": "item_earlier", "samples": 21_600}))
        for frame in frames(tone(100)):  # the user speaks over it
            ws.send(frame)
        seen, _ = until(ws, "interrupted")
        kinds = [m["type"] for m in seen]
        assert "speech_started" in kinds
        after_start = seen[kinds.index("speech_started") :]
        assert [m for m in after_start if m["type"] == "transcript"] == []
        assert seen[-1]["played_ms"] == 600
        assert seen[-1]["generated_ms"] == 1000
        end, late_audio = until(ws, "answer_end")
        assert end[-1]["status"] == "cancelled"
        service.wait(lambda: bool(service.received("conversation.item.truncate")))
    (truncate,) = service.received("conversation.item.truncate")
    assert truncate["audio_end_ms"] == 600, (
        f"the answer was cut at {truncate['audio_end_ms']} ms, not at the 600 ms the page "
        "played: the model remembers words the user never heard (or forgets heard ones)"
    )
    assert truncate["item_id"] == item
    assert len(service.received("response.cancel")) == 1
    assert late_audio == 0


def test_stop_cuts_the_answer_at_the_final_count_the_page_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with realtime_page(monkeypatch, Speak("one two three four five", hold_after=5)) as (
        service, ws, _):  # fmt: skip
        ws.send(json.dumps({"type": "ask", "text": "Count."}))
        item = until(ws, "answer_start")[0][-1]["item"]
        audio_heard(ws, 300)  # no cut can keep more than was generated: wait for 300 ms
        ws.send(json.dumps({"type": "played", "item": item, "samples": 2_400}))
        ws.send(json.dumps({"type": "stop", "item": item, "samples": 7_200}))  # 300 ms
        seen, _ = until(ws, "cancelled")
        assert seen[-1]["turn"] == 1
        service.wait(lambda: bool(service.received("conversation.item.truncate")))
    (truncate,) = service.received("conversation.item.truncate")
    assert truncate["audio_end_ms"] == 300


def test_a_tool_call_and_its_result_are_shown_then_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = (CallTools([("convert_units", {"value": 10, "from_unit": "km", "to_unit": "mi"})]),
             Speak("Ten kilometres is about six miles."))  # fmt: skip
    with realtime_page(monkeypatch, *steps, tools=True) as (service, ws, hello):
        ws.send(json.dumps({"type": "ask", "text": "How far is ten kilometres in miles?"}))
        seen, _ = until(ws, "answer_end")
    assert [t["name"] for t in hello["tools"]] == ["current_time", "convert_units"]
    calls = [m for m in seen if m["type"] in ("tool_call", "tool_result")]
    assert [(m["type"], m["name"]) for m in calls] == [
        ("tool_call", "convert_units"),
        ("tool_result", "convert_units"),
    ]
    assert json.loads(calls[0]["args"]) == {"value": 10, "from_unit": "km", "to_unit": "mi"}
    assert calls[1]["output"] == "10 km is 6.214 mi", "the page does not show the tool's result"
    assert calls[1]["error"] is False
    assert calls[0]["call_id"] == calls[1]["call_id"]
    assert seen[-1]["transcript"] == "Ten kilometres is about six miles."
    outputs = [e["item"] for e in service.received("conversation.item.create")
               if e["item"]["type"] == "function_call_output"]  # fmt: skip
    assert [o["output"] for o in outputs] == ["10 km is 6.214 mi"]


def test_refusals_in_realtime_mode_keep_the_conversation_going(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refusals: list[tuple[str | bytes, str]] = [
        (b"\x00\x01\x02", "3 bytes is not whole 16-bit samples"),
        (bytes(MAX_FRAME + 2), f"at most {MAX_FRAME:,} bytes"),
        ('{"type": "played", "item": "x", "samples": -1}', "`samples` must be a whole number"),
        ('{"type": "played", "item": "x", "samples": true}', "`samples` must be a whole number"),
        ('{"type": "played", "item": "x"}', "`samples` must be a whole number"),
        ('{"type": "end_turn"}', "Azure's voice detection ends each turn"),
        ('{"type": "dance"}', "unknown type 'dance'"),
        ('{"type": "config", "voice": "robot"}', "voice 'robot' is not one of"),
        ('{"type": "config", "deployment": "gpt-audio"}', "deployment 'gpt-audio' is not offered"),
        ('{"type": "ask", "text": ""}', "`text` must be 1 to 4000 characters"),
        ("{", "malformed message: not JSON"),
    ]
    with realtime_page(monkeypatch, Speak("Still here.")) as (service, ws, _):
        for message, error in refusals:
            ws.send(message)
            seen, _ = until(ws, "error")
            assert error in seen[-1]["message"], (error, seen)
        ws.send(json.dumps({"type": "ask", "text": "Are you there?"}))
        seen, _ = until(ws, "answer_end")
        assert seen[-1]["transcript"] == "Still here."
    assert appended(service) == b""  # nothing refused reached the service


def test_a_refused_sign_in_is_one_line_and_the_next_ask_connects_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refused = {1: (401, json.dumps({"error": {"code": "401", "message": "Access denied"}}))}
    with realtime_page(monkeypatch, Speak("Signed in."), refuse=refused) as (service, ws, _):
        for frame in frames(silence(100)):
            ws.send(frame)
        seen, _ = until(ws, "error")
        ws.send(json.dumps({"type": "config", "voice": "marin"}))  # after the five frames
        settled, _ = until(ws, "config")
        assert len(service.handshakes) == 1, "each frame tried to sign in again"
        ws.send(json.dumps({"type": "ask", "text": "Hello?"}))
        later, _ = until(ws, "answer_end")
    assert "\n" not in seen[-1]["message"]
    assert "401" in seen[-1]["message"]
    assert KEY not in seen[-1]["message"]
    assert [m["type"] for m in settled + later].count("error") == 0
    assert len(service.handshakes) == 2
    assert later[-1]["transcript"] == "Signed in."
