"""Pure translation between LangChain messages and Azure chat-completions dicts.

Nothing here touches the network or a client: dicts in, dicts out, so the
whole translation is testable on its own. Validation happens here, once,
before a request is built; the base64 audio strings are passed through by
reference (never re-encoded or copied).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGeneration, ChatResult

from langchain_azure_audio.audio import (
    INPUT_FORMATS,
    InputFormat,
    check_audio_base64,
    input_format_from_mime,
    output_mime_type,
)
from langchain_azure_audio.errors import AudioExpiredError, AzureAudioInputError

ExpiredAudioPolicy = Literal["transcript", "send_id", "error"]
MODEL_PROVIDER: Final = "azure_openai_audio"
"""`response_metadata["model_provider"]`; our content-block translator is registered under it."""

_FORMAT_ALIASES: Final[dict[str, InputFormat]] = {
    "wav": "wav",
    "wave": "wav",
    "x-wav": "wav",
    "mp3": "mp3",
    "mpeg": "mp3",  # what langchain-openai sends for audio/mpeg; the service wants mp3
}
_UNSUPPORTED_BLOCKS: Final = {"image", "image_url", "file", "video", "input_image", "input_file"}


# --------------------------------------------------------------------------- input


def to_azure_messages(
    messages: Sequence[BaseMessage],
    *,
    expired_audio: ExpiredAudioPolicy = "transcript",
    now: float | None = None,
) -> tuple[list[dict[str, Any]], bool]:
    """Translate LangChain messages into Azure chat messages.

    Returns:
        The message dicts, and whether any of them carries audio (input audio
        or a reference to an earlier spoken answer).

    Raises:
        AzureAudioInputError: a message or block cannot be sent; the message
            names `messages[i]` and the fix.
    """
    current = time.time() if now is None else now
    out: list[dict[str, Any]] = []
    has_audio = False
    open_calls: set[str] = set()  # tool calls made and not yet answered
    for i, message in enumerate(messages):
        where = f"messages[{i}]"
        if isinstance(message, AIMessage):
            converted, audio_ref = _assistant_to_dict(message, where, expired_audio, current)
            has_audio |= audio_ref
            open_calls.update(str(call["id"]) for call in message.tool_calls if call.get("id"))
        elif isinstance(message, (HumanMessage, SystemMessage, ChatMessage)):
            role = _role(message)
            content, audio_in = _content_to_parts(
                message.content, where, allow_audio=role == "user"
            )
            has_audio |= audio_in
            converted = {"role": role, "content": content}
        elif isinstance(message, ToolMessage):
            if message.tool_call_id not in open_calls:
                raise AzureAudioInputError(
                    f"{where}: this ToolMessage answers tool_call_id "
                    f"{message.tool_call_id!r}, but no earlier AIMessage made that call (or it "
                    "was answered already); keep the AIMessage with its tool_calls before the "
                    "ToolMessages that answer them."
                )
            open_calls.discard(message.tool_call_id)
            content, _ = _content_to_parts(message.content, where, allow_audio=False)
            converted = {"role": "tool", "tool_call_id": message.tool_call_id, "content": content}
        else:
            raise AzureAudioInputError(
                f"{where}: {type(message).__name__} is not supported; use SystemMessage, "
                "HumanMessage, AIMessage or ToolMessage."
            )
        if message.name and converted["role"] in ("user", "system", "assistant"):
            converted["name"] = message.name
        out.append(converted)
    return out, has_audio


def _role(message: BaseMessage) -> str:
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, SystemMessage):
        return "system"
    role = message.role  # type: ignore[attr-defined]
    if role not in ("user", "system", "developer", "assistant"):
        raise AzureAudioInputError(
            f"ChatMessage role {role!r} is not a chat-completions role; use 'user', "
            "'system', 'developer' or 'assistant'."
        )
    return str(role)


def _content_to_parts(
    content: str | list[Any], where: str, *, allow_audio: bool
) -> tuple[str | list[dict[str, Any]], bool]:
    """Translate message content; returns (content, has_input_audio)."""
    if isinstance(content, str):
        return content, False
    parts: list[dict[str, Any]] = []
    has_audio = False
    for j, block in enumerate(content):
        block_where = f"{where}.content[{j}]"
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        if not isinstance(block, Mapping) or "type" not in block:
            raise AzureAudioInputError(
                f"{block_where}: content blocks must be strings or dicts with a 'type' key, "
                f"got {block!r:.80}."
            )
        kind = block["type"]
        if kind == "text":
            parts.append({"type": "text", "text": block["text"]})
        elif kind in ("audio", "input_audio"):
            if not allow_audio:
                raise AzureAudioInputError(
                    f"{block_where}: audio is only accepted in user (HumanMessage) content; "
                    "move it to a HumanMessage."
                )
            parts.append(audio_block_to_part(block, block_where))
            has_audio = True
        elif kind in _UNSUPPORTED_BLOCKS:
            raise AzureAudioInputError(
                f"{block_where}: {kind!r} blocks are not accepted by Azure audio models; "
                "send text and WAV/MP3 audio only."
            )
        else:
            raise AzureAudioInputError(
                f"{block_where}: unknown content block type {kind!r}; use 'text' or 'audio' "
                "(see langchain_azure_audio.audio_block)."
            )
    return parts, has_audio


def audio_block_to_part(block: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Validate one audio block (any accepted shape) and return an `input_audio` part.

    Accepted shapes: the LangChain standard block (`base64` + `mime_type`), the
    legacy one (`source_type: "base64"`, `data`, `mime_type`) and the
    OpenAI-native `input_audio` block.
    """
    if block["type"] == "input_audio":
        inner = block.get("input_audio")
        if not isinstance(inner, Mapping) or "data" not in inner:
            raise AzureAudioInputError(
                f"{where}: an input_audio block needs "
                "{'input_audio': {'data': <base64>, 'format': 'wav'|'mp3'}}."
            )
        b64 = inner["data"]
        declared = _declared_format(inner.get("format"), where)
    else:
        if block.get("url") or block.get("source_type") == "url":
            raise AzureAudioInputError(
                f"{where}: audio URLs are not accepted by the service; download the file and "
                "use langchain_azure_audio.audio_block(path) to send it inline."
            )
        if block.get("file_id") or block.get("source_type") == "id":
            raise AzureAudioInputError(
                f"{where}: audio file ids are not accepted by chat completions; send the audio "
                "inline with langchain_azure_audio.audio_block(path)."
            )
        b64 = block.get("base64", block.get("data"))
        if b64 is None:
            raise AzureAudioInputError(
                f"{where}: the audio block has no data; pass "
                "{'type': 'audio', 'base64': <base64>, 'mime_type': 'audio/wav'}."
            )
        mime = block.get("mime_type")
        declared = input_format_from_mime(mime, where=f"{where}.mime_type") if mime else None
    if not b64:
        raise AzureAudioInputError(f"{where}: the audio data is empty; pass a WAV or MP3 file.")
    fmt = check_audio_base64(b64, declared, where=where)
    return {"type": "input_audio", "input_audio": {"data": b64, "format": fmt}}


