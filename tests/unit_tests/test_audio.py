"""audio.py: container sniffing, input checks, audio blocks, and saving answers."""

from __future__ import annotations

import base64
import io
import os
import wave
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage

from langchain_azure_audio import (
    AudioDecodeError,
    AzureAudioInputError,
    InvalidAudioError,
    audio_block,
    audio_bytes,
    save_audio,
)
from langchain_azure_audio.audio import (
    MAX_INPUT_AUDIO_BYTES,
    check_audio_bytes,
    input_format_from_mime,
    pcm16_to_wav,
    sniff_container,
)

ACCEPTED = "WAV (audio/wav) or MP3 (audio/mpeg)"
PCM = bytes(range(256)) * 8  # 1024 16-bit frames; starts 00 01, so it sniffs as nothing
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(413)  # MPEG-1 Layer III frame header
ID3_MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + MP3_FRAME
OGG = b"OggS\x00\x02" + bytes(40)
FLAC = b"fLaC\x00\x00\x00\x22" + bytes(40)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00" + bytes(40)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81" + bytes(40)


def make_wav(frames: bytes = PCM, *, rate: int = 24_000, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames)
    return buffer.getvalue()


WAV = make_wav()


def read_wav(data: bytes) -> tuple[int, int, int, bytes]:
    with wave.open(io.BytesIO(data)) as wav:
        return (
            wav.getframerate(),
            wav.getnchannels(),
            wav.getsampwidth(),
            wav.readframes(wav.getnframes()),
        )


def answer(data: bytes, audio_format: str) -> AIMessage:
    """An answer shaped like the ones AzureChatOpenAIAudio returns."""
    return AIMessage(
        content="Hello there.",
        additional_kwargs={
            "audio": {
                "id": "audio_abc123",
                "data": base64.b64encode(data).decode("ascii"),
                "expires_at": 4_102_444_800,
                "transcript": "Hello there.",
            }
        },
        response_metadata={"audio_format": audio_format},
    )


# ------------------------------------------------------------------ sniff_container


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(WAV, "wav", id="riff-wave"),
        pytest.param(ID3_MP3, "mp3", id="mp3-id3"),
        pytest.param(MP3_FRAME, "mp3", id="mp3-frame-sync-fb"),
        pytest.param(b"\xff\xf3\x64\xc4" + bytes(12), "mp3", id="mp3-frame-sync-f3"),
        pytest.param(OGG, "ogg", id="ogg"),
        pytest.param(FLAC, "flac", id="flac"),
        pytest.param(M4A, "m4a", id="m4a"),
        pytest.param(WEBM, "webm", id="webm"),
        pytest.param(b"", None, id="empty"),
        pytest.param(b"\xff", None, id="lone-ff"),
        pytest.param(b"\xff\x1f" + bytes(14), None, id="ff-without-sync-bits"),
        pytest.param(b"RIFF\x24\x00\x00\x00AVI LIST", None, id="riff-avi"),
        pytest.param(b"just some text, not audio", None, id="text"),
    ],
)
def test_sniff_container_names_the_container(head: bytes, expected: str | None) -> None:
    assert sniff_container(head[:16]) == expected


# ---------------------------------------------------------------- check_audio_bytes


@pytest.mark.parametrize(
    ("data", "declared", "expected"),
    [
        (WAV, None, "wav"),
        (WAV, "wav", "wav"),
        (ID3_MP3, None, "mp3"),
        (MP3_FRAME, "mp3", "mp3"),
    ],
)
def test_check_audio_bytes_returns_the_format(
    data: bytes, declared: str | None, expected: str
) -> None:
    assert check_audio_bytes(data, declared, where="here") == expected  # type: ignore[arg-type]


def test_check_audio_bytes_rejects_empty_audio() -> None:
    with pytest.raises(InvalidAudioError, match=r"^clip\.wav: the audio is empty"):
        check_audio_bytes(b"", None, where="clip.wav")


