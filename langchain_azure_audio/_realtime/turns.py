"""What a live session keeps per answer, what was heard of it, and how tools run.

`heard_ms` and `heard_text` are the barge-in arithmetic: how much of an answer
the user actually heard when they cut it short. The app reports playback with
`live.played(ms)`; without that, the time since the app received the answer's
first audio stands in; either way, never more than was generated.

`run_tools` runs the model's calls concurrently (sync tools in a worker
thread, as LangChain does), each bounded in time; a tool that raises (or runs
out of time) answers with its error text, so the model hears what went wrong
and the session goes on.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.tools import BaseTool

from langchain_azure_audio._realtime.events import LiveEvent, ToolCall, ToolResult
from langchain_azure_audio._realtime.protocol import audio_ms


def heard_ms(
    played_ms: float | None, first_delivered: float | None, now: float, generated_ms: float
) -> int:
    """Milliseconds of an answer the user heard: what the app reported playing, else the
    wall-clock time since the app received its first audio; at most `generated_ms`."""
    if played_ms is not None:
        heard = played_ms
    elif first_delivered is None:
        heard = 0.0
    else:
        heard = (now - first_delivered) * 1000.0
    return int(max(0.0, min(heard, generated_ms)))


def heard_text(transcript: str, heard: float, generated: float) -> str:
    """The words of `transcript` heard in `heard` of `generated` milliseconds.

    The service sends no word timings, so the words are cut in proportion to the
    audio heard; a word cut in the middle is not kept.
    """
    if generated <= 0 or heard >= generated:
        return transcript
    words = transcript.split()
    kept = math.floor(len(words) * heard / generated)
    return " ".join(words[:kept])


@dataclass
class Answer:
    """One response of the live session, as it arrives and as it was heard."""

    response_id: str | None
    item_id: str | None = None
    content_index: int = 0
    pcm: list[bytes] = field(default_factory=list)
    generated_bytes: int = 0
    transcript: list[str] = field(default_factory=list)
    first_delivered: float | None = None
    """`time.monotonic()` when the app received the first audio of this answer."""
    played_ms: float | None = None
    """What the app reported playing of this answer (`live.played`)."""
    interrupted: bool = False
    heard_ms: int | None = None
    done: bool = False
    message_index: int | None = None
    """Where this answer sits in `live.messages` once it is there."""
    run: Any = None
    """The LangChain callbacks' run of this response, when callbacks are configured."""

    @property
    def generated_ms(self) -> float:
        return audio_ms(self.generated_bytes)

    @property
    def text(self) -> str:
        return "".join(self.transcript)

    def heard_pcm(self) -> bytes:
        """The audio as heard (all of it unless the answer was interrupted)."""
        pcm = b"".join(self.pcm)
        if self.heard_ms is not None:
            cut = self.heard_ms * 48
            pcm = pcm[:cut]
        return pcm

    def heard_transcript(self) -> str:
        if self.heard_ms is None:
            return self.text
        return heard_text(self.text, self.heard_ms, self.generated_ms)

    def history_message(self, tool_calls: Sequence[Mapping[str, Any]] = ()) -> AIMessage:
        """The answer as `live.messages` keeps it: the heard transcript, no audio bytes."""
        text = self.heard_transcript()
        extra: dict[str, Any] = {}
        if self.item_id and self.generated_bytes:
            extra["audio"] = {"id": self.item_id, "transcript": text}
        calls = [
            {"name": c["name"], "args": c["args"], "id": c["id"], "type": "tool_call"}
            for c in tool_calls
        ]
        meta: dict[str, Any] = {}
        if self.heard_ms is not None:
            meta = {"interrupted": True, "heard_ms": self.heard_ms,
                    "generated_ms": int(self.generated_ms)}  # fmt: skip
        return AIMessage(
            content=text, additional_kwargs=extra, tool_calls=calls, response_metadata=meta,
            id=self.response_id,
        )  # fmt: skip

    def audio_b64(self) -> str:
        return base64.b64encode(self.heard_pcm()).decode("ascii")


def parse_calls(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`function_call` output items as LangChain tool calls (unparsable arguments: `{}`
    plus the raw text under `"__raw__"`, so the tool's own validation reports it)."""
    calls = []
    for item in items:
        raw = item.get("arguments") or "{}"
        try:
            args = json.loads(raw)
            if not isinstance(args, dict):
                raise ValueError
        except ValueError:
            args = {"__raw__": raw}
        calls.append({"name": str(item.get("name", "")), "args": args,
                      "id": str(item.get("call_id", ""))})  # fmt: skip
    return calls


Emit = Callable[[LiveEvent], None]


async def run_tools(
    calls: Sequence[Mapping[str, Any]],
    tools: Mapping[str, BaseTool],
    *,
    timeout: float,
    emit: Emit,
) -> list[ToolMessage]:
    """Run every call at once; their results in the calls' order, as `ToolMessage`s."""
    for call in calls:
        emit(ToolCall(name=call["name"], args=dict(call["args"]), call_id=call["id"]))
    outputs = await asyncio.gather(*(_run(call, tools, timeout) for call in calls))
    results = []
    for call, (output, failed) in zip(calls, outputs, strict=True):
        emit(ToolResult(name=call["name"], call_id=call["id"], output=output, error=failed))
        results.append(
            ToolMessage(
                content=output,
                tool_call_id=call["id"],
                name=call["name"],
                status="error" if failed else "success",
            )
        )
    return results


async def _run(
    call: Mapping[str, Any], tools: Mapping[str, BaseTool], timeout: float
) -> tuple[str, bool]:
    tool = tools.get(call["name"])
    if tool is None:
        return f"Error: there is no tool named {call['name']!r}; use one of {sorted(tools)}.", True
    if "__raw__" in call["args"]:
        return f"Error: the arguments are not a JSON object: {call['args']['__raw__']}", True
    try:
        result: Any = await asyncio.wait_for(_invoke(tool, call["args"]), timeout)
    except asyncio.TimeoutError:
        return f"Error: the tool {call['name']!r} did not finish within {timeout:g} s.", True
    except Exception as exc:
        return f"Error: {type(exc).__name__}: {exc}", True
    return _as_text(result), False


def _invoke(tool: BaseTool, args: dict[str, Any]) -> Awaitable[Any]:
    return tool.ainvoke(args)


def _as_text(result: Any) -> str:
    if isinstance(result, ToolMessage):
        result = result.content
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result)
    except (TypeError, ValueError):
        return str(result)
