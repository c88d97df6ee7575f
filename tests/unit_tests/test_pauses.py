"""_pauses.py: splitting a long recording at pauses, on synthetic signals with known pauses.

The signals are built here with numpy: "speech" is loud noise shaped by a syllable-rate
envelope that never falls to the floor, pauses are faint noise (-60 dBFS), so where every
pause lies is known exactly. The 30-minute recording of real and synthesised speech is
split in tests/integration_tests/test_long_recording.py.
"""

from __future__ import annotations

import itertools
import random
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from langchain_azure_audio._media.pauses import (
    MAX_WAV_BYTES,
    Piece,
    max_piece_seconds,
    split_at_pauses,
)
from langchain_azure_audio.errors import AzureAudioConfigError, InvalidAudioError

RATE = 24_000
_RNG = np.random.default_rng(7)
_TABLE = RATE * 4
_NOISE = _RNG.normal(0.0, 1.0, 2 * _TABLE)  # one table, windows of it are cheap to take


@dataclass(frozen=True)
class Part:
    kind: str  # "speech", "pause", "hum" (continuous sound) or "zeros"
    seconds: float


def _render(part: Part, start: int, length: int, offset: int) -> np.ndarray:
    noise = _NOISE[offset : offset + length]
    floor = 32768 * 10 ** (-60 / 20) * noise
    if part.kind == "zeros":
        return np.zeros(length)
    if part.kind == "pause":
        return floor
    t = (start + np.arange(length)) / RATE
    envelope = 0.25 + 0.75 * np.abs(np.sin(2 * np.pi * 2.5 * t))  # syllables, no gaps
    return floor + 32768 * 10 ** (-20 / 20) * envelope * noise


def pcm_chunks(parts: Sequence[Part], chunk_seconds: float = 1.0) -> Iterator[bytes]:
    """The parts as pcm16 chunks, made lazily (a 30-minute signal never sits in memory)."""
    chunk = int(chunk_seconds * RATE)
    position = 0
    for number, part in enumerate(parts):
        length = round(part.seconds * RATE)
        done = 0
        while done < length:
            n = min(chunk, length - done, _TABLE)
            x = _render(part, position + done, n, (number * 7919 + done) % _TABLE)
            yield np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()
            done += n
        position += length


def pcm(parts: Sequence[Part]) -> bytes:
    return b"".join(pcm_chunks(parts))


def spans(parts: Sequence[Part], kind: str) -> list[tuple[int, int]]:
    """[start, end) samples of every part of one kind."""
    out, position = [], 0
    for part in parts:
        length = round(part.seconds * RATE)
        if part.kind == kind:
            out.append((position, position + length))
        position += length
    return out


def talk(minutes: float, seed: int) -> list[Part]:
    """Utterances of 1.5-6 s separated by pauses of 0.3-3 s."""
    rng = random.Random(seed)
    parts: list[Part] = []
    total = 0.0
    while total < minutes * 60:
        speech = Part("speech", round(rng.uniform(1.5, 6.0), 2))
        pause = Part("pause", round(rng.uniform(0.3, 3.0), 2))
        parts += [speech, pause]
        total += speech.seconds + pause.seconds
    return parts


def split(data: bytes | Sequence[bytes], **kwargs: float) -> list[Piece]:
    chunks = [data] if isinstance(data, bytes) else data
    return list(split_at_pauses(chunks, **kwargs))  # type: ignore[arg-type]


def assert_tiles(pieces: list[Piece], total_samples: int, data: bytes | None = None) -> None:
    assert pieces[0].start == 0
    assert pieces[0].overlap == 0
    assert pieces[-1].end == total_samples
    for before, after in itertools.pairwise(pieces):
        assert after.start == before.end - after.overlap
        assert after.index == before.index + 1
    for piece in pieces:
        assert len(piece.pcm) == 2 * (piece.end - piece.start)
        if data is not None:
            assert piece.pcm == data[2 * piece.start : 2 * piece.end]


def inside(position: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start <= position <= end for start, end in ranges)


