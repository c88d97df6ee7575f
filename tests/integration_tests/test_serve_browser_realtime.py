"""The voice page in realtime mode, in a real browser: headless Chromium, a fake microphone.

The microphone plays real speech (built at test time from `../shared/audio`,
the same conversation as the chat-completions browser test); the app's live
session talks to the scripted realtime server (`tests/realtime_server.py`) on
127.0.0.1, whose voice detection ends each turn after 300 ms of quiet. Three
turns: the first calls a tool, the third is spoken over the second answer.
Nothing leaves the machine.
"""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the test-browser extra")
pytest.importorskip("starlette", reason="`serve` needs the serve extra")

from benchmarks import serve_latency
from langchain_azure_audio.serve import ServeOptions
from langchain_azure_audio.serve.example_tools import TOOLS
from tests.realtime_server import CallTools, RealtimeServer, Speak, scripted, tone
from tests.serve_harness import (
    CONVERSATION,
    ROOT,
    AppServer,
    chromium,
    page_clock_offset,
    speech_timeline,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.enable_socket,
              pytest.mark.allow_hosts(["127.0.0.1"])]  # fmt: skip

SECRET = "sk-serve-realtime-SECRET-91b7"
SCREENSHOT = ROOT / "docs" / "img" / "serve-realtime.png"
SAID = ["How far is ten kilometres in miles?", "Tell me a story.", "Thanks, that's enough."]
"""What the scripted service's transcription "hears" in each turn (typed by hand)."""
STORY_MS = 4000


def brain() -> Any:
    return scripted(
        CallTools([("convert_units", {"value": 10, "from_unit": "km", "to_unit": "mi"})]),
        Speak("Ten kilometres is about six point two miles.", pcm=tone(800)),
        Speak("Once upon a time there was a very long story.", pcm=tone(STORY_MS, hz=330)),
        Speak("Sure, go ahead.", pcm=tone(600, hz=550)),
        then=Speak("Go on."),
    )


