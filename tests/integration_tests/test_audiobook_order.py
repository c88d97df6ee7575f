"""The narrated book plays in reading order: checked in the audio itself.

A scripted narrator (an `httpx2.MockTransport` behind the `openai` SDK, no socket)
reads each request's text: for every number in it, it "says" a tone whose pitch
encodes that number, with a short silence after it, and it echoes the text as the
transcript (so the faithfulness check passes at the first attempt). Later segments
are answered sooner, so the order segments finish in is not the book's. The test
then finds the tones in the stitched WAV (stretches of sound between silences, the
loudest frequency of each) and compares the numbers heard with the order they were
typed in the book below. Nothing here reads the package's own bookkeeping.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import wave
import zlib
from pathlib import Path
from typing import Any

import httpx2
import numpy as np

from langchain_azure_audio.audiobook import narrate_book
from tests.conftest import make_llm

BOOK = """# The First Chapter

Scene 1 opens the book. Scene 2 follows it closely.

Scene 3 is the third thing said. Then scene 4 comes.

Scene 5 ends the first chapter.

# The Second Chapter

Scene 6 starts chapter two.

Scene 7, then scene 8, then scene 9 close the book.
"""
IN_THE_BOOK = [1, 2, 3, 4, 5, 6, 7, 8, 9]
"""The numbers in the order a reader meets them (typed by hand from BOOK)."""
IN_CHAPTER = {"01-the-first-chapter.wav": [1, 2, 3, 4, 5],
              "02-the-second-chapter.wav": [6, 7, 8, 9]}  # fmt: skip
RATE = 24_000
TONE_SECONDS = 0.2
GAP_SECONDS = 0.1
SETTINGS: dict[str, Any] = {"max_chars": 60, "max_concurrency": 3, "pause_ms": 300}


def pitch(number: int) -> float:
    """The tone that stands for `number`: 400 Hz for 1, 100 Hz higher for each next one."""
    return 300.0 + 100.0 * number


def spoken(text: str) -> bytes:
    """What the scripted narrator says for `text`: a tone per number in it, each followed
    by a short silence (a text without numbers is a short silence)."""
    t = np.arange(round(TONE_SECONDS * RATE)) / RATE
    gap = np.zeros(round(GAP_SECONDS * RATE), dtype="<i2")
    parts = [gap]
    for number in (int(n) for n in re.findall(r"\d+", text)):
        parts += [(9000 * np.sin(2 * np.pi * pitch(number) * t)).astype("<i2"), gap]
    return np.concatenate(parts).tobytes()


async def narrator(request: httpx2.Request) -> httpx2.Response:
    body = json.loads(request.content)
    text = body["messages"][-1]["content"]
    assert isinstance(text, str), text
    assert body["audio"]["format"] == "pcm16", body["audio"]
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    await asyncio.sleep(0.01 * (10 - max(numbers, default=0)))  # later text answers sooner
    audio = base64.b64encode(spoken(text)).decode()
    message = {"role": "assistant", "content": None, "audio": {
        "id": f"audio_{zlib.crc32(text.encode()):08x}", "data": audio,
        "expires_at": 4102444800, "transcript": text}}  # fmt: skip
    return httpx2.Response(200, json={
        "id": "chatcmpl-narrator", "object": "chat.completion", "created": 1767225600,
        "model": "gpt-4o-mini-audio-preview-2024-12-17",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {"prompt_tokens": 20, "completion_tokens": 40, "total_tokens": 60}})  # fmt: skip


def numbers_heard(path: Path) -> list[int]:
    """The numbers the tones in a WAV stand for, in the order they play."""
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    frame = RATE // 100  # 10 ms
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    loud = (np.abs(frames.astype(np.int32)).max(axis=1) > 1000).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loud, [0]))))
    heard = []
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        stretch = samples[start * frame : end * frame].astype(np.float64)
        spectrum = np.abs(np.fft.rfft(stretch * np.hanning(len(stretch))))
        peak = float(np.argmax(spectrum)) * RATE / len(stretch)
        heard.append(round((peak - 300.0) / 100.0))
    return heard


def llm() -> Any:
    return make_llm(http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(narrator)))


def test_the_book_plays_its_text_in_reading_order(tmp_path: Path) -> None:
    report = narrate_book(BOOK, tmp_path / "book.wav", llm=llm(), workdir=tmp_path / "work",
                          **SETTINGS)  # fmt: skip
    assert report.unmatched == []
    assert report.segments > 2  # the book is several segments, so they have an order
    heard = numbers_heard(tmp_path / "book.wav")
    assert heard == IN_THE_BOOK, (
        f"book.wav plays the scenes in the order {heard}; the book reads {IN_THE_BOOK}: "
        "the listener hears the story out of order"
    )


def test_each_chapter_file_plays_its_own_text_in_reading_order(tmp_path: Path) -> None:
    report = narrate_book(BOOK, tmp_path / "chapters", llm=llm(), workdir=tmp_path / "work",
                          per_chapter=True, **SETTINGS)  # fmt: skip
    assert [Path(p).name for p in report.outputs] == list(IN_CHAPTER)
    for name, expected in IN_CHAPTER.items():
        heard = numbers_heard(tmp_path / "chapters" / name)
        assert heard == expected, (
            f"{name} plays the scenes in the order {heard}; the chapter reads {expected}"
        )
