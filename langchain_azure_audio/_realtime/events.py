"""The events a live session yields (`async for event in live:`), one small class each.

Every event has a `type` (a string constant) so an app can `match event.type:`
or test `isinstance`. They are frozen dataclasses with `__slots__`: cheap to
make at audio rate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    from langchain_core.messages import AIMessage
    from langchain_core.messages.ai import UsageMetadata

    from langchain_azure_audio.errors import AzureAudioError

EventType = Literal[
    "speech_started",
    "speech_stopped",
    "user_transcript",
    "audio",
    "transcript",
    "tool_call",
    "tool_result",
    "interrupted",
    "done",
    "error",
    "reconnected",
]


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """The service's voice activity detection heard the user start speaking."""

    type: ClassVar[Literal["speech_started"]] = "speech_started"
    item_id: str | None = None
    audio_start_ms: int | None = None


@dataclass(frozen=True, slots=True)
class SpeechStopped:
    """The service's voice activity detection heard the user stop: the turn ends (with
    `server_vad`/`semantic_vad`, the service then answers by itself)."""

    type: ClassVar[Literal["speech_stopped"]] = "speech_stopped"
    item_id: str | None = None
    audio_end_ms: int | None = None


@dataclass(frozen=True, slots=True)
class UserTranscript:
    """What the user said, transcribed (`transcription` must be on)."""

    type: ClassVar[Literal["user_transcript"]] = "user_transcript"
    text: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class Audio:
    """A piece of the answer's speech: pcm16, 24 kHz, mono, little-endian."""

    type: ClassVar[Literal["audio"]] = "audio"
    pcm: bytes
    item_id: str
    response_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transcript:
    """A piece of the answer's text: the transcript of its speech (or its text)."""

    type: ClassVar[Literal["transcript"]] = "transcript"
    delta: str
    item_id: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCall:
    """The model called a tool; the session runs it."""

    type: ClassVar[Literal["tool_call"]] = "tool_call"
    name: str
    args: dict[str, Any]
    call_id: str


@dataclass(frozen=True, slots=True)
class ToolResult:
    """A tool's result (or its error text, `error=True`), sent back to the model."""

    type: ClassVar[Literal["tool_result"]] = "tool_result"
    name: str
    call_id: str
    output: str
    error: bool = False


@dataclass(frozen=True, slots=True)
class Interrupted:
    """The answer was cut short (barge-in or `interrupt()`); `played_ms` of it were heard
    and kept (the service's copy is truncated there)."""

    type: ClassVar[Literal["interrupted"]] = "interrupted"
    played_ms: int
    item_id: str
    generated_ms: int = 0


@dataclass(frozen=True, slots=True)
class Done:
    """A response ended. `message` has the chat model's shape (transcript, pcm16 audio,
    usage); `status` is the service's (`completed`, `cancelled`, `incomplete`, `failed`)."""

    type: ClassVar[Literal["done"]] = "done"
    message: AIMessage
    usage: UsageMetadata | None
    status: str
    status_details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Error:
    """The service reported an error the session lives through (a typed `exception`)."""

    type: ClassVar[Literal["error"]] = "error"
    exception: AzureAudioError

    @property
    def message(self) -> str:
        return str(self.exception)


@dataclass(frozen=True, slots=True)
class Reconnected:
    """The connection was replaced (the service's session limit, or a dropped socket):
    same settings, the conversation restored as text; the session goes on."""

    type: ClassVar[Literal["reconnected"]] = "reconnected"
    reason: str
    attempt: int = 1


LiveEvent = (
    SpeechStarted
    | SpeechStopped
    | UserTranscript
    | Audio
    | Transcript
    | ToolCall
    | ToolResult
    | Interrupted
    | Done
    | Error
    | Reconnected
)
"""Any event `async for event in live` yields."""
