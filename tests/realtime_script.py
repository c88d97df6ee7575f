"""What the scripted realtime server says and checks (tests/realtime_server.py).

The scripts a test gives the server (`Speak`, `CallTools`, `Fail`), the default
answers (like the synthetic chat service's), the per-connection log (`Conn`),
and the protocol facts the server enforces: each protocol's `session.update`
shape and event names, and the usage it reports. Synthetic: nothing recorded.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from websockets.asyncio.server import ServerConnection

RATE = 24_000
BYTES_PER_MS = 48
MODEL_VERSIONS = {
    "gpt-realtime": "gpt-realtime-2025-08-28",
    "gpt-realtime-mini": "gpt-realtime-mini-2025-12-15",
    "gpt-realtime-1.5": "gpt-realtime-1.5-2026-02-23",
    "gpt-realtime-2": "gpt-realtime-2-2026-05-06",
    "gpt-4o-realtime-preview": "gpt-4o-realtime-preview-2024-12-17",
    "gpt-4o-mini-realtime-preview": "gpt-4o-mini-realtime-preview-2024-12-17",
}
"""What `session.created` names as the model behind a deployment named like one."""
SPEECH_LEVEL = 1000  # a chunk whose loudest sample reaches this is speech
SILENCE_MS = 300  # this much quiet after speech ends the turn


def tone(ms: int, hz: float = 440.0, level: int = 8000) -> bytes:
    """`ms` milliseconds of a sine tone, pcm16 24 kHz mono."""
    t = np.arange(ms * RATE // 1000) / RATE
    return (level * np.sin(2 * np.pi * hz * t)).astype("<i2").tobytes()


def silence(ms: int) -> bytes:
    return bytes(ms * BYTES_PER_MS)


# ------------------------------------------------------------------ scripts


@dataclass
class Speak:
    """A spoken answer: the transcript in word deltas, interleaved with audio deltas."""

    transcript: str
    pcm: bytes | None = None
    """The answer's audio (default: `ms_per_word` of tone per word)."""
    ms_per_word: int = 100
    chunk_bytes: int = 4800  # 100 ms
    hold_after: int | None = None
    """Send this many audio chunks, then wait until the client cancels (or `release()`)."""
    text_only: bool = False
    status: str = "completed"
    pace: float = 0.0
    """Seconds between audio chunks (0: as fast as the socket takes them)."""

    def audio(self) -> bytes:
        if self.pcm is not None:
            return self.pcm
        return tone(max(1, len(self.transcript.split())) * self.ms_per_word)


@dataclass
class CallTools:
    """The model calls these tools (name, arguments), in one response."""

    calls: list[tuple[str, dict[str, Any]]]
    status: str = "completed"
    """The response's status (the service ends some responses `incomplete` or `cancelled`)."""


@dataclass
class Fail:
    """An `error` event instead of an answer."""

    code: str
    message: str
    type: str = "invalid_request_error"
    param: str | None = None


Step = Speak | CallTools | Fail
Brain = Callable[["Conn", dict[str, Any]], Step]


@dataclass
class Conn:
    """One client connection, as the server saw it."""

    number: int
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    protocol: str
    received: list[dict[str, Any]] = field(default_factory=list)
    session: dict[str, Any] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)
    responses: int = 0
    generated_ms: dict[str, float] = field(default_factory=dict)
    closed_at: float | None = None
    """`time.monotonic()` when the server saw the connection end."""
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    active: bool = False
    speaking: bool = False
    quiet_ms: float = 0.0
    heard_ms: float = 0.0
    ws: ServerConnection | None = None
    log: list[tuple[str, float, str | None]] = field(default_factory=list)
    """What the server sent on it: (event type, `time.monotonic()` once sent, item id)."""

    def sent(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e.get("type") == kind]


def scripted(*steps: Step, then: Step | None = None) -> Brain:
    """A brain that answers with `steps` in order, then with `then` (if given) for ever."""
    it = iter(steps)

    def answer(conn: Conn, request: dict[str, Any]) -> Step:
        step = next(it, then)
        if step is None:
            raise AssertionError(f"the script has only {len(steps)} answers")
        return step

    return answer


