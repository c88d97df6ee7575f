"""Long recordings end to end: a 30-minute phone-style m4a, transcribed and asked about.

The recording is built at test time (`scripts/make_long_recording.py`: espeak-ng
speech plus the real clips in ../shared/audio, with known pauses) and cached in
pytest's cache folder. The service is `tests/long_service.SyntheticListener`,
which finds where each piece of audio it hears sits in the original recording
(independently of our bookkeeping) and answers with what is said there.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import numpy as np
import pytest

from langchain_azure_audio.errors import AzureAudioAuthenticationError
from langchain_azure_audio.long_audio import ask_long, transcribe_long, validate_subtitles
from tests.cassette_tools import REPO
from tests.conftest import make_llm
from tests.long_recording import encoded
from tests.long_service import SyntheticListener, read_wav_pcm, serve

pytestmark = pytest.mark.shared
Recording = Any  # scripts/make_long_recording.py's LongRecording: wav, truth, seconds
TIMESTAMP_TOLERANCE = 0.5  # seconds: the bound on where a segment really sits


@pytest.fixture(scope="session")
def recording(long_recording: Recording) -> Recording:
    return long_recording


@pytest.fixture(scope="session")
def m4a(request: pytest.FixtureRequest, recording: Recording) -> Path:
    return encoded(request.config, recording.wav, ".m4a")


@pytest.fixture(scope="session")
def original(recording: Recording) -> np.ndarray:
    return read_wav_pcm(recording.wav.read_bytes())


@pytest.fixture
def listener(recording: Recording, original: np.ndarray) -> SyntheticListener:
    truth = json.loads(recording.truth.read_text())
    return SyntheticListener(original, truth["utterances"])


def llm_for(listener: SyntheticListener, **kwargs: Any) -> Any:
    return make_llm(
        "gpt-audio-1.5",
        http_client=httpx2.Client(transport=httpx2.MockTransport(listener)),
        http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(listener)),
        **kwargs,
    )


def mock_client(handler: Any) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.MockTransport(handler))


def truth_of(recording: Recording) -> dict[str, Any]:
    return json.loads(recording.truth.read_text())  # type: ignore[no-any-return]


def in_a_pause(t: float, truth: dict[str, Any], slack: float = 0.05) -> bool:
    return any(p["start"] - slack <= t <= p["end"] + slack for p in truth["pauses"])


def test_a_30_minute_m4a_is_transcribed_in_order_at_its_true_times(
    m4a: Path, recording: Recording, listener: SyntheticListener, tmp_path: Path
) -> None:
    transcript = transcribe_long(llm_for(listener), m4a, workdir=tmp_path)
    truth = truth_of(recording)
    segments = transcript.segments
    assert transcript.transcoded
    assert transcript.codec == "aac"
    assert abs(transcript.duration - recording.seconds) < 0.5
    # the segments tile the recording; each one fits a request
    assert segments[0].start == 0.0
    for a, b in itertools.pairwise(segments):
        assert b.start == pytest.approx(a.end - b.overlap, abs=1e-6)
    assert all(s.end - s.start <= 300.0 + 1e-6 for s in segments)
    # a cut is in a pause, unless no pause was near (then the next piece overlaps)
    for s in segments[1:]:
        assert s.overlap > 0 or in_a_pause(s.start, truth), f"segment {s.index} cuts a word"
    # where the service found each request's audio in the original = where we said it is
    sent = [s for s in segments if s.status == "ok"]
    assert len(listener.located) == len(sent)
    errors = []
    for s in sent:
        heard = min(listener.located, key=lambda h: abs(h.offset - s.start))
        assert heard.duration == pytest.approx(s.end - s.start, abs=0.1)  # MP3 frame padding
        errors.append(abs(heard.offset - s.start))
    assert max(errors) <= TIMESTAMP_TOLERANCE, errors
    print(f"timestamp error: max {max(errors):.3f} s over {len(errors)} segments")
    # the long silence is a reported gap, not sent
    silence = truth["silence"]
    silent = [s for s in segments if s.status == "silent"]
    assert silent
    assert silent[0].start <= silence["start"] + 1
    assert silent[0].end >= silence["end"] - 1
    assert "silence]" in transcript.text
    # every synthesised sentence is in the text once, in recording order
    said = [u["text"].split()[1] for u in truth["utterances"] if u["text"]]
    assert re.findall(r"Sentence (\d+)", transcript.text) == said
    assert transcript.usage["input_token_details"]["audio"] > 0


def test_a_segment_that_keeps_failing_is_a_marked_gap_and_the_rest_goes_on(
    m4a: Path, listener: SyntheticListener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    monkeypatch.setattr("langchain_azure_audio._batch.asyncio.sleep", no_wait)
    listener.fail = lambda heard: 503 if 600 <= heard.offset < 900 else None
    transcript = transcribe_long(llm_for(listener, max_retries=2), m4a, workdir=tmp_path)
    failed = [s for s in transcript.segments if s.status == "failed"]
    assert len(failed) == 1
    gap = failed[0]
    tried = [h for h in listener.located if 600 <= h.offset < 900]
    assert len(tried) == gap.attempts == 3, "max_retries=2 means 3 attempts in all, no more"
    assert "503" in (gap.error or "")
    assert f"{_clock(gap.start)}-{_clock(gap.end)} not transcribed" in transcript.text
    assert sum(s.status == "ok" for s in transcript.segments) >= 5
    # a rerun asks only for the gap: the rest is checkpointed
    listener.fail = lambda heard: None
    listener.located.clear()
    again = transcribe_long(llm_for(listener), m4a, workdir=tmp_path)
    assert len(listener.located) == 1
    assert abs(listener.located[0].offset - gap.start) < 0.5
    assert not again.gaps or all(s.status == "silent" for s in again.gaps)


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def test_a_refused_sign_in_stops_every_segment_at_once(
    m4a: Path, listener: SyntheticListener, tmp_path: Path
) -> None:
    listener.fail = lambda heard: 401
    with pytest.raises(AzureAudioAuthenticationError):
        transcribe_long(llm_for(listener), m4a, workdir=tmp_path, max_concurrency=2)
    assert len(listener.located) <= 2  # the first refusal cancelled the rest


def test_ask_long_answers_from_the_segment_that_holds_the_answer(
    m4a: Path, recording: Recording, listener: SyntheticListener, tmp_path: Path
) -> None:
    truth = truth_of(recording)
    target = next(u for u in truth["utterances"] if u["text"] and u["start"] > 1300)
    question = f"What is said about {target['text'].split(' ', 2)[2]}?"
    result = ask_long(llm_for(listener), m4a, question, workdir=tmp_path)
    assert target["text"] in result.answer
    assert any(s.start <= target["start"] and target["end"] <= s.end for s in result.drawn_from)
    assert len(result.drawn_from) < len(result.notes)  # not simply every segment
    assert result.requested == sum(n.status == "ok" for n in result.notes) + 1


def test_a_wav_the_service_takes_is_sent_unchanged_in_one_request(
    recording: Recording, original: np.ndarray, tmp_path: Path
) -> None:
    from langchain_azure_audio.audio import pcm16_to_wav

    clip = tmp_path / "clip.wav"
    clip.write_bytes(pcm16_to_wav(original[: 24_000 * 40].tobytes()))
    bodies: list[dict[str, Any]] = []
    listener = SyntheticListener(original, truth_of(recording)["utterances"])

    def service(request: httpx2.Request) -> httpx2.Response:
        bodies.append(json.loads(request.content))
        return listener(request)

    llm = make_llm("gpt-audio-1.5", http_async_client=mock_client(service))
    transcript = transcribe_long(llm, clip, workdir=tmp_path / "work")
    assert not transcript.transcoded
    assert len(bodies) == 1
    part = bodies[0]["messages"][-1]["content"][0]
    assert part["type"] == "input_audio"
    assert part["input_audio"]["format"] == "wav"
    import base64

    assert base64.b64decode(part["input_audio"]["data"]) == clip.read_bytes()


def test_silent_and_too_short_recordings_are_reported_not_sent(
    listener: SyntheticListener, tmp_path: Path
) -> None:
    from langchain_azure_audio.audio import pcm16_to_wav

    noise = (np.random.default_rng(1).normal(0, 10, 24_000 * 30)).astype("<i2")
    quiet = tmp_path / "quiet.wav"
    quiet.write_bytes(pcm16_to_wav(noise.tobytes()))
    transcript = transcribe_long(llm_for(listener), quiet, workdir=tmp_path / "w1")
    assert [s.status for s in transcript.segments] == ["silent"]
    assert transcript.text == "[00:00:00-00:00:30 silence]"
    blip = tmp_path / "blip.wav"
    tone = (8000 * np.sin(np.arange(1200) / 24_000 * 2 * np.pi * 440)).astype("<i2")
    blip.write_bytes(pcm16_to_wav(tone.tobytes()))
    short = transcribe_long(llm_for(listener), blip, workdir=tmp_path / "w2")
    assert [s.status for s in short.segments] == ["too_short"]
    assert "too short" in short.text
    assert listener.located == []


# --- the CLI: resumable after a kill, subtitles out -------------------------------------


@pytest.fixture
def served(listener: SyntheticListener) -> Iterator[tuple[SyntheticListener, dict[str, str]]]:
    with serve(listener) as endpoint:
        env = {**os.environ, "AZURE_OPENAI_ENDPOINT": endpoint,
               "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-audio-1.5",
               "AZURE_OPENAI_API_KEY": "long-audio-test-key"}  # fmt: skip
        yield listener, env


def cli(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "langchain_azure_audio", *args]
    pipe = subprocess.PIPE
    return subprocess.Popen(command, cwd=REPO, env=env, text=True, stdout=pipe, stderr=pipe)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_the_cli_resumes_after_a_kill_and_writes_subtitles(
    m4a: Path, served: tuple[SyntheticListener, dict[str, str]], tmp_path: Path
) -> None:
    listener, env = served
    srt, workdir = tmp_path / "meeting.srt", tmp_path / "work"
    listener.delay = 1.0
    pieces = ["--segment-seconds", "300"]  # 8 pieces (subtitle mode alone would cut 60 s)
    first = cli(["transcribe", str(m4a), "-o", str(srt), "--workdir", str(workdir),
                 "--concurrency", "1", *pieces], env)  # fmt: skip
    deadline = time.monotonic() + 120
    while len(list(workdir.glob("*/results/*/*.json"))) < 3 and time.monotonic() < deadline:
        assert first.poll() is None, first.communicate()
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    checkpoints = list(workdir.glob("*/results/*/*.json"))
    finished = len(checkpoints)
    assert 3 <= finished < 7, finished
    assert not srt.exists()
    time.sleep(listener.delay + 1.0)  # a request in flight at the kill is answered, unheard
    asked_before = len(listener.located)
    listener.delay = 0.0
    second = cli(["transcribe", str(m4a), "-o", str(srt), "--workdir", str(workdir), *pieces],
                 env)  # fmt: skip
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    # finished segments were not asked again: only the other seven minus the finished
    asked_again = listener.located[asked_before:]
    assert len(asked_again) == 7 - finished
    done_starts = {json.loads(p.read_text())["start"] for p in checkpoints}
    assert not any(abs(h.offset - start) < 1 for h in asked_again for start in done_starts)
    cues = srt.read_text().strip().split("\n\n")
    assert len(cues) > 300  # a cue per sentence, not per piece
    assert "silence]" not in srt.read_text()  # nothing on screen through the silence
    assert cues[0].splitlines()[1].startswith("00:00:00,500 --> 00:00:0")
    assert {p.rule for p in validate_subtitles(srt)} <= {"reading_speed"}
    assert "Sentence" in out
    # the same run again writes the other formats from the checkpoints, asking nothing
    asked = len(listener.located)
    for suffix in (".vtt", ".json", ".txt"):
        again = cli(["transcribe", str(m4a), "-o", str(srt.with_suffix(suffix)),
                     "--workdir", str(workdir), *pieces], env)  # fmt: skip
        assert again.communicate(timeout=300)
        assert again.returncode == 0
    assert len(listener.located) == asked
    assert srt.with_suffix(".vtt").read_text().startswith("WEBVTT")
    data = json.loads(srt.with_suffix(".json").read_text())
    assert len(data["segments"]) == 8
    assert data["text"] == srt.with_suffix(".txt").read_text().strip()


def test_the_longest_pieces_sent_fit_the_input_limit(
    m4a: Path, listener: SyntheticListener, tmp_path: Path
) -> None:
    """At the longest `segment_seconds` and lossless WAV pieces (the largest a piece can be),
    every piece is within Azure's 20 MiB input limit, and the longest come close to it
    (so the check is against a limit that is really there, not one MP3 could never reach)."""
    sizes: list[int] = []

    def measuring(request: httpx2.Request) -> httpx2.Response:
        for message in json.loads(request.content)["messages"]:
            for part in message["content"] if isinstance(message["content"], list) else []:
                if part["type"] == "input_audio":
                    sizes.append(len(base64.b64decode(part["input_audio"]["data"])))
        return listener(request)

    llm = make_llm("gpt-audio-1.5", http_async_client=mock_client(measuring))
    transcribe_long(llm, m4a, workdir=tmp_path, segment_seconds=436, piece_format="wav")
    assert max(sizes) <= 20 * 1024 * 1024, "a piece over Azure's 20 MiB limit was sent"
    assert max(sizes) >= 0.99 * 20 * 1024 * 1024, "436 s of 24 kHz WAV is just under 20 MiB"
