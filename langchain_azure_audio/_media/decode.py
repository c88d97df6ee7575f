"""Any common audio file in: probe it, stream it as PCM, transcode it for the service.

The audio layer under `audio.py`: it imports only the standard library, PyAV,
numpy and `errors`.

* `probe(path)` says what a file holds (`AudioInfo`) from its header.
* `iter_pcm16(path)` decodes it as a stream of mono 16-bit PCM chunks on the
  recording's own timeline (see its timing contract).
* `transcode_for_service(path)` turns a file the service does not take as it is
  into one it takes: 24 kHz mono WAV, or MP3 when the WAV would be over 20 MiB.

Why PyAV (`av`): it is maintained (releases follow FFmpeg's), its wheels for
Linux, macOS and Windows bundle FFmpeg's libraries (the decoders for AAC, Opus,
Vorbis, FLAC and MP3, libswresample, and the libmp3lame encoder), so
`pip install` is all a user needs: no ffmpeg binary on PATH, no subprocess. It
decodes frame by frame from a file or a file object, so memory stays bounded for
hours of audio, and every frame carries its presentation timestamp (pts) and the
stream its start time, which the timing contract needs (encoder priming removed,
gaps kept). The alternatives fall short: soundfile/libsndfile reads no AAC/M4A
or WebM, pydub, audioread and ffmpeg-python run an ffmpeg binary the user must
install, miniaudio reads no AAC or Opus, torchaudio is a large download.

What the service takes (the facts the conversions follow): chat completions'
`input_audio.format` is `"wav"` or `"mp3"` (the openai SDK's
`ChatCompletionContentPartInputAudioParam.format: Literal["wav", "mp3"]`), and
one audio file is at most 20 megabytes (Azure OpenAI audio completions
quickstart, learn.microsoft.com/azure/ai-services/openai/audio-completions-quickstart),
which the package enforces as 20 MiB of decoded bytes.
"""

from __future__ import annotations

import io
import logging
import os
import wave
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Final, Literal

import av

from langchain_azure_audio._media.encode import mp3_from_pcm16
from langchain_azure_audio._media.timeline import Timeline
from langchain_azure_audio.errors import AudioDecodeError, AudioTooLongError

ServiceFormat = Literal["wav", "mp3"]
Source = str | os.PathLike[str] | bytes

SERVICE_SAMPLE_RATE: Final = 24_000
"""The rate files are transcoded to: what the audio models speak and hear natively."""
MAX_SERVICE_BYTES: Final = 20 * 2**20
"""Azure's limit for one input audio file (20 MiB, decoded bytes)."""
MP3_BITRATES: Final = (64_000, 48_000, 32_000)
"""MP3 bitrates tried for a transcode that is too long for WAV: the highest that fits."""
LONG_AUDIO_API: Final = (
    "langchain_azure_audio.long_audio.transcribe_long(llm, path) or ask_long(llm, path, "
    "question), which split the recording at pauses"
)

logger = logging.getLogger(__name__)

