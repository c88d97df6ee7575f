"""`langchain-azure-audio serve` in a real browser: headless Chromium with a fake microphone.

The microphone plays real speech (built at test time from `../shared/audio`);
the app talks to a scripted stand-in for Azure on 127.0.0.1
(`tests/fault_server.py`). Nothing leaves the machine.
"""

from __future__ import annotations

import json
import logging
import re
import time
import wave
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright.sync_api", reason="the browser tests need the test-browser extra")
pytest.importorskip("starlette", reason="`serve` needs the serve extra")

from benchmarks import serve_latency
from langchain_azure_audio.serve import ServeOptions
from langchain_azure_audio.serve.app import WS_MAX_SIZE
from langchain_azure_audio.serve.session import OFFLINE_MESSAGE
from tests.fault_server import Fault, FaultServer
from tests.serve_harness import (
    CONVERSATION,
    RATE,
    ROOT,
    AppServer,
    chromium,
    input_audio_seconds,
    page_clock_offset,
    request_messages,
    scripted_answer,
    speech_timeline,
    tone,
    wait,
)

pytestmark = [pytest.mark.browser, pytest.mark.enable_socket,
              pytest.mark.allow_hosts(["127.0.0.1"])]  # fmt: skip

SECRET = "sk-serve-test-SECRET-4f1c9a"
SCREENSHOT = ROOT / "docs" / "img" / "serve.png"
HANGOVER = 0.8  # the page's end of speech: 800 ms of quiet
PREROLL = 0.3


