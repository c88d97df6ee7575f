"""Request bodies checked against Azure's documented shape, written out by hand.

The synthetic cassettes record bodies that our own translation produced, so
replaying them only proves requests did not change. Here every expected body
is typed out from Azure's audio quickstart (REST: `model`, `modalities`,
`audio: {voice, format}`, `messages` with `input_audio` parts, the assistant
turn as `{"role": "assistant", "audio": {"id": ...}}`) and the chat
completions reference (tools, `tool_choice`, `stream_options`), not computed
by the package. The only computed values are the base64 of the input files
(by the standard library) and tool-call arguments, compared as JSON.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx2
import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import BaseModel

from langchain_azure_audio import audio_block
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

QUESTION = CASSETTES / "audio" / "question.wav"
MEETING = CASSETTES / "audio" / "meeting.wav"
QUESTION_B64 = base64.b64encode(QUESTION.read_bytes()).decode()
MEETING_B64 = base64.b64encode(MEETING.read_bytes()).decode()
DEPLOYMENT = "gpt-4o-mini-audio-preview"
STREAM_END = (b'data: {"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1,'
              b'"total_tokens":2}}\n\ndata: [DONE]\n\n')  # fmt: skip


def sent_body(messages: list[BaseMessage] | str, *, stream: bool = False, bind: Any = None,
              **settings: Any) -> dict[str, Any]:  # fmt: skip
    """The JSON body the model puts on the wire for `messages`, and the URL it goes to."""
    seen: list[httpx2.Request] = []

    def service(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if stream:
            return httpx2.Response(200, headers={"content-type": "text/event-stream"},
                                   content=STREAM_END)  # fmt: skip
        return httpx2.Response(200, json={"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}}]})  # fmt: skip

    llm = make_llm(http_client=httpx2.Client(transport=httpx2.MockTransport(service)), **settings)
    runnable: Any = bind(llm) if bind else llm
    if stream:
        list(runnable.stream(messages))
    else:
        runnable.invoke(messages)
    [request] = seen
    assert request.method == "POST"
    assert request.url.path == f"/openai/deployments/{DEPLOYMENT}/chat/completions"
    assert request.url.params["api-version"] == "2025-01-01-preview"
    assert request.headers["content-type"] == "application/json"
    return normalise(json.loads(request.content))


def normalise(body: dict[str, Any]) -> dict[str, Any]:
    """Tool-call arguments are a JSON string: compare what they say, not their spacing."""
    for message in body.get("messages", []):
        for call in message.get("tool_calls", []):
            call["function"]["arguments"] = json.loads(call["function"]["arguments"])
    return body


def spoken(text: str | None = None, path: Any = QUESTION) -> HumanMessage:
    parts: list[Any] = [{"type": "text", "text": text}] if text else []
    return HumanMessage(content=[*parts, audio_block(path)])


# ------------------------------------------------------ the five modality combinations


def test_text_in_text_and_audio_out() -> None:
    assert sent_body("Is a golden retriever a good family dog?") == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "wav"},
        "messages": [{"role": "user", "content": "Is a golden retriever a good family dog?"}],
    }


def test_audio_in_text_and_audio_out() -> None:
    assert sent_body([spoken()], voice="echo", audio_format="mp3") == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "echo", "format": "mp3"},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": QUESTION_B64, "format": "wav"}}
                ],
            }
        ],
    }


def test_audio_in_text_out() -> None:
    messages = [SystemMessage("Transcribe the audio verbatim."), spoken(path=MEETING)]
    assert sent_body(messages, modalities=["text"]) == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text"],
        "messages": [
            {"role": "system", "content": "Transcribe the audio verbatim."},
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": MEETING_B64, "format": "wav"}}
                ],
            },
        ],
    }


def test_text_and_audio_in_text_and_audio_out() -> None:
    body = sent_body([spoken("Describe in detail the spoken audio input.")], voice="shimmer")
    assert body == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "shimmer", "format": "wav"},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Describe in detail the spoken audio input."},
                    {"type": "input_audio", "input_audio": {"data": QUESTION_B64, "format": "wav"}},
                ],
            }
        ],
    }


def test_text_and_audio_in_text_out() -> None:
    body = sent_body([spoken("What day is the meeting moved to?", MEETING)],
                     modalities=["text"], temperature=0.2, max_completion_tokens=50)  # fmt: skip
    assert body == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text"],
        "temperature": 0.2,
        "max_completion_tokens": 50,
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What day is the meeting moved to?"},
                    {"type": "input_audio", "input_audio": {"data": MEETING_B64, "format": "wav"}},
                ],
            }
        ],
    }


# ------------------------------------------------------------------- multi-turn


def earlier_answer(expires_at: int) -> AIMessage:
    return AIMessage(content="It will be sunny.", additional_kwargs={"audio": {
        "id": "audio_6772b5a4", "expires_at": expires_at, "transcript": "It will be sunny.",
        "data": "AAAA"}})  # fmt: skip


def test_multiturn_sends_the_earlier_answer_by_its_audio_id() -> None:
    messages = [spoken(), earlier_answer(4102444800), HumanMessage("And tomorrow?")]
    assert sent_body(messages) == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "wav"},
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "input_audio", "input_audio": {"data": QUESTION_B64, "format": "wav"}}
                ],
            },
            {"role": "assistant", "audio": {"id": "audio_6772b5a4"}},
            {"role": "user", "content": "And tomorrow?"},
        ],
    }


def test_multiturn_sends_the_transcript_once_the_audio_id_expired() -> None:
    messages = [HumanMessage("Weather?"), earlier_answer(1_000_000), HumanMessage("And tomorrow?")]
    assert sent_body(messages) == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "wav"},
        "messages": [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": "It will be sunny."},
            {"role": "user", "content": "And tomorrow?"},
        ],
    }


# ------------------------------------------------------------------------ tools


class GetWeather(BaseModel):
    """Get the current weather for a city."""

    city: str


def test_tools_and_tool_choice() -> None:
    def bind(llm: Any) -> Any:
        return llm.bind_tools([GetWeather], tool_choice="GetWeather")

    body = sent_body("What is the weather in Paris?", bind=bind)
    assert body == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "wav"},
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "GetWeather",
                    "description": "Get the current weather for a city.",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            }
        ],
        "tool_choice": {"type": "function", "function": {"name": "GetWeather"}},
    }


def test_tool_results_go_back_as_tool_messages() -> None:
    call = AIMessage(content="", tool_calls=[
        {"id": "call_Ab12", "name": "GetWeather", "args": {"city": "Paris"}}])  # fmt: skip
    messages = [HumanMessage("What is the weather in Paris?"), call,
                ToolMessage("Sunny, 21 C", tool_call_id="call_Ab12")]  # fmt: skip
    assert sent_body(messages, modalities=["text", "audio"]) == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "wav"},
        "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {  # content may be left out when tool_calls are given
                "role": "assistant",
                "tool_calls": [
                    {
                        "id": "call_Ab12",
                        "type": "function",
                        "function": {"name": "GetWeather", "arguments": {"city": "Paris"}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_Ab12", "content": "Sunny, 21 C"},
        ],
    }


# -------------------------------------------------------------------- streaming


@pytest.mark.parametrize("audio_format", ["wav", "mp3"])
def test_streaming_asks_for_pcm16_and_usage(audio_format: str) -> None:
    """Azure streams audio only as pcm16; usage comes only when asked for."""
    body = sent_body("Say hello.", stream=True, audio_format=audio_format)
    assert body == {
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "alloy", "format": "pcm16"},
        "messages": [{"role": "user", "content": "Say hello."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
