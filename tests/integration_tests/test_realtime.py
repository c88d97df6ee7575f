"""`AzureChatOpenAIRealtime.invoke`/`stream` against the scripted realtime server.

The server (tests/realtime_server.py, 127.0.0.1) checks each protocol's
`session.update` the way the documentation shapes it and answers with scripted
speech; the expectations below are written by hand from what the script says.
"""

from __future__ import annotations

import asyncio
import base64
import io
import itertools
import time
import wave
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from langchain_azure_audio import (
    AzureAudioAuthenticationError,
    AzureAudioRateLimitError,
    AzureChatOpenAIRealtime,
    ContentFilterError,
    DeploymentNotFoundError,
    StreamInterruptedError,
    VoiceNotAvailableError,
    audio_block,
)
from tests.realtime_server import CallTools, Fail, RealtimeServer, Speak, scripted, tone

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def make(server: RealtimeServer, **kwargs: Any) -> AzureChatOpenAIRealtime:
    params: dict[str, Any] = {
        "azure_endpoint": server.endpoint,
        "azure_deployment": "gpt-realtime",
        "api_key": "realtime-test-key",
        "max_retries": 0,
        "timeout": 10,
    }
    return AzureChatOpenAIRealtime(**{**params, **kwargs})  # fmt: skip


@pytest.fixture
def server() -> Iterator[RealtimeServer]:
    with RealtimeServer() as running:
        yield running


# ------------------------------------------------------------- the answer


def test_invoke_returns_the_chat_models_shape() -> None:
    pcm = tone(300, hz=330)  # three 100 ms chunks
    with RealtimeServer(scripted(Speak("Golden retrievers are gentle.", pcm=pcm))) as server:
        answer = make(server).invoke([SystemMessage("Be brief."), HumanMessage("Good dog?")])
    assert answer.content == "Golden retrievers are gentle."
    audio = answer.additional_kwargs["audio"]
    assert base64.b64decode(audio["data"]) == pcm  # the speech, whole, in order
    assert audio["transcript"] == "Golden retrievers are gentle."
    assert answer.response_metadata["status"] == "completed"
    assert answer.response_metadata["finish_reason"] == "stop"
    assert answer.response_metadata["audio_format"] == "pcm16"
    assert answer.response_metadata["model_name"] == "gpt-realtime-2025-08-28"
    blocks = answer.content_blocks
    assert [b["type"] for b in blocks] == ["text", "audio"]
    assert blocks[1]["mime_type"] == "audio/pcm"  # type: ignore[typeddict-item]
    usage = answer.usage_metadata
    assert usage is not None
    assert usage["output_token_details"]["audio"] == 6  # 300 ms at 20 tokens a second
    sent = server.connections[0]
    assert sent.session["instructions"] == "Be brief."
    assert sent.session["audio"]["output"]["voice"] == "alloy"
    assert sent.items[0]["content"] == [{"type": "input_text", "text": "Good dog?"}]


def test_stream_yields_transcript_and_pcm_as_they_come() -> None:
    pcm = tone(200)
    with RealtimeServer(scripted(Speak("one two", pcm=pcm))) as server:
        chunks = list(make(server).stream("count"))
    text = "".join(c.text for c in chunks)
    data = b"".join(base64.b64decode(c.additional_kwargs.get("audio", {}).get("data", ""))
                    for c in chunks)  # fmt: skip
    assert text == "one two"
    assert data == pcm
    assert sum(1 for c in chunks if c.additional_kwargs.get("audio", {}).get("data")) >= 2
    assert chunks[-1].response_metadata["status"] == "completed"


def test_audio_input_goes_as_pcm16_at_24_khz(tmp_path: Any) -> None:
    samples = tone(500, hz=200)[: 500 * 48]
    wav = tmp_path / "question.wav"
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(24_000)
        out.writeframes(samples)
    with RealtimeServer() as server:
        answer = make(server).invoke([HumanMessage(["What is this?", audio_block(wav)])])
    (item,) = server.connections[0].items[:1]
    parts = item["content"]
    assert parts[0] == {"type": "input_text", "text": "What is this?"}
    assert base64.b64decode(parts[1]["audio"]) == samples  # the same samples, no header
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_token_details"]["audio"] == 10


def test_preview_protocol_url_session_and_event_names() -> None:
    with RealtimeServer(scripted(Speak("Preview hello", pcm=tone(100)))) as server:
        llm = make(server, azure_deployment="gpt-4o-realtime-preview",
                   api_version="2025-04-01-preview", voice="verse")  # fmt: skip
        answer = llm.invoke("hi")
    conn = server.connections[0]
    assert conn.path == "/openai/realtime"
    assert conn.query == {"api-version": "2025-04-01-preview",
                          "deployment": "gpt-4o-realtime-preview"}  # fmt: skip
    assert conn.session["voice"] == "verse"
    assert conn.session["input_audio_format"] == "pcm16"
    assert conn.session["modalities"] == ["text", "audio"]
    assert answer.content == "Preview hello"  # from response.audio_transcript.delta
    assert len(base64.b64decode(answer.additional_kwargs["audio"]["data"])) == 4800