def test_a_spoken_conversation_with_barge_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Speak, hear the answer, speak again (the first answer goes back by audio id), then
    interrupt the second answer by speaking: playback stops and Azure's stream closes."""
    caplog.set_level(logging.INFO, logger="langchain_azure_audio.serve")
    mic, spoken = speech_timeline(tmp_path / "mic.wav", CONVERSATION)
    first = scripted_answer("audio_turn_1", "It is sunny today.", tone(0.6))
    long = scripted_answer("audio_turn_2", "Once upon a time", tone(4.0, hz=330))
    third = scripted_answer("audio_turn_3", "Sure, go ahead.", tone(0.6, hz=550))
    service = FaultServer(
        Fault(stream_events=first, event_delay=0.002),
        Fault(stream_events=long, event_delay=0.02),  # real time: 20 ms of audio per 20 ms
        Fault(stream_events=third, event_delay=0.002),
        max_seconds=120,
    )
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", SECRET)
    received: list[str | bytes] = []
    with service:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
        options = ServeOptions(offline=False, deployments=("gpt-audio-1.5", "gpt-audio-mini"),
                               voice="marin")  # fmt: skip
        with AppServer(options) as app, chromium(tmp_path, mic) as browser:
            page = browser.new_page()
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(f)))
            page.goto(app.url)
            wait(page, "window.lcaa && lcaa.hello !== null")
            assert page.locator("#mode-badge").inner_text() == "chat completions"
            page.select_option("#deployment", "gpt-audio-mini")
            page.select_option("#voice", "coral")
            wait(page, "document.querySelector('#status').textContent.includes('voice coral')")
            page.click("#start")

            wait(page, "lcaa.turns.length >= 1 && lcaa.turns[0].audioId !== null")
            wait(page, "lcaa.stats.played >= 14400 && !lcaa.stats.playing")
            after_first = page.evaluate("({...lcaa.stats})")
            assert page.locator("#transcript").inner_text().count("It is sunny today.") == 1

            wait(page, "lcaa.turns.length >= 3 && lcaa.turns[2].audioId !== null", 60)
            wait(page, "!lcaa.stats.playing")
            state = page.evaluate("({stats: {...lcaa.stats}, turns: lcaa.turns, "
                                  "bargeIns: lcaa.bargeIns, errors: lcaa.errors})")  # fmt: skip
            page.screenshot(path=str(SCREENSHOT))
            html = page.content() + "".join(
                page.evaluate(f"fetch('/static/{n}').then(r => r.text())")
                for n in ("app.js", "capture-worklet.js", "playback-worklet.js")
            )
            clock = page_clock_offset(page) + time.time() - time.monotonic()
            origin = page.evaluate("performance.timeOrigin")
        offset = time.time() - time.monotonic()

    assert state["errors"] == []
    # The service heard the spoken question, at its spoken length (plus the page's
    # 300 ms pre-roll and 800 ms of trailing quiet at most), and it was not silence.
    messages = [request_messages(r) for r in service.requests]
    assert len(messages) == 3
    seconds, rms = input_audio_seconds(messages[0][-1])
    assert spoken - 0.1 <= seconds <= spoken + PREROLL + HANGOVER + 0.1, (seconds, spoken)
    assert rms > 0.02
    # ...from the deployment and the voice picked on the page (the server's default: marin).
    bodies = [json.loads(r["body"]) for r in service.requests]
    assert {(b["model"], b["audio"]["voice"]) for b in bodies} == {("gpt-audio-mini", "coral")}

    # The page played the whole first answer (0.6 s: 14,400 samples, no gap), audibly.
    assert after_first["played"] == 14_400
    assert after_first["underruns"] == 0
    assert after_first["rms"] > 0.15  # the answer's tone, 0.3 full scale: RMS 0.21

    # Turn 2 sent the first answer back by its audio id, not as audio or text.
    assert {"role": "assistant", "audio": {"id": "audio_turn_1"}} in messages[1]

    # Barge-in: speaking during answer 2 stopped it, and the stream to the service closed
    # within 0.5 s; answer 2 went into the history as what was heard, marked interrupted.
    assert len(state["bargeIns"]) == 1
    ends = [when for how, when in service.ends if how == "client-closed"]
    assert len(ends) == 1, service.ends
    closed_after = ends[0] + offset - state["bargeIns"][0] / 1000
    assert -0.05 < closed_after < 0.5, closed_after
    assert state["turns"][1]["cancelled"]
    assert state["turns"][1]["audioId"] is None
    assistant = [m for m in messages[2] if m["role"] == "assistant"]
    assert assistant[-1]["content"] == "Once upon a time [interrupted]"
    # Only part of the 4-second answer was played before the stop.
    assert state["stats"]["played"] < 14_400 * 2 + 4 * RATE - 24_000

    # Latency, end of speech to first audio: on the page and in the server's log.
    for turn in (state["turns"][0], state["turns"][2]):
        assert turn["pageMs"] is not None
        assert turn["serverMs"] is not None
        assert 0 < turn["serverMs"] < turn["pageMs"] < 5000
    logged = [r.getMessage() for r in caplog.records if "first audio" in r.getMessage()]
    assert len(logged) == 3
    assert logged[0].startswith("turn 1: first audio")
    print("latency (ms) page/server:", [(t["pageMs"], t["serverMs"]) for t in state["turns"]])
    timings = turn_timings(state["turns"], service, clock, origin)
    print(timings)
    serve_latency.record("chat", timings, {
        "2": "dripped at real time",
        "about": "Chat completions: the page ends a turn after 0.8 s of quiet, then sends its "
                 "audio; the scripted service streams the answer in 20 ms pieces (turn 2 in real "
                 "time, so the page's 100 ms prebuffer waits for it).",
    })  # fmt: skip

    # The key went to the service only: not in the page, its scripts or any message to it.
    headers = {k.lower(): v for k, v in service.requests[0]["headers"].items()}
    assert headers["api-key"] == SECRET
    assert SECRET not in html
    assert not any(SECRET in (f if isinstance(f, str) else f.decode("latin-1")) for f in received)
    assert SCREENSHOT.stat().st_size > 10_000