def test_check_audio_bytes_rejects_more_than_20_mib() -> None:
    too_big = ID3_MP3 + bytes(MAX_INPUT_AUDIO_BYTES + 1 - len(ID3_MP3))
    with pytest.raises(InvalidAudioError, match=r"20,971,521 bytes \(20\.0 MiB\); Azure "
                       r"accepts at most 20 MiB \(20,971,520 bytes\)") as caught:  # fmt: skip
        check_audio_bytes(too_big, None, where="x")
    assert "compress it to MP3" not in str(caught.value)  # it is an MP3 already


def test_audio_over_the_limit_is_refused_with_the_tools_that_take_any_length() -> None:
    wav = b"RIFF\x00\x00\x00\x00WAVE" + bytes(21 * 2**20)
    with pytest.raises(InvalidAudioError) as caught:
        check_audio_bytes(wav, None, where="meeting.wav")
    message = str(caught.value)
    assert "Azure accepts at most 20 MiB" in message  # refused, as before
    for name in (
        "langchain_azure_audio.long_audio.transcribe_long(llm, path)",
        "ask_long(llm, path, question)",
        "`langchain-azure-audio transcribe FILE`",
    ):
        assert name in message, name  # fmt: skip


def test_a_25_mib_wav_is_reported_in_mib_with_the_mp3_advice() -> None:
    wav = b"RIFF\x00\x00\x00\x00WAVE" + bytes(26_214_400 - 12)
    with pytest.raises(InvalidAudioError, match=r"26,214,400 bytes \(25\.0 MiB\)") as caught:
        check_audio_bytes(wav, None, where="x")
    assert "compress it to MP3" in str(caught.value)


def test_check_audio_bytes_accepts_exactly_20_mb() -> None:
    at_limit = ID3_MP3 + bytes(MAX_INPUT_AUDIO_BYTES - len(ID3_MP3))
    assert check_audio_bytes(at_limit, None, where="x") == "mp3"


@pytest.mark.parametrize(
    ("data", "name"),
    [(OGG, "OGG"), (FLAC, "FLAC"), (M4A, "M4A"), (WEBM, "WEBM")],
)
def test_check_audio_bytes_rejects_other_containers_naming_accepted_ones(
    data: bytes, name: str
) -> None:
    with pytest.raises(InvalidAudioError) as info:
        check_audio_bytes(data, None, where="messages[0].content[1]")
    message = str(info.value)
    assert message.startswith("messages[0].content[1]: ")
    assert f"an {name} container" in message
    assert ACCEPTED in message
    assert "ffmpeg" in message


def test_check_audio_bytes_rejects_unrecognisable_bytes() -> None:
    with pytest.raises(InvalidAudioError, match="not a recognisable WAV or MP3"):
        check_audio_bytes(b"hello, this is text", None, where="x")


@pytest.mark.parametrize(
    ("data", "declared", "says"),
    [
        (WAV, "mp3", "the block says 'mp3' but the bytes are WAV"),
        (ID3_MP3, "wav", "the block says 'wav' but the bytes are MP3"),
    ],
)
def test_check_audio_bytes_rejects_declared_format_mismatch(
    data: bytes, declared: str, says: str
) -> None:
    with pytest.raises(InvalidAudioError) as info:
        check_audio_bytes(data, declared, where="x")  # type: ignore[arg-type]
    assert says in str(info.value)


def test_check_audio_bytes_rejects_wav_without_frames() -> None:
    with pytest.raises(InvalidAudioError, match="holds no audio frames"):
        check_audio_bytes(make_wav(b""), None, where="x")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(WAV[:16], id="header-only"),
        pytest.param(WAV[:30], id="truncated-fmt-chunk"),
        pytest.param(b"RIFF\x20\x00\x00\x00WAVEdata\x04\x00\x00\x00abcd", id="data-before-fmt"),
    ],
)
def test_check_audio_bytes_rejects_corrupt_wav(data: bytes) -> None:
    with pytest.raises(InvalidAudioError, match=r"WAV data is corrupt.*16-bit PCM WAV"):
        check_audio_bytes(data, None, where="x")


def test_invalid_audio_is_an_input_error_and_a_value_error() -> None:
    with pytest.raises(AzureAudioInputError):
        check_audio_bytes(b"", None, where="x")
    with pytest.raises(ValueError, match="empty"):
        check_audio_bytes(b"", None, where="x")


# ----------------------------------------------------------- input_format_from_mime


