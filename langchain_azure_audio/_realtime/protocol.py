"""LangChain messages and tools ⇄ Realtime API events, for the GA and preview protocols.

Pure functions (and one small stateful reader): dicts in, dicts out, no socket,
so the whole translation is testable on its own. The shapes follow the protocol
as documented: the GA events and session of the `openai` SDK's
`types/realtime` (generated from OpenAI's API specification) and Microsoft's
preview-to-GA migration guide; the preview ones of the SDK's
`types/beta/realtime` (the "Realtime API (Preview)" shapes Azure still serves).

* GA `session.update`: `session.type = "realtime"`, `output_modalities`,
  `audio.input.format` / `audio.output.format` `{"type": "audio/pcm", "rate": 24000}`,
  `audio.output.voice`, `audio.input.turn_detection`, `audio.input.transcription`,
  `tools` (flat `{"type": "function", "name", "description", "parameters"}`),
  `tool_choice`, `max_output_tokens`.
* Preview `session.update`: flat `modalities`, `voice`, `input_audio_format` /
  `output_audio_format` `"pcm16"`, `turn_detection`, `input_audio_transcription`,
  `tools`, `tool_choice` (a string), `max_response_output_tokens`.
* Preview event names are renamed to the GA ones as they arrive
  (`response.audio.delta` → `response.output_audio.delta`, ...), so everything
  above this module reads one protocol.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import wave
from collections.abc import Mapping, Sequence
from typing import Any, Final

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from langchain_azure_audio._azure.realtime import Protocol
from langchain_azure_audio._media.decode import iter_pcm16
from langchain_azure_audio._model.settings import check_turn_detection
from langchain_azure_audio._translate.messages import audio_block_to_part
from langchain_azure_audio.errors import AzureAudioInputError

SAMPLE_RATE: Final = 24_000
BYTES_PER_MS: Final = SAMPLE_RATE * 2 // 1000
"""pcm16 at 24 kHz mono: 48 bytes a millisecond."""
PCM_FORMAT: Final = {"type": "audio/pcm", "rate": SAMPLE_RATE}
DEFAULT_TRANSCRIPTION: Final = "whisper-1"
"""The input transcription model of Microsoft's realtime quickstarts (GA and preview)."""

PREVIEW_EVENT_NAMES: Final = {
    "response.audio.delta": "response.output_audio.delta",
    "response.audio.done": "response.output_audio.done",
    "response.audio_transcript.delta": "response.output_audio_transcript.delta",
    "response.audio_transcript.done": "response.output_audio_transcript.done",
    "response.text.delta": "response.output_text.delta",
    "response.text.done": "response.output_text.done",
}
"""The preview protocol's event names that the GA protocol renamed (migration guide)."""


def normalize_event(event: dict[str, Any], protocol: Protocol) -> dict[str, Any]:
    """The event with its GA name (preview names renamed in place)."""
    if protocol == "preview":
        renamed = PREVIEW_EVENT_NAMES.get(event.get("type", ""))
        if renamed is not None:
            event["type"] = renamed
    return event


def audio_ms(n_bytes: int) -> float:
    """Milliseconds of pcm16 24 kHz mono audio in `n_bytes`."""
    return n_bytes / BYTES_PER_MS


# --------------------------------------------------------------------- session


def turn_detection_config(value: Any) -> dict[str, Any] | None:
    """`"server_vad"` / `"semantic_vad"` / a dict / `None` as the protocol's object."""
    check_turn_detection(value)
    if value is None:
        return None
    return dict(value) if isinstance(value, Mapping) else {"type": value}


def session_config(
    protocol: Protocol,
    *,
    voice: str,
    modalities: Sequence[str],
    instructions: str | None = None,
    turn_detection: Any = None,
    transcription: str | None = None,
    tools: list[dict[str, Any]] | None = None,
    tool_choice: Any = None,
    max_output_tokens: int | None = None,
) -> dict[str, Any]:
    """The `session` object of a `session.update` event."""
    detection = turn_detection_config(turn_detection)
    speaks = "audio" in modalities
    session: dict[str, Any]
    if protocol == "ga":
        audio_in: dict[str, Any] = {"format": PCM_FORMAT, "turn_detection": detection}
        if transcription:
            audio_in["transcription"] = {"model": transcription}
        session = {
            "type": "realtime",
            "output_modalities": ["audio"] if speaks else ["text"],
            "audio": {"input": audio_in, "output": {"format": PCM_FORMAT, "voice": voice}},
        }
        if max_output_tokens is not None:
            session["max_output_tokens"] = max_output_tokens
    else:
        session = {
            "modalities": ["text", "audio"] if speaks else ["text"],
            "voice": voice,
            "input_audio_format": "pcm16",
            "output_audio_format": "pcm16",
            "turn_detection": detection,
            "input_audio_transcription": {"model": transcription} if transcription else None,
        }
        if max_output_tokens is not None:
            session["max_response_output_tokens"] = max_output_tokens
    if instructions is not None:
        session["instructions"] = instructions
    if tools is not None:
        session["tools"] = tools
        session["tool_choice"] = tool_choice if tool_choice is not None else "auto"
    return session


