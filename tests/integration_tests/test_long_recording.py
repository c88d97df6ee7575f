"""The 30-minute recording with known pauses, and the pause splitter on it.

The recording (tests/long_recording.py) mixes espeak-ng sentences with the real speech
in ../shared/audio; its ground truth says where every utterance and pause is.
"""

from __future__ import annotations

import itertools
import random
import tracemalloc
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from langchain_azure_audio._media.pauses import MAX_WAV_BYTES, WAV_HEADER_BYTES, split_at_pauses
from tests.cassette_tools import SHARED_AUDIO
from tests.long_recording import cache_dir, script, truth

pytestmark = pytest.mark.shared
RATE = 24_000


def wav_chunks(path: Path, *, seconds: float | None = None, seed: int = 0) -> Iterator[bytes]:
    """The WAV's samples in chunks of random sizes (odd byte counts included)."""
    rng = random.Random(seed)
    with wave.open(str(path), "rb") as wav:
        left = wav.getnframes() if seconds is None else round(seconds * RATE)
        carry = b""
        while left > 0:
            data = carry + wav.readframes(min(left, rng.randrange(1, 3 * RATE)))
            left -= (len(data) - len(carry)) // 2
            cut = rng.randrange(len(data) + 1)
            yield data[:cut]
            carry = data[cut:]
        yield carry


def cuts_of(path: Path) -> list[dict[str, Any]]:
    pieces = []
    for piece in split_at_pauses(wav_chunks(path)):
        pieces.append(
            {
                "start": piece.start,
                "end": piece.end,
                "overlap": piece.overlap,
                "silent": piece.silent,
                "wav_bytes": len(piece.pcm) + WAV_HEADER_BYTES,
            }
        )
    return pieces


@pytest.fixture(scope="module")
def pieces(long_recording: Any) -> list[dict[str, Any]]:
    return cuts_of(long_recording.wav)


