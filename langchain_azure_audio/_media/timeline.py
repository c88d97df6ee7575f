"""The recording's timeline: decoded frames placed by their timestamps (`iter_pcm16`'s contract).

Part of the audio media (`decode` uses it); imports only the standard library and PyAV.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any, Final

import av

GAP_TOLERANCE: Final = 0.002
"""Seconds a frame's timestamp may stray from where the samples before it end (rounding
of coarse time bases, e.g. WebM's milliseconds) before it counts as a gap or an overlap."""


class Timeline:
    """Places decoded frames on the output timeline (`iter_pcm16`'s timing contract).

    Frames that follow on from the previous ones go through one resampler.
    When a frame's timestamp is more than `GAP_TOLERANCE` away from where the
    audio so far ends (or its format changes), the resampler is flushed, the
    gap is filled with silence or the overlapping output is skipped, and a new
    resampler starts at the frame's own time.
    """

    def __init__(
        self, rate: int, origin: Fraction | None = None, *, earliest: Fraction | None = None
    ) -> None:
        """`origin`: the recording's time zero in seconds on the frames' clock; by default
        the first frame's time, or `earliest` (another stream's start) if that is sooner."""
        self.rate = rate
        self.origin = origin
        self.earliest = earliest
        self.emitted = 0  # output samples yielded so far
        self._resampler: Any = None
        self._key: tuple[str, str, int] | None = None
        self._start = 0  # output position of the current resampler's first input sample
        self._fed = 0  # input samples given to the current resampler
        self._skip = 0  # output samples still to drop (an overlap)

    def _position(self, frame: av.AudioFrame) -> Fraction | None:
        """Where the frame starts, in output samples, or None when it has no timestamp."""
        if frame.pts is None or frame.time_base is None:
            return None
        seconds = Fraction(frame.pts) * Fraction(frame.time_base)
        if self.origin is None:
            self.origin = seconds if self.earliest is None else min(seconds, self.earliest)
        return (seconds - self.origin) * self.rate

    def feed(self, frame: av.AudioFrame) -> Iterator[bytes]:
        key = (frame.format.name, frame.layout.name, int(frame.sample_rate))
        position = self._position(frame)
        if self._resampler is not None and self._key is not None:
            expected = self._start + Fraction(self._fed * self.rate, self._key[2])
            if position is None:
                position = expected
            off = abs(position - expected) > GAP_TOLERANCE * self.rate
            restart = key != self._key or off
        else:
            position = Fraction(0) if position is None else position
            restart = True
        if restart:
            yield from self.flush()
            target = round(position)
            if target > self.emitted:  # a gap (or audio that starts late): silence
                yield bytes(2 * (target - self.emitted))
                self.emitted = target
            self._skip = self.emitted - target  # an overlap: drop what is already out
            self._start, self._fed, self._key = target, 0, key
            self._resampler = av.AudioResampler(format="s16", layout="mono", rate=self.rate)
        self._fed += frame.samples
        for out in self._resampler.resample(frame):
            yield from self._emit(out)

    def flush(self) -> Iterator[bytes]:
        if self._resampler is not None:
            for out in self._resampler.resample(None):
                yield from self._emit(out)
            self._resampler = None

    def _emit(self, frame: av.AudioFrame) -> Iterator[bytes]:
        samples = frame.to_ndarray().reshape(-1)[: frame.samples]
        if self._skip:
            dropped = min(self._skip, len(samples))
            samples, self._skip = samples[dropped:], self._skip - dropped
        if len(samples):
            self.emitted += len(samples)
            yield samples.astype("<i2", copy=False).tobytes()