@pytest.mark.parametrize(
    ("mime", "expected"),
    [
        ("audio/mpeg", "mp3"),
        ("audio/mp3", "mp3"),
        ("audio/wav", "wav"),
        ("audio/x-wav", "wav"),
        ("audio/wave", "wav"),
        ("audio/wav; codecs=1", "wav"),
        (" Audio/MPEG ;rate=44100", "mp3"),
    ],
)
def test_input_format_from_mime(mime: str, expected: str) -> None:
    assert input_format_from_mime(mime, where="x") == expected


@pytest.mark.parametrize("mime", ["audio/ogg", "audio/flac", "audio/webm", "video/mp4", ""])
def test_input_format_from_mime_rejects_other_types(mime: str) -> None:
    with pytest.raises(InvalidAudioError) as info:
        input_format_from_mime(mime, where="block.mime_type")
    message = str(info.value)
    assert message.startswith(f"block.mime_type: mime_type {mime!r} is not accepted")
    assert ACCEPTED in message
    assert "'audio/wav' or 'audio/mpeg'" in message


# ---------------------------------------------------------------------- audio_block


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [("question.wav", WAV, "audio/wav"), ("question.mp3", ID3_MP3, "audio/mpeg")],
)
def test_audio_block_from_path(tmp_path: Path, name: str, data: bytes, mime: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    expected = {"type": "audio", "base64": base64.b64encode(data).decode(), "mime_type": mime}
    assert audio_block(path) == expected
    assert audio_block(str(path)) == expected


@pytest.mark.parametrize(("data", "mime"), [(WAV, "audio/wav"), (ID3_MP3, "audio/mpeg")])
def test_audio_block_from_bytes(data: bytes, mime: str) -> None:
    block = audio_block(data)
    assert block == {"type": "audio", "base64": base64.b64encode(data).decode(), "mime_type": mime}
    assert base64.b64decode(block["base64"]) == data


def test_audio_block_sniffs_a_file_with_an_unmapped_suffix(tmp_path: Path) -> None:
    path = tmp_path / "recording.bin"
    path.write_bytes(WAV)
    assert audio_block(path)["mime_type"] == "audio/wav"


@pytest.mark.parametrize("missing", ["nope.wav", "a-folder"])
def test_audio_block_missing_file(tmp_path: Path, missing: str) -> None:
    (tmp_path / "a-folder").mkdir()
    path = tmp_path / missing
    with pytest.raises(AzureAudioInputError) as info:
        audio_block(path)
    assert str(info.value) == f"audio_block({str(path)!r}): no such file; check the path."


def test_audio_block_rejects_suffix_contradicting_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "really-a-wav.mp3"
    path.write_bytes(WAV)
    with pytest.raises(InvalidAudioError, match="says 'mp3' but the bytes are WAV"):
        audio_block(path)


def test_audio_block_rejects_mime_type_contradicting_the_bytes() -> None:
    with pytest.raises(InvalidAudioError, match=r"^audio_block\(bytes\): the block says 'mp3'"):
        audio_block(WAV, mime_type="audio/mpeg")


def test_audio_block_rejects_a_mime_type_that_is_not_audio() -> None:
    with pytest.raises(InvalidAudioError, match="mime_type 'text/plain' is not accepted"):
        audio_block(b"some notes", mime_type="text/plain")


def test_audio_block_names_a_damaged_ogg_file(tmp_path: Path) -> None:
    """Ogg is decoded and transcoded now (test_audio_formats.py); a header alone is not audio."""
    path = tmp_path / "voice.ogg"
    path.write_bytes(OGG)
    with pytest.raises(AudioDecodeError) as info:
        audio_block(path)
    assert str(info.value).startswith(
        f"audio_block({str(path)!r}): it looks like an Ogg file, but PyAV could not decode it"
    )
    with pytest.raises(AudioDecodeError, match=r"^audio_block\(bytes\): it looks like an Ogg"):
        audio_block(OGG, mime_type="audio/ogg")


# --------------------------------------------------------------------- pcm16_to_wav


def test_pcm16_to_wav_is_24khz_mono_16bit_with_the_same_frames() -> None:
    assert read_wav(pcm16_to_wav(PCM)) == (24_000, 1, 2, PCM)


def test_pcm16_to_wav_custom_sample_rate() -> None:
    assert read_wav(pcm16_to_wav(PCM, sample_rate=16_000)) == (16_000, 1, 2, PCM)


# ------------------------------------------------------------ audio_bytes/save_audio


def test_audio_bytes_returns_the_decoded_audio() -> None:
    assert audio_bytes(answer(PCM, "pcm16")) == PCM
    assert audio_bytes(answer(ID3_MP3, "mp3")) == ID3_MP3


def test_audio_bytes_as_wav_wraps_pcm16_only() -> None:
    assert read_wav(audio_bytes(answer(PCM, "pcm16"), as_wav=True)) == (24_000, 1, 2, PCM)
    assert audio_bytes(answer(WAV, "wav"), as_wav=True) == WAV
    assert audio_bytes(answer(ID3_MP3, "mp3"), as_wav=True) == ID3_MP3


def test_audio_bytes_accepts_the_audio_dict_of_a_wav_answer() -> None:
    assert audio_bytes(answer(WAV, "wav").additional_kwargs["audio"]) == WAV


def test_save_audio_pcm16_as_wav_gets_a_header(tmp_path: Path) -> None:
    target = tmp_path / "answer.wav"
    assert save_audio(answer(PCM, "pcm16"), target) == target
    assert read_wav(target.read_bytes()) == (24_000, 1, 2, PCM)


def test_save_audio_pcm16_elsewhere_is_raw(tmp_path: Path) -> None:
    target = save_audio(answer(PCM, "pcm16"), tmp_path / "answer.pcm")
    assert target.read_bytes() == PCM


@pytest.mark.parametrize(
    ("data", "audio_format", "name"),
    [
        (WAV, "wav", "answer.wav"),
        (WAV, "wav", "ANSWER.WAV"),
        (ID3_MP3, "mp3", "answer.mp3"),
        (ID3_MP3, "mp3", "answer"),
    ],
)
def test_save_audio_writes_the_service_bytes(
    tmp_path: Path, data: bytes, audio_format: str, name: str
) -> None:
    target = save_audio(answer(data, audio_format), str(tmp_path / name))
    assert target == tmp_path / name
    assert target.read_bytes() == data


def test_save_audio_creates_missing_folders(tmp_path: Path) -> None:
    target = save_audio(answer(WAV, "wav"), tmp_path / "out" / "today" / "answer.wav")
    assert target.read_bytes() == WAV


def test_save_audio_refuses_mp3_data_to_a_wav_path(tmp_path: Path) -> None:
    target = tmp_path / "answer.wav"
    with pytest.raises(AzureAudioInputError) as info:
        save_audio(answer(ID3_MP3, "mp3"), target)
    message = str(info.value)
    assert "the answer is mp3 audio but the path ends in '.wav'" in message
    assert "save it as 'answer.mp3'" in message
    assert "audio_format='wav'" in message
    assert not target.exists()


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(AIMessage(content="Just text."), id="no-audio"),
        pytest.param(
            AIMessage(content="Hi", additional_kwargs={"audio": {"id": "audio_1", "data": None}}),
            id="history-without-data",
        ),
    ],
)
def test_message_without_audio_raises(tmp_path: Path, message: AIMessage) -> None:
    with pytest.raises(AzureAudioInputError, match=r"carries no audio data.*modalities"):
        audio_bytes(message)
    with pytest.raises(AzureAudioInputError, match="carries no audio data"):
        save_audio(message, tmp_path / "answer.wav")
    assert list(tmp_path.iterdir()) == []