_HEAD_BYTES: Final = 4096
_CONTAINERS: Final = {
    "wav": "wav",
    "mp3": "mp3",
    "ogg": "ogg",
    "flac": "flac",
    "adts": "aac",
    "aiff": "aiff",
    "caf": "caf",
    "asf": "wma",
}
_DECODER_CODECS: Final = {
    "mp3float": "mp3",
    "mp2float": "mp2",
    "mp3adufloat": "mp3adu",
    "aac_fixed": "aac",
    "ac3_fixed": "ac3",
    "libopus": "opus",
    "libvorbis": "vorbis",
}
_NOT_AUDIO: Final = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)
_AUDIO_SIGNATURES: Final = (
    (b"RIFF", "a WAV/RIFF file"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg file"),
    (b"fLaC", "a FLAC file"),
    (b"\x1a\x45\xdf\xa3", "a WebM/Matroska file"),
)


@dataclass(frozen=True)
class AudioInfo:
    """What an audio file holds, read from its header (nothing is decoded).

    Attributes:
        path: the file (`Path("<bytes>")` for audio given as bytes).
        container: `"wav"`, `"mp3"`, `"m4a"`/`"mp4"`, `"aac"` (raw ADTS), `"ogg"`,
            `"flac"`, `"webm"`/`"matroska"`, ...
        codec: FFmpeg's codec name: `"pcm_s16le"`, `"mp3"`, `"aac"`, `"opus"`,
            `"vorbis"`, `"flac"`, ...
        duration: seconds, or `None` when the file does not say.
        sample_rate: the stream's sample rate (Hz).
        channels: the stream's channel count.
        service_format: the input format Azure takes this file as, unchanged
            (`"wav"` for PCM WAV, `"mp3"` for MP3), or `None` when it must be transcoded.
        size: bytes on disk.
    """

    path: Path
    container: str
    codec: str
    duration: float | None
    sample_rate: int
    channels: int
    service_format: ServiceFormat | None
    size: int


# ----------------------------------------------------------------------- opening


@dataclass(frozen=True)
class _Input:
    """A source resolved: how to open it, what to call it in errors, its first bytes."""

    path: Path
    where: str
    size: int
    head: bytes
    data: bytes | None

    @property
    def name(self) -> str:
        return "bytes" if self.data is not None else self.path.name

    def open(self) -> Any:
        return io.BytesIO(self.data) if self.data is not None else str(self.path)


def _resolve(source: Source, where: str | None) -> _Input:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _Input(Path("<bytes>"), where or "audio bytes", len(data), data[:_HEAD_BYTES], data)
    path = Path(source)
    where = where or str(path)
    if path.is_dir():
        raise AudioDecodeError(f"{where} is a folder, not an audio file.", source=where)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(_HEAD_BYTES)
    except FileNotFoundError as exc:
        raise AudioDecodeError(f"{where}: no such file; check the path.", source=where) from exc
    except OSError as exc:
        raise AudioDecodeError(
            f"{where}: cannot be read ({exc.strerror or exc}).", source=where
        ) from exc
    return _Input(path, where, size, head, None)


def looks_like(head: bytes) -> tuple[str | None, bool]:
    """What the first bytes of a file look like, and whether that is an audio container."""
    for signature, what in _NOT_AUDIO:
        if head.startswith(signature):
            return what, False
    if head[4:8] == b"ftyp":
        return "an MP4/M4A file", True
    for signature, what in _AUDIO_SIGNATURES:
        if head.startswith(signature):
            return what, True
    text = _as_text(head)
    if text and all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        stripped = text.lstrip().lower()
        if stripped.startswith(("<!doctype html", "<html")):
            return "an HTML page", False
        if stripped.startswith(("{", "[")):
            return "JSON text", False
        return "text", False
    return None, False


def _as_text(head: bytes) -> str:
    """`head` as UTF-8 text (a character cut at its end is allowed), or "" when it is not."""
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return ""


def _reason(exc: BaseException) -> str:
    """FFmpeg's words for an error, without PyAV's errno and file name decoration."""
    return str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__


def _open_error(src: _Input, exc: BaseException) -> AudioDecodeError:
    what, is_audio = looks_like(src.head)
    if what is not None and not is_audio:
        found = f"not an audio file: it looks like {what}"
    elif what is not None:
        found = (
            f"it looks like {what}, but PyAV could not decode it ({_reason(exc)}); "
            "the file may be truncated or damaged"
        )
    else:
        found = f"PyAV could not decode it ({_reason(exc)}): not a recognisable audio file"
    return AudioDecodeError(
        f"{src.where}: {found}. Give a WAV, MP3, M4A/AAC, Ogg (Opus/Vorbis), FLAC or WebM file.",
        source=src.where,
    )


def _open_audio(src: _Input) -> tuple[Any, Any]:
    """The opened container and its first audio stream; typed errors for everything else."""
    if src.size == 0:
        raise AudioDecodeError(
            f"{src.where}: the file is empty (0 bytes); give a recording.", source=src.where
        )
    try:
        container = av.open(src.open(), mode="r")
    except (av.FFmpegError, OSError, ValueError, EOFError) as exc:
        raise _open_error(src, exc) from exc
    audio = [s for s in container.streams if s.type == "audio"]
    if not audio:
        kinds = sorted({str(s.type) for s in container.streams})
        container.close()
        holds = "video only" if kinds == ["video"] else ", ".join(kinds) or "no streams at all"
        what, is_audio = looks_like(src.head)
        found = f"no audio stream ({holds})"
        if what and not is_audio:
            found = f"not an audio file: it looks like {what} ({found})"
        raise AudioDecodeError(
            f"{src.where}: {found}. Give a file with sound in it.", source=src.where
        )
    return container, audio[0]


# ------------------------------------------------------------------------ probing


def probe(path: Source, *, where: str | None = None) -> AudioInfo:
    """What an audio file holds, from its header.

    Args:
        path: a file path, or the audio as bytes.
        where: how errors name the input (default: the path).

    Raises:
        AudioDecodeError: empty, missing, not audio, no audio stream, or undecodable.
    """
    src = _resolve(path, where)
    container, stream = _open_audio(src)
    try:
        return _info(src, container, stream)
    finally:
        container.close()


def _info(src: _Input, container: Any, stream: Any) -> AudioInfo:
    ctx = stream.codec_context
    codec = _codec_name(ctx.codec)
    name = _container_name(str(container.format.name), src.head)
    service: ServiceFormat | None = None
    if name == "wav" and codec.startswith("pcm_"):
        service = "wav"
    elif name == "mp3" and codec == "mp3":
        service = "mp3"
    return AudioInfo(
        path=src.path,
        container=name,
        codec=codec,
        duration=_duration(container, stream, name),
        sample_rate=int(ctx.sample_rate or 0),
        channels=int(ctx.channels or 0),
        service_format=service,
        size=src.size,
    )


def _codec_name(codec: Any) -> str:
    """FFmpeg's codec name (`mp3`), not its decoder's (`mp3float`).

    `Codec.canonical_name` is PyAV 15's; on PyAV 14 the decoders' names are mapped.
    """
    canonical = getattr(codec, "canonical_name", None)
    if canonical:
        return str(canonical)
    name = str(codec.name)
    return _DECODER_CODECS.get(name, name)


def _container_name(demuxer: str, head: bytes) -> str:
    if demuxer.startswith("mov,mp4"):
        return "m4a" if head[8:12] in (b"M4A ", b"M4B ") else "mp4"
    if demuxer == "matroska,webm":
        return "webm" if b"webm" in head[:64] else "matroska"
    return _CONTAINERS.get(demuxer, demuxer.split(",")[0])


def _duration(container: Any, stream: Any, name: str) -> float | None:
    if name == "aac":  # raw ADTS states no duration (FFmpeg guesses from the bitrate): count
        end = 0
        for packet in container.demux(stream):
            if packet.pts is not None and packet.duration:
                end = max(end, packet.pts + packet.duration)
        start = stream.start_time or 0
        return float((end - start) * stream.time_base) if end else None
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return None


# ----------------------------------------------------------------------- decoding


def iter_pcm16(
    path: Source,
    *,
    sample_rate: int = SERVICE_SAMPLE_RATE,
    chunk_seconds: float = 10.0,
    where: str | None = None,
) -> Iterator[bytes]:
    """Decode a recording as a stream of mono 16-bit little-endian PCM chunks.

    Memory stays bounded: the file is read packet by packet, never whole. Each
    chunk holds `chunk_seconds` of audio (the last one may be shorter). The
    channels are downmixed to mono and the audio resampled to `sample_rate`
    with PyAV's `AudioResampler` (FFmpeg's libswresample, its default matrix).

    Timing contract: sample `i` of the chunks joined is the audio at
    `i / sample_rate` seconds from the start of the recording as a player
    shows it. The encoder's priming is not in the output (FFmpeg drops it where
    the file records it: MP3's LAME header, MP4's edit list, Opus' pre-skip);
    frames are placed by their timestamps, counted from the first decoded frame
    (or from another stream's earlier start, e.g. a video's), so a gap between
    timestamps becomes silence and samples that overlap earlier ones
    (duplicates) are dropped. Raw ADTS `.aac` records no priming: its first
    1024 to 2112 samples (about 0.02 to 0.05 s) are the encoder's, as in a player.

    The file is opened (and checked) when this is called, so an undecodable
    file raises here, before the first chunk.

    Raises:
        AudioDecodeError: empty, missing, not audio, no audio stream, or no
            packet of it could be decoded.
    """
    if sample_rate <= 0 or chunk_seconds <= 0:
        raise ValueError("sample_rate and chunk_seconds must be positive")
    src = _resolve(path, where)
    container, stream = _open_audio(src)
    chunk_bytes = max(1, round(chunk_seconds * sample_rate)) * 2
    return _chunks(_pcm_blocks(src, container, stream, sample_rate), chunk_bytes)


def _chunks(blocks: Iterable[bytes], size: int) -> Generator[bytes, None, None]:
    buffer = bytearray()
    for block in blocks:
        buffer += block
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    if buffer:
        yield bytes(buffer)


def _others_start(container: Any, stream: Any) -> Fraction | None:
    """When the container's other streams (a video) start, in seconds, if they say.

    The audio's own start is its first decoded frame, not `stream.start_time`:
    FFmpeg 7 gives a Matroska Opus stream the start -6.5 ms (its codec delay)
    although the decoder has already dropped those samples and stamps the first
    one it returns 0.
    """
    starts = [
        Fraction(other.start_time) * Fraction(other.time_base)
        for other in container.streams
        if other.index != stream.index
        and other.start_time is not None
        and other.time_base is not None
    ]
    return min(starts) if starts else None


def _pcm_blocks(src: _Input, container: Any, stream: Any, rate: int) -> Iterator[bytes]:
    try:
        timeline = Timeline(rate, earliest=_others_start(container, stream))
        for frame in _frames(src, container, stream):
            yield from timeline.feed(frame)
        yield from timeline.flush()
    except av.FFmpegError as exc:  # the resampler refused a frame: never a raw av error
        raise AudioDecodeError(
            f"{src.where}: PyAV could not convert its audio ({_reason(exc)}).", source=src.where
        ) from exc
    finally:
        container.close()


def _frames(src: _Input, container: Any, stream: Any) -> Iterator[Any]:
    """The stream's decoded frames; a damaged packet is skipped (its time becomes silence)."""
    decoded = skipped = 0
    error: BaseException | None = None
    try:
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.FFmpegError as exc:
                skipped, error = skipped + 1, exc
                continue
            for frame in frames:
                decoded += 1
                yield frame
    except av.FFmpegError as exc:  # the container itself broke off (e.g. truncated)
        if not decoded:
            raise AudioDecodeError(
                f"{src.where}: PyAV could not decode it ({_reason(exc)}); the file may be "
                "truncated or damaged.",
                source=src.where,
            ) from exc
        logger.warning("%s: decoding stopped early: %s", src.where, _reason(exc))
    if not decoded:
        reason = f" ({_reason(error)})" if error else ""
        raise AudioDecodeError(
            f"{src.where}: PyAV could not decode any audio{reason}; the file may be truncated "
            "or damaged.",
            source=src.where,
        )
    if skipped:
        logger.warning("%s: skipped %d damaged packet(s): %s", src.where, skipped, error)


# -------------------------------------------------------------------- transcoding


def transcode_for_service(
    path: Source,
    *,
    max_bytes: int = MAX_SERVICE_BYTES,
    where: str | None = None,
) -> tuple[bytes, ServiceFormat, dict[str, Any]]:
    """Convert a recording into a file the service takes, within `max_bytes`.

    24 kHz mono 16-bit WAV when that fits (lossless for speech: the models hear
    24 kHz), else MP3 (libmp3lame, bundled in PyAV's wheels) at the highest of
    64, 48 or 32 kbit/s that fits.

    Returns:
        The file's bytes, its format (`"wav"` or `"mp3"`), and a record of the
        conversion: `{"source": name, "from": "codec/container", "to": format,
        "seconds": duration}` (what `response_metadata["transcoded_inputs"]` lists).

    Raises:
        AudioDecodeError: the input cannot be decoded.
        AudioTooLongError: too long for one request even as 32 kbit/s MP3 (about
            87 minutes); the message gives its length and points to the
            long-recording API.
    """
    src = _resolve(path, where)
    container, stream = _open_audio(src)
    try:
        info = _info(src, container, stream)
    finally:
        container.close()
    seconds = info.duration
    record: dict[str, Any] = {"source": src.name, "from": f"{info.codec}/{info.container}"}
    if seconds is None or _wav_size(seconds) <= max_bytes:
        wav = _encode_wav(src, max_bytes)
        if wav is not None:
            data, samples = wav
            record.update(to="wav", seconds=round(samples / SERVICE_SAMPLE_RATE, 3))
            return data, "wav", record
    fitting = [
        rate for rate in MP3_BITRATES if seconds is None or _mp3_size(seconds, rate) <= max_bytes
    ]
    if not has_mp3_encoder():
        wav_minutes = longest_seconds("wav", max_bytes=max_bytes) / 60
        length = f"{_clock(seconds)} long" if seconds else "long"
        raise AudioTooLongError(
            f"{src.where}: the recording is {length}: over {max_bytes / 2**20:.3g} MiB as WAV "
            f"(about {wav_minutes:.0f} minutes), and this PyAV build has no MP3 encoder "
            f"(libmp3lame) to fit it in one request. Use {LONG_AUDIO_API}.",
            source=src.where,
            seconds=seconds,
        )
    if seconds is None or fitting:
        bitrate = fitting[0] if fitting else MP3_BITRATES[-1]
        try:
            mp3 = _encode_mp3(src, bitrate, max_bytes)
        except av.FFmpegError as exc:
            raise AudioDecodeError(
                f"{src.where}: PyAV could not encode it as MP3 ({_reason(exc)}).",
                source=src.where,
            ) from exc
        if mp3 is not None:
            data, samples = mp3
            record.update(to="mp3", seconds=round(samples / SERVICE_SAMPLE_RATE, 3))
            return data, "mp3", record
    raise _too_long(src.where, seconds, max_bytes)


def longest_seconds(
    to: ServiceFormat, *, bitrate: int = MP3_BITRATES[-1], max_bytes: int = MAX_SERVICE_BYTES
) -> float:
    """The longest recording one request holds once transcoded to `to` (MP3 at `bitrate`)."""
    if to == "wav":
        return (max_bytes - 44) / (SERVICE_SAMPLE_RATE * 2)
    return (max_bytes - 4096) / (bitrate / 8 * 1.02)


def has_mp3_encoder() -> bool:
    """Whether PyAV's FFmpeg has libmp3lame (its wheels have bundled it since PyAV 9)."""
    try:
        av.codec.Codec("libmp3lame", "w")
    except ValueError:  # UnknownCodecError
        return False
    return True


def _wav_size(seconds: float) -> float:
    return 44 + seconds * SERVICE_SAMPLE_RATE * 2


def _mp3_size(seconds: float, bitrate: int) -> float:
    return seconds * bitrate / 8 * 1.02 + 4096  # frame padding and the Xing header


def check_one_request(
    info: AudioInfo, *, max_bytes: int = MAX_SERVICE_BYTES, where: str | None = None
) -> None:
    """Refuse, before any decoding, a recording too long for one request even as MP3.

    Raises:
        AudioTooLongError: its duration at 32 kbit/s is over `max_bytes`.
    """
    if info.duration is not None and _mp3_size(info.duration, MP3_BITRATES[-1]) > max_bytes:
        raise _too_long(where or str(info.path), info.duration, max_bytes)


def _too_long(where: str, seconds: float | None, max_bytes: int) -> AudioTooLongError:
    fits = longest_seconds("mp3", max_bytes=max_bytes)
    length = f"{_clock(seconds)} long ({seconds:,.0f} s)" if seconds else "too long"
    return AudioTooLongError(
        f"{where}: the recording is {length}; one request holds at most "
        f"{max_bytes / 2**20:.3g} MiB of audio, about {fits / 60:.0f} minutes even as "
        f"{MP3_BITRATES[-1] // 1000} kbit/s MP3. Use {LONG_AUDIO_API}.",
        source=where,
        seconds=seconds,
    )


def _clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _encode_wav(src: _Input, max_bytes: int) -> tuple[bytes, int] | None:
    """24 kHz mono 16-bit WAV, or None as soon as it would pass `max_bytes`."""
    buffer = io.BytesIO()
    samples = 0
    container, stream = _open_audio(src)
    pcm = _chunks(_pcm_blocks(src, container, stream, SERVICE_SAMPLE_RATE), 2 * SERVICE_SAMPLE_RATE)
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SERVICE_SAMPLE_RATE)
        for chunk in pcm:
            samples += len(chunk) // 2
            if 44 + 2 * samples > max_bytes:
                pcm.close()
                return None
            wav.writeframes(chunk)
    return buffer.getvalue(), samples


def _encode_mp3(src: _Input, bitrate: int, max_bytes: int) -> tuple[bytes, int] | None:
    """Mono MP3 at `bitrate`, or None as soon as it would pass `max_bytes`."""
    container, stream = _open_audio(src)
    pcm = _chunks(_pcm_blocks(src, container, stream, SERVICE_SAMPLE_RATE), 2 * SERVICE_SAMPLE_RATE)
    try:
        return mp3_from_pcm16(
            pcm, sample_rate=SERVICE_SAMPLE_RATE, bitrate=bitrate, max_bytes=max_bytes
        )
    finally:
        pcm.close()
