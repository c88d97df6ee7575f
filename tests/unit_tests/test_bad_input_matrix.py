# ruff: noqa: E501  (the case tables read best one case per line)
"""Bad input, one matrix: every case is refused with a typed error *before* any
request, and the message names the field and the fix."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openai
import pytest
from langchain_core.messages import (
    AIMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
)

from langchain_azure_audio import (
    AudioDecodeError,
    AudioExpiredError,
    AzureAudioConfigError,
    AzureAudioInputError,
    AzureChatOpenAIAudio,
    InvalidAudioError,
    audio_block,
    save_audio,
)
from langchain_azure_audio.audio import pcm16_to_wav
from tests.conftest import make_llm


def wav(frames: int = 2400) -> bytes:
    return pcm16_to_wav(bytes(2 * frames))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


WAV64 = b64(wav())
OGG64 = b64(b"OggS\x00\x02" + bytes(64))


def spoken(block: dict[str, Any]) -> list[Any]:
    return [HumanMessage(content=[{"type": "text", "text": "Listen:"}, block])]


def std(data: str, mime: str = "audio/wav") -> dict[str, Any]:
    return {"type": "audio", "base64": data, "mime_type": mime}


def ask(messages: Any, **call: Any) -> Callable[[], Any]:
    return lambda: make_llm().invoke(messages, **call)


def build(**settings: Any) -> Callable[[], Any]:
    return lambda: make_llm(**settings)


def expired_answer() -> AIMessage:
    audio = {"id": "audio_1", "data": "", "expires_at": 1, "transcript": "Hi."}
    return AIMessage(content="Hi.", additional_kwargs={"audio": audio})


CASES: list[Any] = [
    # -- settings ---------------------------------------------------------------
    ("unknown voice", build(voice="nova"), AzureAudioConfigError, ["voice 'nova'", "allow_unknown_voice=True"]),
    ("unknown output format", build(audio_format="ogg"), AzureAudioConfigError, ["audio_format 'ogg'", "'wav'"]),
    ("audio-only modality", build(modalities=["audio"]), AzureAudioConfigError, ["modalities=['audio']", "['text', 'audio']"]),
    ("unknown modality", build(modalities=["text", "video"]), AzureAudioConfigError, ["modalities", "['text', 'audio'] or ['text']"]),
    ("no modality", build(modalities=[]), AzureAudioConfigError, ["modalities=[]", "['text', 'audio']"]),
    ("unknown expiry policy", build(expired_audio="drop"), AzureAudioConfigError, ["expired_audio 'drop'", "'transcript'"]),
    ("no endpoint", build(azure_endpoint=None), AzureAudioConfigError, ["azure_endpoint", "AZURE_OPENAI_ENDPOINT"]),
    ("endpoint not a URL", build(azure_endpoint="my-resource"), AzureAudioConfigError, ["azure_endpoint 'my-resource'", "https://"]),
    ("no deployment", build(azure_deployment=None), AzureAudioConfigError, ["azure_deployment", "AZURE_OPENAI_DEPLOYMENT_NAME"]),
    ("negative retries", build(max_retries=-1), AzureAudioConfigError, ["max_retries", "0 or more"]),
    ("per-call voice", ask("Hi", voice="fable"), AzureAudioConfigError, ["voice 'fable'", "allow_unknown_voice"]),
    ("per-call format", ask("Hi", audio_format="ogg"), AzureAudioConfigError, ["audio_format 'ogg'", "'pcm16'"]),
    ("audio params without audio modality", ask([HumanMessage(content=[std(WAV64)])], modalities=["text"], audio={"voice": "alloy"}), AzureAudioConfigError, ["modalities=['text']", "modalities=['text', 'audio']"]),
    ("audio params as a raw extra", ask("Hi", audio={"voice": "alloy"}), AzureAudioConfigError, ["'audio'", "voice= and audio_format="]),
    ("messages as an extra", lambda: make_llm(model_kwargs={"messages": []}).invoke("Hi"), AzureAudioConfigError, ["'messages'", "invoke()"]),
    # -- messages ---------------------------------------------------------------
    ("no audio anywhere, text only", ask("Hi", modalities=["text"]), AzureAudioInputError, ["modalities=['text']", "audio_block(path)"]),
    ("function message", ask([FunctionMessage(name="f", content="x")]), AzureAudioInputError, ["messages[0]: FunctionMessage", "ToolMessage"]),
    ("unknown chat role", ask([ChatMessage(role="critic", content="x")]), AzureAudioInputError, ["role 'critic'", "'user'"]),
    ("image block", ask(spoken({"type": "image", "base64": "AAAA", "mime_type": "image/png"})), AzureAudioInputError, ["messages[0].content[1]", "text and WAV/MP3 audio only"]),
    ("unknown block type", ask(spoken({"type": "sticker", "id": "x"})), AzureAudioInputError, ["messages[0].content[1]: unknown content block type 'sticker'", "'text' or 'audio'"]),
    ("audio in a system message", ask([SystemMessage(content=[std(WAV64)]), HumanMessage("Hi")]), AzureAudioInputError, ["messages[0].content[0]", "move it to a HumanMessage"]),
    ("audio URL", ask(spoken({"type": "audio", "url": "https://x.test/a.wav"})), AzureAudioInputError, ["messages[0].content[1]: audio URLs", "audio_block(path)"]),
    ("audio file id", ask(spoken({"type": "audio", "file_id": "file-1"})), AzureAudioInputError, ["audio file ids", "inline"]),
    ("audio block without data", ask(spoken({"type": "audio", "mime_type": "audio/wav"})), AzureAudioInputError, ["has no data", "'base64': <base64>"]),
    ("input_audio without payload", ask(spoken({"type": "input_audio"})), AzureAudioInputError, ["input_audio block", "'format': 'wav'|'mp3'"]),
    ("input_audio format ogg", ask(spoken({"type": "input_audio", "input_audio": {"data": WAV64, "format": "ogg"}})), AzureAudioInputError, ["'audio/ogg' is not accepted", "mime_type 'audio/wav'"]),
    ("unsupported mime", ask(spoken(std(OGG64, "audio/ogg"))), InvalidAudioError, ["mime_type 'audio/ogg'", "ffmpeg"]),
    ("invalid base64", ask(spoken(std("not base64!!"))), InvalidAudioError, ["not valid base64", "base64.b64encode"]),
    ("empty audio", ask(spoken(std(""))), AzureAudioInputError, ["audio data is empty", "WAV or MP3"]),
    ("ogg bytes labelled wav", ask(spoken(std(OGG64))), InvalidAudioError, ["an OGG container", "ffmpeg"]),
    ("wav bytes labelled mp3", ask(spoken(std(WAV64, "audio/mpeg"))), InvalidAudioError, ["says 'mp3' but the bytes are WAV", "'wav'"]),
    ("wav without frames", ask(spoken(std(b64(wav(0))))), InvalidAudioError, ["no audio frames", "WAV"]),
    ("audio over 20 MiB", ask(spoken(std(b64(b"RIFF\x00\x00\x00\x00WAVE" + bytes(21 * 2**20))))), InvalidAudioError, ["20 MiB", "Split it"]),
    ("audio data as bytes", ask(spoken(std(wav()))), AzureAudioInputError, ["must be a base64 string", "audio_block(raw_bytes)"]),
    ("expired id with policy error", ask([HumanMessage("Hi"), expired_answer(), HumanMessage("Again")], expired_audio="error"), AudioExpiredError, ["messages[1]: the audio id 'audio_1' expired", "expired_audio='transcript'"]),
]  # fmt: skip


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        pytest.fail("an openai client was built: the error must come before any request")

    monkeypatch.setattr(openai, "AzureOpenAI", refuse)
    monkeypatch.setattr(openai, "AsyncAzureOpenAI", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("case", "action", "error", "says"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_request(
    case: str, action: Callable[[], Any], error: type[Exception], says: list[str]
) -> None:
    with pytest.raises(error) as caught:
        action()
    message = str(caught.value)
    for fragment in says:
        assert fragment in message, f"{case}: {fragment!r} not in {message!r}"


FILE_CASES: list[Any] = [
    ("missing file", lambda d: audio_block(d / "nope.wav"), AzureAudioInputError, ["nope.wav", "no such file"]),
    ("ogg file", lambda d: audio_block(_write(d / "a.ogg", b"OggS" + bytes(60))), AudioDecodeError, ["a.ogg'): it looks like an Ogg file, but PyAV could not decode it", "truncated or damaged"]),
    ("flac file", lambda d: audio_block(_write(d / "a.flac", b"fLaC" + bytes(60))), AudioDecodeError, ["a.flac'): it looks like a FLAC file, but PyAV could not decode it", "Give a WAV, MP3, M4A/AAC"]),
    ("text file named .wav", lambda d: audio_block(_write(d / "a.wav", b"hello, not audio at all")), AudioDecodeError, ["a.wav", "not an audio file: it looks like text"]),
    ("bytes with an unsupported mime", lambda d: audio_block(wav(), mime_type="audio/flac"), InvalidAudioError, ["mime_type 'audio/flac' does not match the bytes, which are WAV", "'audio/wav'"]),
    ("save mp3 answer as .wav", lambda d: save_audio(_answer("mp3", b"ID3" + bytes(40)), d / "x.wav"), AzureAudioInputError, ["ends in '.wav'", "save it as 'x.mp3'"]),
    ("save an answer without audio", lambda d: save_audio(AIMessage(content="Hi"), d / "x.wav"), AzureAudioInputError, ["no audio data", "modalities=['text', 'audio']"]),
]  # fmt: skip


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _answer(fmt: str, data: bytes) -> AIMessage:
    return AIMessage(
        content="x",
        additional_kwargs={"audio": {"id": "a", "data": b64(data), "transcript": "x"}},
        response_metadata={"audio_format": fmt},
    )


@pytest.mark.parametrize(
    ("case", "action", "error", "says"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_bad_files_are_refused(
    case: str,
    action: Callable[[Path], Any],
    error: type[Exception],
    says: list[str],
    tmp_path: Path,
) -> None:
    with pytest.raises(error) as caught:
        action(tmp_path)
    for fragment in says:
        assert fragment in str(caught.value), f"{case}: {fragment!r} not in {caught.value}"
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".part"]


def test_the_matrix_is_large() -> None:
    assert len(CASES) + len(FILE_CASES) >= 25
    assert issubclass(AzureAudioConfigError, ValueError)
    assert AzureChatOpenAIAudio is not None
