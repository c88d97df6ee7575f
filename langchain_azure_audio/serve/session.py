"""One spoken conversation over one WebSocket: turns in, streamed answers out, barge-in.

The browser sends the microphone as raw pcm16 (24 kHz, mono) in binary
messages and closes a turn with `{"type": "end_turn"}`; the answer streams
back from `AzureChatOpenAIAudio.astream()` as `transcript` messages and binary
pcm16 deltas. `{"type": "stop"}` (barge-in) cancels the answer's task: the
chat model's stream then closes its HTTP response at once, so Azure stops
generating. Each finished answer goes into the history, so later turns refer
to it by audio id (or transcript once expired), as the chat model does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import wave
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any, Final, Protocol

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.tools import BaseTool

from langchain_azure_audio import _offline
from langchain_azure_audio._translate.streaming import merge_chunks
from langchain_azure_audio.audio import (
    MAX_INPUT_AUDIO_BYTES,
    PCM16_SAMPLE_RATE,
    audio_block,
    audio_bytes,
    pcm16_to_wav,
)
from langchain_azure_audio.chat_models import DOCUMENTED_VOICES, AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioError
from langchain_azure_audio.stream_audio import _SampleAligner, chunk_pcm

if TYPE_CHECKING:
    from langchain_azure_audio.realtime import AzureChatOpenAIRealtime

logger = logging.getLogger("langchain_azure_audio.serve")

WAV_HEADER: Final = 44
MAX_TURN_PCM: Final = MAX_INPUT_AUDIO_BYTES - WAV_HEADER
"""A turn's audio goes to Azure as one WAV: at most 20 MiB (about 7 minutes at 24 kHz)."""
MAX_TEXT: Final = 4000
DEFAULT_SYSTEM: Final = (
    "You are a friendly voice assistant in a spoken conversation. Answer briefly and "
    "naturally, as you would speak."
)
OFFLINE_MESSAGE: Final = (
    "Offline: set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME (plus "
    "AZURE_OPENAI_API_KEY, or `az login`) and restart `langchain-azure-audio serve` to talk "
    f'to the model; offline, only the demo question ("{_offline.QUESTION}") has a bundled '
    "(synthetic) answer."
)
REPLAY_SLICE: Final = PCM16_SAMPLE_RATE // 10 * 2
"""Offline replays send the answer in 100 ms pieces, like a stream."""


class Sender(Protocol):
    async def send_json(self, data: Any) -> None: ...
    async def send_bytes(self, data: bytes) -> None: ...


ModelFactory = Callable[[str, str], AzureChatOpenAIAudio]
"""(deployment, voice) -> the chat model for a turn."""
LiveModelFactory = Callable[[str, str], "AzureChatOpenAIRealtime"]
"""(deployment, voice) -> the realtime model of a page's live session."""


def default_model(deployment: str, voice: str) -> AzureChatOpenAIAudio:
    """The live model: endpoint and credentials from the environment, never the browser."""
    return AzureChatOpenAIAudio(azure_deployment=deployment, voice=voice, audio_format="wav")


@dataclass(frozen=True)
class ServeOptions:
    """What the page may choose from, and how the server answers."""

    offline: bool
    deployments: tuple[str, ...] = ()
    voice: str = "alloy"
    system_prompt: str = DEFAULT_SYSTEM
    make_model: ModelFactory = field(default=default_model)
    realtime: bool = False
    """Talk through the Realtime API (serve/realtime_session.py) instead of chat completions."""
    tools: tuple[BaseTool, ...] = ()
    """LangChain tools the model may call (realtime mode)."""
    make_live_model: LiveModelFactory | None = None
    """The realtime model's factory (default: from the environment)."""


class PageLink:
    """The server's side of one page: JSON messages and binary audio, one at a time, and
    refusals as one line on the page (both modes' conversations are one)."""

    def __init__(self, sender: Sender) -> None:
        self._sender = sender
        self._send_lock = asyncio.Lock()

    async def send(self, data: dict[str, Any]) -> None:
        async with self._send_lock:
            await self._sender.send_json(data)

    async def _send_audio(self, pcm: bytes) -> None:
        async with self._send_lock:
            await self._sender.send_bytes(pcm)

    async def refuse(self, why: str) -> None:
        """A clear one-line error on the page; the conversation goes on."""
        logger.warning("refused: %s", why)
        await self.send({"type": "error", "message": why})


