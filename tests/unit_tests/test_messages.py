"""_messages.py: LangChain messages to Azure dicts and Azure responses back, no network."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

import langchain_azure_audio  # noqa: F401  (registers the content-block translator)
from langchain_azure_audio import AudioExpiredError, AzureAudioInputError, InvalidAudioError
from langchain_azure_audio._translate.messages import (
    build_request,
    chat_result,
    parse_tool_calls,
    to_azure_messages,
)
from langchain_azure_audio.audio import pcm16_to_wav

WAV_B64 = base64.b64encode(pcm16_to_wav(b"\x00\x01" * 240)).decode("ascii")
MP3_B64 = base64.b64encode(b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x64" + bytes(64)).decode()
OGG_B64 = base64.b64encode(b"OggS\x00\x02" + bytes(40)).decode()
NOW = 1_750_000_000.0


# ------------------------------------------------------------ to_azure_messages: text


def test_text_conversation_translates_role_by_role() -> None:
    messages: list[BaseMessage] = [
        SystemMessage("Answer briefly."),
        HumanMessage("What's the weather in Oslo?", name="ana"),
        AIMessage(
            "",
            tool_calls=[{"name": "get_weather", "args": {"city": "Oslo"}, "id": "call_1"}],
        ),
        ToolMessage("Rain, 7°C", tool_call_id="call_1"),
        AIMessage("It rains in Oslo."),
        HumanMessage(content=[{"type": "text", "text": "And tomorrow?"}, "Be short."]),
    ]
    out, has_audio = to_azure_messages(messages)
    assert out == [
        {"role": "system", "content": "Answer briefly."},
        {"role": "user", "content": "What's the weather in Oslo?", "name": "ana"},
        {
            "role": "assistant",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "Rain, 7°C"},
        {"role": "assistant", "content": "It rains in Oslo."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "And tomorrow?"},
                {"type": "text", "text": "Be short."},
            ],
        },
    ]
    assert has_audio is False


def test_empty_assistant_message_sends_empty_content() -> None:
    out, _ = to_azure_messages([AIMessage("")])
    assert out == [{"role": "assistant", "content": ""}]


# ------------------------------------------------------------ to_azure_messages: audio

AUDIO_BLOCKS = [
    pytest.param(
        {"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"},
        WAV_B64,
        "wav",
        id="standard-wav",
    ),
    pytest.param(
        {"type": "audio", "base64": MP3_B64, "mime_type": "audio/mpeg"},
        MP3_B64,
        "mp3",
        id="standard-mpeg",
    ),
    pytest.param(
        {"type": "audio", "source_type": "base64", "data": WAV_B64, "mime_type": "audio/x-wav"},
        WAV_B64,
        "wav",
        id="legacy-wav",
    ),
    pytest.param(
        {"type": "audio", "source_type": "base64", "data": MP3_B64, "mime_type": "audio/mp3"},
        MP3_B64,
        "mp3",
        id="legacy-mp3",
    ),
    pytest.param(
        {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "wav"}},
        WAV_B64,
        "wav",
        id="native-wav",
    ),
    pytest.param(
        {"type": "input_audio", "input_audio": {"data": MP3_B64, "format": "mpeg"}},
        MP3_B64,
        "mp3",
        id="native-mpeg-alias",
    ),
    pytest.param(
        {"type": "input_audio", "input_audio": {"data": MP3_B64}},
        MP3_B64,
        "mp3",
        id="native-no-format-sniffed",
    ),
]


@pytest.mark.parametrize(("block", "data", "fmt"), AUDIO_BLOCKS)
def test_audio_blocks_become_input_audio_parts(block: dict[str, Any], data: str, fmt: str) -> None:
    message = HumanMessage(content=[{"type": "text", "text": "What is said?"}, block])
    out, has_audio = to_azure_messages([SystemMessage("Transcribe."), message])
    part = out[1]["content"][1]
    assert part == {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}
    assert part["input_audio"]["data"] is data  # passed through, never copied
    assert out[1]["content"][0] == {"type": "text", "text": "What is said?"}
    assert has_audio is True


def _human(content: list[Any]) -> BaseMessage:
    return HumanMessage(content=content)


def _system(content: list[Any]) -> BaseMessage:
    return SystemMessage(content=content)


def _tool(content: list[Any]) -> BaseMessage:
    return ToolMessage(content=content, tool_call_id="call_1")


WAV_BLOCK = {"type": "audio", "base64": WAV_B64, "mime_type": "audio/wav"}


@pytest.mark.parametrize(
    ("make", "block", "error", "where", "says"),
    [
        pytest.param(
            _human,
            {"type": "audio", "url": "https://x.test/a.wav"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "audio URLs are not accepted",
            id="audio-url",
        ),
        pytest.param(
            _human,
            {"type": "audio", "source_type": "url", "url": "https://x.test/a.wav"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "audio URLs",
            id="legacy-audio-url",
        ),
        pytest.param(
            _human,
            {"type": "audio", "file_id": "file-abc"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "audio file ids are not accepted",
            id="file-id",
        ),
        pytest.param(
            _human,
            {"type": "image", "base64": "iVBORw0KGgo=", "mime_type": "image/png"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "'image' blocks are not accepted",
            id="image",
        ),
        pytest.param(
            _human,
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            AzureAudioInputError,
            "messages[1].content[1]",
            "'image_url' blocks",
            id="image-url",
        ),
        pytest.param(
            _human,
            {"type": "hologram"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "unknown content block type 'hologram'",
            id="unknown-type",
        ),
        pytest.param(
            _human,
            {"text": "no type"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "content blocks must be strings or dicts with a 'type' key",
            id="no-type-key",
        ),
        pytest.param(
            _system,
            WAV_BLOCK,
            AzureAudioInputError,
            "messages[1].content[1]",
            "audio is only accepted in user (HumanMessage) content",
            id="audio-in-system",
        ),
        pytest.param(
            _tool,
            WAV_BLOCK,
            AzureAudioInputError,
            "messages[1].content[1]",
            "audio is only accepted in user (HumanMessage) content",
            id="audio-in-tool",
        ),
        pytest.param(
            _human,
            {"type": "audio", "base64": "not base64!!", "mime_type": "audio/wav"},
            InvalidAudioError,
            "messages[1].content[1]",
            "not valid base64",
            id="bad-base64",
        ),
        pytest.param(
            _human,
            {"type": "audio", "mime_type": "audio/wav"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "the audio block has no data",
            id="no-data",
        ),
        pytest.param(
            _human,
            {"type": "audio", "base64": "", "mime_type": "audio/wav"},
            AzureAudioInputError,
            "messages[1].content[1]",
            "the audio data is empty",
            id="empty-data",
        ),
        pytest.param(
            _human,
            {"type": "audio", "base64": OGG_B64, "mime_type": "audio/ogg"},
            InvalidAudioError,
            "messages[1].content[1].mime_type",
            "mime_type 'audio/ogg' is not accepted",
            id="ogg-mime",
        ),
        pytest.param(
            _human,
            {"type": "audio", "base64": OGG_B64},
            InvalidAudioError,
            "messages[1].content[1]",
            "an OGG container",
            id="ogg-bytes",
        ),
        pytest.param(
            _human,
            {"type": "audio", "base64": WAV_B64, "mime_type": "audio/mpeg"},
            InvalidAudioError,
            "messages[1].content[1]",
            "says 'mp3' but the bytes are WAV",
            id="mime-mismatch",
        ),
        pytest.param(
            _human,
            {"type": "input_audio", "input_audio": {"data": WAV_B64, "format": "ogg"}},
            AzureAudioInputError,
            "messages[1].content[1].input_audio.format",
            "'ogg' is not accepted",
            id="native-bad-format",
        ),
        pytest.param(
            _human,
            {"type": "input_audio", "data": WAV_B64},
            AzureAudioInputError,
            "messages[1].content[1]",
            "an input_audio block needs",
            id="native-no-inner",
        ),
    ],
)
def test_unsendable_blocks_are_rejected_with_their_index(
    make: Callable[[list[Any]], BaseMessage],
    block: Any,
    error: type[Exception],
    where: str,
    says: str,
) -> None:
    first = AIMessage(content="", tool_calls=[{"name": "f", "args": {}, "id": "call_1"}])
    messages = [first, make(["Listen:", block])]  # the call the ToolMessage case answers
    with pytest.raises(error) as info:
        to_azure_messages(messages)
    message = str(info.value)
    assert message.startswith(f"{where}: ")
    assert says in message


# ---------------------------------------------------- to_azure_messages: earlier answers


def _spoken(
    transcript: str = "Golden retrievers are great family dogs.",
    *,
    expires_at: float = NOW + 3600,
    content: str | None = None,
    **kwargs: Any,
) -> AIMessage:
    return AIMessage(
        content=transcript if content is None else content,
        additional_kwargs={
            "audio": {
                "id": "audio_6797a1",
                "data": WAV_B64,
                "expires_at": expires_at,
                "transcript": transcript,
            }
        },
        **kwargs,
    )


def test_fresh_spoken_answer_is_sent_by_audio_id_only() -> None:
    out, has_audio = to_azure_messages([HumanMessage("Hi"), _spoken()], now=NOW)
    assert out[1] == {"role": "assistant", "audio": {"id": "audio_6797a1"}}
    assert has_audio is True


@pytest.mark.parametrize("expires_at", [NOW - 1, NOW], ids=["past", "exactly-now"])
def test_expired_spoken_answer_sends_its_transcript_by_default(expires_at: float) -> None:
    out, has_audio = to_azure_messages([_spoken(expires_at=expires_at)], now=NOW)
    assert out == [{"role": "assistant", "content": "Golden retrievers are great family dogs."}]
    assert has_audio is False


def test_expired_spoken_answer_with_empty_content_sends_its_transcript() -> None:
    out, _ = to_azure_messages([_spoken(content="", expires_at=NOW - 1)], now=NOW)
    assert out == [{"role": "assistant", "content": "Golden retrievers are great family dogs."}]


def test_expired_spoken_answer_with_send_id_policy_sends_the_id() -> None:
    out, has_audio = to_azure_messages(
        [_spoken(expires_at=NOW - 1)], expired_audio="send_id", now=NOW
    )
    assert out == [{"role": "assistant", "audio": {"id": "audio_6797a1"}}]
    assert has_audio is True


def test_expired_spoken_answer_with_error_policy_raises() -> None:
    with pytest.raises(AudioExpiredError) as info:
        to_azure_messages(
            [HumanMessage("Hi"), _spoken(expires_at=NOW - 60)], expired_audio="error", now=NOW
        )
    message = str(info.value)
    assert message.startswith("messages[1]: the audio id 'audio_6797a1' expired at")
    assert "expired_audio='transcript'" in message
    assert isinstance(info.value, AzureAudioInputError)


def test_spoken_answer_with_tool_calls_keeps_both() -> None:
    message = _spoken(
        "Let me check the weather.",
        tool_calls=[{"name": "get_weather", "args": {"city": "Oslo", "days": 2}, "id": "call_9"}],
    )
    out, _ = to_azure_messages([message], now=NOW)
    assert out == [
        {
            "role": "assistant",
            "audio": {"id": "audio_6797a1"},
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "arguments": '{"city": "Oslo", "days": 2}',
                    },
                }
            ],
        }
    ]
    arguments = out[0]["tool_calls"][0]["function"]["arguments"]
    assert isinstance(arguments, str)
    assert json.loads(arguments) == {"city": "Oslo", "days": 2}


# --------------------------------------------------------------------- build_request


def test_build_request_with_audio_output() -> None:
    messages = [{"role": "user", "content": "Hi"}]
    request = build_request(
        messages,
        deployment="gpt-4o-mini-audio-preview",
        modalities=("text", "audio"),
        voice="shimmer",
        audio_format="mp3",
        stream=False,
    )
    assert request == {
        "messages": messages,
        "model": "gpt-4o-mini-audio-preview",
        "modalities": ["text", "audio"],
        "audio": {"voice": "shimmer", "format": "mp3"},
    }


def test_build_request_text_only_has_no_audio_key() -> None:
    request = build_request(
        [], deployment="d", modalities=["text"], voice="alloy", audio_format="wav", stream=False
    )
    assert request["modalities"] == ["text"]
    assert "audio" not in request


def test_build_request_stream_asks_for_usage() -> None:
    request = build_request(
        [],
        deployment="d",
        modalities=["text", "audio"],
        voice="alloy",
        audio_format="pcm16",
        stream=True,
    )
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
    assert request["audio"] == {"voice": "alloy", "format": "pcm16"}


def test_build_request_drops_none_extras() -> None:
    request = build_request(
        [],
        deployment="d",
        modalities=["text"],
        voice="alloy",
        audio_format="wav",
        stream=False,
        extra={"temperature": None, "max_completion_tokens": 64, "stop": None, "seed": 0},
    )
    assert request == {
        "messages": [],
        "model": "d",
        "modalities": ["text"],
        "max_completion_tokens": 64,
        "seed": 0,
    }


# ----------------------------------------------------------------------- chat_result

FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}
SPOKEN_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
    "object": "chat.completion",
    "created": 1_741_369_000,
    "model": "gpt-4o-mini-audio-preview-2024-12-17",
    "system_fingerprint": "fp_9ac20b4b0c",
    "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": FILTER_OK}],
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": None,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "audio": {
                    "id": "audio_67cb2b1d1e8c8190",
                    "data": WAV_B64,
                    "expires_at": 1_741_372_605,
                    "transcript": "Yes, golden retrievers are great with children.",
                },
            },
            "content_filter_results": FILTER_OK,
        }
    ],
    "usage": {
        "prompt_tokens": 17,
        "completion_tokens": 95,
        "total_tokens": 112,
        "prompt_tokens_details": {"audio_tokens": 0, "cached_tokens": 0},
        "completion_tokens_details": {
            "audio_tokens": 72,
            "reasoning_tokens": 0,
            "text_tokens": 23,
        },
    },
}


def test_chat_result_spoken_answer() -> None:
    result = chat_result(SPOKEN_RESPONSE, audio_format="wav")
    message = result.generations[0].message
    assert isinstance(message, AIMessage)
    assert message.content == "Yes, golden retrievers are great with children."
    assert message.id == "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"
    assert message.additional_kwargs["audio"] == {
        "id": "audio_67cb2b1d1e8c8190",
        "data": WAV_B64,
        "expires_at": 1_741_372_605,
        "transcript": "Yes, golden retrievers are great with children.",
    }
    assert message.usage_metadata == {
        "input_tokens": 17,
        "output_tokens": 95,
        "total_tokens": 112,
        "input_token_details": {"audio": 0, "cache_read": 0},
        "output_token_details": {"audio": 72, "reasoning": 0},
    }
    meta = message.response_metadata
    assert meta["model_name"] == "gpt-4o-mini-audio-preview-2024-12-17"
    assert meta["finish_reason"] == "stop"
    assert meta["audio_format"] == "wav"
    assert meta["prompt_filter_results"] == SPOKEN_RESPONSE["prompt_filter_results"]
    assert meta["content_filter_results"] == FILTER_OK
    assert message.tool_calls == []


@pytest.mark.parametrize(("audio_format", "mime"), [("wav", "audio/wav"), ("pcm16", "audio/pcm")])
def test_chat_result_content_blocks(audio_format: str, mime: str) -> None:
    message = chat_result(SPOKEN_RESPONSE, audio_format=audio_format).generations[0].message
    assert message.content_blocks == [
        {"type": "text", "text": "Yes, golden retrievers are great with children."},
        {"type": "audio", "id": "audio_67cb2b1d1e8c8190", "base64": WAV_B64, "mime_type": mime},
    ]


def test_chat_result_text_only_answer() -> None:
    response = copy.deepcopy(SPOKEN_RESPONSE)
    response["choices"][0]["message"] = {"role": "assistant", "content": "The speaker says hi."}
    message = chat_result(response, audio_format=None).generations[0].message
    assert message.content == "The speaker says hi."
    assert message.additional_kwargs == {}
    assert "audio_format" not in message.response_metadata
    assert message.content_blocks == [{"type": "text", "text": "The speaker says hi."}]


def test_chat_result_tool_calls() -> None:
    response = copy.deepcopy(SPOKEN_RESPONSE)
    response["choices"][0]["finish_reason"] = "tool_calls"
    response["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
            },
            {
                "id": "call_2",
                "type": "function",
                "function": {"name": "get_time", "arguments": '{"tz": '},
            },
        ],
    }
    message = chat_result(response, audio_format=None).generations[0].message
    assert isinstance(message, AIMessage)
    assert message.content == ""
    assert [(c["id"], c["name"], c["args"]) for c in message.tool_calls] == [
        ("call_1", "get_weather", {"city": "Oslo"})
    ]
    assert [(c["id"], c["name"], c["args"]) for c in message.invalid_tool_calls] == [
        ("call_2", "get_time", '{"tz": ')
    ]
    assert message.response_metadata["finish_reason"] == "tool_calls"


def test_answer_round_trips_as_audio_id() -> None:
    answer = chat_result(SPOKEN_RESPONSE, audio_format="wav").generations[0].message
    out, has_audio = to_azure_messages(
        [HumanMessage("Are golden retrievers good with kids?"), answer],
        now=1_741_369_100,
    )
    assert out[1] == {"role": "assistant", "audio": {"id": "audio_67cb2b1d1e8c8190"}}
    assert has_audio is True


# ------------------------------------------------------------------ parse_tool_calls


def test_parse_tool_calls_valid_and_invalid() -> None:
    parsed, invalid = parse_tool_calls(
        [
            {"id": "a", "function": {"name": "lookup", "arguments": '{"q": "dogs"}'}},
            {"id": "b", "function": {"name": "ping", "arguments": ""}},
            {"id": "c", "function": {"name": "broken", "arguments": '{"q": "do'}},
            {"id": "d", "function": {"name": "listy", "arguments": "[1, 2]"}},
        ]
    )
    assert parsed == [
        {"type": "tool_call", "id": "a", "name": "lookup", "args": {"q": "dogs"}},
        {"type": "tool_call", "id": "b", "name": "ping", "args": {}},
    ]
    assert [(c["id"], c["name"], c["args"]) for c in invalid] == [
        ("c", "broken", '{"q": "do'),
        ("d", "listy", "[1, 2]"),
    ]
    assert all(c["type"] == "invalid_tool_call" and c["error"] for c in invalid)
    assert "not a JSON object" in invalid[1]["error"]


@pytest.mark.parametrize(
    "history",
    [
        [HumanMessage("Hi"), ToolMessage("42", tool_call_id="call_9")],
        [
            AIMessage(content="", tool_calls=[{"name": "f", "args": {}, "id": "call_1"}]),
            ToolMessage("1", tool_call_id="call_1"),
            ToolMessage("again", tool_call_id="call_1"),
        ],
    ],
    ids=["no-such-call", "answered-twice"],
)
def test_tool_message_without_a_matching_call_is_refused(history: list[BaseMessage]) -> None:
    with pytest.raises(AzureAudioInputError, match=r"messages\[\d\]: this ToolMessage answers"):
        to_azure_messages(history)


def test_an_aggregated_stream_goes_back_like_an_invoked_answer() -> None:
    from langchain_core.messages import AIMessageChunk

    audio = {"id": "audio_s", "data": "AAAA", "expires_at": 2_000, "transcript": "Hello there."}
    streamed = AIMessageChunk(content="Hello there.", additional_kwargs={"audio": audio})
    live, _ = to_azure_messages([HumanMessage("Hi"), streamed], now=1_000)
    expired, _ = to_azure_messages([HumanMessage("Hi"), streamed], now=3_000)
    assert live[1] == {"role": "assistant", "audio": {"id": "audio_s"}}
    assert expired[1] == {"role": "assistant", "content": "Hello there."}
