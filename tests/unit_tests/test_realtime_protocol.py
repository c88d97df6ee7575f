"""The realtime translation, without a socket: URLs, session shapes, items, barge-in
arithmetic, error events, settings, profiles.

Expected values are typed here from the documentation (Microsoft's WebSockets page and
migration guide, the `openai` SDK's GA and preview types, Microsoft's retirement
schedule), not computed by the package.
"""

from __future__ import annotations

import base64
import datetime
import io
import wave
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_azure_audio import (
    AzureAudioAuthenticationError,
    AzureAudioConfigError,
    AzureAudioInputError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    AzureChatOpenAIRealtime,
    ContentFilterError,
    VoiceNotAvailableError,
)
from langchain_azure_audio._azure.realtime import error_event_error, realtime_endpoint
from langchain_azure_audio._realtime import protocol as proto
from langchain_azure_audio._realtime.turns import heard_ms, heard_text

# ------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("endpoint", "api_version", "url"),
    [
        ("https://res.openai.azure.com", None,
         "wss://res.openai.azure.com/openai/v1/realtime?model=dep"),
        ("https://res.openai.azure.com/openai/v1", None,
         "wss://res.openai.azure.com/openai/v1/realtime?model=dep"),
        ("https://res.openai.azure.com", "2025-04-01-preview",
         "wss://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview&deployment=dep"),
        ("https://gateway.example.com/team-a", None,
         "wss://gateway.example.com/team-a/openai/v1/realtime?model=dep"),
        ("http://127.0.0.1:8080", None, "ws://127.0.0.1:8080/openai/v1/realtime?model=dep"),
    ],
)  # fmt: skip
def test_realtime_urls(endpoint: str, api_version: str | None, url: str) -> None:
    assert realtime_endpoint(endpoint, "dep", api_version).url == url


# ---------------------------------------------------------------- session


def test_ga_session_update_shape() -> None:
    tools = [{"type": "function", "name": "f", "parameters": {"type": "object"}}]
    session = proto.session_config(
        "ga", voice="marin", modalities=["text", "audio"], instructions="Hi.",
        turn_detection="semantic_vad", transcription="whisper-1", tools=tools,
        tool_choice="auto", max_output_tokens=300,
    )  # fmt: skip
    assert session == {
        "type": "realtime",
        "output_modalities": ["audio"],
        "audio": {
            "input": {"format": {"type": "audio/pcm", "rate": 24000},
                      "turn_detection": {"type": "semantic_vad"},
                      "transcription": {"model": "whisper-1"}},
            "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"},
        },
        "max_output_tokens": 300,
        "instructions": "Hi.",
        "tools": tools,
        "tool_choice": "auto",
    }  # fmt: skip


def test_preview_session_update_shape() -> None:
    session = proto.session_config("preview", voice="echo", modalities=["text"],
                                   turn_detection=None, max_output_tokens=50)  # fmt: skip
    assert session == {
        "modalities": ["text"], "voice": "echo", "input_audio_format": "pcm16",
        "output_audio_format": "pcm16", "turn_detection": None,
        "input_audio_transcription": None, "max_response_output_tokens": 50,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("preview", "ga"),
    [("response.audio.delta", "response.output_audio.delta"),
     ("response.audio_transcript.delta", "response.output_audio_transcript.delta"),
     ("response.text.delta", "response.output_text.delta"),
     ("response.done", "response.done")],
)  # fmt: skip
def test_preview_event_names_become_the_ga_names(preview: str, ga: str) -> None:
    assert proto.normalize_event({"type": preview}, "preview")["type"] == ga
    assert proto.normalize_event({"type": preview}, "ga")["type"] == preview


def test_tools_are_sent_flat_and_a_forced_tool_fits_each_protocol() -> None:
    chat_form = [
        {
            "type": "function",
            "function": {"name": "a", "description": "A.", "parameters": {"type": "object"}},
        },
        {"type": "function", "function": {"name": "b", "parameters": {"type": "object"}}},
    ]
    flat = proto.realtime_tools(chat_form)
    assert flat == [
        {"type": "function", "name": "a", "description": "A.", "parameters": {"type": "object"}},
        {"type": "function", "name": "b", "parameters": {"type": "object"}},
    ]
    forced = {"type": "function", "function": {"name": "b"}}
    assert proto.realtime_tool_choice(forced, flat, "ga") == (
        {"type": "function", "name": "b"},
        flat,
    )
    assert proto.realtime_tool_choice(forced, flat, "preview") == ("required", [flat[1]])
    assert proto.realtime_tool_choice("none", flat, "preview") == ("none", flat)  # fmt: skip


# ---------------------------------------------------------------- items


