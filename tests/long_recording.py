"""The long test recording, built at test time (never committed), and its encodings.

`scripts/make_long_recording.py` assembles it from espeak-ng speech and the
real clips in ../shared/audio, with its ground truth; `encode()` turns the WAV
into another container with PyAV, block by block (memory stays flat), as a
phone or a browser would have recorded it.
"""

from __future__ import annotations

import importlib.util
import sys
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av

from tests.cassette_tools import REPO, SHARED_AUDIO

RATE = 24_000
_SCRIPT = REPO / "scripts" / "make_long_recording.py"


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location("make_long_recording", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_long_recording", module)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Recording:
    wav: Path
    truth: Path
    seconds: float


def build(folder: Path, *, minutes: float = 30.0, cache: Path | None = None) -> Recording:
    """The recording and its ground truth in `folder` (built once per folder)."""
    wav, truth = folder / "long_recording.wav", folder / "long_recording.json"
    if not (wav.is_file() and truth.is_file()):
        _builder().build_long_recording(folder, minutes=minutes, shared=SHARED_AUDIO, cache=cache)
    with wave.open(str(wav)) as w:
        seconds = w.getnframes() / w.getframerate()
    return Recording(wav, truth, seconds)


CODECS = {".m4a": ("mp4", "aac", 96_000), ".mp3": ("mp3", "libmp3lame", 64_000),
          ".ogg": ("ogg", "libopus", 32_000), ".flac": ("flac", "flac", 0)}  # fmt: skip


def encode(wav: Path, target: Path) -> Path:
    """`wav` re-encoded as `target`'s suffix says (m4a/aac, mp3, ogg/opus, flac)."""
    if target.is_file():
        return target
    muxer, codec, bitrate = CODECS[target.suffix]
    rate = 48_000 if codec == "libopus" else RATE
    part = target.with_name(target.name + ".part")
    with wave.open(str(wav)) as src, av.open(str(part), "w", format=muxer) as out:
        stream: Any = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        if bitrate:
            stream.bit_rate = bitrate
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        pts = 0
        while block := src.readframes(RATE * 10):
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(block) // 2)
            frame.planes[0].update(block)
            frame.sample_rate = RATE
            frame.pts = pts
            frame.time_base = Fraction(1, RATE)
            pts += frame.samples
            for piece in resampler.resample(frame):
                out.mux(stream.encode(piece))
        for piece in resampler.resample(None):
            out.mux(stream.encode(piece))
        out.mux(stream.encode(None))
    part.rename(target)
    return target
