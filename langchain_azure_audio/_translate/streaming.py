"""Server-sent chunks → `AIMessageChunk`s, surviving what real streams do.

Real audio streams (see `../shared/recordings/README.md`) send most chunks
without a `choices` key, repeat the audio id on the first data chunk, send
the usage chunk (`"choices": []`) *before* the last chunk (which carries only
`audio.expires_at`), never send `finish_reason`, and add `obfuscation` noise.

Audio deltas are re-cut on 3-byte boundaries ("base64 carry"): each yielded
`data` string encodes a whole number of 3-byte groups, so the strings that
LangChain concatenates when chunks are added stay one valid base64 string.
The last 0-2 bytes are flushed, padded, in the final chunk.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from typing import Any, cast

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.ai import add_ai_message_chunks
from langchain_core.messages.tool import ToolCallChunk, tool_call_chunk
from langchain_core.outputs import ChatGenerationChunk

from langchain_azure_audio._media.strict_base64 import b64decode_strict
from langchain_azure_audio._translate.messages import MODEL_PROVIDER, usage_metadata
from langchain_azure_audio.errors import AzureAudioServiceError

STREAM_AUDIO_FORMAT = "pcm16"
"""The only audio format the service streams (24 kHz, mono, 16-bit LE)."""


class StreamInterruptedError(AzureAudioServiceError):
    """The stream ended before the service finished the answer.

    Attributes:
        partial: an `AIMessageChunk` with everything that arrived (transcript so
            far, audio bytes so far); it is *not* a complete answer.
    """

    def __init__(self, message: str, *, partial: AIMessageChunk, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.partial = partial


class AudioMessageChunk(AIMessageChunk):
    """The `AIMessageChunk` this model streams: the same message, with a linear list merge.

    `BaseChatModel.stream()` builds the final message for callbacks and tracing
    (`on_llm_end`, `astream_events`, LangSmith) with `chunks[0] + chunks[1:]`;
    langchain-core merges the audio `data` strings one after another, which is
    quadratic in the answer's length (a 6-minute answer is 24 MB of base64).
    Here that one list merge is `merge_chunks` (the strings are joined once).
    The result is identical, and only this model's chunks behave so: nothing
    in langchain-core is patched. Serialised, it is an `AIMessageChunk`.
    """

    @classmethod
    def lc_id(cls) -> list[str]:
        return AIMessageChunk.lc_id()

    def __add__(self, other: Any) -> AIMessageChunk:  # type: ignore[override]
        if isinstance(other, (list, tuple)) and all(isinstance(o, AIMessageChunk) for o in other):
            return merge_chunks([self, *other])
        return cast("AIMessageChunk", super().__add__(other))


class StreamAssembler:
    """Turns one stream's chunk dicts into `ChatGenerationChunk`s, one by one.

    Feed every chunk to `feed`; call `finish` at the end. Both return the
    generation chunk to yield, or `None` when the server chunk carried nothing
    a user can see.
    """

    def __init__(self) -> None:
        self._audio_id: str | None = None
        self._carry = b""
        self._transcript: list[str] = []
        self._audio: list[str] = []
        self._expires_at: int | None = None
        self._saw_usage = False
        self._meta: dict[str, Any] = {}
        self._prompt_filter_results: list[Any] = []
        self._content_filter_results: dict[str, Any] | None = None
        self._finish_reason: str | None = None
        self._message_id: str | None = None

    # ---------------------------------------------------------------- feeding

    def feed(self, chunk: Mapping[str, Any]) -> ChatGenerationChunk | None:
        """Translate one server chunk."""
        self._message_id = self._message_id or chunk.get("id")
        if chunk.get("model"):
            self._meta["model_name"] = chunk["model"]
        if chunk.get("system_fingerprint"):
            self._meta["system_fingerprint"] = chunk["system_fingerprint"]
        if chunk.get("prompt_filter_results"):
            self._prompt_filter_results.extend(chunk["prompt_filter_results"])
        usage = chunk.get("usage")
        if usage:
            self._saw_usage = True
            return self._emit(usage=usage)
        choices = chunk.get("choices")
        if not choices:  # most real chunks have no "choices" key at all
            return None
        choice = choices[0]
        if choice.get("finish_reason"):
            self._finish_reason = choice["finish_reason"]
        if choice.get("content_filter_results"):
            self._content_filter_results = choice["content_filter_results"]
        delta = choice.get("delta") or {}
        text = delta.get("content") or ""
        audio = delta.get("audio") or {}
        tool_chunks = [
            tool_call_chunk(
                name=(call.get("function") or {}).get("name"),
                args=(call.get("function") or {}).get("arguments"),
                id=call.get("id"),
                index=call.get("index"),
            )
            for call in delta.get("tool_calls") or []
        ]
        return self._emit(text=text, audio=audio, tool_chunks=tool_chunks)

    def _emit(
        self,
        *,
        text: str = "",
        audio: Mapping[str, Any] | None = None,
        tool_chunks: list[ToolCallChunk] | None = None,
        usage: Mapping[str, Any] | None = None,
    ) -> ChatGenerationChunk | None:
        audio_delta: dict[str, Any] = {}
        if audio:
            if audio.get("id") and audio["id"] != self._audio_id:
                self._audio_id = audio_delta["id"] = audio["id"]
            if audio.get("transcript"):
                audio_delta["transcript"] = audio["transcript"]
                text = text or audio["transcript"]
            if audio.get("data"):
                aligned = self._align(audio["data"])
                if aligned:
                    audio_delta["data"] = aligned
            if audio.get("expires_at") is not None:
                self._expires_at = audio_delta["expires_at"] = audio["expires_at"]
        if text:
            self._transcript.append(text)
        if not (text or audio_delta or tool_chunks or usage):
            return None
        message = AudioMessageChunk(
            content=text,
            additional_kwargs={"audio": audio_delta} if audio_delta else {},
            tool_call_chunks=tool_chunks or [],
            usage_metadata=usage_metadata(usage) if usage else None,
            id=self._message_id,
        )
        return ChatGenerationChunk(message=message)

    def _align(self, b64: str) -> str:
        """Re-cut a base64 delta so it encodes a multiple of 3 bytes."""
        if not self._carry and len(b64) % 4 == 0 and not b64.endswith("="):
            self._audio.append(b64)  # already aligned: pass the string through untouched
            return b64
        try:
            data = self._carry + b64decode_strict(b64)
        except binascii.Error as exc:
            raise AzureAudioServiceError(
                f"The service sent an audio delta that is not valid base64 ({exc})."
            ) from exc
        cut = len(data) - len(data) % 3
        self._carry = data[cut:]
        aligned = base64.b64encode(data[:cut]).decode("ascii") if cut else ""
        if aligned:
            self._audio.append(aligned)
        return aligned

    # -------------------------------------------------------------- finishing

    @property
    def complete(self) -> bool:
        """Whether the service finished: it always sends usage last (we ask for it)."""
        return self._saw_usage

    def finish(self) -> ChatGenerationChunk:
        """The closing chunk: leftover audio bytes and the response metadata."""
        audio_delta: dict[str, Any] = {}
        if self._carry:
            audio_delta["data"] = base64.b64encode(self._carry).decode("ascii")
            self._audio.append(audio_delta["data"])
            self._carry = b""
        meta = dict(self._meta)
        meta["model_provider"] = MODEL_PROVIDER
        meta["finish_reason"] = self._finish_reason
        if self._audio_id:
            meta["audio_format"] = STREAM_AUDIO_FORMAT
        if self._prompt_filter_results:
            meta["prompt_filter_results"] = self._prompt_filter_results
        if self._content_filter_results is not None:
            meta["content_filter_results"] = self._content_filter_results
        message = AudioMessageChunk(
            content="",
            additional_kwargs={"audio": audio_delta} if audio_delta else {},
            response_metadata=meta,
            id=self._message_id,
            chunk_position="last",
        )
        return ChatGenerationChunk(
            message=message, generation_info={"finish_reason": self._finish_reason}
        )

    def partial(self) -> AIMessageChunk:
        """Everything received so far, as one chunk (for interruption errors)."""
        audio: dict[str, Any] = {}
        if self._audio_id:
            audio["id"] = self._audio_id
        if self._audio or self._carry:
            audio["data"] = "".join(self._audio) + (
                base64.b64encode(self._carry).decode("ascii") if self._carry else ""
            )
        if self._transcript and self._audio_id:
            audio["transcript"] = "".join(self._transcript)
        return AIMessageChunk(
            content="".join(self._transcript),
            additional_kwargs={"audio": audio} if audio else {},
            response_metadata={"model_provider": MODEL_PROVIDER, "incomplete": True},
            id=self._message_id,
        )

    def interrupted(self, cause: BaseException | None) -> StreamInterruptedError:
        """The error to raise when the stream stopped early.

        `cause` is a dropped connection, a timeout, or an error event the
        service sent mid-stream; `None` when the body just ended early.
        """
        partial = self.partial()
        audio = partial.additional_kwargs.get("audio", {})
        received = len(binascii.a2b_base64(audio["data"])) if audio.get("data") else 0
        code = message = None
        body = getattr(cause, "body", None)
        if isinstance(body, Mapping):  # an error event inside the stream
            error = body.get("error", body)
            code, message = error.get("code"), error.get("message")
            reason = f"the service reported an error mid-stream ({code}): {message}"
        elif cause is not None:
            root = cause.__cause__ or cause  # the SDK wraps transport errors
            reason = f"the connection failed mid-stream ({type(root).__name__}: {root})"
        else:
            reason = "the body ended before the service finished (no usage chunk)"
        return StreamInterruptedError(
            f"The audio stream was cut off: {reason}. Received {len(partial.text)} characters "
            f"of transcript and {received} bytes of audio; they are on `.partial`, which is "
            "not a complete answer. Retry the request for a complete answer.",
            partial=partial,
            code=str(code) if code is not None else None,
            service_message=message,
            body=body,
        )


def merge_chunks(chunks: Sequence[AIMessageChunk]) -> AIMessageChunk:
    """Add streamed chunks like `functools.reduce(operator.add, chunks)`, in linear time.

    LangChain's merge concatenates the audio `data` strings pairwise, which is
    quadratic in the answer's length (`full = full + chunk` over a 6-minute
    answer copies gigabytes); here they are joined once. Chunks that carry
    nothing but audio data (most of a long answer) skip LangChain's field-by-field
    merge altogether; the result is the same message.
    """
    if not chunks:
        return AIMessageChunk(content="")
    data: list[str] = []
    structural: list[AIMessageChunk] = []
    has_audio = False
    for chunk in chunks:
        audio = chunk.additional_kwargs.get("audio")
        if isinstance(audio, dict) and "data" in audio:
            data.append(audio["data"])
            if has_audio and _only_audio_data(chunk, audio, structural[0].id):
                continue
            has_audio = True
            rest = {k: v for k, v in audio.items() if k != "data"}
            chunk = chunk.model_copy(
                update={"additional_kwargs": {**chunk.additional_kwargs, "audio": rest}}
            )
        structural.append(chunk)
    merged = add_ai_message_chunks(structural[0], *structural[1:])
    if data:
        merged.additional_kwargs["audio"]["data"] = "".join(data)
    return merged


def _only_audio_data(chunk: AIMessageChunk, audio: dict[str, Any], first_id: str | None) -> bool:
    """Whether merging `chunk` would add nothing but its audio data."""
    return (
        len(audio) == 1
        and len(chunk.additional_kwargs) == 1
        and chunk.content == ""
        and not chunk.tool_call_chunks
        and not chunk.tool_calls
        and not chunk.invalid_tool_calls
        and chunk.usage_metadata is None
        and not chunk.response_metadata
        and chunk.chunk_position is None
        and chunk.name is None
        and chunk.id in (None, first_id)
    )