def _wav(samples: bytes, rate: int = 24_000) -> str:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1), out.setsampwidth(2), out.setframerate(rate)
        out.writeframes(samples)
    return base64.b64encode(buffer.getvalue()).decode()


def test_conversation_items_from_messages() -> None:
    samples = bytes(range(256)) * 10
    audio = {"type": "audio", "base64": _wav(samples), "mime_type": "audio/wav"}
    call = {"name": "f", "args": {"x": 1}, "id": "call_1", "type": "tool_call"}
    messages = [
        SystemMessage("Be brief."),
        HumanMessage(["Hear this:", audio]),
        AIMessage("", tool_calls=[call]),
        ToolMessage("42", tool_call_id="call_1"),
        AIMessage("The answer is 42."),
        SystemMessage("Now in French."),
    ]
    instructions, items = proto.conversation_items(messages, "ga")
    assert instructions == "Be brief."
    assert items == [
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "Hear this:"},
            {"type": "input_audio", "audio": base64.b64encode(samples).decode()}]},
        {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": '{"x": 1}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "42"},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "The answer is 42."}]},
        {"type": "message", "role": "system",
         "content": [{"type": "input_text", "text": "Now in French."}]},
    ]  # fmt: skip
    _, preview = proto.conversation_items([AIMessage("Earlier.")], "preview")
    assert preview[0]["content"] == [{"type": "text", "text": "Earlier."}]


def test_an_earlier_spoken_answer_goes_back_as_its_transcript() -> None:
    spoken = AIMessage("", additional_kwargs={"audio": {"id": "item_1", "data": "AAAA",
                                                        "transcript": "Said aloud."}})  # fmt: skip
    _, items = proto.conversation_items([spoken], "ga")
    assert items == [{"type": "message", "role": "assistant",
                      "content": [{"type": "output_text", "text": "Said aloud."}]}]  # fmt: skip


@pytest.mark.parametrize(
    ("messages", "says"),
    [([ToolMessage("x", tool_call_id="nowhere")], "no earlier AIMessage made that call"),
     ([HumanMessage([{"type": "image", "url": "https://x/y.png"}])], "'image'"),
     ([SystemMessage([{"type": "audio", "base64": "AAAA", "mime_type": "audio/wav"}])],
      "system messages take text")],
)  # fmt: skip
def test_messages_the_realtime_api_cannot_take(messages: list[Any], says: str) -> None:
    with pytest.raises(AzureAudioInputError, match=says):
        proto.conversation_items(messages, "ga")


@pytest.mark.parametrize(
    ("audio", "rate", "says"),
    [(b"\x00" * 3, 24_000, "3 bytes, an odd count"), (b"\x00" * 4, 16_000, "16000 Hz"),
     ("text", 24_000, "got str"), (None, 24_000, "got NoneType")],
)  # fmt: skip
def test_send_audio_checks(audio: Any, rate: int, says: str) -> None:
    with pytest.raises(AzureAudioInputError, match=says):
        proto.check_pcm16(audio, sample_rate=rate)
    proto.check_pcm16(b"\x00\x00", sample_rate=24_000)  # whole samples at 24 kHz pass


def test_append_event_is_valid_json_with_the_audio() -> None:
    import json

    assert json.loads(proto.append_audio(b"\x01\x02\x03\x04")) == {
        "type": "input_audio_buffer.append", "audio": "AQIDBA=="}  # fmt: skip


# ------------------------------------------------------------- barge-in


@pytest.mark.parametrize(
    ("played", "first", "now", "generated", "heard"),
    [
        (250.0, 10.0, 99.0, 500.0, 250),  # the app reported playback: that, whatever the clock
        (None, 10.0, 10.3, 500.0, 300),  # no report: wall-clock since its first audio
        (None, 10.0, 12.0, 500.0, 500),  # never more than was generated
        (900.0, 10.0, 10.1, 500.0, 500),  # ... not even when the app says so
        (None, None, 12.0, 500.0, 0),  # the app never received any of it
    ],
)  # fmt: skip
def test_heard_ms(
    played: float | None, first: float | None, now: float, generated: float, heard: int
) -> None:
    assert heard_ms(played, first, now, generated) == heard


@pytest.mark.parametrize(
    ("heard", "generated", "kept"),
    [(0, 1000, ""), (300, 1000, "one two three"), (999, 1000, "one two three four five six "
     "seven eight nine"), (1000, 1000, "one two three four five six seven eight nine ten")],
)  # fmt: skip
def test_heard_text_keeps_whole_words_heard(heard: float, generated: float, kept: str) -> None:
    words = "one two three four five six seven eight nine ten"
    assert heard_text(words, heard, generated) == kept


# ---------------------------------------------------------- error events


