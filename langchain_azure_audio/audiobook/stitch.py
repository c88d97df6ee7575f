"""Join segment audio into one WAV, streaming: memory stays flat in book length.

Segments are raw 24 kHz mono 16-bit PCM, so they are joined as samples (not
container bytes), with a short silence between them and a few milliseconds
of fade at each edge so no join clicks. The output appears only when complete.
"""

from __future__ import annotations

import array
import os
import sys
import uuid
import wave
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from langchain_azure_audio.audio import PCM16_CHANNELS, PCM16_SAMPLE_RATE, PCM16_SAMPLE_WIDTH

FADE_MS: Final = 5
_BLOCK: Final = 1 << 20  # bytes read at a time: the memory bound of a join


def stitch(segments: Iterable[str | Path], output: str | Path, *, pause_ms: int = 400) -> Path:
    """Write the segments' PCM, in order, as one WAV file at `output`."""
    target = Path(output)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    silence = bytes(PCM16_SAMPLE_WIDTH * PCM16_SAMPLE_RATE * pause_ms // 1000)
    try:
        with wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(PCM16_CHANNELS)
            wav.setsampwidth(PCM16_SAMPLE_WIDTH)
            wav.setframerate(PCM16_SAMPLE_RATE)
            for number, path in enumerate(segments):
                if number and silence:
                    wav.writeframes(silence)
                _copy_faded(Path(path), wav)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _copy_faded(path: Path, wav: wave.Wave_write) -> None:
    """Copy one segment block by block, fading its first and last FADE_MS in and out."""
    size = path.stat().st_size - path.stat().st_size % PCM16_SAMPLE_WIDTH
    fade = PCM16_SAMPLE_WIDTH * PCM16_SAMPLE_RATE * FADE_MS // 1000
    with path.open("rb") as source:
        done = 0
        while done < size:
            block = source.read(min(_BLOCK, size - done))
            if not block:
                break
            if done < fade or done + len(block) > size - fade:
                block = _fade_edges(block, done, size, fade)
            wav.writeframes(block)
            done += len(block)


def _fade_edges(block: bytes, offset: int, size: int, fade: int) -> bytes:
    samples = array.array("h", block)
    if sys.byteorder == "big":
        samples.byteswap()
    first = offset // PCM16_SAMPLE_WIDTH
    total, ramp = size // PCM16_SAMPLE_WIDTH, max(1, fade // PCM16_SAMPLE_WIDTH)
    head = range(0, max(0, min(len(samples), ramp - first)))
    tail = range(max(0, total - ramp - first), len(samples))
    for i in (*head, *tail):
        position = first + i
        gain = min(1.0, position / ramp, (total - 1 - position) / ramp)
        samples[i] = int(samples[i] * max(gain, 0.0))
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()