def test_the_recording_matches_its_ground_truth(long_recording: Any) -> None:
    facts = truth(long_recording)
    with wave.open(str(long_recording.wav), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        assert wav.getnframes() == 30 * 60 * RATE == facts["seconds"] * RATE
        wav.setpos(round(facts["silence"]["start"] * RATE) + 10 * RATE)
        quiet = wav.readframes(RATE)
    noise = np.frombuffer(quiet, dtype="<i2").astype(np.float64)
    assert 20 < np.sqrt(np.mean(noise**2)) < 50  # faint noise (-60 dBFS), not digital silence

    utterances = facts["utterances"]
    between = [pause for pause in facts["pauses"] if pause["kind"] == "between"]
    assert len(between) == len(utterances) + 1
    assert len(utterances) > 300
    for i, utterance in enumerate(utterances):
        assert between[i]["end"] == utterance["start"] < utterance["end"] == between[i + 1]["start"]
    assert {u["source"].split(":")[0] for u in utterances} == {"espeak", "shared"}
    assert {u["source"] for u in utterances if u["source"].startswith("shared")} == {
        "shared:hello_world.mp3",
        "shared:meeting.wav",
        "shared:whats_the_weather_24khz_mono.wav",
    }
    spoken = [u for u in utterances if u["source"].startswith("espeak")]
    assert all(u["text"].startswith("Sentence " + u["source"][7:] + " ") for u in spoken)

    lengths = [pause["end"] - pause["start"] for pause in between]
    no_pause = facts["no_pause"]
    inside = [
        length
        for pause, length in zip(between, lengths, strict=True)
        if no_pause["start"] < pause["start"] and pause["end"] < no_pause["end"]
    ]
    assert len(inside) > 100
    assert max(inside) < 0.1
    assert max(lengths) >= 75  # the silence
    ordinary = [length for length in lengths[1:-1] if 0.1 <= length < 60]
    assert sum(0.3 <= length <= 3.0 for length in ordinary) >= len(ordinary) - 2  # 0.3-3 s ...
    assert sum(length < 1.0 for length in ordinary) > 0.2 * len(ordinary)  # ... varied


def test_the_script_makes_the_same_recording_from_the_same_seed(
    long_recording: Any,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = [str(tmp_path), "--shared", str(SHARED_AUDIO), "--seed", "14", "--minutes", "30"]
    cache = cache_dir(request.config)
    script().main(args + (["--cache", str(cache)] if cache else []))
    assert "(30 minutes)" in capsys.readouterr().out
    assert (tmp_path / "long_recording.json").read_bytes() == long_recording.truth.read_bytes()
    assert (tmp_path / "long_recording.wav").read_bytes() == long_recording.wav.read_bytes()


def test_every_cut_is_inside_a_pause_except_in_the_stretch_without_one(
    long_recording: Any, pieces: list[dict[str, Any]]
) -> None:
    facts = truth(long_recording)
    total = round(facts["seconds"] * RATE)
    assert pieces[0]["start"] == 0
    assert pieces[-1]["end"] == total
    for before, after in itertools.pairwise(pieces):
        assert after["start"] == before["end"] - after["overlap"]
    assert all(piece["end"] - piece["start"] <= 300 * RATE for piece in pieces)
    assert all(piece["wav_bytes"] <= MAX_WAV_BYTES for piece in pieces)

    pauses = [
        (round(p["start"] * RATE), round(p["end"] * RATE))
        for p in facts["pauses"]
        if p["end"] - p["start"] >= 0.2
    ]
    forced = [after["start"] + after["overlap"] for after in pieces if after["overlap"]]
    assert len(forced) == 1
    assert forced[0] == pieces[[p["overlap"] > 0 for p in pieces].index(True) - 1]["end"]
    no_pause = facts["no_pause"]
    assert no_pause["start"] * RATE < forced[0] < no_pause["end"] * RATE
    for piece in pieces[:-1]:
        if piece["end"] in forced:
            continue
        assert any(start <= piece["end"] <= end for start, end in pauses), (
            f"cut at {piece['end'] / RATE:.2f} s is not in a pause"
        )
    # An ordinary cut goes to the middle of its pause (silences are cut at their edges).
    for piece in pieces[:-1]:
        start, end = next(((s, e) for s, e in pauses if s <= piece["end"] <= e), (0, 0))
        if 0 < end - start < 10 * RATE:
            assert abs(piece["end"] - (start + end) / 2) <= 0.05 * RATE


def test_the_silent_stretch_comes_out_silent(
    long_recording: Any, pieces: list[dict[str, Any]]
) -> None:
    facts = truth(long_recording)
    (gap,) = [p for p in facts["pauses"] if p["end"] - p["start"] >= 60]
    silent = [piece for piece in pieces if piece["silent"]]
    assert len(silent) == 1
    assert abs(silent[0]["start"] / RATE - (gap["start"] + 0.5)) <= 0.05
    assert abs(silent[0]["end"] / RATE - (gap["end"] - 0.5)) <= 0.05


def _peak(path: Path, seconds: float) -> int:
    tracemalloc.start()
    try:
        for piece in split_at_pauses(wav_chunks(path, seconds=seconds)):
            del piece
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_splitting_memory_does_not_grow_with_the_recording(long_recording: Any) -> None:
    five, thirty = _peak(long_recording.wav, 300), _peak(long_recording.wav, 1800)
    assert thirty < 1.2 * five
    assert thirty < 40_000_000  # about two pieces of 5 minutes (14.4 MB each)


def test_short_pieces_are_also_cut_only_at_pauses_or_with_an_overlap(long_recording: Any) -> None:
    # Pieces of 20-30 s: about 70 cuts, so windows with only short pauses come up too.
    facts = truth(long_recording)
    pauses = [
        (round(p["start"] * RATE), round(p["end"] * RATE))
        for p in facts["pauses"]
        if p["end"] - p["start"] >= 0.2
    ]
    no_pause = (facts["no_pause"]["start"] * RATE, facts["no_pause"]["end"] * RATE)
    pieces = list(
        split_at_pauses(wav_chunks(long_recording.wav, seed=1), max_seconds=30, min_seconds=20)
    )
    assert len(pieces) > 60
    for before, after in itertools.pairwise(pieces):
        assert after.start == before.end - after.overlap
        assert before.duration_seconds <= 30
        if after.overlap:
            assert no_pause[0] < before.end < no_pause[1]
        else:
            assert any(start <= before.end <= end for start, end in pauses), (
                f"cut at {before.end_seconds:.2f} s is not in a pause"
            )
    forced = sum(1 for piece in pieces if piece.overlap)
    assert 420 / 30 <= forced <= 420 / 20 + 1  # every cut in the 7 minutes, and only there
