"""Conformance against reality: real recorded traffic from ../shared, replayed.

The recordings (both models) are read from ../shared at test time and turned
into cassettes in a temporary folder; nothing derived from them lands in the
repository. Each test sends what a user would send and checks the answer
against what the service really returned.
"""

from __future__ import annotations

import base64
import functools
import json
import operator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from vcr.errors import CannotOverwriteExistingCassetteException

from langchain_azure_audio import (
    AzureChatOpenAIAudio,
    audio_block,
    save_audio,
)
from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio._translate.messages import to_azure_messages
from tests.cassette_tools import (
    ENDPOINT,
    RECORDED_MODELS,
    SHARED_AUDIO,
    cassette_from_recording,
    recording_entries,
    require_shared,
)
from tests.conftest import make_llm

pytestmark = pytest.mark.shared

TEXT_STREAM = "chat_text_in_audio_out_stream"
MULTITURN = "chat_audio_in_audio_out_multiturn"
PROMPT = "Say the exact word 'hello' and nothing else."
DEPLOYMENTS = {"gpt-4o-audio-preview-2025-06-03": "gpt-4o-audio-preview"}
"""Each recording replayed through a deployment named like its model."""
ROUTES = [(model, "classic") for model in RECORDED_MODELS] + [("gpt-audio-1.5", "v1")]
"""Both models on Azure's classic API; today's model on the v1 API too."""


@pytest.fixture(params=ROUTES, ids=[f"{m}-{api}" for m, api in ROUTES])
def route(request: pytest.FixtureRequest) -> tuple[str, str]:
    require_shared()
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def model(route: tuple[str, str]) -> str:
    return route[0]


def deployment_for(model: str) -> str:
    return DEPLOYMENTS.get(model, model)


@pytest.fixture
def recorded_llm(route: tuple[str, str]) -> Any:
    """The recordings were made with pcm16 output (voice "ash" for TEXT_STREAM, one of
    the ten documented voices)."""
    model, api = route
    endpoint = f"{ENDPOINT}/openai/v1" if api == "v1" else ENDPOINT

    def build(**kwargs: Any) -> AzureChatOpenAIAudio:
        params: dict[str, Any] = {"audio_format": "pcm16", "azure_endpoint": endpoint}
        params.update(kwargs)
        return make_llm(deployment_for(model), **params)

    return build


@pytest.fixture
def replay(route: tuple[str, str], tmp_path: Path) -> Any:
    model, api = route

    def use(stem: str) -> Any:
        path = cassette_from_recording(stem, model, deployment_for(model), tmp_path, api=api)
        return strict_vcr().use_cassette(str(path), allow_playback_repeats=True)

    return use


# ----------------------------------------------------------- what was recorded


def _sse_chunks(stem: str, model: str, entry: int) -> list[dict[str, Any]]:
    lines = recording_entries(stem, model)[entry]["ResponseBody"]
    return [json.loads(line[len("data: ") :]) for line in lines if line.startswith("data: {")]


def recorded_stream_audio(stem: str, model: str, entry: int) -> bytes:
    """Every audio byte the service streamed, decoded chunk by chunk."""
    return b"".join(
        base64.b64decode(choice["delta"]["audio"]["data"])
        for chunk in _sse_chunks(stem, model, entry)
        for choice in chunk.get("choices") or []
        if (choice.get("delta") or {}).get("audio", {}).get("data")
    )


def recorded_stream_transcript(stem: str, model: str, entry: int) -> str:
    return "".join(
        choice["delta"]["audio"].get("transcript", "")
        for chunk in _sse_chunks(stem, model, entry)
        for choice in chunk.get("choices") or []
        if (choice.get("delta") or {}).get("audio")
    )


def recorded_usage(stem: str, model: str, entry: int) -> dict[str, Any]:
    body = recording_entries(stem, model)[entry]["ResponseBody"]
    if isinstance(body, dict):
        return body["usage"]  # type: ignore[no-any-return]
    return next(c["usage"] for c in _sse_chunks(stem, model, entry) if c.get("usage"))


def assert_usage(message: AIMessage, usage: dict[str, Any]) -> None:
    assert message.usage_metadata is not None
    assert message.usage_metadata["input_tokens"] == usage["prompt_tokens"]
    assert message.usage_metadata["output_tokens"] == usage["completion_tokens"]
    assert message.usage_metadata["total_tokens"] == usage["total_tokens"]
    assert (
        message.usage_metadata["input_token_details"]["audio"]
        == (usage["prompt_tokens_details"]["audio_tokens"])
    )
    assert (
        message.usage_metadata["output_token_details"]["audio"]
        == (usage["completion_tokens_details"]["audio_tokens"])
    )


# ------------------------------------------------------------ text -> audio


def test_text_to_audio_stream_delivers_every_recorded_byte(
    model: str, replay: Any, recorded_llm: Any
) -> None:
    with replay(TEXT_STREAM):
        chunks = list(recorded_llm(voice="ash").stream(PROMPT))
    message = functools.reduce(operator.add, chunks)
    assert isinstance(message, AIMessageChunk)
    audio = message.additional_kwargs["audio"]
    assert message.content == recorded_stream_transcript(TEXT_STREAM, model, 0) == "Hello"
    assert audio["transcript"] == "Hello"
    assert audio["id"].startswith("audio_")
    assert base64.b64decode(audio["data"], validate=True) == recorded_stream_audio(
        TEXT_STREAM, model, 0
    )
    assert isinstance(audio["expires_at"], int)
    assert message.response_metadata["audio_format"] == "pcm16"
    assert message.response_metadata["model_name"].startswith(model.split("-2025")[0])
    assert_usage(message, recorded_usage(TEXT_STREAM, model, 0))