def note_transcoded_inputs(answer: BaseMessage, messages: Sequence[BaseMessage]) -> None:
    """Set `answer.response_metadata["transcoded_inputs"]` when `audio_block` transcoded
    any input (its blocks' `extras["transcoded"]`, which are never sent)."""
    records = [
        dict(block["extras"]["transcoded"])
        for message in messages
        if isinstance(message.content, list)
        for block in message.content
        if isinstance(block, Mapping)
        and isinstance(block.get("extras"), Mapping)
        and isinstance(block["extras"].get("transcoded"), Mapping)
    ]
    if records:
        answer.response_metadata["transcoded_inputs"] = records


def _declared_format(value: Any, where: str) -> InputFormat | None:
    if value is None:
        return None
    fmt = _FORMAT_ALIASES.get(str(value).lower())
    if fmt is None:
        raise AzureAudioInputError(
            f"{where}.input_audio.format: {value!r} is not accepted; use one of {INPUT_FORMATS}."
        )
    return fmt


def _assistant_to_dict(
    message: AIMessage, where: str, policy: ExpiredAudioPolicy, now: float
) -> tuple[dict[str, Any], bool]:
    """An earlier answer: audio by id (or transcript when expired), text and tool calls."""
    audio = message.additional_kwargs.get("audio") or _audio_from_blocks(message.content)
    text = _assistant_text(message.content, where)
    out: dict[str, Any] = {"role": "assistant"}
    audio_ref = False
    if isinstance(audio, Mapping) and audio.get("id"):
        transcript = audio.get("transcript") or ""
        expires_at = audio.get("expires_at")
        expired = isinstance(expires_at, (int, float)) and expires_at <= now
        if expired and policy == "error":
            raise AudioExpiredError(
                f"{where}: the audio id {audio['id']!r} expired at {expires_at}; set "
                "expired_audio='transcript' to send its transcript instead, or start a new "
                "conversation."
            )
        if expired and policy == "transcript":
            text = text if text and text != transcript else transcript
        else:
            out["audio"] = {"id": audio["id"]}
            audio_ref = True
            if text == transcript:
                text = ""
    if text:
        out["content"] = text
    if message.tool_calls:
        out["tool_calls"] = [
            {
                "id": call["id"],
                "type": "function",
                "function": {"name": call["name"], "arguments": json.dumps(call["args"])},
            }
            for call in message.tool_calls
        ]
    if "content" not in out and "audio" not in out and "tool_calls" not in out:
        out["content"] = ""
    return out, audio_ref


