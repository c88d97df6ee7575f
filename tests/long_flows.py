"""The long-recordings example session, shared by its cassette's generator, the docs
example test and the cassette test.

`write_meeting` builds `meeting.wav` (24 kHz mono, about 100 s) from the
project's own SYNTHETIC spoken inputs in cassettes/audio (espeak-ng speech) with
pauses between the lines, a 25 s silence, and a faint deterministic noise floor;
nothing is random or floating-point, and the session sends lossless WAV
pieces (`piece_format="wav"`), so the pieces cut from it, and their digests in
cassettes/long_audio.json, are the same on every machine and PyAV version
(MP3 pieces would depend on the bundled encoder's version). Its ground truth says
what is said where, for the listening service that answers the requests.
"""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any, Final

import numpy as np

from tests.cassette_tools import CASSETTES

RATE: Final = 24_000
LINES: Final = {
    "meeting": "Let's move the design review to Thursday at ten.",
    "question": "What is the weather like today?",
}
# (clip, pause after it in seconds); the 25 s silence sits in the middle
LAYOUT: Final = (
    [("meeting", 1.2), ("question", 0.8)] * 4
    + [(None, 25.0)]
    + [("question", 1.0), ("meeting", 0.9)] * 4
)
SEGMENT_SECONDS: Final = 30
QUESTION: Final = "When is the design review?"


def _clip(name: str) -> np.ndarray:
    """The 16 kHz clip at 24 kHz, by linear interpolation in integers (no floating point:
    the same samples with every numpy)."""
    with wave.open(str(CASSETTES / "audio" / f"{name}.wav")) as w:
        assert w.getnchannels() == 1
        assert w.getframerate() == 16_000
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.int64)
    x = np.append(x, x[-1])
    j = np.arange((len(x) - 1) * 3 // 2)
    i, frac = (2 * j) // 3, (2 * j) % 3  # output j sits at input 2j/3
    return ((x[i] * (3 - frac) + x[i + 1] * frac) // 3).astype("<i2")


def _floor(n: int) -> np.ndarray:
    """A faint, deterministic hiss (about -60 dBFS): a real room is never digital silence."""
    return ((np.arange(n) * 7919 % 61) - 30).astype("<i2")


def write_meeting(folder: Path) -> dict[str, Any]:
    """Write `folder/meeting.wav`; return its ground truth (utterances with times)."""
    clips = {name: _clip(name) for name in LINES}
    pieces, utterances, at = [], [], 0
    lead = round(0.5 * RATE)
    pieces.append(_floor(lead))
    at += lead
    for name, pause in LAYOUT:
        if name is not None:
            clip = clips[name] + _floor(len(clips[name]))
            utterances.append({"text": LINES[name], "source": name, "start": at / RATE,
                               "end": (at + len(clip)) / RATE})  # fmt: skip
            pieces.append(clip)
            at += len(clip)
        gap = round(pause * RATE)
        pieces.append(_floor(gap))
        at += gap
    pcm = np.concatenate(pieces)
    with wave.open(str(folder / "meeting.wav"), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE), w.writeframes(pcm.tobytes())
    truth = {"seconds": len(pcm) / RATE, "utterances": utterances}
    (folder / "meeting.json").write_text(json.dumps(truth, indent=1))
    return truth


def listener_for(folder: Path) -> Any:
    """The listening service for `folder/meeting.wav` (written first if missing)."""
    from tests.long_service import SyntheticListener, read_wav_pcm

    truth = write_meeting(folder)
    return SyntheticListener(read_wav_pcm((folder / "meeting.wav").read_bytes()),
                             truth["utterances"])  # fmt: skip


def session(llm: Any, folder: Path) -> tuple[Any, Any]:
    """What the docs page shows: transcribe to subtitles, then ask about the recording."""
    from langchain_azure_audio.long_audio import ask_long, transcribe_long, write_transcript

    transcript = transcribe_long(llm, folder / "meeting.wav", workdir=folder / ".meeting",
                                 segment_seconds=SEGMENT_SECONDS, piece_format="wav")  # fmt: skip
    write_transcript(transcript, folder / "meeting.srt")
    answer = ask_long(llm, folder / "meeting.wav", QUESTION, workdir=folder / ".meeting",
                      segment_seconds=SEGMENT_SECONDS, piece_format="wav")  # fmt: skip
    return transcript, answer