def test_text_to_audio_invoke_with_streaming_equals_stream(
    model: str, replay: Any, recorded_llm: Any, tmp_path: Path
) -> None:
    llm = recorded_llm(voice="ash", streaming=True)
    with replay(TEXT_STREAM):
        message = llm.invoke(PROMPT)
    assert message.content == "Hello"
    expected = recorded_stream_audio(TEXT_STREAM, model, 0)
    assert base64.b64decode(message.additional_kwargs["audio"]["data"]) == expected
    blocks = [b for b in message.content_blocks if b["type"] == "audio"]
    assert blocks[0]["mime_type"] == "audio/pcm"  # type: ignore[typeddict-item]
    path = save_audio(message, tmp_path / "hello.wav")
    import wave

    with wave.open(str(path)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        assert wav.readframes(wav.getnframes()) == expected


async def test_text_to_audio_astream(model: str, replay: Any, recorded_llm: Any) -> None:
    with replay(TEXT_STREAM):
        chunks = [chunk async for chunk in recorded_llm(voice="ash").astream(PROMPT)]
    message = functools.reduce(operator.add, chunks)
    assert message.content == "Hello"
    assert base64.b64decode(message.additional_kwargs["audio"]["data"]) == (
        recorded_stream_audio(TEXT_STREAM, model, 0)
    )


def test_chain_with_str_output_parser_yields_the_words(
    model: str, replay: Any, recorded_llm: Any
) -> None:
    with replay(TEXT_STREAM):
        words = (recorded_llm(voice="ash", streaming=True) | StrOutputParser()).invoke(PROMPT)
    assert words == "Hello"


# ----------------------------------------------------- audio -> text + audio


def first_turn() -> HumanMessage:
    return HumanMessage(content=[audio_block(SHARED_AUDIO / "hello_world.mp3")])


def test_audio_to_text_and_audio(model: str, replay: Any, recorded_llm: Any) -> None:
    recorded = recording_entries(MULTITURN, model)[0]["ResponseBody"]["choices"][0]["message"]
    with replay(MULTITURN):
        answer = recorded_llm().invoke([first_turn()])
    assert answer.content == recorded["audio"]["transcript"]
    assert answer.additional_kwargs["audio"] == {
        key: recorded["audio"][key] for key in ("id", "data", "expires_at", "transcript")
    }
    assert answer.response_metadata["finish_reason"] == "stop"
    assert_usage(answer, recorded_usage(MULTITURN, model, 0))


async def test_audio_to_text_and_audio_async(model: str, replay: Any, recorded_llm: Any) -> None:
    recorded = recording_entries(MULTITURN, model)[0]["ResponseBody"]["choices"][0]["message"]
    with replay(MULTITURN):
        answer = await recorded_llm().ainvoke([first_turn()])
    assert answer.content == recorded["audio"]["transcript"]


# ------------------------------------------------------------- multi-turn


def test_multiturn_sends_the_audio_id_back(model: str, replay: Any, recorded_llm: Any) -> None:
    # The recorded ids expired long ago; when recorded they were live, so replay
    # as the service saw it: send the id (the default would send the transcript).
    llm = recorded_llm(expired_audio="send_id")
    question = HumanMessage(
        content=[
            {"type": "text", "text": "Please answer the following spoken question:"},
            audio_block(SHARED_AUDIO / "whats_the_weather_24khz_mono.wav"),
        ]
    )
    with replay(MULTITURN):
        first = llm.invoke([first_turn()])
        # The strict cassette matcher checks turn 2's body: the assistant turn
        # must be exactly {"role": "assistant", "audio": {"id": ...}}.
        chunks = list(llm.stream([first_turn(), first, question]))
    second = functools.reduce(operator.add, chunks)
    assert second.content == recorded_stream_transcript(MULTITURN, model, 1)
    assert "weather" in str(second.content).lower()
    assert base64.b64decode(second.additional_kwargs["audio"]["data"]) == (
        recorded_stream_audio(MULTITURN, model, 1)
    )
    assert_usage(second, recorded_usage(MULTITURN, model, 1))


def test_multiturn_expired_id_sends_the_transcript(
    model: str, replay: Any, recorded_llm: Any
) -> None:
    """The real ids have expired: by default the transcript goes instead of the dead id.
    That request was never recorded, so the strict replay refuses it: nothing goes out."""
    llm = recorded_llm()
    with replay(MULTITURN):
        first = llm.invoke([first_turn()])
    sent, _ = to_azure_messages([first_turn(), first, HumanMessage("again?")])
    assert sent[1] == {
        "role": "assistant",
        "content": first.additional_kwargs["audio"]["transcript"],
    }
    with replay(MULTITURN), pytest.raises(CannotOverwriteExistingCassetteException):
        llm.invoke([first_turn(), first, HumanMessage("again?")])
