"""Audio containers: format sniffing, input validation, content blocks, saving.

Public helpers:

* `audio_block(source)` builds a LangChain audio content block from a file
  path or raw bytes, checking the container first.
* `audio_bytes(message)` returns the decoded audio of an answer.
* `save_audio(message, path)` writes it to disk (atomically); `pcm16`
  answers saved as `.wav` get a proper WAV header (24 kHz, mono, 16-bit).
"""

from __future__ import annotations

import base64
import binascii
import io
import os
import uuid
import wave
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from langchain_azure_audio._media.strict_base64 import b64decode_strict
from langchain_azure_audio.errors import AzureAudioInputError, InvalidAudioError

if TYPE_CHECKING:  # imported where used: the command line's --help must not load LangChain
    from langchain_core.messages import BaseMessage

InputFormat = Literal["wav", "mp3"]
OutputFormat = Literal["wav", "aac", "mp3", "flac", "opus", "pcm16"]

INPUT_FORMATS: Final = ("wav", "mp3")
OUTPUT_FORMATS: Final = ("wav", "aac", "mp3", "flac", "opus", "pcm16")
"""Output formats of audio chat completions (`aac` with the GA gpt-audio models)."""
MAX_INPUT_AUDIO_BYTES: Final = 20 * 1024 * 1024
"""Azure's documented limit for one input audio file (decoded bytes)."""

PCM16_SAMPLE_RATE: Final = 24_000
PCM16_CHANNELS: Final = 1
PCM16_SAMPLE_WIDTH: Final = 2

_MIME_TO_INPUT_FORMAT: Final[dict[str, InputFormat]] = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/vnd.wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp3": "mp3",
    "audio/mpeg3": "mp3",
    "audio/x-mpeg-3": "mp3",
}
_OUTPUT_FORMAT_TO_MIME: Final[dict[str, str]] = {
    "wav": "audio/wav",
    "aac": "audio/aac",
    "mp3": "audio/mpeg",
    "flac": "audio/flac",
    "opus": "audio/opus",
    "pcm16": "audio/pcm",
}
_SUFFIX_TO_INPUT_FORMAT: Final[dict[str, InputFormat]] = {
    ".wav": "wav",
    ".wave": "wav",
    ".mp3": "mp3",
}
_ACCEPTED = "WAV (audio/wav) or MP3 (audio/mpeg)"
_SUFFIXES: Final[dict[str, tuple[str, ...]]] = {
    "wav": (".wav", ".wave"),
    "aac": (".aac",),
    "mp3": (".mp3",),
    "flac": (".flac",),
    "opus": (".opus", ".ogg"),
    "pcm16": (".wav", ".wave", ".pcm", ".raw"),
}


def output_mime_type(audio_format: str) -> str:
    """The MIME type of an answer in `audio_format` (`pcm16` is `audio/pcm`)."""
    return _OUTPUT_FORMAT_TO_MIME[audio_format]


def input_format_from_mime(mime_type: str, *, where: str) -> InputFormat:
    """Map a MIME type to the service's input format name (`wav` or `mp3`).

    Raises:
        InvalidAudioError: the MIME type is not one the service accepts.
    """
    base = mime_type.split(";", 1)[0].strip().lower()
    if base in _MIME_TO_INPUT_FORMAT:
        return _MIME_TO_INPUT_FORMAT[base]
    raise InvalidAudioError(
        f"{where}: mime_type {mime_type!r} is not accepted as input audio. "
        f"Azure audio models accept {_ACCEPTED}; build the block with "
        "langchain_azure_audio.audio_block(path_or_bytes), which transcodes M4A, Ogg, FLAC "
        "and WebM, or convert the audio (for example with ffmpeg) and pass mime_type "
        "'audio/wav' or 'audio/mpeg'."
    )


def sniff_container(data: bytes) -> str | None:
    """Name the container the bytes announce, or `None` if unknown.

    Knows the accepted inputs (`wav`, `mp3`) and the common containers that
    are refused (`aac`, `ogg`, `flac`, `m4a`, `webm`), so errors can name them. An
    MP3 without an ID3 tag is only recognised when its first frame header is
    valid and, if the data is long enough, the next frame follows it: a bare
    0xFFEx sync word also starts plenty of raw PCM.
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:3] == b"ID3" or _mpeg_frames_at_start(data):
        return "mp3"
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xF6 == 0xF0:  # ADTS (raw AAC)
        return "aac"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"fLaC":
        return "flac"
    if data[4:8] == b"ftyp":
        return "m4a"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return None


# MPEG audio frame headers (ISO 11172-3 / 13818-3): bitrates in kbit/s by
# (MPEG-1?, layer) and sample rates by version bits.
_BITRATES: Final = {
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES: Final = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _mpeg_frame_length(header: bytes) -> int | None:
    """Length in bytes of the MPEG audio frame whose header starts `header`, if valid."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer_bits == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _BITRATES[(mpeg1, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    per_frame = 144 if layer == 2 or mpeg1 else 72
    return per_frame * bitrate // rate + padding


