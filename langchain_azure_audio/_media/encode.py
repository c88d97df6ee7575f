"""Mono pcm16 to MP3 with PyAV's bundled libmp3lame: the compact format the service takes.

A 300-second piece of speech is 14.4 MB as 24 kHz 16-bit WAV and 2.4 MB as
64 kbit/s MP3, which is plenty for speech: six times less to upload, and six
times less held in memory per request in flight.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from typing import Final

import av
import numpy as np

PIECE_MP3_BITRATE: Final = 64_000


def mp3_from_pcm16(
    chunks: Iterable[bytes],
    *,
    sample_rate: int = 24_000,
    bitrate: int = PIECE_MP3_BITRATE,
    max_bytes: int | None = None,
) -> tuple[bytes, int] | None:
    """`(mp3, samples)` for mono 16-bit little-endian PCM, or None as soon as the MP3
    would pass `max_bytes`."""
    buffer = io.BytesIO()
    samples = 0
    pcm: Iterator[bytes] = iter(chunks)
    with av.open(buffer, mode="w", format="mp3") as out:
        encoder = out.add_stream("libmp3lame", rate=sample_rate)
        encoder.layout = "mono"
        encoder.bit_rate = bitrate
        for chunk in pcm:
            if not chunk:
                continue
            array = np.frombuffer(chunk, dtype="<i2").reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(array, format="s16", layout="mono")
            frame.sample_rate = sample_rate
            frame.pts = samples
            samples += array.shape[1]
            for packet in encoder.encode(frame):
                out.mux(packet)
            if max_bytes is not None and buffer.tell() > max_bytes:
                return None
        for packet in encoder.encode(None):
            out.mux(packet)
    data = buffer.getvalue()
    return (data, samples) if max_bytes is None or len(data) <= max_bytes else None