def test_ga_url_has_the_deployment_and_no_api_version() -> None:
    with RealtimeServer() as server:
        make(server, azure_deployment="voice-prod").invoke("hi")
    conn = server.connections[0]
    assert (conn.path, conn.query) == ("/openai/v1/realtime", {"model": "voice-prod"})
    assert conn.session["type"] == "realtime"
    assert conn.session["audio"]["input"]["format"] == {"type": "audio/pcm", "rate": 24000}


# ----------------------------------------------------------------- tools


def test_tool_calls_and_results_round_trip() -> None:
    @tool
    def weather(city: str) -> str:
        """The weather in a city."""
        return f"Sunny in {city}"

    steps = scripted(CallTools([("weather", {"city": "Oslo"})]), Speak("Sunny in Oslo"))
    with RealtimeServer(steps) as server:
        llm = make(server).bind_tools([weather])
        first = llm.invoke("Weather in Oslo?")
        assert first.tool_calls[0]["name"] == "weather"
        assert first.tool_calls[0]["args"] == {"city": "Oslo"}
        call_id = first.tool_calls[0]["id"]
        result = ToolMessage("Sunny in Oslo", tool_call_id=call_id)
        second = llm.invoke([HumanMessage("Weather in Oslo?"), first, result])
    assert second.content == "Sunny in Oslo"
    sent = [e["item"] for e in server.connections[1].sent("conversation.item.create")]
    assert [i["type"] for i in sent] == ["message", "function_call", "function_call_output"]
    assert sent[1]["call_id"] == sent[2]["call_id"] == call_id
    assert sent[2]["output"] == "Sunny in Oslo"
    assert server.connections[0].session["tools"][0] == {
        "type": "function", "name": "weather", "description": "The weather in a city.",
        "parameters": {"properties": {"city": {"type": "string"}}, "required": ["city"],
                       "type": "object"}}  # fmt: skip


def test_structured_output_forces_the_one_function() -> None:
    from pydantic import BaseModel

    class Caller(BaseModel):
        """Who called."""

        name: str

    with RealtimeServer(scripted(CallTools([("Caller", {"name": "Ada"})]))) as server:
        ga = make(server).with_structured_output(Caller).invoke("It's Ada.")
        sent_choice = server.connections[0].session["tool_choice"]
    assert ga == Caller(name="Ada")
    assert sent_choice == {"type": "function", "name": "Caller"}


def test_create_agent_runs_a_tool_through_the_realtime_model() -> None:
    agents = pytest.importorskip("langchain.agents", reason="create_agent needs langchain")
    create_agent = agents.create_agent

    calls = []

    @tool
    def lookup(word: str) -> str:
        """Look a word up."""
        calls.append(word)
        return "a small dog"

    steps = scripted(
        CallTools([("lookup", {"word": "terrier"})]), Speak("A terrier is a small dog.")
    )
    with RealtimeServer(steps) as server:
        agent = create_agent(model=make(server), tools=[lookup])
        state = agent.invoke({"messages": [HumanMessage("What is a terrier?")]})
    assert calls == ["terrier"]
    assert state["messages"][-1].content == "A terrier is a small dog."


# ---------------------------------------------------------- sign-in, errors


def test_api_key_goes_in_the_api_key_header_only(server: RealtimeServer) -> None:
    make(server).invoke("hi")
    headers = server.connections[0].headers
    assert headers["api-key"] == "realtime-test-key"
    assert "authorization" not in headers
    assert "realtime-test-key" not in server.connections[0].path + str(server.connections[0].query)


def test_token_provider_is_asked_for_a_fresh_token_per_connection(server: RealtimeServer) -> None:
    numbers = itertools.count(1)
    llm = make(server, api_key=None, azure_ad_token_provider=lambda: f"token-{next(numbers)}")
    llm.invoke("one")
    llm.invoke("two")
    assert [c.headers["authorization"] for c in server.connections] == [
        "Bearer token-1", "Bearer token-2"]  # fmt: skip
    assert all("api-key" not in c.headers for c in server.connections)


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AzureAudioAuthenticationError), (403, AzureAudioAuthenticationError),
     (404, DeploymentNotFoundError)],
)  # fmt: skip
def test_a_refused_handshake_is_one_typed_error(status: int, error: type[Exception]) -> None:
    body = f'{{"error": {{"code": "{status}", "message": "refused by the script"}}}}'
    with RealtimeServer(refuse={1: (status, body)}) as server:
        with pytest.raises(error) as raised:
            make(server, max_retries=2).invoke("hi")
        assert len(server.handshakes) == 1  # no retry of a refusal
    assert "\n" not in str(raised.value)
    assert "realtime-test-key" not in str(raised.value)


