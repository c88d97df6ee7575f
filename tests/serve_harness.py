"""What the `serve` tests share: the app on a loopback port, a scripted service, Chromium.

- `AppServer`: the real Starlette app under uvicorn, in a thread, on 127.0.0.1.
- `scripted_answer`: a streamed answer as Azure sends it (transcript, pcm16 audio
  deltas, usage), for `tests/fault_server.py` to play to the app.
- `speech_timeline`: the fake microphone's WAV, built at test time from the real
  speech in `../shared/audio` (read there, never copied into the repository).
- `chromium`: Debian's Chromium (`/usr/bin/chromium`, or `LCAA_CHROMIUM`) driven by
  Playwright, with a fake microphone playing that WAV. Playwright's own browser
  download (`playwright install`) is never used.
"""

from __future__ import annotations

import array
import base64
import itertools
import json
import math
import os
import shutil
import socket
import threading
import time
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.needs import missing, shared

ROOT = Path(__file__).resolve().parents[1]
SPEECH = ROOT.parent / "shared" / "audio" / "whats_the_weather_24khz_mono.wav"
RATE = 24_000
PAUSE = RATE // 5  # 200 ms without a loud sample ends the phrase the microphone speaks
CONVERSATION = [("silence", 1.0), ("speech", 0), ("silence", 2.5), ("speech", 0),
                ("silence", 1.8), ("speech", 0), ("silence", 2.2)]  # fmt: skip
"""The fake microphone of both browser conversations: a question, a pause for its answer, a
second question, and a third spoken 1.8 s later, over the second (long) answer."""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


def chromium_path() -> str:
    """The system Chromium; a skip with the fix when there is none (CI requires it)."""
    path = os.environ.get("LCAA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).is_file():
        missing(f"no Chromium at {path}", "`apt-get install -y chromium`, or set LCAA_CHROMIUM")
    return path


# ------------------------------------------------------------------ the app


class AppServer:
    """The app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, options: Any) -> None:
        import uvicorn

        from langchain_azure_audio.serve import bind, create_app, url_of
        from langchain_azure_audio.serve.app import WS_MAX_SIZE

        self.sock = bind("127.0.0.1", 0)
        self.url = url_of(self.sock)
        config = uvicorn.Config(create_app(options), log_level="warning", lifespan="off",
                                ws_max_size=WS_MAX_SIZE)  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)  # fmt: skip

    def __enter__(self) -> AppServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()

    def alive(self) -> bool:
        """The page still loads: the server kept running."""
        host, port = self.sock.getsockname()[:2]
        with socket.create_connection((host, port), timeout=5) as conn:
            conn.sendall(
                f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
            )
            return conn.recv(64).startswith(b"HTTP/1.1 200")


@contextmanager
def page(app: AppServer, hello: list[dict[str, Any]] | None = None) -> Iterator[Any]:
    """A WebSocket client like the page's (its own Origin), past the server's hello (kept in
    `hello` when given)."""
    from websockets.sync.client import connect

    origin = app.url.rstrip("/")
    url = origin.replace("http://", "ws://") + "/ws"
    with connect(url, origin=origin, max_size=None, open_timeout=20) as ws:  # type: ignore[arg-type]
        first = json.loads(ws.recv(10))
        assert first["type"] == "hello"
        if hello is not None:
            hello.append(first)
        yield ws


def until(ws: Any, kind: str, timeout: float = 20) -> tuple[list[dict[str, Any]], int]:
    """Messages up to and including the first of `kind`, and the audio bytes in between."""
    seen: list[dict[str, Any]] = []
    audio = 0
    while True:
        message = ws.recv(timeout)
        if isinstance(message, bytes):
            audio += len(message)
            continue
        seen.append(json.loads(message))
        if seen[-1]["type"] == kind:
            return seen, audio


# ------------------------------------------------------- the scripted service


def tone(seconds: float, amplitude: float = 0.3, hz: float = 440.0) -> bytes:
    samples = array.array("h", (int(amplitude * 32767 * math.sin(2 * math.pi * hz * i / RATE))
                                for i in range(int(seconds * RATE))))  # fmt: skip
    return samples.tobytes()


def scripted_answer(audio_id: str, transcript: str, pcm: bytes, piece_ms: int = 20) -> list[str]:
    """SSE events of one streamed spoken answer, cut in `piece_ms` audio deltas."""
    base = {"id": f"chatcmpl-{audio_id}", "object": "chat.completion.chunk"}

    def event(delta: dict[str, Any] | None, **extra: Any) -> str:
        choices = [{"index": 0, "delta": delta}] if delta is not None else []
        return f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n"

    events = [event({"role": "assistant", "audio": {"id": audio_id, "transcript": transcript}})]
    step = RATE * 2 * piece_ms // 1000
    for start in range(0, len(pcm), step):
        data = base64.b64encode(pcm[start : start + step]).decode()
        events.append(event({"audio": {"data": data}}))
    events.append(event(None, usage={"prompt_tokens": 9, "completion_tokens": 9,
                                     "total_tokens": 18}))  # fmt: skip
    events.append(event({"audio": {"expires_at": 4102444800}}))
    events.append("data: [DONE]\n\n")
    return events


def request_messages(request: dict[str, Any]) -> list[dict[str, Any]]:
    return list(json.loads(request["body"])["messages"])


def input_audio_seconds(message: dict[str, Any]) -> tuple[float, float]:
    """Length (s) and RMS (full scale 1) of a user message's input audio (a WAV)."""
    import io

    (part,) = [p for p in message["content"] if p["type"] == "input_audio"]
    with wave.open(io.BytesIO(base64.b64decode(part["input_audio"]["data"]))) as wav:
        frames = wav.readframes(wav.getnframes())
        seconds = wav.getnframes() / wav.getframerate()
    samples = array.array("h", frames)
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1)) / 32768
    return seconds, rms


