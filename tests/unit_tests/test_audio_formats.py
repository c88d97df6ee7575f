"""Any common audio file in, at every entry point: `audio_block`, the model, the tool, the CLI.

WAV and MP3 go byte for byte as before; M4A, Ogg, FLAC and WebM are transcoded
and the answer says so. The request bodies are checked against Azure's documented
shape (`{"type": "input_audio", "input_audio": {"data": <base64>, "format":
"wav" | "mp3"}}`, from the audio quickstart's REST example and the openai SDK's
`ChatCompletionContentPartInputAudioParam`), not against our own translation.
Files are written at test time with PyAV from ../shared/audio (tests/audio_fixtures.py).
"""

from __future__ import annotations

import base64
import io
import json
import wave
from pathlib import Path
from typing import Any

import httpx2
import numpy as np
import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from langchain_azure_audio import (
    AudioDecodeError,
    AudioTooLongError,
    AzureAudioInputError,
    audio_block,
)
from langchain_azure_audio import audio as audio_module
from langchain_azure_audio._media.decode import MP3_BITRATES, longest_seconds
from langchain_azure_audio.cli import checks
from langchain_azure_audio.tools import TranscribeTool
from tests.audio_fixtures import FORMATS, RATE, TONE_AT, encode, marked_recording, tone_onset
from tests.cassette_tools import REPO, SHARED_AUDIO
from tests.conftest import make_llm
from tests.needs import shared

TRANSCODED = [fmt for fmt in FORMATS if fmt.name not in ("wav", "mp3")]


@pytest.fixture(scope="module")
def recording() -> np.ndarray:
    return marked_recording()