@pytest.mark.parametrize(
    ("fail", "error"),
    [(Fail("rate_limit_exceeded", "Too many requests."), AzureAudioRateLimitError),
     (Fail("content_filter", "The response was filtered."), ContentFilterError),
     (Fail("invalid_value", "Voice 'x' is not supported.", param="session.voice"),
      VoiceNotAvailableError)],
)  # fmt: skip
def test_an_error_event_is_the_matching_typed_error(fail: Fail, error: type[Exception]) -> None:
    with RealtimeServer(scripted(fail)) as server, pytest.raises(error) as raised:
        make(server).invoke("hi")
    assert fail.message in str(raised.value)


def test_bad_settings_are_refused_before_any_connection() -> None:
    from langchain_azure_audio import AzureAudioConfigError

    base = {"azure_endpoint": "https://r.openai.azure.com", "azure_deployment": "gpt-realtime",
            "api_key": "k"}  # fmt: skip
    with pytest.raises(AzureAudioConfigError, match="voice 'nova'"):
        AzureChatOpenAIRealtime(**base, voice="nova")
    with pytest.raises(AzureAudioConfigError, match="marin"):  # the previews have 8 voices
        AzureChatOpenAIRealtime(**{**base, "azure_deployment": "gpt-4o-realtime-preview"},
                                voice="marin", api_version="2025-04-01-preview")  # fmt: skip
    with pytest.raises(AzureAudioConfigError, match="api_version='2025-04-01-preview'"):
        AzureChatOpenAIRealtime(**base, api_version="latest")
    with pytest.raises(AzureAudioConfigError, match="v1"):
        AzureChatOpenAIRealtime(**{**base, "azure_endpoint": "https://r.openai.azure.com/openai/v1"},
                                api_version="2025-04-01-preview")  # fmt: skip
    llm = AzureChatOpenAIRealtime(**base)
    with pytest.raises(AzureAudioConfigError, match="no stop sequences"):
        llm.invoke("hi", stop=["."])
    with pytest.raises(AzureAudioConfigError, match="temperature"):
        llm.invoke("hi", temperature=0.2)


# ------------------------------------------------------------ cancellation


def _held(server: RealtimeServer) -> bool:
    return bool(server.connections) and len(server.connections[0].generated_ms) == 1 and (
        next(iter(server.connections[0].generated_ms.values())) >= 200)  # fmt: skip


async def test_cancelling_ainvoke_closes_the_socket_within_half_a_second() -> None:
    with RealtimeServer(scripted(Speak("a long story " * 20, hold_after=2))) as server:
        task = asyncio.create_task(make(server).ainvoke("tell me a story"))
        await server.await_(lambda: _held(server))
        cancelled_at = time.monotonic()
        task.cancel()
        await server.await_(lambda: server.connections[0].closed_at is not None, timeout=5)
        with pytest.raises(asyncio.CancelledError):
            await task
        closed_at = server.connections[0].closed_at
    assert closed_at is not None
    assert closed_at - cancelled_at <= 0.5


def test_breaking_out_of_stream_closes_the_socket() -> None:
    with RealtimeServer(scripted(Speak("a long story " * 20, hold_after=2))) as server:
        stream = make(server).stream("tell me a story")
        next(stream)
        server.wait(lambda: _held(server))
        stopped_at = time.monotonic()
        stream.close()
        server.wait(lambda: server.connections[0].closed_at is not None, timeout=5)
        closed_at = server.connections[0].closed_at
    assert closed_at is not None
    assert closed_at - stopped_at <= 0.5


def test_a_dropped_connection_mid_answer_reports_what_arrived() -> None:
    with RealtimeServer(scripted(Speak("a long story " * 20, hold_after=2))) as server:
        stream = make(server).stream("tell me a story")
        received = b""
        while len(received) < 2 * 4800:  # the two chunks the server sends before it holds
            chunk = next(stream)
            received += base64.b64decode(chunk.additional_kwargs.get("audio", {}).get("data", ""))
        server.connections[0].ws.transport.abort()  # type: ignore[union-attr]
        with pytest.raises(StreamInterruptedError) as raised:
            list(stream)
    partial = raised.value.partial
    assert isinstance(partial, AIMessage)
    assert base64.b64decode(partial.additional_kwargs["audio"]["data"]) == received
    assert partial.response_metadata["incomplete"] is True


def test_wav_that_is_not_24_khz_is_resampled() -> None:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(16_000)
        out.writeframes(bytes(16_000 * 2))  # one second
    block = {"type": "audio", "base64": base64.b64encode(buffer.getvalue()).decode(),
             "mime_type": "audio/wav"}  # fmt: skip
    with RealtimeServer() as server:
        make(server).invoke([HumanMessage([block])])
    sent = base64.b64decode(server.connections[0].items[0]["content"][0]["audio"])
    assert abs(len(sent) - 48_000) <= 96  # one second at 24 kHz (a few samples of filter edge)