class Conversation(PageLink):
    """The state of one page: settings, history, the turn being spoken, the answer playing."""

    def __init__(self, options: ServeOptions, sender: Sender) -> None:
        self.options = options
        super().__init__(sender)
        self.voice = options.voice
        self.voices = tuple(dict.fromkeys((*DOCUMENTED_VOICES, options.voice)))
        self.deployment = options.deployments[0] if options.deployments else ""
        self.history: list[BaseMessage] = []
        self._pcm = bytearray()
        self._overflow = False
        self._turns = 0
        self._audio_turn = 0
        self._task: asyncio.Task[None] | None = None
        self._models: dict[tuple[str, str], AzureChatOpenAIAudio] = {}

    async def hello(self) -> None:
        await self.send(
            {
                "type": "hello",
                "mode": "chat",
                "offline": self.options.offline,
                "message": OFFLINE_MESSAGE if self.options.offline else None,
                "demo_question": _offline.QUESTION if self.options.offline else None,
                "voices": list(self.voices),
                "voice": self.voice,
                "deployments": list(self.options.deployments),
                "deployment": self.deployment,
                "sample_rate": PCM16_SAMPLE_RATE,
                "max_bytes": MAX_INPUT_AUDIO_BYTES,
                "tools": [],
            }
        )

    # --------------------------------------------------------------- receiving

    async def on_audio(self, data: bytes) -> None:
        """A piece of the turn being spoken (pcm16)."""
        if len(data) % 2:
            await self.refuse(
                f"malformed audio message: {len(data)} bytes is not whole 16-bit samples "
                "(the page sends pcm16, 24 kHz, mono)."
            )
            return
        if self._overflow:
            return
        if len(self._pcm) + len(data) > MAX_TURN_PCM:
            self._overflow = True
            self._pcm.clear()
            await self.refuse(
                "this turn is over Azure's 20 MiB audio input limit (about 7 minutes of "
                "speech); it was dropped. Speak in shorter turns."
            )
            return
        self._pcm += data

    async def on_message(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "end_turn":
            await self.end_turn()
        elif kind == "stop":
            await self.stop()
        elif kind == "ask":
            await self.ask(message.get("text"))
        elif kind == "config":
            await self.configure(message)
        elif kind == "reset":
            await self.stop(notify=False)
            self.history.clear()
            await self.send({"type": "reset"})
        else:
            await self.refuse(
                f"malformed message: unknown type {kind!r} (expected end_turn, stop, ask, "
                "config or reset)."
            )

    async def configure(self, message: dict[str, Any]) -> None:
        voice, deployment = message.get("voice", self.voice), message.get("deployment")
        if voice not in self.voices:
            await self.refuse(f"voice {voice!r} is not one of {', '.join(self.voices)}.")
            return
        deployment = self.deployment if deployment is None else deployment
        if not self.options.offline and deployment not in self.options.deployments:
            await self.refuse(
                f"deployment {deployment!r} is not offered by this server (start it with "
                f"--deployment {deployment} to add it)."
            )
            return
        self.voice, self.deployment = voice, deployment
        await self.send({"type": "config", "voice": voice, "deployment": deployment})

    # ------------------------------------------------------------------- turns

    async def end_turn(self) -> None:
        """The user stopped speaking: send what was heard, stream the answer."""
        ended = time.monotonic()
        pcm, overflow = bytes(self._pcm), self._overflow
        self._pcm, self._overflow = bytearray(), False  # the next turn starts empty
        if overflow:
            return
        if not pcm:
            await self.refuse("no speech reached the server for this turn; nothing was sent.")
            return
        seconds = len(pcm) / 2 / PCM16_SAMPLE_RATE
        await self.send({"type": "heard", "seconds": round(seconds, 3)})
        if self.options.offline:
            await self.refuse(OFFLINE_MESSAGE)
            return
        question = HumanMessage(content=[audio_block(pcm16_to_wav(pcm), mime_type="audio/wav")])
        await self._start(self._answer(question, ended))

    async def ask(self, text: Any) -> None:
        """A typed question (the offline page's demo question, or any text when live)."""
        ended = time.monotonic()
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            await self.refuse(f"malformed ask: `text` must be 1 to {MAX_TEXT} characters.")
            return
        if self.options.offline:
            if " ".join(text.split()).lower() != _offline.QUESTION.lower():
                await self.refuse(OFFLINE_MESSAGE)
                return
            await self._start(self._replay(ended))
            return
        await self._start(self._answer(HumanMessage(text.strip()), ended))

    async def stop(self, *, notify: bool = True) -> None:
        """Barge-in: cancel the answer now (its HTTP stream to Azure closes with it)."""
        task, self._task = self._task, None
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if notify:
            await self.send({"type": "cancelled", "turn": self._turns})

    async def close(self) -> None:
        await self.stop(notify=False)
        for model in self._models.values():
            await model.aclose()

    async def _start(self, answer: Coroutine[Any, Any, None]) -> None:
        await self.stop()
        self._turns += 1
        self._task = asyncio.create_task(self._guarded(answer))

    async def _guarded(self, answer: Coroutine[Any, Any, None]) -> None:
        """An answer's task: any failure becomes one line on the page, never a dead server."""
        try:
            await answer
        except AzureAudioError as exc:
            await self.refuse(" ".join(str(exc).split()))
        except Exception as exc:
            logger.exception("turn %d failed", self._turns)
            with contextlib.suppress(Exception):
                await self.refuse(
                    f"unexpected {type(exc).__name__}: {exc} (a bug: please report it)"
                )

    def _model(self) -> AzureChatOpenAIAudio:
        key = (self.deployment, self.voice)
        if key not in self._models:
            self._models[key] = self.options.make_model(*key)
        return self._models[key]

    async def _answer(self, question: HumanMessage, ended: float) -> None:
        turn = self._turns
        messages = [SystemMessage(self.options.system_prompt), *self.history, question]
        chunks: list[AIMessageChunk] = []
        aligner = _SampleAligner()
        await self.send({"type": "answer_start", "turn": turn, "synthetic": False})
        try:
            async for chunk in self._model().astream(messages):
                chunks.append(chunk)
                if isinstance(chunk.content, str) and chunk.content:
                    await self.send({"type": "transcript", "turn": turn, "delta": chunk.content})
                pcm = aligner.push(chunk_pcm(chunk))
                if pcm:
                    await self._audio_out(turn, ended, pcm)
        except asyncio.CancelledError:
            partial = merge_chunks(chunks).text if chunks else ""
            self.history += [question, AIMessage(f"{partial} [interrupted]".strip())]
            logger.info("turn %d: stopped by the user; the stream to Azure was closed", turn)
            raise
        answer = merge_chunks(chunks)
        audio = dict(answer.additional_kwargs.get("audio") or {})
        audio.pop("data", None)  # the service never needs it back: the id (or transcript) does
        kept = AIMessage(
            content=answer.text,
            additional_kwargs={"audio": audio} if audio else {},
            response_metadata=answer.response_metadata,
            id=answer.id,
        )
        self.history += [question, kept]
        await self.send(
            {"type": "answer_end", "turn": turn, "audio_id": audio.get("id"),
             "transcript": answer.text, "synthetic": False}
        )  # fmt: skip

    async def _audio_out(self, turn: int, ended: float, pcm: bytes) -> None:
        if self._audio_turn != turn:  # the answer's first audio: the latency the user hears
            self._audio_turn = turn
            latency = (time.monotonic() - ended) * 1000
            logger.info("turn %d: first audio %.0f ms after the end of speech", turn, latency)
            await self.send({"type": "first_audio", "turn": turn, "server_ms": round(latency, 1)})
        await self._send_audio(pcm)

    async def _replay(self, ended: float) -> None:
        """Offline: the demo question's answer from the bundled synthetic session."""
        turn = self._turns
        await self.send({"type": "answer_start", "turn": turn, "synthetic": True})
        answer = await asyncio.to_thread(_replay_demo_answer)
        await self.send({"type": "transcript", "turn": turn, "delta": answer.text})
        with wave.open(BytesIO(audio_bytes(answer, as_wav=True)), "rb") as wav:
            rate, pcm = wav.getframerate(), wav.readframes(wav.getnframes())
        if rate != PCM16_SAMPLE_RATE:  # the bundled session is 24 kHz, like every stream
            raise AzureAudioError(f"the bundled demo answer is {rate} Hz, not 24 kHz")
        for start in range(0, len(pcm), REPLAY_SLICE):
            await self._audio_out(turn, ended, pcm[start : start + REPLAY_SLICE])
        audio = answer.additional_kwargs.get("audio") or {}
        await self.send(
            {"type": "answer_end", "turn": turn, "audio_id": audio.get("id"),
             "transcript": answer.text, "synthetic": True}
        )  # fmt: skip


def _replay_demo_answer() -> AIMessage:
    with _offline.offline_replay() as llm:
        answer = llm.invoke(_offline.QUESTION)
    assert isinstance(answer, AIMessage)
    return answer