def test_audio_bytes_rejects_invalid_base64() -> None:
    message = AIMessage(content="Hi", additional_kwargs={"audio": {"data": "not base64!!"}})
    with pytest.raises(InvalidAudioError, match="not valid base64"):
        audio_bytes(message)


def _failing_replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
    raise OSError("disk full")


def test_save_audio_failure_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "replace", _failing_replace)
    with pytest.raises(OSError, match="disk full"):
        save_audio(answer(PCM, "pcm16"), tmp_path / "answer.wav")
    assert list(tmp_path.iterdir()) == []


def test_save_audio_failure_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "answer.wav"
    target.write_bytes(b"previous answer")
    monkeypatch.setattr(os, "replace", _failing_replace)
    with pytest.raises(OSError, match="disk full"):
        save_audio(answer(PCM, "pcm16"), target)
    assert target.read_bytes() == b"previous answer"
    assert [p.name for p in tmp_path.iterdir()] == ["answer.wav"]


# --------------------------------------------- raw PCM is not mistaken for MP3

QUIET_PCM = b"\xff\xff" * 2000  # a quiet opening: every sample is -1, i.e. FF FF


def test_quiet_pcm_starting_with_ff_is_not_taken_for_mp3() -> None:
    assert sniff_container(QUIET_PCM) is None
    assert sniff_container(b"\xff\xfb\x90\x64" + b"\x01\x02" * 2000) is None  # no second frame


