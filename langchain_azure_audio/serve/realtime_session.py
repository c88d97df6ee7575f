"""The voice page on Azure's Realtime API: one live session per page, streamed both ways.

The page sends every 20 ms microphone frame (pcm16, 24 kHz, mono) as it is
captured; this bridge passes each one on at once with `live.send_audio`, and
Azure's voice detection (`server_vad`) decides where turns start and end. The
live session's events go to the page as they come: the turn indicator
(`speech_started`, `speech_stopped`), what the user said (`user_transcript`),
the answer (`answer_start`, `transcript` deltas, binary pcm16, `answer_end`),
each tool call and its result, and `interrupted`.

Barge-in: the page reports how many samples of the current answer its playback
worklet has actually played (`{"type": "played", "item": ..., "samples": N}`,
about every 11 ms while it plays); each report goes to `live.played(ms)`. When
Azure hears the user start speaking over an answer, the live session cancels it
and truncates it at the last reported position (what was heard, not what was
generated or received), and the page stops playback at once on `speech_started`.
**Stop** on the page flushes playback first and sends the final count with
`{"type": "stop"}`, so the truncation is exactly what was played.

The key or token stays in this process: the page only ever sees the mode, the
deployment names, voices, tool names, transcripts, tool results and audio.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from langchain_azure_audio._model.profiles import realtime_voices_for, resolve_model_name
from langchain_azure_audio.audio import PCM16_SAMPLE_RATE
from langchain_azure_audio.errors import AzureAudioError
from langchain_azure_audio.serve.session import (
    MAX_TEXT,
    PageLink,
    Sender,
    ServeOptions,
    logger,
)
from langchain_azure_audio.stream_audio import _SampleAligner

if TYPE_CHECKING:
    from langchain_azure_audio.realtime import AzureChatOpenAIRealtime, LiveEvent, LiveSession

MAX_FRAME: Final = 1024 * 1024
"""The most audio one binary message may carry in realtime mode (about 21 s). The page sends
20 ms frames (960 bytes), each passed on as one `input_audio_buffer.append` event; the
service takes up to 15 MiB per event (OpenAI's API reference), base64 included."""
MAX_SHOWN: Final = 2000
"""A tool's arguments and result are shown on the page up to this many characters."""
TURN_DETECTION: Final = "server_vad"
SAMPLES_PER_MS: Final = PCM16_SAMPLE_RATE / 1000


def default_live_model(deployment: str, voice: str) -> AzureChatOpenAIRealtime:
    """The realtime model: endpoint and credentials from the environment, never the page."""
    from langchain_azure_audio.realtime import AzureChatOpenAIRealtime

    return AzureChatOpenAIRealtime(azure_deployment=deployment, voice=voice)


def realtime_voices(deployment: str, voice: str) -> tuple[str, ...]:
    """The voices the page offers for a realtime deployment (and the server's own)."""
    model = resolve_model_name(None, deployment, realtime=True)
    return tuple(dict.fromkeys((*realtime_voices_for(model), voice)))


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


@dataclass
class PageAnswer:
    """One answer as the page plays it (an assistant item of the live session)."""

    item_id: str
    turn: int
    aligner: _SampleAligner
    first_audio: bool = False
    ended: bool = False


class RealtimeConversation(PageLink):
    """The state of one page in realtime mode: its live session and the answer playing."""

    def __init__(self, options: ServeOptions, sender: Sender) -> None:
        self.options = options
        super().__init__(sender)
        self.voice = options.voice
        self.deployment = options.deployments[0] if options.deployments else ""
        self.voices = realtime_voices(self.deployment, options.voice)
        self._live: LiveSession | None = None
        self._pump: asyncio.Task[None] | None = None
        self._broken: str | None = None
        """Why the live session could not open (or failed); no new attempt per frame."""
        self._turns = 0
        self._turn_ended: float | None = None
        self._answer: PageAnswer | None = None
        self._models: dict[tuple[str, str], AzureChatOpenAIRealtime] = {}

    async def hello(self) -> None:
        await self.send(
            {
                "type": "hello",
                "mode": "realtime",
                "offline": False,
                "message": None,
                "demo_question": None,
                "voices": list(self.voices),
                "voice": self.voice,
                "deployments": list(self.options.deployments),
                "deployment": self.deployment,
                "sample_rate": PCM16_SAMPLE_RATE,
                "max_bytes": MAX_FRAME,
                "tools": [{"name": t.name, "description": t.description}
                          for t in self.options.tools],
            }
        )  # fmt: skip

    # --------------------------------------------------------------- receiving

    async def on_audio(self, data: bytes) -> None:
        """A microphone frame: to Azure at once (its voice detection ends the turns)."""
        if len(data) > MAX_FRAME:
            await self.refuse(
                f"refused a message of {len(data):,} bytes: in realtime mode the page streams "
                f"the microphone in small frames (at most {MAX_FRAME:,} bytes, about 21 s)."
            )
            return
        if len(data) % 2:
            await self.refuse(
                f"malformed audio message: {len(data)} bytes is not whole 16-bit samples "
                "(the page sends pcm16, 24 kHz, mono)."
            )
            return
        live = await self._session()
        if live is None:
            return
        try:
            await live.send_audio(data)  # at once: Azure hears the turn as it is spoken
        except AzureAudioError as exc:
            await self._failed(exc)

    async def on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "played":
            await self.played(message)
        elif kind == "stop":
            await self.stop(message)
        elif kind == "ask":
            await self.ask(message.get("text"))
        elif kind == "config":
            await self.configure(message)
        elif kind == "reset":
            await self._end_session()
            self._broken = None
            await self.send({"type": "reset"})
        elif kind == "end_turn":
            await self.refuse(
                "end_turn is not used in realtime mode: the page streams the microphone and "
                "Azure's voice detection ends each turn."
            )
        else:
            await self.refuse(
                f"malformed message: unknown type {kind!r} (expected played, stop, ask, config "
                "or reset)."
            )

    async def played(self, message: dict[str, Any]) -> None:
        """The page's playback position in the answer playing: what the user has heard."""
        samples, item = message.get("samples"), message.get("item")
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 0:
            await self.refuse(
                "malformed played message: `samples` must be a whole number of samples "
                f"played (0 or more), got {samples!r:.40}."
            )
            return
        answer, live = self._answer, self._live
        if live is not None and answer is not None and item == answer.item_id:
            live.played(samples / SAMPLES_PER_MS)

    async def stop(self, message: dict[str, Any]) -> None:
        """Stop (the page's button): cut the answer at the samples the page played."""
        if message.get("samples") is not None:
            await self.played(message)
        live, answer = self._live, self._answer
        if live is None or answer is None:
            return
        try:
            cut = await live.interrupt()
        except AzureAudioError as exc:
            await self._failed(exc)
            return
        if cut:
            await self.send({"type": "cancelled", "turn": answer.turn})

    async def ask(self, text: Any) -> None:
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            await self.refuse(f"malformed ask: `text` must be 1 to {MAX_TEXT} characters.")
            return
        self._broken = None  # a new request: try to connect again after a failure
        live = await self._session()
        if live is None:
            return
        self._turns += 1
        self._turn_ended = time.monotonic()
        try:
            await live.say(text.strip())
        except AzureAudioError as exc:
            await self._failed(exc)

    async def configure(self, message: dict[str, Any]) -> None:
        voice, deployment = message.get("voice", self.voice), message.get("deployment")
        deployment = self.deployment if deployment is None else deployment
        if deployment not in self.options.deployments:
            await self.refuse(
                f"deployment {deployment!r} is not offered by this server (start it with "
                f"--deployment {deployment} to add it)."
            )
            return
        voices = realtime_voices(deployment, self.options.voice)
        if voice not in voices:
            await self.refuse(f"voice {voice!r} is not one of {', '.join(voices)}.")
            return
        restart = (voice, deployment) != (self.voice, self.deployment) and self._live is not None
        self.voice, self.deployment, self.voices = voice, deployment, voices
        if restart:  # a realtime session keeps its voice: the conversation starts over
            await self._end_session()
        self._broken = None
        await self.send({"type": "config", "voice": voice, "deployment": deployment,
                         "restarted": restart})  # fmt: skip

    async def close(self) -> None:
        await self._end_session()

    # ---------------------------------------------------------- the live session

    def _model(self) -> AzureChatOpenAIRealtime:
        key = (self.deployment, self.voice)
        if key not in self._models:
            make = self.options.make_live_model or default_live_model
            self._models[key] = make(*key)
        return self._models[key]

    async def _session(self) -> LiveSession | None:
        """The page's live session, opened on first use (frames wait in the socket)."""
        if self._live is not None or self._broken is not None:
            return self._live
        try:
            live = self._model().connect(
                tools=list(self.options.tools),
                instructions=self.options.system_prompt,
                turn_detection=TURN_DETECTION,
            )
            await live.__aenter__()
        except AzureAudioError as exc:
            self._broken = " ".join(str(exc).split())
            await self.refuse(self._broken)
            return None
        self._live = live
        self._pump = asyncio.create_task(self._events(live), name="lcaa-serve-realtime")
        logger.info("realtime session opened (deployment %s, voice %s)", self.deployment,
                    self.voice)  # fmt: skip
        return live

    async def _events(self, live: LiveSession) -> None:
        """The live session's events, to the page as they come."""
        try:
            async for event in live:
                await self._on_event(event)
        except AzureAudioError as exc:
            await self._failed(exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the page went away, or a bug: never a dead server
            logger.debug("the realtime pump ended: %r", exc)
            with contextlib.suppress(Exception):
                await self._failed(exc)

    async def _failed(self, exc: BaseException) -> None:
        """The session failed (a refused sign-in, a lost service): one line on the page; the
        next ask, config or reset connects again."""
        why = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, AzureAudioError):
            why = f"unexpected {type(exc).__name__}: {why} (a bug: please report it)"
        self._broken = why
        await self._end_session()
        await self.refuse(why)

    async def _end_session(self) -> None:
        live, pump = self._live, self._pump
        self._live, self._pump, self._answer = None, None, None
        if pump is not None and pump is not asyncio.current_task():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump
        if live is not None:
            with contextlib.suppress(Exception):
                await live.aclose()

    # ------------------------------------------------------------------ events

    async def _on_event(self, event: LiveEvent) -> None:
        if event.type == "audio":
            answer = await self._answer_for(event.item_id)
            if answer is not None:
                await self._audio_out(answer, event.pcm)
        elif event.type == "transcript":
            answer = await self._answer_for(event.item_id)
            if answer is not None:
                await self.send({"type": "transcript", "turn": answer.turn,
                                 "item": answer.item_id, "delta": event.delta})  # fmt: skip
        elif event.type == "speech_started":
            await self.send({"type": "speech_started", "turn": self._turns + 1})
        elif event.type == "speech_stopped":
            self._turns += 1
            self._turn_ended = time.monotonic()
            await self.send({"type": "speech_stopped", "turn": self._turns})
        elif event.type == "user_transcript":
            await self.send({"type": "user_transcript", "turn": self._turns, "text": event.text})
        elif event.type == "tool_call":
            await self.send({"type": "tool_call", "turn": self._turns, "name": event.name,
                             "call_id": event.call_id, "args": _shown(event.args)})  # fmt: skip
        elif event.type == "tool_result":
            await self.send({"type": "tool_result", "turn": self._turns, "name": event.name,
                             "call_id": event.call_id, "output": _shown(event.output),
                             "error": event.error})  # fmt: skip
        elif event.type == "interrupted":
            await self._interrupted(event.item_id, event.played_ms, event.generated_ms)
        elif event.type == "done":
            await self._done(event.message.text, event.status)
        elif event.type == "error":
            await self.refuse(" ".join(event.message.split()))
        elif event.type == "reconnected":
            await self.send({"type": "notice", "message": f"The connection to Azure was "
                             f"replaced ({event.reason}); the conversation goes on."})  # fmt: skip

    async def _answer_for(self, item_id: str | None) -> PageAnswer | None:
        """The page's answer for `item_id`: a new one (`answer_start`) when it changes."""
        answer = self._answer
        if answer is not None and (item_id is None or item_id == answer.item_id):
            return None if answer.ended else answer
        answer = self._answer = PageAnswer(item_id or "", self._turns, _SampleAligner())
        if self._live is not None:
            self._live.played(0)  # nothing of the new answer is heard yet
        await self.send({"type": "answer_start", "turn": answer.turn, "item": answer.item_id,
                         "synthetic": False})  # fmt: skip
        return answer

    async def _audio_out(self, answer: PageAnswer, pcm: bytes) -> None:
        if not answer.first_audio:  # the answer's first audio: the latency the user hears
            answer.first_audio = True
            if self._turn_ended is not None:
                latency = (time.monotonic() - self._turn_ended) * 1000
                logger.info("turn %d: first audio %.0f ms after the end of speech (Azure's "
                            "voice detection)", answer.turn, latency)  # fmt: skip
                await self.send({"type": "first_audio", "turn": answer.turn,
                                 "server_ms": round(latency, 1)})  # fmt: skip
        whole = answer.aligner.push(pcm)
        if whole:
            await self._send_audio(whole)

    async def _interrupted(self, item_id: str, played_ms: int, generated_ms: int) -> None:
        answer = self._answer
        turn = answer.turn if answer is not None and answer.item_id == item_id else self._turns
        logger.info("turn %d: interrupted; truncated at %d ms of %d ms (what the page played)",
                    turn, played_ms, generated_ms)  # fmt: skip
        await self.send({"type": "interrupted", "turn": turn, "item": item_id,
                         "played_ms": played_ms, "generated_ms": generated_ms})  # fmt: skip

    async def _done(self, text: str, status: str) -> None:
        answer = self._answer
        if answer is None or answer.ended:
            return  # a response that only called tools: its calls were shown
        answer.ended = True
        await self.send({"type": "answer_end", "turn": answer.turn, "item": answer.item_id,
                         "audio_id": answer.item_id, "transcript": text, "status": status,
                         "synthetic": False})  # fmt: skip