@pytest.mark.parametrize(
    ("error", "kind"),
    [({"type": "invalid_request_error", "code": "invalid_value", "param": "session.voice",
       "message": "Invalid voice."}, VoiceNotAvailableError),
     ({"type": "invalid_request_error", "code": "content_filter",
       "message": "Filtered."}, ContentFilterError),
     ({"type": "rate_limit_error", "code": "rate_limit_exceeded",
       "message": "Slow down."}, AzureAudioRateLimitError),
     ({"type": "authentication_error", "code": None, "message": "Bad key."},
      AzureAudioAuthenticationError),
     ({"type": "server_error", "code": "internal", "message": "Oops."}, AzureAudioServiceError)],
)  # fmt: skip
def test_error_events_map_to_typed_errors(error: dict[str, Any], kind: type[Exception]) -> None:
    raised = error_event_error(error, deployment="dep", voice="alloy")
    assert type(raised) is kind
    assert error["message"] in str(raised)
    assert "\n" not in str(raised)


def test_usage_metadata_has_audio_details() -> None:
    from langchain_azure_audio._translate.messages import usage_metadata

    usage = {"total_tokens": 100, "input_tokens": 60, "output_tokens": 40,
             "input_token_details": {"text_tokens": 30, "audio_tokens": 30, "cached_tokens": 8},
             "output_token_details": {"text_tokens": 10, "audio_tokens": 30}}  # fmt: skip
    assert usage_metadata(proto.chat_usage(usage)) == {
        "input_tokens": 60, "output_tokens": 40, "total_tokens": 100,
        "input_token_details": {"audio": 30, "cache_read": 8},
        "output_token_details": {"audio": 30}}  # fmt: skip


# ----------------------------------------------------------- the model


BASE = {"azure_endpoint": "https://res.openai.azure.com", "azure_deployment": "gpt-realtime"}


def test_settings_come_from_the_same_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", "gpt-realtime-mini")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "key-from-env")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-01-01-preview")  # chat completions': not read
    llm = AzureChatOpenAIRealtime()
    assert (llm.azure_endpoint, llm.azure_deployment) == (
        "https://env.openai.azure.com", "gpt-realtime-mini")  # fmt: skip
    assert llm.protocol == "ga"
    assert "key-from-env" not in repr(llm)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [({"azure_endpoint": None}, "AZURE_OPENAI_ENDPOINT"),
     ({"azure_deployment": None}, "azure_deployment='gpt-realtime'"),
     ({"modalities": ["audio"]}, "modalities"),
     ({"voice": "nova"}, "voice 'nova'")],
)  # fmt: skip
def test_bad_settings_are_typed_errors(kwargs: dict[str, Any], says: str) -> None:
    with pytest.raises(AzureAudioConfigError, match=says):
        AzureChatOpenAIRealtime(**{**BASE, "api_key": "k", **kwargs})


def test_connect_refuses_a_bad_turn_detection() -> None:
    llm = AzureChatOpenAIRealtime(**BASE, api_key="k")
    with pytest.raises(AzureAudioConfigError, match="push-to-talk"):
        llm.connect(turn_detection="always")


# (model, version, status, retirement, context, output): Microsoft's retirement schedule
# (2026-07-07) and OpenAI's model pages; None where no page gives it.
REALTIME = [
    ("gpt-realtime", "2025-08-28", "2027-02-28", 32_000, 4_096),
    ("gpt-realtime-1.5", "2026-02-23", "2027-02-23", 32_000, 4_096),
    ("gpt-realtime-2", "2026-05-06", "2027-05-06", 128_000, 32_000),
    ("gpt-realtime-mini", "2025-12-15", "2026-12-15", None, None),
    ("gpt-4o-realtime-preview", "2024-12-17", None, 32_000, 4_096),
    ("gpt-4o-mini-realtime-preview", "2024-12-17", None, 16_000, 4_096),
]


@pytest.mark.parametrize(("name", "version", "retires", "context", "output"), REALTIME)
def test_realtime_profiles(
    name: str, version: str, retires: str | None, context: int | None, output: int | None
) -> None:
    profile = AzureChatOpenAIRealtime(**{**BASE, "azure_deployment": name}, api_key="k").profile
    assert profile is not None
    assert (profile["name"], profile["release_date"]) == (name, version)
    assert profile.get("max_input_tokens") == context
    assert profile.get("max_output_tokens") == output
    assert profile["audio_inputs"]
    assert profile["audio_outputs"]
    assert profile["tool_calling"]
    assert profile["structured_output"] is False
    if retires is None:
        assert "status" not in profile
    else:
        today = datetime.date.today().isoformat()
        assert profile["status"] == ("retired" if retires <= today else "active")