def realtime_tools(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Chat-completions tool dicts (`format_tools`) in the Realtime API's flat form."""
    out = []
    for tool in tools:
        function = tool.get("function") or {}
        flat: dict[str, Any] = {"type": "function", "name": function.get("name", "")}
        if function.get("description"):
            flat["description"] = function["description"]
        flat["parameters"] = function.get("parameters") or {"type": "object", "properties": {}}
        out.append(flat)
    return out


def realtime_tool_choice(
    choice: Any, tools: list[dict[str, Any]], protocol: Protocol
) -> tuple[Any, list[dict[str, Any]]]:
    """A chat-completions `tool_choice` (`tool_choice_param`) for the Realtime API.

    Returns the choice and the tools to send. A forced function is
    `{"type": "function", "name": ...}` on GA; the preview protocol's `tool_choice`
    is a string, so there the forced tool is sent alone with `"required"` (the same
    effect).
    """
    if not isinstance(choice, Mapping):
        return (choice if choice is not None else "auto"), tools
    name = (choice.get("function") or {}).get("name") or choice.get("name")
    if protocol == "ga":
        return {"type": "function", "name": name}, tools
    return "required", [tool for tool in tools if tool["name"] == name]


# ---------------------------------------------------------------- conversation


def conversation_items(
    messages: Sequence[BaseMessage], protocol: Protocol
) -> tuple[str | None, list[dict[str, Any]]]:
    """The session instructions and the `conversation.item.create` items of `messages`.

    Leading system messages become the session's instructions; later ones system
    items. Human text and audio (any accepted audio block, sent as pcm16 24 kHz
    mono) become user items; earlier answers go back as text (their transcript),
    their tool calls as `function_call` items, and `ToolMessage`s as
    `function_call_output` items.

    Raises:
        AzureAudioInputError: a message or block the Realtime API cannot take,
            naming `messages[i]` and the fix.
    """
    leading: list[str] = []
    items: list[dict[str, Any]] = []
    open_calls: set[str] = set()
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        role = _role(message, where)
        if role == "system":
            text = _text_only(message.content, where)
            if not items:
                leading.append(text)
            else:
                items.append(_message_item("system", [{"type": "input_text", "text": text}]))
        elif role == "user":
            items.append(_message_item("user", _user_parts(message.content, where)))
        elif role == "assistant":
            items.extend(_assistant_items(message, protocol, where))
            if isinstance(message, AIMessage):
                open_calls.update(str(c["id"]) for c in message.tool_calls if c.get("id"))
        else:  # a ToolMessage
            assert isinstance(message, ToolMessage)
            if message.tool_call_id not in open_calls:
                raise AzureAudioInputError(
                    f"{where}: this ToolMessage answers tool_call_id {message.tool_call_id!r}, "
                    "but no earlier AIMessage made that call (or it was answered already); "
                    "keep the AIMessage with its tool_calls before the ToolMessages that "
                    "answer them."
                )
            open_calls.discard(message.tool_call_id)
            items.append(function_call_output(message.tool_call_id, _tool_output(message)))
    instructions = "\n\n".join(leading) if leading else None
    return instructions, items


def _role(message: BaseMessage, where: str) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, ToolMessage):
        return "tool"
    if isinstance(message, ChatMessage) and message.role in ("user", "system", "assistant"):
        return message.role
    if isinstance(message, ChatMessage) and message.role == "developer":
        return "system"
    raise AzureAudioInputError(
        f"{where}: {type(message).__name__} is not supported; use SystemMessage, "
        "HumanMessage, AIMessage or ToolMessage."
    )


def _message_item(role: str, content: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "role": role, "content": content}


