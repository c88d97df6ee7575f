"""One retry layer: a request is attempted at most `max_retries + 1` times, whatever path
it takes (a single call, a stream, a long recording, an audiobook, `ask`, `serve`).

Against a loopback service that always answers 500, and one that always answers 429
with `Retry-After`. Before this was fixed, the batch layer retried each of the SDK's
retries: `transcribe` on a 6-second file made 18 attempts, `audiobook` on a two-chapter
book 35. The expected counts below are written from the setting (`max_retries=2`: 3
attempts per request), not read from the code.
"""

from __future__ import annotations

import array
import hashlib
import itertools
import json
import math
import wave
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from langchain_azure_audio import AzureAudioServiceError, AzureChatOpenAIAudio
from langchain_azure_audio.cli import main
from langchain_azure_audio.long_audio import transcribe_long
from tests.fault_server import Fault, FaultServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DEFAULT_ATTEMPTS = 3
"""The package's default `max_retries` is 2: one attempt and two retries."""
RETRY_AFTER_S = 0.3
DOWN = Fault(500, {"error": {"code": "InternalServerError", "message": "down"}})
BUSY = Fault(429, {"error": {"code": "429", "message": "Rate limit is exceeded."}},
             {"retry-after-ms": str(int(RETRY_AFTER_S * 1000))})  # fmt: skip
INCOMPLETE = 3
"""The CLI's documented exit code for a job with a part not produced (docs/cli.md)."""


@pytest.fixture(params=["always 500", "always 429 with Retry-After"])
def service(request: pytest.FixtureRequest) -> Iterator[FaultServer]:
    with FaultServer(DOWN if request.param == "always 500" else BUSY, max_requests=100,
                     max_seconds=120) as server:  # fmt: skip
        yield server


def model(server: FaultServer, **kwargs: Any) -> AzureChatOpenAIAudio:
    return AzureChatOpenAIAudio(azure_endpoint=server.endpoint, api_key="retry-test-key",
                                azure_deployment="gpt-audio-1.5", **kwargs)  # fmt: skip


def cli(server: FaultServer, *args: str) -> Any:
    env = {"AZURE_OPENAI_ENDPOINT": server.endpoint, "AZURE_OPENAI_API_KEY": "retry-test-key",
           "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-audio-1.5"}  # fmt: skip
    return CliRunner().invoke(main, list(args), env=env)


def spoken_file(path: Path, seconds: float) -> Path:
    """A mono 24 kHz WAV that sounds like unbroken speech: a tone whose loudness rises and
    falls three times a second, never silent (no pause to cut at)."""
    samples = array.array("h", (
        int(12_000 * (0.4 + 0.6 * abs(math.sin(math.pi * 3 * t / 24_000)))
            * math.sin(2 * math.pi * 220 * t / 24_000))
        for t in range(int(seconds * 24_000))
    ))  # fmt: skip
    frames = samples.tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        wav.writeframes(frames)
    return path


def attempts_per_request(server: FaultServer) -> list[int]:
    """How many times the service saw each distinct request (same messages = same request)."""
    seen = Counter(
        hashlib.sha256(json.dumps(json.loads(r["body"])["messages"]).encode()).hexdigest()
        for r in server.requests
    )
    return sorted(seen.values())


def check_waits(server: FaultServer) -> None:
    """On 429s, every retry came no sooner than the Retry-After the service asked for."""
    if server.faults[0].status != 429:
        return
    times = [r["at"] for r in server.requests]
    assert all(b - a >= RETRY_AFTER_S * 0.95 for a, b in itertools.pairwise(times)), (
        "a retry came before the service's Retry-After"
    )


def test_a_single_call_is_attempted_max_retries_plus_one_times(service: FaultServer) -> None:
    with pytest.raises(AzureAudioServiceError):
        model(service).invoke("Hello")
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS]
    check_waits(service)


async def test_a_stream_is_attempted_max_retries_plus_one_times(service: FaultServer) -> None:
    with pytest.raises(AzureAudioServiceError):
        async for _ in model(service, max_retries=1).astream("Hello"):
            pass
    assert attempts_per_request(service) == [2]


def test_speak(service: FaultServer, tmp_path: Path) -> None:
    result = cli(service, "speak", "Hello there.", "-o", str(tmp_path / "hello.wav"))
    assert result.exit_code == 1, result.output
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS]


def test_transcribe_a_6_second_file(service: FaultServer, tmp_path: Path) -> None:
    audio = spoken_file(tmp_path / "meeting.wav", 6.0)
    result = cli(service, "transcribe", str(audio), "-o", str(tmp_path / "meeting.txt"))
    assert result.exit_code == INCOMPLETE, result.output
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS], "one request, 3 attempts in all"
    check_waits(service)


def test_ask_about_a_6_second_file(service: FaultServer, tmp_path: Path) -> None:
    audio = spoken_file(tmp_path / "question.wav", 6.0)
    result = cli(service, "ask", str(audio), "What is said?", "-o", str(tmp_path / "a.wav"))
    assert result.exit_code == INCOMPLETE, result.output
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS]


def test_audiobook_of_two_chapters(service: FaultServer, tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text("# One\n\nThe first chapter.\n\n# Two\n\nThe second chapter.\n")
    result = cli(service, "audiobook", str(book), "-o", str(tmp_path / "book.wav"))
    assert result.exit_code == INCOMPLETE, result.output
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS, DEFAULT_ATTEMPTS], (
        "two segments, 3 attempts each"
    )


def test_each_piece_of_a_long_recording(service: FaultServer, tmp_path: Path) -> None:
    audio = spoken_file(tmp_path / "talk.wav", 13.0)
    transcript = transcribe_long(model(service), audio, workdir=tmp_path / "work",
                                 segment_seconds=5.0, piece_format="wav")  # fmt: skip
    pieces = len(transcript.segments)
    assert pieces >= 3
    assert [s.status for s in transcript.segments] == ["failed"] * pieces
    assert [s.attempts for s in transcript.segments] == [DEFAULT_ATTEMPTS] * pieces
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS] * pieces


def test_a_serve_turn(service: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("starlette", reason="`serve` needs the serve extra")
    from websockets.sync.client import connect

    from langchain_azure_audio.serve import ServeOptions
    from tests.serve_harness import AppServer

    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", service.endpoint)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "retry-test-key")
    options = ServeOptions(offline=False, deployments=("gpt-audio-1.5",))
    with AppServer(options) as app:
        origin = app.url.rstrip("/")
        with connect(origin.replace("http://", "ws://") + "/ws", origin=origin,  # type: ignore[arg-type]
                     open_timeout=20) as ws:  # fmt: skip
            assert json.loads(ws.recv(10))["type"] == "hello"
            ws.send(json.dumps({"type": "ask", "text": "Hello?"}))
            while (message := json.loads(ws.recv(30)))["type"] != "error":
                assert message["type"] in ("answer_start", "heard"), message
    assert attempts_per_request(service) == [DEFAULT_ATTEMPTS]