def test_two_consecutive_mp3_frames_are_recognised() -> None:
    frame = b"\xff\xfb\x90\x64" + bytes(413)  # 128 kbit/s, 44.1 kHz: 417 bytes
    assert sniff_container(frame * 3) == "mp3"


def test_audio_dict_of_a_quiet_pcm16_answer_saves_as_wav(tmp_path: Path) -> None:
    audio = {"id": "audio_1", "data": base64.b64encode(QUIET_PCM).decode(), "transcript": "."}
    assert audio_bytes(audio, as_wav=True)[:4] == b"RIFF"
    target = save_audio(audio, tmp_path / "quiet.wav")
    assert read_wav(target.read_bytes())[3] == QUIET_PCM


def test_wav_answer_may_be_saved_with_the_wave_suffix(tmp_path: Path) -> None:
    assert save_audio(answer(WAV, "wav"), tmp_path / "a.wave").read_bytes() == WAV


@pytest.mark.parametrize("name", ["a.mp3", "a.flac", "a.opus"])
def test_pcm16_is_not_written_under_a_compressed_suffix(tmp_path: Path, name: str) -> None:
    with pytest.raises(AzureAudioInputError, match=r"pcm16 audio .* save it as 'a\.wav'"):
        save_audio(answer(PCM, "pcm16"), tmp_path / name)
    assert not (tmp_path / name).exists()


def test_truncated_wav_error_says_why() -> None:
    with pytest.raises(InvalidAudioError, match=r"corrupt \(\w"):
        check_audio_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ", None, where="x")


# ------------------------------------------- large inputs: checked from the head

from langchain_azure_audio.audio import check_audio_base64  # noqa: E402

BIG_WAV = make_wav(bytes(2 * 200_000))  # ~400 KB: past the decoded-head limit
BIG_B64 = base64.b64encode(BIG_WAV).decode()


def test_large_input_is_checked_from_its_head() -> None:
    assert check_audio_base64(BIG_B64, "wav", where="x") == "wav"
    with pytest.raises(InvalidAudioError, match="says 'mp3' but the bytes are WAV"):
        check_audio_base64(BIG_B64, "mp3", where="x")


def test_large_input_over_the_limit_is_refused_from_its_length() -> None:
    huge = "UklGRiQAAABXQVZF" + "A" * (28 * 1024 * 1024)  # RIFF....WAVE then zeros
    with pytest.raises(InvalidAudioError, match=r"2\d\.\d MiB\); Azure accepts at most 20 MiB"):
        check_audio_base64(huge, None, where="x")


@pytest.mark.parametrize(
    "broken",
    [BIG_B64[:100] + "!" + BIG_B64[101:], BIG_B64[:-1], BIG_B64[:500] + "é" + BIG_B64[501:]],
    ids=["bad-character-in-head", "length-not-multiple-of-4", "not-ascii"],
)
def test_large_malformed_base64_is_refused(broken: str) -> None:
    with pytest.raises(InvalidAudioError, match="not valid base64"):
        check_audio_base64(broken, None, where="x")


def test_a_bad_character_past_the_head_is_left_to_the_service() -> None:
    """Documented trade-off: a 20 MB input is not decoded twice just to validate it."""
    middle = len(BIG_B64) // 2 // 4 * 4
    broken = BIG_B64[:middle] + "!AAA" + BIG_B64[middle + 4 :]
    assert check_audio_base64(broken, None, where="x") == "wav"
