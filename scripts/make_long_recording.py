"""Assemble a long test recording with known pause positions, and its ground truth.

    python scripts/make_long_recording.py OUT_DIR                 # 30 minutes
    python scripts/make_long_recording.py OUT_DIR --minutes 60 --seed 3

Writes `OUT_DIR/long_recording.wav` (24 kHz mono pcm16, written block by block, so
memory does not grow with `--minutes`) and `OUT_DIR/long_recording.json`: every
utterance's id, source, text (when known), start and end in seconds, every pause
between utterances, and where the two special stretches are.

The speech is SYNTHETIC or read at run time, never stored in the repository:

* numbered sentences ("Sentence 17 the copper kettle ...") synthesised by espeak-ng
  (the Debian package `espeak-ng`) in one call, cached by their text and espeak-ng's
  version under `--cache` (a second build takes a few seconds);
* the real recordings in `../shared/audio` (hello_world.mp3, meeting.wav,
  whats_the_weather_24khz_mono.wav), decoded with PyAV. Their text is not known
  (`text` is null); the pauses inside them that are 0.2 s or longer (quieter than
  30 dB under the clip's loud level, measured on the clean clip) are listed too.

Every clip is trimmed of its quiet edges and levelled (95th percentile of its 10 ms
frames at -18 dBFS). Between utterances go pauses of 0.3-3 s; under everything lies
faint noise (-60 dBFS RMS), so no pause is digital silence. Two stretches are special:

* `no_pause`: 7 minutes of synthesised sentences separated by under 0.1 s (a splitter
  finds no pause there and must cut with an overlap), a third of the way in;
* `silence`: 75 s of nothing but the noise, two thirds of the way in.

The same seed gives the same recording, byte for byte.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

RATE = 24_000
NOISE_DBFS = -60.0
LEVEL_DBFS = -18.0
SHARED_CLIPS = ("hello_world.mp3", "meeting.wav", "whats_the_weather_24khz_mono.wav")
REPO = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = REPO.parent / "shared" / "audio"
_FORMAT_VERSION = 1

_SUBJECTS = (
    "the copper kettle",
    "a patient gardener",
    "the northern train",
    "my younger sister",
    "the quiet library",
    "a silver fox",
    "the harbour master",
    "an old violin",
    "the morning market",
    "a tired engineer",
)
_VERBS = (
    "waits beside",
    "paints a picture of",
    "remembers",
    "carries",
    "sings about",
    "walks toward",
    "looks after",
    "writes to",
)
_OBJECTS = (
    "the lighthouse on the hill",
    "seven blue umbrellas",
    "a basket of ripe apples",
    "the bridge over the river",
    "an empty wooden boat",
    "the last bus of the evening",
    "a letter from the mountains",
    "the clock in the tower",
)


def sentences(count: int) -> list[str]:
    """`count` distinct numbered sentences, no commas or stops (they would make pauses)."""
    out = []
    for number in range(1, count + 1):
        i = number - 1
        subject = _SUBJECTS[i % len(_SUBJECTS)]
        verb = _VERBS[(i // len(_SUBJECTS)) % len(_VERBS)]
        obj = _OBJECTS[(i * 3 + i // 7) % len(_OBJECTS)]
        out.append(f"Sentence {number} {subject} {verb} {obj}")
    return out


@dataclass(frozen=True)
class Clip:
    key: str  # "espeak:17" or "shared:meeting.wav"
    text: str | None
    pcm: npt.NDArray[np.int16]  # 24 kHz mono, trimmed and levelled
    inner_pauses: tuple[tuple[int, int], ...] = ()  # [start, end) samples inside the clip


@dataclass(frozen=True)
class LongRecording:
    wav: Path
    truth: Path
    seconds: float


def _frame_db(x: npt.NDArray[Any], frame: int) -> npt.NDArray[np.float64]:
    n = len(x) // frame
    if n == 0:
        return np.zeros(0)
    samples = x[: n * frame].astype(np.float64).reshape(n, frame)
    power: npt.NDArray[np.float64] = np.mean(np.square(samples), axis=1)
    db: npt.NDArray[np.float64] = 10.0 * np.log10(power / 32768.0**2 + 1e-10)
    return db


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(a), int(b)) for a, b in zip(starts, stops, strict=True)]


def _prepare(key: str, text: str | None, x: npt.NDArray[np.int16], real: bool) -> Clip:
    """Trim the quiet edges, level to LEVEL_DBFS, find inner pauses (real speech only)."""
    frame = RATE // 100
    db = _frame_db(x, frame)
    loud = float(np.percentile(db, 95))
    voiced = np.flatnonzero(db > loud - 30.0)
    first, last = int(voiced[0]), int(voiced[-1]) + 1
    x = x[first * frame : last * frame]
    gain = 10.0 ** ((LEVEL_DBFS - loud) / 20.0)
    levelled = np.clip(np.round(x.astype(np.float64) * gain), -32768, 32767).astype(np.int16)
    inner: tuple[tuple[int, int], ...] = ()
    if real:
        quiet = db[first:last] <= loud - 30.0
        inner = tuple(
            (a * frame, b * frame) for a, b in _runs(quiet) if (b - a) * frame >= 0.2 * RATE
        )
    return Clip(key, text, levelled, inner)


def _decode(path: Path) -> npt.NDArray[np.int16]:
    """Any file PyAV reads, as 24 kHz mono pcm16."""
    parts = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        for frame in container.decode(audio=0):
            parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
        parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(parts).astype(np.int16)


def _resample(x: npt.NDArray[np.int16], rate: int) -> npt.NDArray[np.int16]:
    frame = av.AudioFrame.from_ndarray(x.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    parts = [out.to_ndarray().reshape(-1) for out in resampler.resample(frame)]
    parts += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    return np.concatenate(parts).astype(np.int16)


def espeak_version() -> str:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError(
            "espeak-ng is not installed; install the Debian package: apt-get install espeak-ng"
        )
    done = subprocess.run([espeak, "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _render(texts: list[str]) -> list[npt.NDArray[np.int16]]:
    """All the sentences in one espeak-ng call, split at the 1.5 s breaks between them."""
    ssml = "<speak>" + "".join(f'{text}<break time="1500ms"/>' for text in texts) + "</speak>"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "speech.wav"
        subprocess.run(["espeak-ng", "-m", "-w", str(out), ssml], check=True)
        with wave.open(str(out), "rb") as wav:
            rate = wav.getframerate()
            x = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    # espeak-ng's breaks are exact zeros; a sentence never holds a second of them.
    gaps = [(a, b) for a, b in _runs(x == 0) if b - a >= rate]
    bounds = [0, *[edge for gap in gaps for edge in gap], len(x)]
    pieces = [x[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    pieces = [piece for piece in pieces if np.any(piece)]
    if len(pieces) != len(texts):
        raise RuntimeError(f"espeak-ng gave {len(pieces)} sentences for {len(texts)}")
    return [_resample(np.ascontiguousarray(piece), rate) for piece in pieces]


def espeak_clips(count: int, cache: Path | None) -> list[Clip]:
    """The numbered sentences, synthesised (or read from the cache)."""
    texts = sentences(count)
    key = json.dumps([_FORMAT_VERSION, espeak_version(), RATE, texts]).encode()
    path = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        path = cache / f"espeak-{hashlib.sha256(key).hexdigest()[:16]}.npz"
    if path is not None and path.exists():
        with np.load(path) as stored:
            flat, offsets = stored["pcm"], stored["offsets"]
        rendered = [flat[offsets[i] : offsets[i + 1]] for i in range(count)]
    else:
        rendered = _render(texts)
        if path is not None:
            offsets = np.cumsum([0, *[len(x) for x in rendered]])
            partial = path.with_suffix(f".{os.getpid()}.npz")
            np.savez(partial, pcm=np.concatenate(rendered), offsets=offsets)
            partial.replace(path)
    return [
        _prepare(f"espeak:{i + 1}", text, x, real=False)
        for i, (text, x) in enumerate(zip(texts, rendered, strict=True))
    ]


def shared_clips(shared: Path) -> list[Clip]:
    missing = [name for name in SHARED_CLIPS if not (shared / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{shared} lacks {', '.join(missing)}")
    return [
        _prepare(f"shared:{name}", None, _decode(shared / name), real=True) for name in SHARED_CLIPS
    ]


@dataclass(frozen=True)
class _Placed:
    clip: Clip
    start: int


def _plan(
    total: int,
    synthetic: list[Clip],
    real: list[Clip],
    rng: random.Random,
    no_pause: tuple[int, int],
    silence: tuple[int, int],
) -> list[_Placed]:
    """Where every clip goes. Pauses of 0.3-3 s, except in the two special stretches."""
    placed: list[_Placed] = []
    position = round(0.5 * RATE)
    order = 0

    def next_clip(real_allowed: bool) -> Clip:
        nonlocal order
        order += 1
        if real_allowed and order % 9 == 0:
            return real[(order // 9) % len(real)]
        return synthetic[rng.randrange(len(synthetic))]

    def pause() -> int:
        seconds = rng.uniform(0.3, 0.8) if rng.random() < 0.4 else rng.uniform(0.8, 3.0)
        return round(seconds * RATE)

    def talk(until: int) -> None:
        nonlocal position
        while True:
            clip = next_clip(real_allowed=True)
            if position + len(clip.pcm) > until:
                return
            placed.append(_Placed(clip, position))
            position += len(clip.pcm)
            if position >= until:
                return
            position = min(position + pause(), until)

    talk(no_pause[0])
    position = no_pause[0]
    while True:  # sentences back to back: gaps under 0.1 s
        clip = next_clip(real_allowed=False)
        if position + len(clip.pcm) > no_pause[1]:
            break
        placed.append(_Placed(clip, position))
        position += len(clip.pcm) + round(rng.uniform(0.01, 0.08) * RATE)
    position = placed[-1].start + len(placed[-1].clip.pcm) + pause()
    talk(silence[0])
    position = silence[1]
    talk(total - round(0.5 * RATE))
    return placed


def build_long_recording(
    out_dir: Path,
    *,
    minutes: float = 30.0,
    seed: int = 14,
    shared: Path = DEFAULT_SHARED,
    cache: Path | None = None,
    sentence_count: int = 150,
) -> LongRecording:
    """Write `long_recording.wav` and `long_recording.json` into `out_dir`."""
    if minutes < 25:
        raise ValueError(
            f"minutes={minutes}: the recording needs at least 25 minutes (7 without a pause "
            "from a third of the way, then 75 s of silence from two thirds)"
        )
    total = round(minutes * 60 * RATE)
    rng = random.Random(seed)
    synthetic = espeak_clips(sentence_count, cache)
    real = shared_clips(shared)
    no_pause_start = round(total / 3 / RATE) * RATE
    no_pause = (no_pause_start, no_pause_start + 420 * RATE)
    silence_start = round(2 * total / 3 / RATE) * RATE
    silence = (silence_start, silence_start + 75 * RATE)
    placed = _plan(total, synthetic, real, rng, no_pause, silence)

    out_dir.mkdir(parents=True, exist_ok=True)
    wav_path = out_dir / "long_recording.wav"
    truth_path = out_dir / "long_recording.json"
    noise = np.random.default_rng(seed)
    with wave.open(str(wav_path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        for block in _blocks(total, placed, noise):
            wav.writeframes(block)

    utterances, pauses = [], []
    previous_end = 0
    for number, item in enumerate(placed, start=1):
        start, end = item.start, item.start + len(item.clip.pcm)
        pauses.append(_span(previous_end, start, "between"))
        utterances.append(
            {
                "id": f"u{number:04d}",
                "source": item.clip.key,
                "text": item.clip.text,
                **_span(start, end),
            }
        )
        pauses += [
            _span(start + a, start + b, "inside_real_clip") for a, b in item.clip.inner_pauses
        ]
        previous_end = end
    pauses.append(_span(previous_end, total, "between"))
    truth = {
        "format": _FORMAT_VERSION,
        "provenance": "SYNTHETIC: espeak-ng speech and ../shared/audio clips, assembled by "
        "scripts/make_long_recording.py",
        "seed": seed,
        "sample_rate": RATE,
        "seconds": total / RATE,
        "noise_dbfs": NOISE_DBFS,
        "no_pause": _span(*no_pause),
        "silence": _span(*silence),
        "utterances": utterances,
        "pauses": pauses,
    }
    truth_path.write_text(json.dumps(truth, indent=1) + "\n")
    return LongRecording(wav_path, truth_path, total / RATE)


def _span(start: int, end: int, kind: str | None = None) -> dict[str, Any]:
    span: dict[str, Any] = {"start": start / RATE, "end": end / RATE}
    if kind is not None:
        span["kind"] = kind
    return span


def _blocks(total: int, placed: list[_Placed], rng: np.random.Generator) -> Iterator[bytes]:
    """The recording as pcm16 blocks of 10 s: the noise, plus the clips that fall in it."""
    block = 10 * RATE
    sigma = 32768.0 * 10.0 ** (NOISE_DBFS / 20.0)
    first = 0  # the first placed clip that may still reach into this block
    for begin in range(0, total, block):
        end = min(begin + block, total)
        x = rng.standard_normal(end - begin, dtype=np.float32) * np.float32(sigma)
        while first < len(placed) and placed[first].start + len(placed[first].clip.pcm) <= begin:
            first += 1
        for item in placed[first:]:
            if item.start >= end:
                break
            a, b = max(begin, item.start), min(end, item.start + len(item.clip.pcm))
            x[a - begin : b - begin] += item.clip.pcm[a - item.start : b - item.start]
        yield np.clip(np.round(x), -32768, 32767).astype("<i2").tobytes()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="../shared/audio")
    parser.add_argument("--cache", type=Path, default=None, help="keeps espeak-ng's renderings")
    args = parser.parse_args(argv)
    made = build_long_recording(
        args.out_dir, minutes=args.minutes, seed=args.seed, shared=args.shared, cache=args.cache
    )
    print(f"{made.wav} ({made.seconds / 60:g} minutes) and {made.truth}")


if __name__ == "__main__":
    main()