def test_every_cut_is_inside_a_pause() -> None:
    parts = talk(15, seed=1)
    data = pcm(parts)
    pieces = split(data)
    assert_tiles(pieces, len(data) // 2, data)
    assert len(pieces) >= 4
    pauses = spans(parts, "pause")
    for piece in pieces[:-1]:
        assert piece.overlap == 0
        assert inside(piece.end, pauses), f"cut at {piece.end_seconds:.2f} s is inside a word"
        assert 225.0 <= piece.duration_seconds <= 300.0
    assert not any(piece.silent for piece in pieces)


def test_cuts_go_to_the_middle_of_the_chosen_pause() -> None:
    parts = talk(12, seed=2)
    pieces = split(pcm(parts))
    pauses = spans(parts, "pause")
    for piece in pieces[:-1]:
        start, end = next((s, e) for s, e in pauses if s <= piece.end <= e)
        assert end - start >= 0.9 * RATE  # a pause of a second or more was in every window
        assert abs(piece.end - (start + end) / 2) <= 0.03 * RATE


def test_a_short_pause_is_still_preferred_to_cutting_a_word() -> None:
    # Two minutes of speech whose only pause in the search window lasts 0.25 s.
    parts = [Part("speech", 100.0), Part("pause", 0.25), Part("speech", 60.0)]
    pieces = split(pcm(parts), max_seconds=120.0, min_seconds=90.0)
    assert len(pieces) == 2
    assert inside(pieces[0].end, spans(parts, "pause"))
    assert pieces[1].overlap == 0


def test_continuous_sound_is_cut_with_an_overlap() -> None:
    # The first search window (225-300 s) holds pauses, the second only sound.
    parts = [*talk(4, seed=3), Part("hum", 420.0), *talk(2, seed=4)]
    data = pcm(parts)
    pieces = split(data)
    assert_tiles(pieces, len(data) // 2, data)
    (hum,) = spans(parts, "hum")
    forced = [piece for piece in pieces if piece.overlap]
    assert len(forced) == 1
    assert forced[0].overlap == RATE  # one second repeated
    cut = forced[0].start + forced[0].overlap
    assert hum[0] < cut < hum[1]
    pauses = spans(parts, "pause")
    for before, after in itertools.pairwise(pieces):
        if not after.overlap:
            assert inside(before.end, pauses)
    assert max(piece.duration_seconds for piece in pieces) <= 300.0


def test_a_long_silence_comes_out_as_its_own_silent_piece() -> None:
    parts = [*talk(3, seed=5)[:-1], Part("pause", 75.0), *talk(3, seed=6)]
    data = pcm(parts)
    pieces = split(data)
    assert_tiles(pieces, len(data) // 2, data)
    silent = [piece for piece in pieces if piece.silent]
    assert len(silent) == 1
    quiet_start, quiet_end = max(spans(parts, "pause"), key=lambda span: span[1] - span[0])
    # Half a second of the silence stays with the speech on either side.
    assert silent[0].start == pytest.approx(quiet_start + 0.5 * RATE, abs=0.03 * RATE)
    assert silent[0].end == pytest.approx(quiet_end - 0.5 * RATE, abs=0.03 * RATE)
    assert all(not piece.silent for piece in pieces if piece is not silent[0])


def test_silence_longer_than_a_piece_is_several_silent_pieces() -> None:
    parts = [Part("speech", 3.0), Part("pause", 700.0), Part("speech", 3.0)]
    data = pcm(parts)
    pieces = split(data)
    assert_tiles(pieces, len(data) // 2)
    assert [piece.silent for piece in pieces] == [False, True, True, True, False]
    assert all(piece.duration_seconds <= 300.0 for piece in pieces)


@pytest.mark.parametrize("kind", ["pause", "zeros"])
def test_pure_silence_is_silent(kind: str) -> None:
    data = pcm([Part(kind, 400.0)])
    pieces = split(data)
    assert_tiles(pieces, len(data) // 2, data)
    assert all(piece.silent for piece in pieces)
    assert all(piece.duration_seconds <= 300.0 for piece in pieces)


def test_empty_input_gives_no_pieces() -> None:
    assert split([]) == []
    assert split([b"", b""]) == []


@pytest.mark.parametrize(("kind", "silent"), [("speech", False), ("pause", True)])
def test_a_tenth_of_a_second_is_one_piece(kind: str, silent: bool) -> None:
    data = pcm([Part(kind, 0.1)])
    (piece,) = split(data)
    assert (piece.start, piece.end, piece.pcm) == (0, 2400, data)
    assert piece.silent is silent
    assert piece.overlap == 0


def test_a_very_short_tail_joins_the_last_piece() -> None:
    # 300.1 s: cutting at the 300 s limit would leave a 0.1 s piece of its own.
    parts = [Part("speech", 250.0), Part("pause", 1.0), Part("speech", 49.1)]
    data = pcm(parts)
    pieces = split(data)
    assert len(pieces) == 2
    assert inside(pieces[0].end, spans(parts, "pause"))
    assert pieces[1].duration_seconds > 40


def test_chunk_sizes_do_not_change_the_pieces() -> None:
    # Short pieces, so that a few minutes exercise every kind of cut.
    settings = {"max_seconds": 30.0, "min_seconds": 20.0, "silence_seconds": 10.0}
    parts = [*talk(1.5, seed=8), Part("hum", 40.0), Part("pause", 25.0), *talk(1, seed=9)]
    data = pcm(parts)
    expected = split(data, **settings)
    assert {piece.silent for piece in expected} == {True, False}
    assert any(piece.overlap for piece in expected)
    rng = random.Random(10)
    for sizes in ([1, 3, 4801, 96_001], [2, 7, 960, 48_000], [12_345, 1, 250_001]):
        chunks, position = [], 0
        while position < len(data):
            size = rng.choice(sizes)
            chunks.append(data[position : position + size])
            position += size
        assert split(chunks, **settings) == expected


def test_half_a_sample_at_the_end_is_refused() -> None:
    with pytest.raises(InvalidAudioError, match="middle of a sample"):
        split(pcm([Part("speech", 1.0)]) + b"\x01")


def test_a_piece_at_the_largest_size_fits_the_service_limit_as_a_wav() -> None:
    largest = max_piece_seconds(RATE)
    assert 436 < largest < 437
    parts = [Part("speech", 440.0)]
    pieces = split(pcm(parts), max_seconds=largest, min_seconds=largest - 1.0)
    assert len(pieces[0].to_wav()) <= MAX_WAV_BYTES
    assert pieces[0].duration_seconds > largest - 1.0


@pytest.mark.parametrize(
    ("field", "value", "fix"),
    [
        ("sample_rate", 0, "at least 8000"),
        ("sample_rate", 24_000.0, "at least 8000"),
        ("max_seconds", 437.0, "20 MiB"),
        ("max_seconds", 1.0, "5 to"),
        ("max_seconds", float("nan"), "finite"),
        ("min_seconds", 300.0, "max_seconds - 1"),
        ("min_seconds", 1.0, "twice overlap_seconds"),
        ("min_pause_seconds", 0.0, "0.02 to 5"),
        ("overlap_seconds", -1.0, "0 to 10"),
        ("silence_seconds", 1.0, "at least 2 seconds"),
        ("min_tail_seconds", 2.0, "0 to 0.5"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(field: str, value: object, fix: str) -> None:
    chunks_read = []

    def chunks() -> Iterator[bytes]:
        chunks_read.append(1)
        yield b"\x00\x00" * 100

    with pytest.raises(AzureAudioConfigError, match=field) as caught:
        split_at_pauses(chunks(), **{field: value})  # type: ignore[arg-type]
    assert fix in str(caught.value)
    assert chunks_read == []  # refused before reading any audio


def test_short_pieces_need_no_other_setting() -> None:
    parts = [Part("speech", 5.0), Part("pause", 12.0), Part("speech", 5.0)]
    pieces = split(pcm(parts), max_seconds=10.0)
    assert [piece.silent for piece in pieces] == [False, True, False]
    assert all(piece.duration_seconds <= 10.0 for piece in pieces)


def test_a_lower_sample_rate_allows_longer_pieces() -> None:
    pieces = list(split_at_pauses([bytes(16_000 * 2 * 10)], sample_rate=16_000, max_seconds=600))
    assert pieces[0].sample_rate == 16_000
    assert pieces[0].end_seconds == 10.0


def _peak_bytes(minutes: float) -> int:
    parts = [*talk(minutes / 2, seed=11), Part("hum", minutes * 30)]
    tracemalloc.start()
    try:
        for piece in split_at_pauses(pcm_chunks(parts, chunk_seconds=0.5)):
            del piece  # a caller that sends each piece and lets it go
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_recording() -> None:
    five, thirty = _peak_bytes(5), _peak_bytes(30)
    # The buffer holds one piece (5 minutes, 14.4 MB) plus a second of look-ahead.
    assert five > 14_000_000
    assert thirty < 1.2 * five
