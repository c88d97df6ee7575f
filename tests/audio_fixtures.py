"""Audio files in every supported format, made at test time with PyAV from real speech.

The speech is `../shared/audio/meeting.wav` (read from there, never copied into
the repository); nothing binary is committed. `marked_recording()` is that
speech with a known landmark: a 1 kHz tone burst at `TONE_AT` seconds, in
silence, so a decoded file can be checked for where its audio sits.
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from tests.cassette_tools import SHARED_AUDIO
from tests.needs import shared

RATE = 24_000
LEAD_IN = 0.75  # seconds of silence before the speech
TONE_AT = 8.0  # the tone burst's onset, seconds from the start
TONE_SECONDS = 0.25
TONE_HZ = 1000.0
TONE_AMPLITUDE = 12_000
TAIL = 0.75  # silence after the tone


def speech() -> np.ndarray:
    """The real speech (24 kHz mono int16) from ../shared/audio/meeting.wav."""
    path = shared(SHARED_AUDIO / "meeting.wav")
    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").copy()


def marked_recording() -> np.ndarray:
    """Silence, the speech, silence, a tone burst at exactly TONE_AT s, silence (int16)."""
    voice = speech()
    start = round(LEAD_IN * RATE)
    onset = round(TONE_AT * RATE)
    assert start + len(voice) < onset - RATE // 2, "the speech must end before the tone"
    t = np.arange(round(TONE_SECONDS * RATE)) / RATE
    tone = (TONE_AMPLITUDE * np.sin(2 * np.pi * TONE_HZ * t)).astype("<i2")
    out = np.zeros(onset + len(tone) + round(TAIL * RATE), dtype="<i2")
    out[start : start + len(voice)] = voice
    out[onset : onset + len(tone)] = tone
    return out


@dataclass(frozen=True)
class Format:
    """How a test file is written: PyAV muxer, encoder, its rate and channel layout."""

    name: str
    suffix: str
    muxer: str
    encoder: str
    rate: int
    layout: str
    container: str  # what probe() must report
    codec: str
    options: dict[str, str] | None = None


VORBIS = {"strict": "experimental"}
FORMATS = (
    Format("wav", ".wav", "wav", "pcm_s16le", 24_000, "mono", "wav", "pcm_s16le"),
    Format("mp3", ".mp3", "mp3", "libmp3lame", 24_000, "mono", "mp3", "mp3"),
    Format("m4a/aac", ".m4a", "ipod", "aac", 44_100, "stereo", "m4a", "aac"),
    Format("aac (ADTS)", ".aac", "adts", "aac", 24_000, "mono", "aac", "aac"),
    Format("ogg/opus", ".opus", "ogg", "libopus", 48_000, "mono", "ogg", "opus"),
    # FFmpeg's own Vorbis encoder (the only one PyAV bundles): stereo, marked experimental
    Format("ogg/vorbis", ".ogg", "ogg", "vorbis", 24_000, "stereo", "ogg", "vorbis", VORBIS),
    Format("flac", ".flac", "flac", "flac", 48_000, "stereo", "flac", "flac"),
    Format("webm/opus", ".webm", "webm", "libopus", 48_000, "stereo", "webm", "opus"),
)
"""Every format of issue 14 point 1, at the rates and channel counts phones and apps use."""


def encode(
    samples: np.ndarray,
    path: Path,
    fmt: Format,
    *,
    packet_hook: Callable[[Any], Any] | None = None,
) -> Path:
    """Write 24 kHz mono int16 `samples` to `path` in `fmt` with PyAV.

    `packet_hook` may rewrite each encoded packet before it is muxed (to make
    timestamp gaps); returning None drops the packet.
    """
    with av.open(str(path), mode="w", format=fmt.muxer) as out:
        stream = out.add_stream(fmt.encoder, rate=fmt.rate, options=fmt.options or {})
        stream.layout = fmt.layout
        resampler = av.AudioResampler(
            format=stream.codec_context.format, layout=fmt.layout, rate=fmt.rate
        )

        def mux(packets: list[Any]) -> None:
            for packet in packets:
                kept = packet_hook(packet) if packet_hook else packet
                if kept is not None:
                    out.mux(kept)

        for start in range(0, len(samples), 1024):
            block = samples[start : start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate = RATE
            frame.pts = start
            frame.time_base = Fraction(1, RATE)
            for converted in resampler.resample(frame):
                mux(stream.encode(converted))
        for converted in resampler.resample(None):
            mux(stream.encode(converted))
        mux(stream.encode(None))
    return path


def pcm(chunks: Any) -> np.ndarray:
    """Joined 16-bit PCM chunks as an int16 array."""
    return np.frombuffer(b"".join(chunks), dtype="<i2")


def tone_onset(samples: np.ndarray, *, near: float, rate: int = RATE) -> float:
    """Seconds at which the tone burst starts: the first 2 ms window, within 0.5 s of
    `near`, whose RMS reaches half the burst's."""
    window = round(0.002 * rate)
    lo, hi = round((near - 0.5) * rate), round((near + 0.5) * rate)
    part = samples[lo:hi].astype(np.float64)
    usable = len(part) // window * window
    rms = np.sqrt((part[:usable].reshape(-1, window) ** 2).mean(axis=1))
    burst_rms = TONE_AMPLITUDE / np.sqrt(2)
    loud = np.flatnonzero(rms >= burst_rms / 2)
    assert len(loud), f"no tone burst within 0.5 s of {near} s"
    first = int(loud[0]) * window
    # refine to the sample: the first one above half the amplitude in that window
    exact = np.flatnonzero(np.abs(part[max(0, first - window) : first + 2 * window])
                           >= TONE_AMPLITUDE / 2)  # fmt: skip
    offset = max(0, first - window) + (int(exact[0]) if len(exact) else window)
    return (lo + offset) / rate


def lag_seconds(decoded: np.ndarray, reference: np.ndarray, rate: int = RATE) -> float:
    """How late `decoded` is against `reference` (seconds), by cross-correlation."""
    size = len(decoded) + len(reference)
    spectrum = np.fft.rfft(decoded.astype(np.float64), size) * np.conj(
        np.fft.rfft(reference.astype(np.float64), size)
    )
    corr = np.fft.irfft(spectrum, size)
    peak = int(np.argmax(corr))
    return (peak if peak < size // 2 else peak - size) / rate