def _mpeg_frames_at_start(data: bytes) -> bool:
    length = _mpeg_frame_length(data[:4])
    if length is None:
        return False
    if len(data) < length + 4:  # a single (short) frame: its valid header must do
        return True
    return _mpeg_frame_length(data[length : length + 4]) is not None


def check_audio_bytes(
    data: bytes, declared: InputFormat | None, *, where: str, size: int | None = None
) -> InputFormat:
    """Check decoded input audio and return its format.

    `data` may be just the first bytes of the audio when `size` gives the
    whole length: the container and its header are at the start.

    Raises:
        InvalidAudioError: empty, over 20 MiB, an unsupported or unknown container,
            a container that contradicts `declared`, or a WAV without frames.
    """
    size = len(data) if size is None else size
    if not size:
        raise InvalidAudioError(f"{where}: the audio is empty; pass a non-empty WAV or MP3.")
    found = sniff_container(data[:4096])
    if size > MAX_INPUT_AUDIO_BYTES:
        shrink = "" if found == "mp3" else " or compress it to MP3"
        raise InvalidAudioError(
            f"{where}: the audio is {size:,} bytes ({size / 1_048_576:.1f} MiB); Azure accepts "
            f"at most 20 MiB ({MAX_INPUT_AUDIO_BYTES:,} bytes) per audio input. Split it into "
            f"shorter clips{shrink}, or let the package do it for any length: "
            "langchain_azure_audio.long_audio.transcribe_long(llm, path) / ask_long(llm, path, "
            "question), or on the command line `langchain-azure-audio transcribe FILE`."
        )
    if found not in INPUT_FORMATS:
        what = f"an {found.upper()} container" if found else "not a recognisable WAV or MP3"
        raise InvalidAudioError(
            f"{where}: the audio is {what}; Azure audio models accept {_ACCEPTED}. "
            "Build the block with langchain_azure_audio.audio_block(path), which transcodes "
            "M4A, Ogg, FLAC and WebM, or convert it first (`ffmpeg -i in.ogg out.wav`)."
        )
    if declared is not None and found != declared:
        raise InvalidAudioError(
            f"{where}: the block says {declared!r} but the bytes are {found.upper()}; "
            f"set the format/mime_type to {found!r} to match the data."
        )
    if found == "wav":
        _check_wav_has_frames(data, where=where)
    return found  # type: ignore[return-value]


def _check_wav_has_frames(data: bytes, *, where: str) -> None:
    try:
        with wave.open(io.BytesIO(data)) as wav:
            frames = wav.getnframes()
    except (wave.Error, EOFError) as exc:
        if "unknown format" in str(exc):  # e.g. float WAV: let the service judge it
            return
        reason = str(exc) or "truncated header"
        raise InvalidAudioError(
            f"{where}: the WAV data is corrupt ({reason}); re-export it as 16-bit PCM WAV."
        ) from exc
    if frames == 0:
        raise InvalidAudioError(f"{where}: the WAV file holds no audio frames.")


_HEAD_CHARS: Final = 65_536
"""Base64 characters decoded to check a large input (48 KiB: every container header)."""


def check_audio_base64(b64: str, declared: InputFormat | None, *, where: str) -> InputFormat:
    """Check base64 input audio without decoding all of it, and return its format.

    Large inputs are checked from their decoded head (container, header,
    frames) and their length (the 20 MiB limit), so a 20 MiB file costs no
    second full copy; a malformed character past the head is left to the
    service to refuse. Whenever the quick check is unsure, the whole string is
    decoded, so the errors are the same either way.
    """
    if not isinstance(b64, str) or len(b64) <= _HEAD_CHARS:
        return check_audio_bytes(decode_base64_audio(b64, where=where), declared, where=where)
    tail = b64[-4:]  # not b64.rstrip("="): that would copy the whole string
    padding = len(tail) - len(tail.rstrip("="))
    if b64.isascii() and len(b64) % 4 == 0 and padding <= 2:
        try:
            head = decode_base64_audio(b64[:_HEAD_CHARS], where=where)
            size = len(b64) // 4 * 3 - padding
            return check_audio_bytes(head, declared, where=where, size=size)
        except InvalidAudioError:
            pass  # decode it all: the full check words the error exactly
    return check_audio_bytes(decode_base64_audio(b64, where=where), declared, where=where)


