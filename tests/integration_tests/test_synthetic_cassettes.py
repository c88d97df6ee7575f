"""The package end to end against its own synthetic cassettes (cassettes/*.json).

These cover what the real recordings do not: all five modality combinations,
Azure-only fields (`prompt_filter_results`, `content_filter_results`), Azure
error bodies, multi-turn with an expired id, and streams whose audio deltas
have odd byte lengths. See scripts/generate_cassettes.py.
"""

from __future__ import annotations

import base64
import functools
import json
import operator
import wave
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import StrOutputParser

from langchain_azure_audio import (
    ApiVersionTooOldError,
    AzureAudioAuthenticationError,
    AzureAudioRateLimitError,
    ContentFilterError,
    DeploymentNotFoundError,
    audio_block,
    audio_bytes,
    save_audio,
)
from langchain_azure_audio._azure.replay import strict_vcr
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

QUESTION_WAV = CASSETTES / "audio" / "question.wav"
MEETING_WAV = CASSETTES / "audio" / "meeting.wav"


@pytest.fixture
def cassette() -> Any:
    def use(name: str) -> Any:
        return strict_vcr().use_cassette(str(CASSETTES / name), allow_playback_repeats=True)

    return use


def recorded_response(name: str, index: int) -> dict[str, Any]:
    data = json.loads((CASSETTES / name).read_text())
    return json.loads(data["interactions"][index]["response"]["body"]["string"])  # type: ignore[no-any-return]


def spoken(path: Path, text: str | None = None) -> HumanMessage:
    parts: list[Any] = [{"type": "text", "text": text}] if text else []
    parts.append(audio_block(path))
    return HumanMessage(content=parts)


# ------------------------------------------------------------ five modalities

FIVE_USES = [
    pytest.param([HumanMessage("Is a golden retriever a good family dog?")], True, 0,
                 id="text->text+audio"),
    pytest.param([spoken(QUESTION_WAV)], True, 1, id="audio->text+audio"),
    pytest.param([SystemMessage("Transcribe the audio verbatim."), spoken(MEETING_WAV)], False, 2,
                 id="audio->text"),
    pytest.param([spoken(QUESTION_WAV, "Describe in detail the spoken audio input.")], True, 3,
                 id="text+audio->text+audio"),
    pytest.param([spoken(MEETING_WAV, "What day is the meeting moved to?")], False, 4,
                 id="text+audio->text"),
]  # fmt: skip


@pytest.mark.parametrize(("messages", "speaks", "index"), FIVE_USES)
def test_five_uses(
    messages: list[BaseMessage], speaks: bool, index: int, cassette: Any, tmp_path: Path
) -> None:
    modalities = ["text", "audio"] if speaks else ["text"]
    expected = recorded_response("modalities.json", index)["choices"][0]["message"]
    with cassette("modalities.json"):
        answer = make_llm(modalities=modalities).invoke(messages)
    if speaks:
        assert answer.content == expected["audio"]["transcript"]
        assert answer.additional_kwargs["audio"]["id"] == expected["audio"]["id"]
        path = save_audio(answer, tmp_path / "answer.wav")
        with wave.open(str(path)) as wav:
            assert wav.getnframes() > 0
        audio_blocks = [b for b in answer.content_blocks if b["type"] == "audio"]
        assert audio_blocks[0]["mime_type"] == "audio/wav"  # type: ignore[typeddict-item]
        assert answer.usage_metadata["output_token_details"]["audio"] > 0  # type: ignore[index]
    else:
        assert answer.content == expected["content"]
        assert "audio" not in answer.additional_kwargs
        assert [b["type"] for b in answer.content_blocks] == ["text"]
    assert answer.response_metadata["content_filter_results"]["violence"]["filtered"] is False
    assert answer.response_metadata["prompt_filter_results"][0]["prompt_index"] == 0


async def test_five_uses_async_batch(cassette: Any) -> None:
    text_llm = make_llm(modalities=["text"])
    with cassette("modalities.json"):
        spoken_answers = await make_llm().abatch(
            [[HumanMessage("Is a golden retriever a good family dog?")], [spoken(QUESTION_WAV)]]
        )
        transcripts = await text_llm.abatch(
            [[SystemMessage("Transcribe the audio verbatim."), spoken(MEETING_WAV)]]
        )
    assert [a.content for a in spoken_answers] == [
        recorded_response("modalities.json", i)["choices"][0]["message"]["audio"]["transcript"]
        for i in (0, 1)
    ]
    assert transcripts[0].content == "Let's move the design review to Thursday at ten."


def test_batch_sync(cassette: Any) -> None:
    with cassette("modalities.json"):
        answers = make_llm().batch(
            ["Is a golden retriever a good family dog?", [spoken(QUESTION_WAV)]]
        )
    assert all(a.additional_kwargs["audio"]["data"] for a in answers)


def test_chain_yields_words_not_empty_string(cassette: Any) -> None:
    with cassette("modalities.json"):
        words = (make_llm() | StrOutputParser()).invoke("Is a golden retriever a good family dog?")
    assert words.startswith("Yes, golden retrievers")


# ------------------------------------------------------------------ multi-turn


def test_multiturn_by_audio_id(cassette: Any) -> None:
    llm = make_llm()
    question = spoken(QUESTION_WAV)
    with cassette("multiturn.json"):
        first = llm.invoke([question])
        second = llm.invoke([question, first, HumanMessage("And tomorrow?")])
    assert second.content == "Tomorrow brings light rain."