def _audio_from_blocks(content: str | list[Any]) -> dict[str, Any] | None:
    if isinstance(content, list):
        for block in content:
            if isinstance(block, Mapping) and block.get("type") == "audio" and block.get("id"):
                return {"id": block["id"], "transcript": block.get("transcript", "")}
    return None


def _assistant_text(content: str | list[Any], where: str) -> str:
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            texts.append(block.get("text", ""))
    return "".join(texts)


def build_request(
    messages: list[dict[str, Any]],
    *,
    deployment: str,
    modalities: Sequence[str],
    voice: str,
    audio_format: str,
    stream: bool,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The keyword arguments for `client.chat.completions.create`."""
    request: dict[str, Any] = {"messages": messages, "model": deployment}
    request["modalities"] = list(modalities)
    if "audio" in modalities:
        request["audio"] = {"voice": voice, "format": audio_format}
    if stream:
        request["stream"] = True
        request["stream_options"] = {"include_usage": True}
    if extra:
        request.update({k: v for k, v in extra.items() if v is not None})
    return request


# -------------------------------------------------------------------------- output


def chat_result(response: Mapping[str, Any], *, audio_format: str | None) -> ChatResult:
    """Translate a chat-completion response dict into a `ChatResult`."""
    choice = response["choices"][0]
    message = choice.get("message") or {}
    audio = message.get("audio")
    additional_kwargs: dict[str, Any] = {}
    if audio:
        additional_kwargs["audio"] = {
            "id": audio.get("id"),
            "data": audio.get("data"),
            "expires_at": audio.get("expires_at"),
            "transcript": audio.get("transcript"),
        }
    if message.get("refusal"):
        additional_kwargs["refusal"] = message["refusal"]
    tool_calls, invalid_calls = parse_tool_calls(message.get("tool_calls") or [])
    text = message.get("content") or (audio or {}).get("transcript") or ""
    ai = AIMessage(
        content=text,
        additional_kwargs=additional_kwargs,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid_calls,
        response_metadata=response_metadata(response, choice, audio_format if audio else None),
        usage_metadata=usage_metadata(response.get("usage")),
        id=response.get("id"),
    )
    return ChatResult(
        generations=[
            ChatGeneration(
                message=ai, generation_info={"finish_reason": choice.get("finish_reason")}
            )
        ],
        llm_output={"model_name": response.get("model"), "token_usage": response.get("usage")},
    )


def response_metadata(
    response: Mapping[str, Any], choice: Mapping[str, Any], audio_format: str | None
) -> dict[str, Any]:
    """Model name, finish reason and Azure's filter results, when sent."""
    meta: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": response.get("model"),
        "finish_reason": choice.get("finish_reason"),
        "system_fingerprint": response.get("system_fingerprint"),
    }
    if audio_format:
        meta["audio_format"] = audio_format
    if "prompt_filter_results" in response:
        meta["prompt_filter_results"] = response["prompt_filter_results"]
    if "content_filter_results" in choice:
        meta["content_filter_results"] = choice["content_filter_results"]
    return meta


