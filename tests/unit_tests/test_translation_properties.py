# ruff: noqa: E501  (strategies read best one per line)
"""Property-based tests (hypothesis) of the translation, both directions, and of
the stream assembler: random inputs never crash with anything but the
documented errors, and what should round-trip does."""

from __future__ import annotations

import base64
import functools
import json
import operator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_azure_audio._translate.messages import chat_result, to_azure_messages
from langchain_azure_audio._translate.streaming import StreamAssembler, merge_chunks
from langchain_azure_audio.audio import pcm16_to_wav
from langchain_azure_audio.errors import AzureAudioError

NOW = 1_800_000_000
EXAMPLES = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _wav(frames: int) -> str:
    return base64.b64encode(pcm16_to_wav(bytes(2 * frames), sample_rate=16_000)).decode()


VALID_WAVS = [_wav(n) for n in (1, 7, 160)]
text = st.text(max_size=40)
valid_audio = st.sampled_from(VALID_WAVS).flatmap(
    lambda data: st.sampled_from(
        [
            {"type": "audio", "base64": data, "mime_type": "audio/wav"},
            {"type": "audio", "source_type": "base64", "data": data, "mime_type": "audio/x-wav"},
            {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}},
        ]
    )
)
any_audio = st.one_of(
    valid_audio,
    st.fixed_dictionaries(
        {
            "type": st.just("audio"),
            "base64": st.one_of(text, st.binary(max_size=30).map(lambda b: base64.b64encode(b).decode())),
            "mime_type": st.sampled_from(["audio/wav", "audio/mpeg", "audio/ogg", "audio/x-nope", "text/plain"]),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("input_audio"),
            "input_audio": st.fixed_dictionaries({"data": text, "format": text}),
        }
    ),
)  # fmt: skip
valid_block = st.one_of(st.builds(lambda t: {"type": "text", "text": t}, text), valid_audio)
any_block = st.one_of(
    valid_block,
    any_audio,
    text,
    st.builds(lambda t: {"type": t}, st.sampled_from(["image", "file", "video", "sticker"])),
    st.dictionaries(st.sampled_from(["type", "url", "id", "data"]), text, max_size=3),
)
audio_record = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"audio_[a-z0-9]{4,12}", fullmatch=True),
        "data": st.just(""),
        "expires_at": st.integers(NOW - 10_000, NOW + 10_000),
        "transcript": text,
    }
)
tool_calls = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.from_regex(r"[a-z_]{1,12}", fullmatch=True),
            "args": st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.integers() | text, max_size=3),
            "id": st.from_regex(r"call_[a-z0-9]{4,8}", fullmatch=True),
        }
    ),
    max_size=2,
    unique_by=lambda c: c["id"],
)  # fmt: skip


@st.composite
def assistant(draw: Any) -> AIMessage:
    audio = draw(st.none() | audio_record)
    content = draw(text) if audio is None else draw(st.sampled_from([audio["transcript"], ""]))
    return AIMessage(
        content=content,
        additional_kwargs={"audio": audio} if audio else {},
        tool_calls=draw(tool_calls),
    )


@st.composite
def assistant_turn(draw: Any) -> list[BaseMessage]:
    """An assistant message and a ToolMessage answering each of its tool calls."""
    message = draw(assistant())
    answers = [ToolMessage(draw(text), tool_call_id=call["id"]) for call in message.tool_calls]
    return [message, *answers]


def conversation(blocks: st.SearchStrategy[Any]) -> st.SearchStrategy[list[BaseMessage]]:
    human = st.builds(
        HumanMessage, content=st.one_of(text, st.lists(blocks, min_size=1, max_size=4))
    )
    system = st.builds(SystemMessage, content=text)
    turns = st.lists(
        st.one_of(human.map(lambda m: [m]), system.map(lambda m: [m]), assistant_turn()),
        min_size=1,
        max_size=5,
    )
    return turns.map(_renumber_calls)


def _renumber_calls(turns: list[list[BaseMessage]]) -> list[BaseMessage]:
    """Tool call ids unique across the conversation, as the service makes them."""
    out: list[BaseMessage] = []
    for turn in turns:
        renamed: dict[str, str] = {}
        for message in turn:
            if isinstance(message, AIMessage) and message.tool_calls:
                calls = []
                for call in message.tool_calls:
                    renamed[call["id"]] = f"call_{len(out)}_{len(renamed)}"  # type: ignore[index]
                    calls.append({**call, "id": renamed[call["id"]]})  # type: ignore[index]
                message = message.model_copy(update={"tool_calls": calls})
            elif isinstance(message, ToolMessage):
                message = message.model_copy(update={"tool_call_id": renamed[message.tool_call_id]})
            out.append(message)
    return out


@EXAMPLES
@given(conversation(any_block), st.sampled_from(["transcript", "send_id", "error"]))
def test_random_messages_never_crash_with_undocumented_errors(
    messages: list[BaseMessage], policy: Any
) -> None:
    try:
        out, _ = to_azure_messages(messages, expired_audio=policy, now=NOW)
    except AzureAudioError:
        return  # documented: typed, with the field and the fix
    assert len(out) == len(messages)