async def test_multiturn_expired_id_falls_back_to_transcript(cassette: Any) -> None:
    llm = make_llm()
    question = spoken(QUESTION_WAV)
    with cassette("multiturn.json"):
        first = await llm.ainvoke([question])
        expired = AIMessage(
            content=first.content,
            additional_kwargs={"audio": {**first.additional_kwargs["audio"], "expires_at": 1}},
        )
        second = await llm.ainvoke([question, expired, HumanMessage("And tomorrow?")])
    assert second.content == "Tomorrow brings light rain, I expect."


# --------------------------------------------------------------------- streams


def _stream_pcm(index: int) -> bytes:
    body = json.loads((CASSETTES / "streams.json").read_text())["interactions"][index]
    chunks = [
        json.loads(line[len("data: ") :])
        for line in body["response"]["body"]["string"].split("\n\n")
        if line.startswith("data: {")
    ]
    return b"".join(
        base64.b64decode(choice["delta"]["audio"]["data"])
        for chunk in chunks
        for choice in chunk.get("choices") or []
        if (choice.get("delta") or {}).get("audio", {}).get("data")
    )


def test_stream_with_odd_sized_audio_deltas_aggregates_to_valid_base64(cassette: Any) -> None:
    with cassette("streams.json"):
        chunks = list(make_llm().stream("Say hello to the listeners."))
    deltas = [c.additional_kwargs["audio"]["data"] for c in chunks
              if c.additional_kwargs.get("audio", {}).get("data")]  # fmt: skip
    # every delta but the last encodes whole 3-byte groups: no padding mid-stream
    assert all(len(d) % 4 == 0 and not d.endswith("=") for d in deltas[:-1])
    message = functools.reduce(operator.add, chunks)
    audio = message.additional_kwargs["audio"]
    assert base64.b64decode(audio["data"], validate=True) == _stream_pcm(0)
    assert audio["id"] == "audio_synthetic_0021"
    assert audio["transcript"] == message.content == "Hello to all our listeners, welcome back."
    assert audio["expires_at"] == 4102444800
    assert message.usage_metadata["output_token_details"]["audio"] > 0  # type: ignore[index]
    assert message.response_metadata["prompt_filter_results"][0]["prompt_index"] == 0
    assert message.response_metadata["audio_format"] == "pcm16"


async def test_astream_text_only(cassette: Any) -> None:
    question = spoken(QUESTION_WAV, "What is asked here? Answer in one sentence.")
    with cassette("streams.json"):
        chunks = [c async for c in make_llm(modalities=["text"]).astream([question])]
    message = functools.reduce(operator.add, chunks)
    assert message.content == "The speaker asks about the weather."
    assert "audio" not in message.additional_kwargs
    assert "audio_format" not in message.response_metadata


def test_streaming_requests_pcm16_even_when_wav_is_configured(cassette: Any) -> None:
    """The service streams only pcm16; a wav-configured model asks for pcm16 and says so."""
    llm = make_llm(audio_format="wav", streaming=True)
    with cassette("streams.json"):
        message = llm.invoke("Say hello to the listeners.")
    assert message.response_metadata["audio_format"] == "pcm16"
    assert audio_bytes(message, as_wav=True)[:4] == b"RIFF"


# -------------------------------------------------------------- service errors


@pytest.mark.parametrize(
    ("settings", "error", "says"),
    [
        ({"azure_deployment": "no-such-deployment"}, DeploymentNotFoundError,
         "no-such-deployment"),
        ({"azure_deployment": "wrong-key"}, AzureAudioAuthenticationError, "API key"),
        ({"api_version": "2024-06-01"}, ApiVersionTooOldError, "2025-01-01-preview"),
        ({"azure_deployment": "busy-deployment"}, AzureAudioRateLimitError, "wait 7 s"),
    ],
)  # fmt: skip
def test_service_errors_are_typed(
    settings: dict[str, Any], error: type[Exception], says: str, cassette: Any
) -> None:
    with cassette("service_errors.json"), pytest.raises(error, match=says) as caught:
        make_llm(**settings).invoke("Hello?")
    assert "test-key" not in str(caught.value)


def test_content_filter_400_names_categories(cassette: Any) -> None:
    with cassette("service_errors.json"), pytest.raises(ContentFilterError) as caught:
        make_llm().invoke("Describe something violent.")
    assert caught.value.categories == ["violence"]
    assert caught.value.status_code == 400
    assert caught.value.code == "content_filter"


def test_content_filter_finish_reason_on_200_is_in_metadata(cassette: Any) -> None:
    with cassette("service_errors.json"):
        answer = make_llm().invoke("Tell me a violent story.")
    assert answer.response_metadata["finish_reason"] == "content_filter"
    assert answer.response_metadata["content_filter_results"]["violence"]["filtered"] is True


# ------------------------------------------------------------------------ demo


def test_offline_demo_replays_the_synthetic_session_and_says_so(tmp_path: Path) -> None:
    from langchain_azure_audio.cli.demo import run_demo

    said: list[str] = []
    run_demo(tmp_path, live=False, say=said.append)
    output = "\n".join(said)
    assert "SYNTHETIC" in output
    assert "Yes, golden retrievers make wonderful family dogs" in output
    assert "Very favorable." in output
    for name in ("dog.wav", "analysis.wav"):
        with wave.open(str(tmp_path / name)) as wav:
            assert wav.getframerate() == 24000
            assert wav.getnframes() > 24000  # more than a second of speech