def usage_metadata(usage: Mapping[str, Any] | None) -> UsageMetadata | None:
    """LangChain usage metadata, with audio token details."""
    if not usage:
        return None
    prompt = usage.get("prompt_tokens_details") or {}
    completion = usage.get("completion_tokens_details") or {}
    input_details: InputTokenDetails = {}
    output_details: OutputTokenDetails = {}
    if prompt.get("audio_tokens") is not None:
        input_details["audio"] = prompt["audio_tokens"]
    if prompt.get("cached_tokens") is not None:
        input_details["cache_read"] = prompt["cached_tokens"]
    if completion.get("audio_tokens") is not None:
        output_details["audio"] = completion["audio_tokens"]
    if completion.get("reasoning_tokens") is not None:
        output_details["reasoning"] = completion["reasoning_tokens"]
    input_tokens = usage.get("prompt_tokens") or 0
    output_tokens = usage.get("completion_tokens") or 0
    return UsageMetadata(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        total_tokens=usage.get("total_tokens") or input_tokens + output_tokens,
        input_token_details=input_details,
        output_token_details=output_details,
    )


def parse_tool_calls(raw_calls: Sequence[Mapping[str, Any]]) -> tuple[list[Any], list[Any]]:
    """Split the service's tool calls into parsed and invalid (unparseable JSON) ones."""
    parsed, invalid = [], []
    for call in raw_calls:
        function = call.get("function") or {}
        arguments = function.get("arguments") or "{}"
        try:
            args = json.loads(arguments)
            if not isinstance(args, dict):
                raise ValueError("arguments are not a JSON object")
        except ValueError as exc:
            invalid.append(
                invalid_tool_call(
                    name=function.get("name"), args=arguments, id=call.get("id"), error=str(exc)
                )
            )
            continue
        parsed.append(tool_call(name=function.get("name", ""), args=args, id=call.get("id")))
    return parsed, invalid


# ---------------------------------------------------------------- content blocks


def translate_content(message: AIMessage) -> list[Any]:
    """Standard content blocks of one of our answers: text, audio, tool calls."""
    blocks: list[dict[str, Any]] = []
    text = message.text
    if text:
        blocks.append({"type": "text", "text": text})
    audio = message.additional_kwargs.get("audio")
    if isinstance(audio, Mapping) and (audio.get("data") or audio.get("id")):
        block: dict[str, Any] = {"type": "audio"}
        if audio.get("id"):
            block["id"] = audio["id"]
        if audio.get("data"):
            block["base64"] = audio["data"]
            block["mime_type"] = output_mime_type(
                message.response_metadata.get("audio_format") or "pcm16"
            )
        blocks.append(block)
    blocks.extend(
        {"type": "tool_call", "id": call.get("id"), "name": call["name"], "args": call["args"]}
        for call in message.tool_calls
    )
    return blocks
