"""Agents that listen and speak: tools, structured output and the speak/transcribe
tools, replayed from cassettes/agents.json (synthetic; see tests/agent_flows.py)."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from langchain_azure_audio import (
    AzureAudioConfigError,
    AzureAudioInputError,
    AzureChatOpenAIAudio,
    save_audio,
)
from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.tools import SpeakTool, TranscribeTool
from tests import agent_flows as flows
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

WEATHER = "It is sunny and 22 degrees in Paris today."


@pytest.fixture
def llm() -> Any:
    with strict_vcr().use_cassette(str(CASSETTES / "agents.json"), allow_playback_repeats=True):
        yield make_llm()


def assert_agent_spoke(messages: list[Any], tmp_path: Path) -> None:
    question, call, result, answer = messages
    assert question.content[0]["type"] in ("audio", "input_audio")
    assert isinstance(call, AIMessage)
    assert call.tool_calls[0]["name"] == "get_weather"
    assert call.tool_calls[0]["args"] == {"city": "Paris"}
    assert isinstance(result, ToolMessage)
    assert result.content == WEATHER
    assert isinstance(answer, AIMessage)
    assert answer.content == WEATHER
    path = save_audio(answer, tmp_path / "answer.wav")
    with wave.open(str(path)) as wav:
        assert wav.getnframes() > 0


def test_agent_hears_a_question_calls_a_tool_and_answers_in_speech(
    llm: AzureChatOpenAIAudio, tmp_path: Path
) -> None:
    assert_agent_spoke(flows.agent_answers_a_spoken_question(llm), tmp_path)


async def test_agent_async(llm: AzureChatOpenAIAudio, tmp_path: Path) -> None:
    assert_agent_spoke(await flows.agent_answers_a_spoken_question_async(llm), tmp_path)


def test_tool_round_trip_by_hand(llm: AzureChatOpenAIAudio) -> None:
    _question, call, result, answer = flows.tool_round_trip(llm)
    assert call.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_synthetic0005",
         "type": "tool_call"}
    ]  # fmt: skip
    assert result.tool_call_id == call.tool_calls[0]["id"]
    assert answer.content == WEATHER
    assert answer.additional_kwargs["audio"]["data"]


def test_streamed_tool_call_chunks_merge(llm: AzureChatOpenAIAudio) -> None:
    merged = flows.streamed_tool_call(llm)
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "Paris"})
    ]
    assert not merged.invalid_tool_calls


def test_structured_output_from_a_voicemail(llm: AzureChatOpenAIAudio) -> None:
    model, typed, raw = flows.structured_from_voicemail(llm)
    assert model == flows.Voicemail(caller_name="example caller_name", request="example request")
    assert typed == {"caller_name": "example caller_name", "request": "example request"}
    assert raw["parsing_error"] is None
    assert raw["parsed"] == typed
    assert raw["raw"].tool_calls[0]["name"] == "voicemail"


async def test_structured_output_async(llm: AzureChatOpenAIAudio) -> None:
    parsed = await flows.structured_from_voicemail_async(llm)
    assert isinstance(parsed, flows.Voicemail)


def _check_speech(said: ToolMessage, heard: str, out_dir: Path) -> None:
    assert isinstance(said, ToolMessage)
    assert str(out_dir / "welcome.wav") in str(said.content)
    assert "base64" not in str(said.content)
    assert len(str(said.content)) < 200  # the agent's context gets a path, not audio
    assert said.artifact["path"] == str(out_dir / "welcome.wav")
    assert said.artifact["audio"]["data"]
    with wave.open(str(out_dir / "welcome.wav")) as wav:
        assert wav.getnframes() > 0
    assert heard == "You said audio."


def test_speak_and_transcribe_tools(llm: AzureChatOpenAIAudio, tmp_path: Path) -> None:
    said, heard = flows.speak_and_transcribe(llm, tmp_path)
    _check_speech(said, heard, tmp_path.resolve())


async def test_speak_and_transcribe_tools_async(llm: AzureChatOpenAIAudio, tmp_path: Path) -> None:
    said, heard = await flows.speak_and_transcribe_async(llm, tmp_path)
    _check_speech(said, heard, tmp_path.resolve())


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("tools", "says"),
    [
        ([{"type": "function", "function": {"name": "get weather", "parameters": {}}}],
         "tool names must be 1-64 characters"),
        ([{"type": "function", "function": {"name": "f", "parameters": {"type": "array"}}}],
         "parameters must be a JSON schema of type 'object'"),
        ([{"type": "code_interpreter"}], "only function tools"),
        ([flows.get_weather] * 129, "at most 128"),
    ],
    ids=["name-with-space", "array-parameters", "not-a-function", "too-many"],
)  # fmt: skip
def test_tool_schemas_the_service_would_reject(tools: list[Any], says: str) -> None:
    with pytest.raises(AzureAudioConfigError, match=says):
        make_llm().bind_tools(tools)


def test_tool_choice_must_name_a_bound_tool() -> None:
    with pytest.raises(AzureAudioConfigError, match="not one of the bound tools"):
        make_llm().bind_tools([flows.get_weather], tool_choice="get_time")


def test_tool_message_without_a_call_is_refused_before_the_request() -> None:
    history = [HumanMessage("Hi"), ToolMessage("42", tool_call_id="call_missing")]
    with pytest.raises(AzureAudioInputError, match="no earlier AIMessage made that call"):
        make_llm().bind_tools([flows.get_weather]).invoke(history)


@pytest.mark.parametrize("method", ["json_schema", "json_mode"])
def test_json_methods_are_served_by_function_calling(
    method: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Code written for AzureChatOpenAI keeps working: the same forced function call."""
    expected = make_llm().with_structured_output(flows.Voicemail).first  # type: ignore[attr-defined]
    with caplog.at_level("INFO", logger="langchain_azure_audio"):
        bound = make_llm().with_structured_output(flows.Voicemail, method=method).first  # type: ignore[attr-defined]
        make_llm().with_structured_output(flows.Voicemail, method=method)
    assert bound.kwargs["tools"] == expected.kwargs["tools"]
    assert bound.kwargs["tool_choice"] == expected.kwargs["tool_choice"]
    assert "response_format" not in bound.kwargs
    logged = [r for r in caplog.records if "served by function calling" in r.getMessage()]
    assert len(logged) <= 1  # once per process and method (maybe already logged earlier)


def test_json_mode_without_a_schema_says_why() -> None:
    with pytest.raises(AzureAudioConfigError, match="needs a schema"):
        make_llm().with_structured_output(None, method="json_mode")


def test_response_format_is_refused_before_the_request() -> None:
    llm = make_llm().bind(response_format={"type": "json_object"})
    with pytest.raises(AzureAudioConfigError, match="with_structured_output"):
        llm.invoke("Hi")


def test_tools_stay_inside_their_folders(tmp_path: Path) -> None:
    llm = make_llm()
    with pytest.raises(AzureAudioInputError, match="outside"):
        TranscribeTool(llm=llm, root_dir=tmp_path).invoke({"path": "../../etc/passwd"})
    speak = SpeakTool(llm=llm, output_dir=tmp_path)
    assert speak._target("../../escape.wav").parent == tmp_path.resolve()