def _text_only(content: str | list[Any], where: str) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for j, block in enumerate(content):
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        else:
            kind = block.get("type") if isinstance(block, Mapping) else type(block).__name__
            raise AzureAudioInputError(
                f"{where}.content[{j}]: {kind!r} content is only accepted from the user; "
                "system messages take text."
            )
    return "".join(texts)


def _user_parts(content: str | list[Any], where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "input_text", "text": content}]
    parts: list[dict[str, Any]] = []
    for j, block in enumerate(content):
        block_where = f"{where}.content[{j}]"
        if isinstance(block, str):
            parts.append({"type": "input_text", "text": block})
            continue
        kind = block.get("type") if isinstance(block, Mapping) else None
        if kind == "text":
            parts.append({"type": "input_text", "text": block["text"]})
        elif kind in ("audio", "input_audio"):
            part = audio_block_to_part(block, block_where)["input_audio"]
            pcm = input_pcm16(base64.b64decode(part["data"]), block_where)
            parts.append({"type": "input_audio", "audio": base64.b64encode(pcm).decode("ascii")})
        else:
            raise AzureAudioInputError(
                f"{block_where}: content of type {kind!r} cannot be sent to the Realtime API; "
                "send text and audio (langchain_azure_audio.audio_block(path))."
            )
    return parts


def input_pcm16(data: bytes, where: str) -> bytes:
    """A WAV or MP3 file's audio as pcm16 24 kHz mono, what the Realtime API hears.

    A WAV already in that format is taken as it is; anything else is decoded and
    resampled by PyAV (`_media.decode`).
    """
    if data[:4] == b"RIFF":
        try:
            with wave.open(io.BytesIO(data)) as wav:
                if (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (
                    SAMPLE_RATE,
                    1,
                    2,
                ):
                    return bytes(wav.readframes(wav.getnframes()))
        except (wave.Error, EOFError):
            pass  # PyAV reads more kinds of WAV than the wave module
    return b"".join(iter_pcm16(data, sample_rate=SAMPLE_RATE, where=where))


def _assistant_items(message: BaseMessage, protocol: Protocol, where: str) -> list[dict[str, Any]]:
    """An earlier answer: its text (or transcript) as an assistant item, then its calls."""
    text = _assistant_text(message)
    items = []
    if text:
        kind = "output_text" if protocol == "ga" else "text"
        items.append(_message_item("assistant", [{"type": kind, "text": text}]))
    if isinstance(message, AIMessage):
        items.extend(
            function_call(str(call["id"]), call["name"], json.dumps(call["args"]))
            for call in message.tool_calls
        )
    return items


def _assistant_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        text = content
    else:
        text = "".join(
            block if isinstance(block, str) else str(block.get("text", ""))
            for block in content
            if isinstance(block, str) or (isinstance(block, Mapping) and block["type"] == "text")
        )
    if not text:
        audio = message.additional_kwargs.get("audio")
        if isinstance(audio, Mapping):
            text = str(audio.get("transcript") or "")
    return text


def _tool_output(message: ToolMessage) -> str:
    if isinstance(message.content, str):
        return message.content
    return "".join(
        block if isinstance(block, str) else str(block.get("text", json.dumps(block)))
        for block in message.content
    )


def user_text_item(text: str) -> dict[str, Any]:
    return _message_item("user", [{"type": "input_text", "text": text}])


def function_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}


def function_call_output(call_id: str, output: str) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output}


def item_create(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "conversation.item.create", "item": item}


def truncate(item_id: str, content_index: int, audio_end_ms: int) -> dict[str, Any]:
    return {
        "type": "conversation.item.truncate",
        "item_id": item_id,
        "content_index": content_index,
        "audio_end_ms": audio_end_ms,
    }


_APPEND_HEAD: Final = '{"type":"input_audio_buffer.append","audio":"'


def append_audio(pcm: bytes) -> str:
    """An `input_audio_buffer.append` event, as the JSON text that goes on the wire."""
    return _APPEND_HEAD + base64.b64encode(pcm).decode("ascii") + '"}'