def default_brain(conn: Conn, request: dict[str, Any]) -> Step:
    """Answer like the synthetic chat service (scripts/synthetic_service.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    from synthetic_service import answer_text, example_arguments, last_user_text, tool_to_call

    body = chat_body(conn)
    function = tool_to_call(body) if body["messages"] else None
    if function is not None:
        said = last_user_text(body)
        return CallTools([(function["name"], example_arguments(function["parameters"], said))])
    return Speak(answer_text(body) if body["messages"] else "Hello.")


def chat_body(conn: Conn) -> dict[str, Any]:
    """The connection's conversation and tools in the chat-completions shape."""
    messages: list[dict[str, Any]] = []
    for item in conn.items:
        kind = item.get("type")
        if kind == "message":
            parts = []
            for part in item.get("content") or []:
                if part.get("type") in ("input_text", "output_text", "text"):
                    parts.append({"type": "text", "text": part.get("text", "")})
                elif part.get("type") == "input_audio":
                    parts.append(
                        {"type": "input_audio", "input_audio": {"data": "", "format": "wav"}}
                    )
            messages.append({"role": item.get("role"), "content": parts})
        elif kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments")},
            }
            messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            messages.append(
                {"role": "tool", "tool_call_id": item.get("call_id"), "content": item.get("output")}
            )
    tools = [
        {"type": "function", "function": {k: v for k, v in t.items() if k != "type"}}
        for t in conn.session.get("tools") or []
    ]
    choice = conn.session.get("tool_choice", "auto")
    if isinstance(choice, dict):
        choice = {"type": "function", "function": {"name": choice.get("name")}}
    body: dict[str, Any] = {"messages": messages, "tools": tools, "tool_choice": choice}
    return body  # fmt: skip


# ------------------------------------------------------------------- server


WATCHED = frozenset(
    {
        "response.output_audio.delta",
        "response.audio.delta",
        "response.done",
        "response.created",
        "error",
        "input_audio_buffer.speech_started",
        "input_audio_buffer.speech_stopped",
    }
)
"""Events whose sending wakes `wait` (tests wait on what the server has sent)."""

PREVIEW_NAMES = {
    "response.output_audio.delta": "response.audio.delta",
    "response.output_audio.done": "response.audio.done",
    "response.output_audio_transcript.delta": "response.audio_transcript.delta",
    "response.output_audio_transcript.done": "response.audio_transcript.done",
    "response.output_text.delta": "response.text.delta",
    "response.output_text.done": "response.text.done",
}
"""GA event names → the preview names (Microsoft's migration guide)."""


def session_problem(protocol: str, session: dict[str, Any]) -> tuple[str, str, str] | None:
    """What the service would refuse in a `session.update` (code, message, param), if anything."""
    if protocol == "ga":
        if session.get("type") != "realtime":
            return ("missing_required_parameter",
                    "Missing required parameter: 'session.type'.", "session.type")  # fmt: skip
        for flat in ("modalities", "voice", "input_audio_format", "turn_detection"):
            if flat in session:
                return ("unknown_parameter", f"Unknown parameter: 'session.{flat}'.",
                        f"session.{flat}")  # fmt: skip
        audio = session.get("audio") or {}
        for side in ("input", "output"):
            fmt = (audio.get(side) or {}).get("format")
            if fmt is not None and fmt != {"type": "audio/pcm", "rate": RATE}:
                return ("invalid_value", f"Invalid audio.{side}.format {fmt!r}.",
                        f"session.audio.{side}.format")  # fmt: skip
        return None
    for ga_only in ("type", "audio", "output_modalities"):
        if ga_only in session:
            return ("unknown_parameter", f"Unknown parameter: 'session.{ga_only}'.",
                    f"session.{ga_only}")  # fmt: skip
    for key in ("input_audio_format", "output_audio_format"):
        if session.get(key, "pcm16") != "pcm16":
            return ("invalid_value", f"Invalid {key}.", f"session.{key}")
    return None


def input_setting(conn: Conn, preview: str, ga: str) -> Any:
    """A session's input-audio setting: flat in the preview protocol, under `audio.input` in GA."""
    if conn.protocol == "preview":
        return conn.session.get(preview)
    return ((conn.session.get("audio") or {}).get("input") or {}).get(ga)


def usage(conn: Conn, output: list[Any]) -> dict[str, Any]:
    """Token counts in the `response.done` shape (10 audio tokens a second in, 20 out)."""
    heard = sum(
        1
        for item in conn.items
        if item.get("role") == "user"
        and any(part.get("type") == "input_audio" for part in item.get("content") or [])
    )
    out_audio = sum(int(conn.generated_ms.get(i.get("id", ""), 0) // 50) for i in output)
    text_in, audio_in, text_out = 20 + 5 * len(conn.items), 10 * heard, 5 + 2 * len(output)
    return {"total_tokens": text_in + audio_in + text_out + out_audio,
            "input_tokens": text_in + audio_in, "output_tokens": text_out + out_audio,
            "input_token_details": {"text_tokens": text_in, "audio_tokens": audio_in,
                                    "cached_tokens": 0},
            "output_token_details": {"text_tokens": text_out,
                                     "audio_tokens": out_audio}}  # fmt: skip