def turn_timings(turns: list[dict[str, Any]], service: FaultServer, offset: float,
                 origin: float) -> list[dict[str, Any]]:  # fmt: skip
    """Per turn (ms, see benchmarks/serve_latency.py): the page's clock for the speech, the
    turn's end and the playback; the service's for its first answer audio (its second event)."""
    out = []
    for turn, written in zip(turns, service.written, strict=True):
        first_audio = (written[1] + offset) * 1000 - origin  # on the page's clock
        out.append({
            "turn": turn["turn"],
            "heard_ms": turn["firstPlayedAt"] - turn["lastVoiced"],
            "turn_wait_ms": turn["turnEndAt"] - turn["lastVoiced"],
            "service_ms": first_audio - turn["turnEndAt"],
            "delivery_ms": turn["firstAudioAt"] - first_audio,
            "playback_ms": turn["firstPlayedAt"] - turn["firstAudioAt"],
        })  # fmt: skip
    return out


def silence(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(int(seconds * RATE) * 2))
    return path


def test_offline_mode_push_to_talk_and_refusals(tmp_path: Path) -> None:
    """Offline: the demo question replays (labelled synthetic), anything else gets the
    settings line. Malformed and oversize messages are refused with a clear error on the
    page, and the server keeps serving (foreign origins: test_serve_protocol.py)."""
    with AppServer(ServeOptions(offline=True)) as app, \
            chromium(tmp_path, silence(tmp_path / "quiet.wav", 60)) as browser:  # fmt: skip
        page = browser.new_page()
        page.goto(app.url)
        wait(page, "window.lcaa && lcaa.hello !== null")
        assert "Offline: set AZURE_OPENAI_ENDPOINT" in page.locator("#banner").inner_text()
        page.click("#start")
        wait(page, "document.querySelector('#talk').disabled === false")

        page.fill("#text", "What's the weather like?")
        page.press("#text", "Enter")
        wait(page, "lcaa.errors.length === 1")
        assert page.locator("#error").inner_text() == OFFLINE_MESSAGE

        page.click("#demo")
        wait(page, "lcaa.turns.length === 1 && lcaa.turns[0].audioId !== null")
        wait(page, "lcaa.stats.played > 24000 && !lcaa.stats.playing")
        assert "golden retriever" in page.locator("#transcript").inner_text().lower()
        assert "SYNTHETIC replay" in page.locator("#transcript").inner_text()
        assert page.evaluate("lcaa.stats.rms") > 0.01

        # Push to talk: held 0.6 s, the server heard about that much (then: offline line).
        page.select_option("#mode", "ptt")
        page.hover("#talk")
        page.mouse.down()
        time.sleep(0.6)
        page.mouse.up()
        wait(page, "lcaa.errors.length === 2")
        heard = page.locator(".user").last.inner_text()
        assert 0.4 <= float(re.findall(r"([\d.]+) s", heard)[-1]) <= 1.2, heard

        refusals = [
            ("'not json'", "malformed message: not JSON"),
            ("JSON.stringify([1, 2])", "expected a JSON object"),
            ("JSON.stringify({type: 'explode'})", "unknown type 'explode'"),
            ("new Uint8Array(3).buffer", "3 bytes is not whole 16-bit samples"),
            (f"new ArrayBuffer({20 * 1024 * 1024 + 2})", "the limit is 20 MiB"),
        ]
        for number, (payload, error) in enumerate(refusals, start=3):
            page.evaluate(f"lcaa.sendRaw({payload})")
            wait(page, f"lcaa.errors.length === {number}")
            assert error in page.locator("#error").inner_text()
        assert page.evaluate("lcaa.closes") == []  # refused, and the conversation went on

        page.evaluate(f"lcaa.sendRaw(new ArrayBuffer({WS_MAX_SIZE + 2}))")  # over the transport
        wait(page, "lcaa.closes.length === 1")
        assert page.evaluate("lcaa.closes") == [1009]
        assert "over its 20 MiB limit" in page.locator("#error").inner_text()
        wait(page, "lcaa.hello !== null && document.querySelector('#status').textContent"
                   " === 'offline (synthetic replay)'")  # fmt: skip

        page.click("#demo")  # the server still answers, after all of that
        wait(page, "lcaa.turns.length === 2 && lcaa.turns[1].audioId !== null")
        assert app.alive()