def check_pcm16(pcm: Any, *, sample_rate: int = SAMPLE_RATE) -> None:
    """Audio for `send_audio` must be pcm16 at 24 kHz: bytes, whole samples.

    Raises:
        AzureAudioInputError: not bytes, an odd number of bytes, or another rate.
    """
    if sample_rate != SAMPLE_RATE:
        raise AzureAudioInputError(
            f"send_audio got audio at {sample_rate} Hz; the Realtime API hears pcm16 at "
            f"{SAMPLE_RATE} Hz mono: resample it first (e.g. with PyAV's AudioResampler)."
        )
    if not isinstance(pcm, (bytes, bytearray, memoryview)):
        raise AzureAudioInputError(
            f"send_audio takes pcm16 bytes (24 kHz mono, little-endian), got {type(pcm).__name__}."
        )
    if len(pcm) % 2:
        raise AzureAudioInputError(
            f"send_audio got {len(pcm)} bytes, an odd count: pcm16 samples are 2 bytes each; "
            "send whole samples (keep the odd byte for the next chunk)."
        )


def b64decode_delta(delta: str) -> bytes:
    """An audio delta's bytes (the service sends standard, padded base64)."""
    try:
        return base64.b64decode(delta)
    except (binascii.Error, ValueError) as exc:
        raise AzureAudioInputError(f"an audio delta is not base64 ({exc})") from exc


# ---------------------------------------------------------------- the answer


def chat_usage(usage: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A `response.done` usage object in the chat-completions shape (`usage_metadata`'s input)."""
    if not usage:
        return None
    inputs = usage.get("input_token_details") or {}
    outputs = usage.get("output_token_details") or {}
    return {
        "prompt_tokens": usage.get("input_tokens") or 0,
        "completion_tokens": usage.get("output_tokens") or 0,
        "total_tokens": usage.get("total_tokens"),
        "prompt_tokens_details": {
            "audio_tokens": inputs.get("audio_tokens"),
            "cached_tokens": inputs.get("cached_tokens"),
            "text_tokens": inputs.get("text_tokens"),
        },
        "completion_tokens_details": {
            "audio_tokens": outputs.get("audio_tokens"),
            "text_tokens": outputs.get("text_tokens"),
        },
    }


FINISH_REASONS: Final = {
    "max_output_tokens": "length",
    "content_filter": "content_filter",
    "turn_detected": "interrupted",
    "client_cancelled": "interrupted",
}


def finish_reason(response: Mapping[str, Any]) -> str | None:
    """`response.done`'s status as a chat-completions finish reason."""
    status = response.get("status")
    if status == "completed":
        calls = function_calls(response)
        return "tool_calls" if calls else "stop"
    reason = (response.get("status_details") or {}).get("reason")
    return FINISH_REASONS.get(str(reason), status)


def function_calls(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The `function_call` items of a `response.done`'s output, in order."""
    return [item for item in response.get("output") or [] if item.get("type") == "function_call"]


def stream_chunks(event: Mapping[str, Any], model: str | None) -> list[dict[str, Any]]:
    """The chat-completions chunks (for `StreamAssembler`) one realtime event stands for.

    Speech and its transcript come as the chat model's streamed `audio` deltas (the
    item id as the audio id), text as `content`; `response.done` brings the tool
    calls, the finish reason and the usage.
    """
    kind = event.get("type")
    base: dict[str, Any] = {"id": event.get("response_id")}
    if model:
        base["model"] = model
    if kind == "response.output_audio.delta":
        audio = {"id": event.get("item_id"), "data": event.get("delta", "")}
        return [{**base, "choices": [{"delta": {"audio": audio}}]}]
    if kind == "response.output_audio_transcript.delta":
        audio = {"id": event.get("item_id"), "transcript": event.get("delta", "")}
        return [{**base, "choices": [{"delta": {"audio": audio}}]}]
    if kind == "response.output_text.delta":
        return [{**base, "choices": [{"delta": {"content": event.get("delta", "")}}]}]
    if kind != "response.done":
        return []
    response = event.get("response") or {}
    base["id"] = response.get("id")
    calls = [
        {"index": index, "id": call.get("call_id"),
         "function": {"name": call.get("name"), "arguments": call.get("arguments") or ""}}
        for index, call in enumerate(function_calls(response))
    ]  # fmt: skip
    chunks = []
    if calls:
        chunks.append({**base, "choices": [{"delta": {"tool_calls": calls}}]})
    chunks.append({**base, "choices": [{"delta": {}, "finish_reason": finish_reason(response)}]})
    usage = chat_usage(response.get("usage"))
    if usage:
        chunks.append({**base, "choices": [], "usage": usage})
    return chunks