def decode_base64_audio(b64: str, *, where: str) -> bytes:
    """Decode strict base64, naming `where` in the error."""
    if not isinstance(b64, str):
        raise AzureAudioInputError(
            f"{where}: audio data must be a base64 string, got {type(b64).__name__}; "
            "use langchain_azure_audio.audio_block(raw_bytes) to build a block from bytes."
        )
    try:
        return b64decode_strict(b64)
    except (binascii.Error, ValueError) as exc:
        raise InvalidAudioError(
            f"{where}: audio data is not valid base64 ({exc}); encode the raw file bytes "
            "with base64.b64encode(...).decode('ascii')."
        ) from exc


def audio_block(
    source: str | os.PathLike[str] | bytes,
    *,
    mime_type: str | None = None,
) -> dict[str, Any]:
    """Build a LangChain audio content block from a file path or raw bytes.

    WAV and MP3 go as they are (checked first: at most 20 MiB). Any other
    common recording (M4A/AAC, Ogg Opus or Vorbis, FLAC, WebM, ...) is decoded
    with PyAV and transcoded to 24 kHz mono WAV, or to MP3 when that WAV would
    be over 20 MiB; the block's `extras["transcoded"]` records it (`source`,
    `from`, `to`, `seconds`), and the answer's
    `response_metadata["transcoded_inputs"]` lists it. Recordings too long
    for one request raise `AudioTooLongError`, pointing to
    `langchain_azure_audio.long_audio`; files that are not audio raise
    `AudioDecodeError`.

    Example:
        ```python
        from langchain_core.messages import HumanMessage
        from langchain_azure_audio import audio_block

        msg = HumanMessage(content=[
            {"type": "text", "text": "What is said here?"},
            audio_block("question.m4a"),
        ])
        ```
    """
    if isinstance(source, bytes):
        return build_audio_block(source, where="audio_block(bytes)", mime_type=mime_type)
    path = Path(source)
    where = f"audio_block({str(path)!r})"
    if not path.is_file():
        raise AzureAudioInputError(f"{where}: no such file; check the path.")
    return build_audio_block(path, where=where, mime_type=mime_type)


def build_audio_block(
    source: Path | bytes, *, where: str, mime_type: str | None = None
) -> dict[str, Any]:
    """`audio_block`'s work, with errors naming the input `where` (the CLI names files so).

    A WAV or MP3 that is empty or over 20 MiB is refused before it is read whole.
    """
    if isinstance(source, bytes):
        head, size = source[:4096], len(source)
    else:
        size = source.stat().st_size
        with source.open("rb") as handle:
            head = handle.read(4096)
    declared: InputFormat | None = None
    if mime_type:
        base = mime_type.split(";", 1)[0].strip().lower()
        declared = _MIME_TO_INPUT_FORMAT.get(base)
        if declared is None and not base.startswith(("audio/", "video/")):
            input_format_from_mime(mime_type, where=where)  # raises: not an audio type at all
    elif isinstance(source, Path):
        declared = _SUFFIX_TO_INPUT_FORMAT.get(source.suffix.lower())
    found = sniff_container(head)
    if size and found not in INPUT_FORMATS:
        return _transcoded_block(source, where)
    if mime_type and declared is None:  # e.g. audio/flac on WAV bytes
        right = "audio/wav" if found == "wav" else "audio/mpeg"
        raise InvalidAudioError(
            f"{where}: mime_type {mime_type!r} does not match the bytes, which are "
            f"{str(found).upper()}; pass mime_type {right!r}, or none (the bytes are sniffed)."
        )
    if not size or size > MAX_INPUT_AUDIO_BYTES:  # refused from the size: never read whole
        check_audio_bytes(head, declared, where=where, size=size)
    data = source if isinstance(source, bytes) else source.read_bytes()
    fmt = check_audio_bytes(data, declared, where=where)
    return {
        "type": "audio",
        "base64": base64.b64encode(data).decode("ascii"),
        "mime_type": "audio/wav" if fmt == "wav" else "audio/mpeg",
    }