@EXAMPLES
@given(conversation(valid_block))
def test_valid_messages_round_trip(messages: list[BaseMessage]) -> None:
    out, has_audio = to_azure_messages(messages, expired_audio="transcript", now=NOW)
    assert [m["role"] for m in out] == [_role(m) for m in messages]
    sent_audio = False
    for message, sent in zip(messages, out, strict=True):
        if isinstance(message, HumanMessage) and isinstance(message.content, list):
            for block, part in zip(message.content, sent["content"], strict=True):
                if isinstance(block, dict) and block["type"] == "text":
                    assert part == {"type": "text", "text": block["text"]}
                else:
                    payload = (
                        block.get("base64") or block.get("data") or block["input_audio"]["data"]
                    )
                    assert part["input_audio"]["data"] is payload  # passed by reference
                    assert part["input_audio"]["format"] == "wav"
                    sent_audio = True
        if isinstance(message, AIMessage):
            audio = message.additional_kwargs.get("audio")
            if audio and audio["expires_at"] > NOW:
                assert sent["audio"] == {"id": audio["id"]}
                sent_audio = True
            elif audio:
                assert "audio" not in sent
                assert sent.get("content", "") == (message.content or audio["transcript"])
            calls = sent.get("tool_calls", [])
            assert [(c["function"]["name"], json.loads(c["function"]["arguments"])) for c in calls] == [
                (c["name"], c["args"]) for c in message.tool_calls
            ]  # fmt: skip
    assert has_audio == sent_audio


def _role(message: BaseMessage) -> str:
    return {"human": "user", "system": "system", "ai": "assistant", "tool": "tool"}[message.type]


# ------------------------------------------------------------- responses in

usage = st.fixed_dictionaries(
    {"prompt_tokens": st.integers(0, 9999), "completion_tokens": st.integers(0, 9999)},
    optional={
        "prompt_tokens_details": st.fixed_dictionaries({}, optional={"audio_tokens": st.integers(0, 99), "cached_tokens": st.integers(0, 99)}),
        "completion_tokens_details": st.fixed_dictionaries({}, optional={"audio_tokens": st.integers(0, 99), "reasoning_tokens": st.integers(0, 99)}),
    },
)  # fmt: skip
raw_call = st.fixed_dictionaries(
    {
        "id": st.from_regex(r"call_[a-z0-9]{3,6}", fullmatch=True),
        "type": st.just("function"),
        "function": st.fixed_dictionaries(
            {"name": st.from_regex(r"[a-z]{1,8}", fullmatch=True), "arguments": st.one_of(text, st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), st.integers(), max_size=2).map(json.dumps))}
        ),
    }
)  # fmt: skip
message_out = st.fixed_dictionaries(
    {"role": st.just("assistant"), "content": st.none() | text},
    optional={
        "audio": st.fixed_dictionaries({"id": text, "data": st.binary(max_size=12).map(lambda b: base64.b64encode(b).decode()), "expires_at": st.integers(), "transcript": text}),
        "tool_calls": st.lists(raw_call, max_size=3, unique_by=lambda c: c["id"]),
        "refusal": st.none() | text,
    },
)  # fmt: skip


@EXAMPLES
@given(message_out, st.none() | usage, st.sampled_from(["stop", "length", "content_filter", None]))
def test_any_response_becomes_a_faithful_message(
    message: dict[str, Any], usage: dict[str, Any] | None, finish: str | None
) -> None:
    response = {"id": "chatcmpl-x", "model": "m", "choices": [{"message": message, "finish_reason": finish}], "usage": usage}  # fmt: skip
    ai = chat_result(response, audio_format="wav").generations[0].message
    audio = message.get("audio")
    assert ai.content == (message["content"] or (audio or {}).get("transcript") or "")
    if audio:
        assert ai.additional_kwargs["audio"] == audio
    assert ai.response_metadata["finish_reason"] == finish
    calls = message.get("tool_calls") or []
    assert len(ai.tool_calls) + len(ai.invalid_tool_calls) == len(calls)  # type: ignore[attr-defined]
    for call in ai.tool_calls:  # type: ignore[attr-defined]
        raw = next(c for c in calls if c["id"] == call["id"])
        assert call["args"] == json.loads(raw["function"]["arguments"] or "{}")  # "" = no args
    if usage:
        assert ai.usage_metadata["input_tokens"] == usage["prompt_tokens"]  # type: ignore[attr-defined,index]
        assert (
            ai.usage_metadata["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
        )  # type: ignore[attr-defined,index]


# ---------------------------------------------------------------- streams


@EXAMPLES
@given(st.binary(min_size=1, max_size=600), st.data())
def test_any_cut_of_the_audio_stream_reassembles_exactly(pcm: bytes, data: Any) -> None:
    cuts = sorted(
        data.draw(st.sets(st.integers(1, len(pcm) - 1), max_size=12)) if len(pcm) > 1 else set()
    )
    pieces = [pcm[a:b] for a, b in zip([0, *cuts], [*cuts, len(pcm)], strict=True)]
    assembler = StreamAssembler()
    chunks = []
    for number, piece in enumerate(pieces):
        audio: dict[str, Any] = {"data": base64.b64encode(piece).decode()}
        if number == 0:
            audio["id"] = "audio_1"
        for server_chunk in (
            {"id": "c", "obfuscation": "x"},
            {"id": "c", "choices": [{"delta": {"audio": audio}}]},
        ):
            out = assembler.feed(server_chunk)
            if out is not None:
                chunks.append(out.message)
    assembler.feed(
        {"id": "c", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2}}
    )
    chunks.append(assembler.finish().message)
    deltas = [
        c.additional_kwargs["audio"]["data"]
        for c in chunks
        if c.additional_kwargs.get("audio", {}).get("data")
    ]
    assert all(len(d) % 4 == 0 and "=" not in d for d in deltas[:-1])
    merged = functools.reduce(operator.add, chunks)
    assert base64.b64decode(merged.additional_kwargs["audio"]["data"], validate=True) == pcm
    assert merged.additional_kwargs["audio"]["id"] == "audio_1"
    assert merge_chunks(chunks).additional_kwargs == merged.additional_kwargs
    assert assembler.complete
