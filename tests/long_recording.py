"""The 30-minute test recording with known pauses, built at test time.

`scripts/make_long_recording.py` assembles it from espeak-ng speech and the real
clips in ../shared/audio (read there, never copied in). espeak-ng's renderings are
kept in pytest's cache folder, so after the first run a build takes a few seconds;
the recording itself goes to a temporary folder. Tests get it from the session
fixture `long_recording` (tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
import wave
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import av
import pytest

from tests.cassette_tools import REPO, SHARED_AUDIO, require_shared
from tests.needs import missing

SCRIPT = REPO / "scripts" / "make_long_recording.py"
RATE = 24_000


def script() -> ModuleType:
    """scripts/make_long_recording.py as a module (scripts/ is not a package)."""
    module = sys.modules.get("make_long_recording")
    if module is None:
        spec = importlib.util.spec_from_file_location("make_long_recording", SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_long_recording"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return module


def require_espeak() -> None:
    """Skip without espeak-ng on a developer's machine; fail on CI (.ci/run installs it)."""
    if shutil.which("espeak-ng") is None:
        missing("espeak-ng is not installed", "apt-get install espeak-ng (.ci/run does)")


def cache_dir(config: pytest.Config) -> Path | None:
    """Where espeak-ng's renderings are kept across runs (pytest's cache folder)."""
    cache_plugin = getattr(config, "cache", None)
    return cache_plugin.mkdir("long_recording") if cache_plugin is not None else None


def build(config: pytest.Config, out_dir: Path, **kwargs: Any) -> Any:
    """Build the recording into `out_dir` (espeak-ng renderings cached across runs)."""
    require_shared()
    require_espeak()
    return script().build_long_recording(
        out_dir, shared=SHARED_AUDIO, cache=cache_dir(config), **kwargs
    )


def truth(recording: Any) -> dict[str, Any]:
    return json.loads(Path(recording.truth).read_text())  # type: ignore[no-any-return]


CODECS = {".m4a": ("mp4", "aac", 96_000), ".mp3": ("mp3", "libmp3lame", 64_000),
          ".ogg": ("ogg", "libopus", 32_000), ".flac": ("flac", "flac", 0)}  # fmt: skip


def encoded(config: pytest.Config, wav: Path, suffix: str) -> Path:
    """`wav` re-encoded as a phone or browser would record it (m4a/aac, mp3, ogg/opus,
    flac), kept in pytest's cache folder by the WAV's content (encoding takes a minute)."""
    digest = hashlib.sha256()
    with wav.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    folder = cache_dir(config) or wav.parent
    return encode(wav, folder / f"recording-{digest.hexdigest()[:16]}{suffix}")


def encode(wav: Path, target: Path) -> Path:
    """`wav` encoded as `target`'s suffix says, block by block (memory stays flat)."""
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