# ------------------------------------------------------------ the microphone


def speech() -> tuple[array.array[int], float]:
    """The real speech's first phrase (up to its first pause of 200 ms or more), trimmed to
    where it is audible and normalised; and its length."""
    with wave.open(str(shared(SPEECH))) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        samples = array.array("h", wav.readframes(wav.getnframes()))
    peak = max(abs(s) for s in samples)
    loud = [i for i, s in enumerate(samples) if abs(s) > peak * 0.05]
    end = next((a for a, b in itertools.pairwise(loud) if b - a >= PAUSE), loud[-1])
    trimmed = samples[loud[0] : end + 1]
    gain = 0.7 * 32767 / peak
    out = array.array("h", (int(s * gain) for s in trimmed))
    return out, len(out) / RATE


def speech_timeline(path: Path, plan: list[tuple[str, float]]) -> tuple[Path, float]:
    """A 24 kHz WAV of silences and the speech, as `plan` says: [("silence", s), ("speech", 0)]."""
    words, length = speech()
    pcm = array.array("h")
    for what, seconds in plan:
        pcm.extend(words if what == "speech" else array.array("h", bytes(int(seconds * RATE) * 2)))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())
    return path, length


def wait(page: Any, condition: str, seconds: float = 30) -> None:
    """Until the page's JavaScript `condition` holds (Playwright fails the test after
    `seconds`)."""
    page.wait_for_function(condition, timeout=seconds * 1000)


def page_clock_offset(page: Any) -> float:
    """Seconds to add to this process's `time.time()` to get the page's
    `performance.timeOrigin + performance.now()` (the best of 5 round trips)."""
    best: tuple[float, float] | None = None
    for _ in range(5):
        before = time.time()
        there = page.evaluate("performance.timeOrigin + performance.now()") / 1000
        after = time.time()
        if best is None or after - before < best[0]:
            best = (after - before, there - (before + after) / 2)
    assert best is not None
    return best[1]


@contextmanager
def chromium(tmp_path: Path, microphone: Path | None = None) -> Iterator[Any]:
    """A fresh headless Chromium (Playwright over the system executable, a new profile in
    `tmp_path`); yields its browser context."""
    from playwright.sync_api import sync_playwright

    flags = list(CHROMIUM_FLAGS)
    if microphone is not None:
        flags.append(f"--use-file-for-fake-audio-capture={microphone}%noloop")
    executable = chromium_path()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, args=flags, headless=True,
            bypass_csp=True,  # Playwright evaluates its waits as strings; the page forbids eval
            viewport={"width": 900, "height": 760},
        )  # fmt: skip
        try:
            yield context
        finally:
            context.close()