def test_a_realtime_conversation_with_a_tool_and_a_barge_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Three spoken turns streamed to Azure's voice detection: a tool call shown with its
    result, and the third turn spoken over the second answer, which stops at once and is
    truncated where the page's worklet stopped playing it (within 50 ms)."""
    caplog.set_level(logging.INFO, logger="langchain_azure_audio.serve")
    mic, spoken = speech_timeline(tmp_path / "mic.wav", CONVERSATION)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    sent: list[str | bytes] = []
    received: list[str | bytes] = []
    with RealtimeServer(brain(), transcripts=list(SAID)) as service:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
        options = ServeOptions(offline=False, deployments=("gpt-realtime",), voice="marin",
                               realtime=True, tools=tuple(TOOLS))  # fmt: skip
        with AppServer(options) as app, chromium(tmp_path, mic) as browser:
            page = browser.new_page()
            page.on(
                "websocket",
                lambda ws: (
                    ws.on("framesent", lambda f: sent.append(f)),
                    ws.on("framereceived", lambda f: received.append(f)),
                ),
            )
            page.goto(app.url)
            wait(page, "window.lcaa && lcaa.hello !== null")
            assert page.locator("#mode-badge").inner_text() == "realtime"
            page.click("#start")
            wait(page, "lcaa.turns.length >= 3 && lcaa.turns[2].audioId !== null", 40)
            wait(page, "!lcaa.stats.playing")
            state = page.evaluate("({stats: {...lcaa.stats}, turns: lcaa.turns, tools: lcaa.tools,"
                                  " speech: lcaa.speech, bargeIns: lcaa.bargeIns,"
                                  " errors: lcaa.errors})")  # fmt: skip
            shown = page.locator("#transcript").inner_text()
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            html = page.content() + "".join(
                page.evaluate(f"fetch('/static/{n}').then(r => r.text())")
                for n in ("app.js", "capture-worklet.js", "playback-worklet.js")
            )
            clock = page_clock_offset(page) + time.time() - time.monotonic()
            origin = page.evaluate("performance.timeOrigin")
    conn = service.connections[0]
    assert state["errors"] == []

    # Continuous microphone: the page sent every frame as it was captured and never ended a
    # turn itself; the service's voice detection heard each question start while it was
    # still being spoken (the stop came the spoken length, plus its 300 ms, later).
    assert not [f for f in sent if isinstance(f, str) and "end_turn" in f]
    frames = [f for f in sent if isinstance(f, bytes)]
    assert {len(f) for f in frames} == {960}  # 20 ms of pcm16 each
    starts = [t for kind, t, _ in conn.log if kind == "input_audio_buffer.speech_started"]
    stops = [t for kind, t, _ in conn.log if kind == "input_audio_buffer.speech_stopped"]
    assert len(starts) == len(stops) == 3
    for start, stop in zip(starts, stops, strict=True):
        assert spoken - 0.2 < stop - start < spoken + 0.6, (stop - start, spoken)
    appended = b"".join(base64.b64decode(e["audio"]) for e in conn.received
                        if e["type"] == "input_audio_buffer.append")  # fmt: skip
    # Every frame the page sent reached Azure, in order, as it was. The microphone streams
    # until the browser closes, and frames sent after the test's last call to the page
    # reach Azure without being reported to the test: those may follow, whole frames only.
    captured = b"".join(frames)
    assert appended[: len(captured)] == captured
    assert len(appended) % 960 == 0

    # The page showed the turn indicator, what the user said, the tool call and its result,
    # and the answers' transcripts.
    assert [bool(s["started"] and s["stopped"]) for s in state["speech"]] == [True] * 3
    for said in SAID:
        assert f"You: {said}" in shown
    assert "tool call: convert_units(" in shown
    assert "→ 10 km is 6.214 mi" in shown
    assert state["tools"] == [{"name": "convert_units", "callId": state["tools"][0]["callId"],
                               "args": '{"value": 10, "from_unit": "km", "to_unit": "mi"}',
                               "output": "10 km is 6.214 mi", "error": False}]  # fmt: skip
    assert [t["transcript"] for t in state["turns"]] == [
        "Ten kilometres is about six point two miles.",
        "Once upon a time there was a very long story.", "Sure, go ahead."]  # fmt: skip

    # Barge-in: the third question, spoken over the second answer, stopped it on the page
    # at once, and Azure's copy was truncated where the page's worklet stopped playing it.
    (truncate,) = [e for e in conn.received if e["type"] == "conversation.item.truncate"]
    story = state["turns"][1]
    assert truncate["item_id"] == story["item"]
    heard_ms = story["played"] / 24  # samples the worklet played, at 24 kHz
    assert abs(truncate["audio_end_ms"] - heard_ms) <= 50, (truncate, heard_ms)
    assert 500 < heard_ms < STORY_MS - 500  # cut in the middle, not at an end
    assert story["interrupted"] == {"playedMs": truncate["audio_end_ms"], "generatedMs": STORY_MS}
    assert len(state["bargeIns"]) == 1
    assert [t["played"] for t in (state["turns"][0], state["turns"][2])] == [19_200, 14_400]

    # The key went to the service only: not in the page, its scripts or any message to it.
    assert service.handshakes[0]["api-key"] == SECRET
    assert SECRET not in html
    assert not any(SECRET in (f if isinstance(f, str) else f.decode("latin-1")) for f in received)
    assert SCREENSHOT.stat().st_size > 10_000

    # Latency, per turn: on the page, and the package's own share, for docs/serve.md.
    timings = turn_timings(state["turns"], conn.log, clock, origin)
    for turn, timing in zip(state["turns"], timings, strict=True):
        assert 0 < turn["serverMs"] < turn["pageMs"] < 2000
        assert timing["delivery_ms"] > 0
        assert timing["playback_ms"] > 0
    print("realtime latency (ms):", timings)
    logged = [r.getMessage() for r in caplog.records if "first audio" in r.getMessage()]
    assert [line.split(":")[0] for line in logged] == ["turn 1", "turn 2", "turn 3"]
    serve_latency.record("realtime", timings, {
        "1": "a tool call",
        "about": "Realtime: every 20 ms frame streams to the service as it is captured, and its "
                 "voice detection ends the turn (the scripted service after 300 ms of quiet; "
                 "Azure's `server_vad` waits `silence_duration_ms`); the answers arrive faster "
                 "than real time. Turn 1's answer comes after the package ran the tool.",
    })  # fmt: skip


def turn_timings(turns: list[dict[str, Any]], log: list[tuple[str, float, str | None]],
                 clock: float, origin: float) -> list[dict[str, Any]]:  # fmt: skip
    """Per turn (ms, see benchmarks/serve_latency.py): the page's clock for the speech and
    the playback; the service's for the turn's end (`speech_stopped`) and its first audio."""
    stops = [t for kind, t, _ in log if kind == "input_audio_buffer.speech_stopped"]

    def on_page(monotonic: float) -> float:
        return (monotonic + clock) * 1000 - origin

    out = []
    for turn, stop in zip(turns, stops, strict=True):
        first = min(t for kind, t, item in log
                    if kind == "response.output_audio.delta" and item == turn["item"])  # fmt: skip
        out.append({
            "turn": turn["turn"],
            "heard_ms": turn["firstPlayedAt"] - turn["lastVoiced"],
            "turn_wait_ms": on_page(stop) - turn["lastVoiced"],
            "service_ms": on_page(first) - on_page(stop),
            "delivery_ms": turn["firstAudioAt"] - on_page(first),
            "playback_ms": turn["firstPlayedAt"] - turn["firstAudioAt"],
        })  # fmt: skip
    return out
