"""Subtitles of a recording over an hour long read the right times past the hour.

The recording (1 h 10 min 45 s, built at test time as a small FLAC) is silence with
three tones, each standing for a word, placed at times typed by hand below. Silence of
20 s or more is never sent, so the run makes three requests. The scripted service (an
`httpx2.MockTransport` behind the `openai` SDK) hears the pitch of the audio it is
sent and answers with that tone's word. The .srt and .vtt files are compared with cue
times typed by hand: each cue is on screen exactly while its tone sounds (the word is
placed on the sound in its piece, `long_audio.timing`), and the silence has no cue.
"""

from __future__ import annotations

import base64
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import httpx2
import numpy as np

from langchain_azure_audio.long_audio import (
    transcribe_long,
    validate_subtitles,
    write_transcript,
)
from tests.conftest import make_llm
from tests.long_service import completion, read_wav_pcm

RATE = 24_000
WORDS = {440: "Alpha", 660: "Bravo", 880: "Charlie"}
"""The word each tone's pitch (Hz) stands for."""
PLACED = [(0.0, 440), (1 * 3600 + 2 * 60 + 6.0, 660), (1 * 3600 + 10 * 60 + 42.24, 880)]
"""Where each 1.5 s tone starts (seconds): 0:00:00, 1:02:06.000, 1:10:42.240."""
TONE_SECONDS = 1.5
LENGTH = 1 * 3600 + 10 * 60 + 45.0  # 1:10:45.000
SPOKEN_CUES = [
    ("00:00:00,000", "00:00:01,500", "Alpha"),
    ("01:02:06,000", "01:02:07,500", "Bravo"),
    ("01:10:42,240", "01:10:43,740", "Charlie"),
]
"""The cues a viewer must see (typed by hand from the placements above)."""


def write_recording(path: Path) -> Path:
    """The recording as FLAC (lossless, so every sample sits where it was placed)."""
    t = np.arange(round(TONE_SECONDS * RATE)) / RATE
    layout: list[tuple[int, np.ndarray]] = [
        (round(start * RATE), (9000 * np.sin(2 * np.pi * hz * t)).astype("<i2"))
        for start, hz in PLACED
    ]
    with av.open(str(path), "w", format="flac") as out:
        stream: Any = out.add_stream("flac", rate=RATE)
        stream.layout = "mono"
        position = 0

        def put(samples: np.ndarray) -> None:
            nonlocal position
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(samples))
            frame.planes[0].update(samples.tobytes())
            frame.sample_rate = RATE
            frame.pts = position
            frame.time_base = Fraction(1, RATE)
            position += len(samples)
            for packet in stream.encode(frame):
                out.mux(packet)

        def silence_until(sample: int) -> None:
            while position < sample:
                put(np.zeros(min(sample - position, 60 * RATE), dtype="<i2"))

        for start, tone in layout:
            silence_until(start)
            put(tone)
        silence_until(round(LENGTH * RATE))
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def listener(heard: list[str]) -> Any:
    """The scripted service: answers with the word of the loudest pitch it hears."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        messages = json.loads(request.content)["messages"]
        (part,) = [p for p in messages[-1]["content"] if p["type"] == "input_audio"]
        pcm = read_wav_pcm(base64.b64decode(part["input_audio"]["data"])).astype(np.float64)
        spectrum = np.abs(np.fft.rfft(pcm))
        hz = float(np.argmax(spectrum)) * RATE / len(pcm)
        word = WORDS[min(WORDS, key=lambda known: abs(known - hz))]
        heard.append(word)
        return httpx2.Response(200, json=completion(word))

    return answer


def cues(text: str, separator: str) -> list[tuple[str, str, str]]:
    stamp = rf"\d\d:\d\d:\d\d{re.escape(separator)}\d\d\d"
    return re.findall(rf"^({stamp}) --> ({stamp})\n(.+)$", text, flags=re.MULTILINE)


def test_subtitles_past_the_first_hour_show_hours_minutes_and_seconds(tmp_path: Path) -> None:
    recording = write_recording(tmp_path / "long.flac")
    heard: list[str] = []
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(listener(heard)))
    llm = make_llm("gpt-audio-1.5", http_async_client=client)
    transcript = transcribe_long(llm, recording, workdir=tmp_path / "work", piece_format="wav")
    assert transcript.duration == LENGTH
    assert sorted(heard) == ["Alpha", "Bravo", "Charlie"]  # the silence is never sent
    srt = write_transcript(transcript, tmp_path / "long.srt").read_text()
    vtt = write_transcript(transcript, tmp_path / "long.vtt").read_text()
    for name, text, separator in (("long.srt", srt, ","), ("long.vtt", vtt, ".")):
        found = cues(text, separator)
        expected = [(a.replace(",", separator), b.replace(",", separator), word)
                    for a, b, word in SPOKEN_CUES]  # fmt: skip
        assert found == expected, (
            f"{name} shows the cues as {found}; a viewer must see {expected} (and nothing "
            "through the silences)"
        )
        assert validate_subtitles(tmp_path / name) == []
    assert srt.startswith("1\n00:00:00,000 --> 00:00:01,500\nAlpha\n")
    assert vtt.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nAlpha\n")
