"""Any common audio file in: probe, streamed decoding on the recording's timeline, transcoding.

Every file is written at test time with PyAV from real speech (../shared/audio)
plus a tone burst at a known time, in each format of issue 14 (see
tests/audio_fixtures.py); nothing binary is committed.
"""

from __future__ import annotations

import base64
import io
import tracemalloc
import wave
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from langchain_azure_audio import AudioDecodeError, AudioTooLongError, InvalidAudioError
from langchain_azure_audio._media import decode as decode_module
from langchain_azure_audio._media.decode import (
    iter_pcm16,
    probe,
    transcode_for_service,
)
from langchain_azure_audio._media.timeline import Timeline
from tests.audio_fixtures import (
    FORMATS,
    RATE,
    TONE_AT,
    Format,
    encode,
    lag_seconds,
    marked_recording,
    pcm,
    speech,
    tone_onset,
)

TIMING_TOLERANCE = 0.020  # seconds; the long-recording contract is 0.5 s
ADTS_PRIMING = 1024 / RATE  # raw .aac records no priming: a player plays it too
BY_NAME = {fmt.name: fmt for fmt in FORMATS}


@pytest.fixture(scope="module")
def recording() -> np.ndarray:
    return marked_recording()


@pytest.fixture(scope="module")
def files(recording: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    return {fmt.name: encode(recording, folder / f"meeting{fmt.suffix}", fmt) for fmt in FORMATS}


def expected_start_error(fmt: Format) -> float:
    return ADTS_PRIMING if fmt.name == "aac (ADTS)" else 0.0


# --------------------------------------------------------------------- probe


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_probe_names_what_the_file_holds(
    fmt: Format, files: dict[str, Path], recording: np.ndarray
) -> None:
    path = files[fmt.name]
    info = probe(path)
    assert info.path == path
    assert (info.container, info.codec) == (fmt.container, fmt.codec)
    assert info.sample_rate == fmt.rate
    assert info.channels == (2 if fmt.layout == "stereo" else 1)
    assert info.size == path.stat().st_size
    assert info.duration is not None
    assert info.duration == pytest.approx(len(recording) / RATE, abs=0.06)
    assert info.service_format == {"wav": "wav", "mp3": "mp3"}.get(fmt.name)


def test_probe_reads_bytes_too(files: dict[str, Path]) -> None:
    info = probe(files["m4a/aac"].read_bytes())
    assert (info.container, info.codec, info.path) == ("m4a", "aac", Path("<bytes>"))


# ----------------------------------------------------------- decoding and timing


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_decoded_audio_sits_where_it_was_recorded(
    fmt: Format, files: dict[str, Path], recording: np.ndarray
) -> None:
    """The tone burst is found at its recorded time, and the speech lines up with the source."""
    decoded = pcm(iter_pcm16(files[fmt.name]))
    shift = expected_start_error(fmt)
    onset = tone_onset(decoded, near=TONE_AT)
    assert onset == pytest.approx(TONE_AT + shift, abs=TIMING_TOLERANCE)
    assert lag_seconds(decoded, recording) == pytest.approx(shift, abs=TIMING_TOLERANCE)
    # the whole recording and no more (MP4 keeps its last frame's padding: < 1024 samples)
    assert len(decoded) / RATE == pytest.approx(len(recording) / RATE + shift, abs=0.05)
    # it is the speech, not noise: strongly correlated with the source at that lag
    n = min(len(decoded), len(recording))
    lag = round(shift * RATE)
    a, b = decoded[lag:n].astype(float), recording[: n - lag].astype(float)
    assert np.corrcoef(a, b)[0, 1] > 0.9


def test_chunks_are_whole_seconds_and_join_to_the_same_audio(files: dict[str, Path]) -> None:
    path = files["ogg/opus"]
    chunks = list(iter_pcm16(path, chunk_seconds=1.0))
    assert all(len(chunk) == 2 * RATE for chunk in chunks[:-1])
    assert 0 < len(chunks[-1]) <= 2 * RATE
    assert b"".join(chunks) == b"".join(iter_pcm16(path))


def test_other_sample_rates(files: dict[str, Path]) -> None:
    decoded = pcm(iter_pcm16(files["m4a/aac"], sample_rate=16_000))
    assert tone_onset(decoded, near=TONE_AT, rate=16_000) == pytest.approx(TONE_AT, abs=0.02)


def gap_hook(after: float, gap: float) -> Any:
    """Packets from `after` seconds on are stamped `gap` seconds later (a recording pause)."""

    def hook(packet: Any) -> Any:
        if packet.pts is not None and packet.pts * packet.time_base >= after:
            shift = round(gap / packet.time_base)
            packet.pts += shift
            packet.dts += shift
        return packet

    return hook


def test_a_gap_in_the_timestamps_becomes_silence(tmp_path: Path, recording: np.ndarray) -> None:
    """A recorder that paused: audio after the gap stays at its timestamped time."""
    path = encode(recording, tmp_path / "paused.webm", BY_NAME["webm/opus"],
                  packet_hook=gap_hook(after=7.0, gap=1.5))  # fmt: skip
    decoded = pcm(iter_pcm16(path))
    assert tone_onset(decoded, near=TONE_AT + 1.5) == pytest.approx(TONE_AT + 1.5, abs=0.02)
    assert len(decoded) / RATE == pytest.approx(len(recording) / RATE + 1.5, abs=0.05)
    gap = decoded[round(7.05 * RATE) : round(8.45 * RATE)]
    assert np.abs(gap).max() == 0
    # before the gap nothing moved
    assert lag_seconds(decoded[: 6 * RATE], recording[: 6 * RATE]) == 0


def test_audio_that_starts_after_the_video_starts_late(
    tmp_path: Path, recording: np.ndarray
) -> None:
    """A video whose sound starts 0.5 s in: a player shows that 0.5 s as silence."""
    path = tmp_path / "clip.mkv"
    with av.open(str(path), mode="w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        sound = out.add_stream("flac", rate=RATE)
        sound.layout = "mono"
        for i in range(round(len(recording) / RATE * 10) + 5):
            image = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            image.pts = i
            image.time_base = Fraction(1, 10)
            for packet in video.encode(image):
                out.mux(packet)
        delay = RATE // 2
        for start in range(0, len(recording), 1024):
            block = recording[start : start + 1024].reshape(1, -1)
            chunk = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            chunk.sample_rate, chunk.pts = RATE, delay + start
            chunk.time_base = Fraction(1, RATE)
            for packet in sound.encode(chunk):
                out.mux(packet)
        for stream in (video, sound):
            for packet in stream.encode(None):
                out.mux(packet)
    decoded = pcm(iter_pcm16(path))
    assert tone_onset(decoded, near=TONE_AT + 0.5) == pytest.approx(TONE_AT + 0.5, abs=0.02)
    assert np.abs(decoded[: RATE // 2 - 240]).max() == 0


def frame(value: int, samples: int, pts: int | None, rate: int = 8_000) -> av.AudioFrame:
    made = av.AudioFrame.from_ndarray(
        np.full((1, samples), value, dtype="<i2"), format="s16", layout="mono"
    )
    made.sample_rate = rate
    made.pts = pts
    made.time_base = Fraction(1, rate)
    return made


def place(frames: list[av.AudioFrame], origin: Fraction | None = Fraction(0)) -> np.ndarray:
    timeline = Timeline(8_000, origin)
    out = b"".join(b for f in frames for b in timeline.feed(f)) + b"".join(timeline.flush())
    return np.frombuffer(out, dtype="<i2")


def test_timeline_drops_duplicated_and_overlapping_samples() -> None:
    frames = [frame(1, 800, 0), frame(2, 800, 800), frame(2, 800, 800),  # a duplicate
              frame(3, 800, 1200), frame(4, 800, 2000)]  # fmt: skip  # overlaps by 400
    out = place(frames)
    assert len(out) == 2800
    assert (out[:800] == 1).all()
    assert (out[800:1600] == 2).all()
    assert (out[1600:2000] == 3).all()  # only the part of frame 3 after what was there
    assert (out[2000:] == 4).all()


def test_timeline_fills_gaps_with_silence_and_ignores_tiny_jitter() -> None:
    frames = [frame(1, 800, 0), frame(2, 800, 810),  # 10 samples (1.25 ms) late: jitter
              frame(3, 800, 4000)]  # fmt: skip  # 2400 samples (0.3 s) late: a gap
    out = place(frames)
    assert (out[:1600] > 0).all()
    assert (out[1600:4000] == 0).all()
    assert (out[4000:4800] == 3).all()
    assert len(out) == 4800


def test_timeline_counts_from_the_stream_start_not_zero() -> None:
    """Priming already removed by the decoder leaves the first frame late; the stream's
    start time (here 0.1 s) is time zero, as in a player."""
    out = place([frame(5, 800, 800), frame(6, 800, 1600)], origin=Fraction(1, 10))
    assert len(out) == 1600
    assert out[0] == 5


def test_decoding_holds_a_few_chunks_not_the_file(tmp_path: Path) -> None:
    """Three minutes of WAV (8.6 MB) decode with Python-side memory of a few 10 s chunks."""
    path = tmp_path / "long.wav"
    noise = np.random.default_rng(1).integers(-3000, 3000, 180 * RATE, dtype="<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(noise.tobytes())
    total = 0
    tracemalloc.start()
    try:
        for chunk in iter_pcm16(path):
            total += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == noise.nbytes
    assert peak < 3 * 2 * RATE * 10 + 1_000_000, f"peak {peak:,} bytes"


# -------------------------------------------------------------------- bad input


def video_only(path: Path) -> Path:
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(10):
            image = np.full((48, 64, 3), i * 20, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


PNG = base64.b64decode(  # a 1x1 PNG image
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg=="
)


def bad_inputs(tmp_path: Path, files: dict[str, Path]) -> dict[str, tuple[Path, str]]:
    text = tmp_path / "notes.txt"
    text.write_text("Minutes of the meeting\nAttendees: everyone\n")
    png = tmp_path / "cover.png"
    png.write_bytes(PNG)
    renamed = tmp_path / "photo.m4a"  # the suffix says audio; the bytes do not
    renamed.write_bytes(PNG)
    truncated = tmp_path / "cut.m4a"
    truncated.write_bytes(files["m4a/aac"].read_bytes()[:4000])  # PyAV writes the index last
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    return {
        "text": (text, "not an audio file: it looks like text"),
        "png": (png, "not an audio file: it looks like a PNG image"),
        "png named .m4a": (renamed, "not an audio file: it looks like a PNG image"),
        "truncated": (truncated, "truncated or damaged"),
        "video only": (video_only(tmp_path / "clip.mp4"), "no audio stream (video only)"),
        "empty": (empty, "empty"),
        "missing": (tmp_path / "nowhere.ogg", "no such file"),
        "folder": (tmp_path, "is a folder"),
    }


BAD = ("text", "png", "png named .m4a", "truncated", "video only", "empty", "missing", "folder")


@pytest.mark.parametrize("case", BAD)
def test_undecodable_inputs_get_a_typed_error_naming_the_file(
    case: str, tmp_path: Path, files: dict[str, Path]
) -> None:
    path, found = bad_inputs(tmp_path, files)[case]
    for call in (probe, iter_pcm16, transcode_for_service):
        with pytest.raises(AudioDecodeError) as caught:
            call(path)  # iter_pcm16 raises on the call, before the first chunk
        message = str(caught.value)
        assert str(path) in message
        assert found in message
        assert caught.value.source == str(path)
        assert isinstance(caught.value, InvalidAudioError)
        assert not isinstance(caught.value.__cause__, AudioDecodeError)


def test_bytes_inputs_are_named_by_the_caller() -> None:
    with pytest.raises(AudioDecodeError, match=r"^upload\.bin: not an audio file: .*PNG"):
        probe(PNG, where="upload.bin")
    with pytest.raises(AudioDecodeError, match="empty"):
        probe(b"")


def test_damaged_packets_are_skipped_and_their_time_kept(
    files: dict[str, Path], recording: np.ndarray, caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage over a few packets of an M4A: those are skipped, the rest keeps its time."""
    data = bytearray(files["m4a/aac"].read_bytes())
    middle = len(data) // 2
    data[middle : middle + 600] = bytes(range(256)) * 2 + bytes(88)
    decoded = pcm(iter_pcm16(bytes(data), where="damaged.m4a"))
    assert tone_onset(decoded, near=TONE_AT) == pytest.approx(TONE_AT, abs=TIMING_TOLERANCE)
    assert len(decoded) / RATE == pytest.approx(len(recording) / RATE, abs=0.05)
    assert "damaged.m4a: skipped" in caplog.text


# ----------------------------------------------------------------- transcoding


@pytest.mark.parametrize("name", ["m4a/aac", "ogg/opus", "flac", "webm/opus", "ogg/vorbis"])
def test_transcoded_to_24khz_mono_wav_when_it_fits(
    name: str, files: dict[str, Path], recording: np.ndarray
) -> None:
    data, fmt, record = transcode_for_service(files[name])
    assert fmt == "wav"
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    assert tone_onset(samples, near=TONE_AT) == pytest.approx(TONE_AT, abs=TIMING_TOLERANCE)
    assert record == {
        "source": files[name].name,
        "from": f"{BY_NAME[name].codec}/{BY_NAME[name].container}",
        "to": "wav",
        "seconds": pytest.approx(len(recording) / RATE, abs=0.05),
    }


def test_too_big_for_wav_becomes_mp3_within_the_limit(
    files: dict[str, Path], recording: np.ndarray
) -> None:
    limit = 100_000  # the 9 s WAV would be 430 kB
    data, fmt, record = transcode_for_service(files["m4a/aac"], max_bytes=limit)
    assert fmt == "mp3"
    assert len(data) <= limit
    assert record["to"] == "mp3"
    info = probe(data)
    assert (info.container, info.codec, info.service_format) == ("mp3", "mp3", "mp3")
    assert (info.sample_rate, info.channels) == (RATE, 1)
    decoded = pcm(iter_pcm16(data))
    assert tone_onset(decoded, near=TONE_AT) == pytest.approx(TONE_AT, abs=TIMING_TOLERANCE)
    assert len(decoded) / RATE == pytest.approx(len(recording) / RATE, abs=0.06)


def test_too_long_even_as_mp3_points_to_the_long_recording_api(
    files: dict[str, Path], recording: np.ndarray
) -> None:
    with pytest.raises(AudioTooLongError) as caught:
        transcode_for_service(files["flac"], max_bytes=20_000)
    message = str(caught.value)
    assert str(files["flac"]) in message
    assert "0:09 long (9 s)" in message
    assert "transcribe_long" in message
    assert "ask_long" in message
    assert caught.value.seconds == pytest.approx(len(recording) / RATE, abs=0.01)


def test_speech_survives_the_transcode(files: dict[str, Path]) -> None:
    """The real speech, not only the tone: the WAV the service gets matches the source."""
    voice = speech()
    data, _, _ = transcode_for_service(files["webm/opus"])
    with wave.open(io.BytesIO(data)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    start = round(0.75 * RATE)
    part = samples[start : start + len(voice)].astype(float)
    assert np.corrcoef(part, voice.astype(float))[0, 1] > 0.9


def test_without_an_mp3_encoder_a_long_recording_says_so(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decode_module, "has_mp3_encoder", lambda: False)
    with pytest.raises(AudioTooLongError, match=r"no MP3 encoder \(libmp3lame\).*transcribe_long"):
        transcode_for_service(files["flac"], max_bytes=100_000)


def test_the_bundled_ffmpeg_has_an_mp3_encoder() -> None:
    assert decode_module.has_mp3_encoder()


def test_a_resampler_failure_is_a_typed_error_too(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Any, frame: Any) -> Any:
        raise av.error.InvalidDataError(1094995529, "Invalid data found")

    monkeypatch.setattr(Timeline, "feed", refuse)
    with pytest.raises(AudioDecodeError, match=r"meeting\.flac: PyAV could not convert its audio"):
        list(iter_pcm16(files["flac"]))