@pytest.fixture(scope="module")
def files(recording: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inbox")
    return {fmt.name: encode(recording, folder / f"meeting{fmt.suffix}", fmt) for fmt in FORMATS}


def wav_samples(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (RATE, 1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


# ------------------------------------------------------------------ audio_block


@pytest.mark.parametrize("name", ["wav", "mp3"])
def test_wav_and_mp3_go_unchanged(name: str, files: dict[str, Path]) -> None:
    path = files[name]
    block = audio_block(path)
    assert block == {
        "type": "audio",
        "base64": base64.b64encode(path.read_bytes()).decode(),
        "mime_type": "audio/wav" if name == "wav" else "audio/mpeg",
    }
    assert audio_block(path.read_bytes()) == block


def test_a_real_mp3_goes_unchanged() -> None:
    path = shared(SHARED_AUDIO / "hello_world.mp3")
    assert base64.b64decode(audio_block(path)["base64"]) == path.read_bytes()


@pytest.mark.parametrize("fmt", TRANSCODED, ids=lambda f: f.name)
def test_other_formats_are_transcoded_to_wav_and_recorded(
    fmt: Any, files: dict[str, Path], recording: np.ndarray
) -> None:
    path = files[fmt.name]
    block = audio_block(path)
    assert block["type"] == "audio"
    assert block["mime_type"] == "audio/wav"
    samples = wav_samples(base64.b64decode(block["base64"]))
    start_error = 1024 / RATE if fmt.name == "aac (ADTS)" else 0.0
    assert tone_onset(samples, near=TONE_AT) == pytest.approx(TONE_AT + start_error, abs=0.02)
    assert block["extras"] == {
        "transcoded": {
            "source": path.name,
            "from": f"{fmt.codec}/{fmt.container}",
            "to": "wav",
            "seconds": pytest.approx(len(recording) / RATE + start_error, abs=0.05),
        }
    }


def test_bytes_in_other_formats_are_transcoded_too(files: dict[str, Path]) -> None:
    block = audio_block(files["ogg/opus"].read_bytes())
    assert block["mime_type"] == "audio/wav"
    assert block["extras"]["transcoded"]["source"] == "bytes"
    assert block["extras"]["transcoded"]["from"] == "opus/ogg"


def test_a_recording_over_the_wav_limit_goes_as_mp3(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down: with a 100 kB limit the 9 s recording (430 kB as WAV) must go as MP3."""
    monkeypatch.setattr(audio_module, "MAX_INPUT_AUDIO_BYTES", 100_000)
    block = audio_block(files["m4a/aac"])
    data = base64.b64decode(block["base64"])
    assert block["mime_type"] == "audio/mpeg"
    assert len(data) <= 100_000
    assert audio_module.sniff_container(data) == "mp3"
    assert block["extras"]["transcoded"]["to"] == "mp3"


def test_too_long_for_one_request_names_the_length_and_the_long_api(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio_module, "MAX_INPUT_AUDIO_BYTES", 20_000)
    with pytest.raises(AudioTooLongError) as caught:
        audio_block(files["webm/opus"])
    message = str(caught.value)
    assert message.startswith(f"audio_block({str(files['webm/opus'])!r}): the recording is 0:09")
    assert "transcribe_long" in message


def test_a_mime_type_contradicting_wav_bytes_is_refused(files: dict[str, Path]) -> None:
    with pytest.raises(AzureAudioInputError, match="mime_type 'audio/flac' does not match"):
        audio_block(files["wav"].read_bytes(), mime_type="audio/flac")


def test_another_audio_mime_type_is_fine_when_the_bytes_are_that(files: dict[str, Path]) -> None:
    block = audio_block(files["flac"].read_bytes(), mime_type="audio/flac")
    assert block["extras"]["transcoded"]["from"] == "flac/flac"


# ------------------------------------------------------------- on the wire


def call(messages: list[Any], *, stream: bool = False, asynchronous: bool = False) -> Any:
    """Run the model against a loopback transport; returns (JSON body sent, answer)."""
    seen: list[dict[str, Any]] = []

    def service(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.read()))
        if stream:
            events = (
                b'data: {"id":"c","choices":[{"index":0,"delta":{"content":"hello"}}]}\n\n'
                b'data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
                b'data: {"id":"c","choices":[],"usage":{"prompt_tokens":1,'
                b'"completion_tokens":1,"total_tokens":2}}\n\ndata: [DONE]\n\n'
            )
            return httpx2.Response(
                200, headers={"content-type": "text/event-stream"}, content=events
            )
        return httpx2.Response(200, json={"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hello"}}]})  # fmt: skip

    llm = make_llm(http_client=httpx2.Client(transport=httpx2.MockTransport(service)))
    if stream:
        chunks = list(llm.stream(messages, modalities=["text"]))
        answer: Any = chunks[0]
        for chunk in chunks[1:]:
            answer = answer + chunk
    else:
        answer = llm.invoke(messages, modalities=["text"])
    [body] = seen
    return body, answer


@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
def test_the_request_carries_documented_wav_and_the_answer_says_it_was_transcoded(
    stream: bool, files: dict[str, Path]
) -> None:
    path = files["m4a/aac"]
    block = audio_block(path)
    body, answer = call([HumanMessage([{"type": "text", "text": "Who speaks?"}, block])],
                        stream=stream)  # fmt: skip
    [message] = body["messages"]
    assert message["content"][1] == {
        "type": "input_audio",
        "input_audio": {"data": block["base64"], "format": "wav"},
    }
    assert base64.b64decode(message["content"][1]["input_audio"]["data"])[:4] == b"RIFF"
    assert "extras" not in json.dumps(body)  # our note stays on this side
    assert answer.response_metadata["transcoded_inputs"] == [block["extras"]["transcoded"]]
    assert answer.response_metadata["transcoded_inputs"][0]["source"] == "meeting.m4a"


def test_an_mp3_transcode_is_sent_as_documented_mp3(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio_module, "MAX_INPUT_AUDIO_BYTES", 100_000)
    block = audio_block(files["ogg/vorbis"])
    body, answer = call([HumanMessage([block])])
    part = body["messages"][0]["content"][0]
    assert part == {
        "type": "input_audio",
        "input_audio": {"data": block["base64"], "format": "mp3"},
    }
    assert answer.response_metadata["transcoded_inputs"][0]["to"] == "mp3"


def test_nothing_transcoded_nothing_said(files: dict[str, Path]) -> None:
    _, answer = call([HumanMessage([audio_block(files["wav"])])])
    assert "transcoded_inputs" not in answer.response_metadata


async def test_async_answers_say_it_too(files: dict[str, Path]) -> None:
    def service(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}}]})  # fmt: skip

    llm = make_llm(http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(service)))
    block = audio_block(files["flac"])
    answer = await llm.ainvoke([HumanMessage([block])], modalities=["text"])
    assert answer.response_metadata["transcoded_inputs"] == [block["extras"]["transcoded"]]


# --------------------------------------------------------- the tool and the CLI


def test_the_transcribe_tool_takes_any_audio_file(files: dict[str, Path]) -> None:
    seen: list[dict[str, Any]] = []

    def service(request: httpx2.Request) -> httpx2.Response:
        seen.append(json.loads(request.read()))
        return httpx2.Response(200, json={"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "the words"}}]})  # fmt: skip

    llm = make_llm(http_client=httpx2.Client(transport=httpx2.MockTransport(service)))
    path = files["webm/opus"]
    tool = TranscribeTool(llm=llm, root_dir=path.parent)
    assert "audio file" in tool.description
    assert "WAV or MP3" not in tool.description
    assert tool.invoke({"path": path.name}) == "the words"
    [body] = seen
    assert body["messages"][1]["content"][0]["input_audio"]["format"] == "wav"


@pytest.mark.parametrize("name", ["m4a/aac", "ogg/opus", "flac", "webm/opus", "wav", "mp3"])
def test_the_cli_reads_any_audio_file(name: str, files: dict[str, Path]) -> None:
    path = files[name]
    block = checks.audio_block_for(path)
    assert block["mime_type"] in ("audio/wav", "audio/mpeg")
    assert ("extras" in block) == (name not in ("wav", "mp3"))
    if "extras" in block:
        assert block["extras"]["transcoded"]["source"] == path.name
    # the transcribe/ask commands' path: the bytes, then audio_block
    assert audio_block(checks.read_audio(path))["base64"] == block["base64"]


def test_the_cli_refuses_undecodable_and_too_long_files_before_reading_them(
    tmp_path: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = tmp_path / "minutes.m4a"
    text.write_text("Minutes of the meeting\n")
    for check in (checks.read_audio, checks.audio_block_for):
        with pytest.raises(AudioDecodeError, match=r"minutes\.m4a: not an audio file"):
            check(text)
    monkeypatch.setattr(audio_module, "MAX_INPUT_AUDIO_BYTES", 20_000)  # scaled down
    with pytest.raises(AudioTooLongError, match=r"meeting\.flac: the recording is 0:09"):
        checks.read_audio(files["flac"])


def test_messages_with_transcoded_audio_keep_system_prompts(files: dict[str, Path]) -> None:
    block = audio_block(files["ogg/opus"])
    body, answer = call([SystemMessage("Transcribe."), HumanMessage([block])])
    assert body["messages"][0] == {"role": "system", "content": "Transcribe."}
    assert len(answer.response_metadata["transcoded_inputs"]) == 1


def test_the_formats_page_states_the_limits_the_code_uses() -> None:
    page = (REPO / "docs" / "long-recordings.md").read_text()
    troubleshooting = (REPO / "docs" / "troubleshooting.md").read_text()
    wav = round(longest_seconds("wav") / 60)
    mp3 = [round(longest_seconds("mp3", bitrate=rate) / 60) for rate in MP3_BITRATES]
    rates = [rate // 1000 for rate in MP3_BITRATES]
    assert "## Supported formats" in page
    assert f"about {wav} minutes" in page
    assert f"highest of {rates[0]}, {rates[1]} and {rates[2]} kbit/s" in page
    assert f"about {mp3[0]}, {mp3[1]} and {mp3[2]} minutes" in page
    assert f"about {wav} minutes" in troubleshooting
    assert f"as {rates[-1]} kbit/s MP3 too (about {mp3[-1]} minutes)" in troubleshooting
    for row in ("| MPEG-4 / AAC |", "| raw ADTS / AAC |", "| Ogg / Opus |", "| Ogg / Vorbis |",
                "| FLAC / FLAC |", "| WebM (Matroska) / Opus or Vorbis |"):  # fmt: skip
        assert row + " transcoded |" in page


def test_a_wav_over_20_mib_is_refused_without_reading_it_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(bytes(4 * RATE))  # 2 s: 96,044 bytes
    monkeypatch.setattr(audio_module, "MAX_INPUT_AUDIO_BYTES", 50_000)  # scaled down
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"read {self} whole"))
    with pytest.raises(AzureAudioInputError, match="the audio is 96,044 bytes"):
        audio_block(path)