def _transcoded_block(source: Path | bytes, where: str) -> dict[str, Any]:
    """A block for a recording the service does not take as it is (see `audio_block`)."""
    from langchain_azure_audio._media import (
        decode as _decode,  # PyAV: loaded when a file needs transcoding
    )

    data, fmt, record = _decode.transcode_for_service(
        source, where=where, max_bytes=MAX_INPUT_AUDIO_BYTES
    )
    return {
        "type": "audio",
        "base64": base64.b64encode(data).decode("ascii"),
        "mime_type": "audio/wav" if fmt == "wav" else "audio/mpeg",
        "extras": {"transcoded": record},
    }


def pcm16_to_wav(pcm: bytes, *, sample_rate: int = PCM16_SAMPLE_RATE) -> bytes:
    """Wrap raw 16-bit little-endian mono PCM in a WAV container."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(PCM16_CHANNELS)
        wav.setsampwidth(PCM16_SAMPLE_WIDTH)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm)
    return buffer.getvalue()


def _message_audio(message: BaseMessage | dict[str, Any]) -> tuple[bytes, str]:
    """Decoded audio of an answer and its format (`wav`, `mp3`, … or `pcm16`)."""
    from langchain_core.messages import BaseMessage

    if isinstance(message, BaseMessage):
        audio = message.additional_kwargs.get("audio") or {}
        fmt = message.response_metadata.get("audio_format")
    else:
        audio, fmt = message, message.get("format")
    b64 = audio.get("data") if isinstance(audio, dict) else None
    if not b64:
        raise AzureAudioInputError(
            "This message carries no audio data. Ask for audio with "
            "modalities=['text', 'audio'], or, for a message rebuilt from history, note that "
            "the service never returns audio data for earlier turns."
        )
    data = decode_base64_audio(b64, where="additional_kwargs['audio']['data']")
    if not fmt:
        sniffed = sniff_container(data[:4096])
        fmt = {"ogg": "opus"}.get(sniffed or "", sniffed) or "pcm16"
    return data, fmt


def audio_bytes(message: BaseMessage | dict[str, Any], *, as_wav: bool = False) -> bytes:
    """The decoded audio of an answer.

    Args:
        message: an `AIMessage` from `AzureChatOpenAIAudio` (or its
            `additional_kwargs["audio"]` dict).
        as_wav: wrap `pcm16` audio in a WAV header so it plays anywhere.
    """
    data, fmt = _message_audio(message)
    if as_wav and fmt == "pcm16":
        return pcm16_to_wav(data)
    return data


def save_audio(message: BaseMessage | dict[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write an answer's audio to `path` and return the path.

    `pcm16` audio saved to a `.wav` path gets a WAV header (24 kHz, mono,
    16-bit); other formats are written as the service sent them and the
    suffix must match. The write is atomic: a failure leaves no partial file.

    Example:
        ```python
        answer = llm.invoke("Is a golden retriever a good family dog?")
        save_audio(answer, "dog.wav")
        ```
    """
    target = Path(path)
    data, fmt = _message_audio(message)
    suffix = target.suffix.lower()
    allowed = _SUFFIXES[fmt]
    if suffix and suffix not in allowed:
        wanted = {".wav": "wav", ".wave": "wav", ".aac": "aac", ".mp3": "mp3", ".flac": "flac"}
        wanted[".opus"] = "opus"
        alternative = f", or request audio_format='{wanted[suffix]}'" if suffix in wanted else ""
        raise AzureAudioInputError(
            f"save_audio: the answer is {fmt} audio but the path ends in {suffix!r}; save it "
            f"as '{target.with_suffix(allowed[0]).name}'{alternative}."
        )
    if fmt == "pcm16" and suffix in (".wav", ".wave"):
        data = pcm16_to_wav(data)
    atomic_write_bytes(target, data)
    return target


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file and `os.replace`.

    A crash or error mid-write leaves the old file (or none), never a partial one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
    try:
        with open(tmp, "xb") as handle:  # the usual umask-based mode, unlike mkstemp's 0600
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def output_suffixes(audio_format: str) -> tuple[str, ...]:
    """The file suffixes `save_audio` accepts for answers in `audio_format` (first: preferred)."""
    return _SUFFIXES.get(audio_format, (f".{audio_format}",))
