"""A live voice session: `async with llm.connect(...) as live:`.

One task reads the connection and turns the service's events into the typed
events the app iterates (`_realtime/events.py`); the app's own calls
(`send_audio`, `commit`, `say`, `interrupt`, `played`) send from the app's task.

* **Tools** run for the model when a response ends with status `completed`
  (never from a cancelled, incomplete or failed one): all its calls at once,
  each result sent back as a `function_call_output` item, then one
  `response.create`.
* **Barge-in**: on the service's `speech_started` during an answer, or
  `interrupt()`, the answer's audio stops reaching the app at once, the
  response is cancelled if the service has not ended it, and the assistant item
  is truncated at what was heard (`played(ms)`, else the wall-clock time since
  the app got its first audio; never more than was generated). `live.messages`
  keeps the answer as heard.
* **Reconnection**: when the service ends the session (its time limit) or the
  connection drops, a new connection is opened (a fresh token), the session's
  settings sent again and the conversation restored as text items; audio sent
  meanwhile is held (up to `HELD_AUDIO_MS`) and sent after. The app sees one
  `reconnected` event. A refused sign-in or a missing deployment ends the session
  with that typed error at once.
* **Waits** are bounded: connecting, sending while reconnecting, each event of
  an answer (`timeout`), each tool (`tool_timeout`), closing. While idle the
  session waits for the service without a deadline; WebSocket keepalive pings
  (the `websockets` defaults, every 20 s, 20 s to answer) find a dead connection.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tools import BaseTool

from langchain_azure_audio._azure.realtime import (
    CANCEL_NOT_ACTIVE,
    SESSION_EXPIRED,
    Protocol,
    error_event_error,
)
from langchain_azure_audio._realtime import protocol as proto
from langchain_azure_audio._realtime.events import (
    Audio,
    Done,
    Error,
    Interrupted,
    LiveEvent,
    Reconnected,
    SpeechStarted,
    SpeechStopped,
    Transcript,
    UserTranscript,
)
from langchain_azure_audio._realtime.turns import Answer, heard_ms, parse_calls, run_tools
from langchain_azure_audio._realtime.wire import Wire
from langchain_azure_audio._translate.messages import MODEL_PROVIDER, usage_metadata
from langchain_azure_audio.errors import (
    AzureAudioAuthenticationError,
    AzureAudioError,
    AzureAudioInputError,
    AzureAudioServiceError,
    DeploymentNotFoundError,
)

HELD_AUDIO_MS: Final = 10_000
"""Audio sent while the session reconnects is held up to this much (the oldest dropped)."""
MAX_RECONNECT_DELAY: Final = 8.0
_END: Final = object()

OpenWire = Callable[[], Awaitable[Wire]]
StartRun = Callable[[list[BaseMessage]], Awaitable[Any]]


class LiveSession:
    """A live conversation with a realtime deployment (see the module docstring).

    Made by `AzureChatOpenAIRealtime.connect(...)`; use it as an async context
    manager, and iterate it for events.
    """

    def __init__(
        self,
        *,
        open_wire: OpenWire,
        session: dict[str, Any],
        tools: Mapping[str, BaseTool],
        protocol: Protocol,
        deployment: str,
        voice: str,
        timeout: float,
        tool_timeout: float,
        max_retries: int,
        reconnect_delay: float,
        push_to_talk: bool,
        start_run: StartRun | None = None,
    ) -> None:
        self.messages: list[BaseMessage] = []
        """The conversation so far, as LangChain messages: what the user said (its
        transcript), the answers as heard, tool calls and their results."""
        self._open_wire, self._session, self._tools = open_wire, session, dict(tools)
        self._protocol, self._deployment, self._voice = protocol, deployment, voice
        self._timeout, self._tool_timeout = timeout, tool_timeout
        self._max_retries, self._reconnect_delay = max_retries, reconnect_delay
        self._push_to_talk, self._start_run = push_to_talk, start_run
        self._wire: Wire | None = None
        self._opening: asyncio.Future[Wire] | None = None
        self._events: asyncio.Queue[Any] = asyncio.Queue()
        self._ready = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._failure: BaseException | None = None
        self._answer: Answer | None = None
        self._cut_items: set[str] = set()
        self._held: collections.deque[bytes] = collections.deque()
        self._held_bytes = 0
        self._response_active = False
        self._want_response = False
        self._awaiting_created = False
        self._asks = 0
        self._user_items: dict[str, int] = {}
        self.model_name: str | None = None
        self.reconnections = 0

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> LiveSession:
        self._wire = await self._open_wire()  # a refusal raises its typed error here
        try:
            await self._wire.send({"type": "session.update", "session": self._session})
        except BaseException:
            await self._wire.close()
            raise
        self._ready.set()
        self._reader = asyncio.create_task(self._read(), name="lcaa-live-reader")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """End the session: stop reading, cancel running tools, close the connection."""
        if self._closed and self._reader is None:
            return
        self._closed = True
        current = asyncio.current_task()
        tasks = [t for t in (self._reader, *self._tasks) if t is not None and t is not current]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=self._timeout)
        self._reader = None
        if self._opening is not None:  # a reconnection under way: close what it opens
            with contextlib.suppress(BaseException):
                await (await asyncio.wait_for(self._opening, self._timeout)).close()
        if self._wire is not None:
            await self._wire.close()
        self._events.put_nowait(_END)

    def __aiter__(self) -> LiveSession:
        return self

    async def __anext__(self) -> LiveEvent:
        while True:
            event = await self._events.get()
            if event is _END:
                self._events.put_nowait(_END)  # every later call ends too
                if self._failure is not None:
                    raise self._failure
                raise StopAsyncIteration
            if type(event) is Audio:
                if event.item_id in self._cut_items:
                    continue  # an interrupted answer: nothing more of it reaches the app
                answer = self._answer
                first = answer is not None and answer.first_delivered is None
                if first and answer is not None and answer.item_id == event.item_id:
                    answer.first_delivered = time.monotonic()
            return event  # type: ignore[no-any-return]

    # -------------------------------------------------------------- the app

    async def send_audio(self, pcm: bytes, *, sample_rate: int = proto.SAMPLE_RATE) -> None:
        """Send microphone audio: pcm16, 24 kHz, mono, little-endian, whole samples.

        Raises:
            AzureAudioInputError: another rate, not bytes, or an odd byte count
                (before anything is sent).
        """
        proto.check_pcm16(pcm, sample_rate=sample_rate)
        self._check_open()
        if not self._ready.is_set():
            self._hold(bytes(pcm))
            return
        assert self._wire is not None
        await self._wire.send_text(proto.append_audio(bytes(pcm)))

    async def commit(self) -> None:
        """End the user's turn (push-to-talk): commit the audio sent and ask for an answer."""
        self._check_open()
        await self._send({"type": "input_audio_buffer.commit"})
        if self._push_to_talk:
            await self._request_response()

    async def say(self, text: str) -> None:
        """Add a user turn as text and ask for an answer.

        Raises:
            AzureAudioInputError: `text` is not a non-empty string (before anything is sent).
        """
        if not isinstance(text, str) or not text.strip():
            raise AzureAudioInputError(f"say() takes the user's words as text, got {text!r:.40}.")
        self._check_open()
        self.messages.append(HumanMessage(content=text))
        await self._send(proto.item_create(proto.user_text_item(text)))
        await self._request_response()

    def played(self, ms: float) -> None:
        """Report how much of the current answer the app has actually played (ms), so an
        interruption keeps exactly what the user heard."""
        if isinstance(ms, bool) or not isinstance(ms, (int, float)) or ms != ms:
            raise AzureAudioInputError(f"played() takes milliseconds as a number, got {ms!r:.40}.")
        if self._answer is not None and not self._answer.interrupted:
            self._answer.played_ms = max(0.0, float(ms))

    async def interrupt(self) -> bool:
        """Cut the current answer short at what was heard; `False` if nothing was playing."""
        self._check_open()
        return await self._interrupt(by_speech=False)

    def _check_open(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._closed:
            raise AzureAudioServiceError("The live session is closed; open a new one.")

    # ------------------------------------------------------------- sending

    async def _send(self, event: Mapping[str, Any]) -> None:
        """Send an event, waiting (bounded) while the session reconnects."""
        if not self._ready.is_set():
            try:
                await asyncio.wait_for(self._ready.wait(), self._timeout)
            except asyncio.TimeoutError as exc:
                raise AzureAudioServiceError(
                    f"The live session could not reconnect within {self._timeout:g} s."
                ) from exc
            self._check_open()
        assert self._wire is not None
        try:
            await self._wire.send(event)
        except Exception as exc:
            if self._closed:
                raise AzureAudioServiceError("The live session is closed.") from exc

    async def _request_response(self) -> None:
        """Ask for one response: now, or when the one in progress ends."""
        self._want_response = True
        if not self._response_active:
            await self._create_response()

    async def _create_response(self) -> None:
        self._want_response = False
        self._response_active = True
        self._awaiting_created = True
        self._asks += 1
        await self._send({"type": "response.create", "event_id": f"lcaa_response_{self._asks}"})

    def _hold(self, pcm: bytes) -> None:
        self._held.append(pcm)
        self._held_bytes += len(pcm)
        while self._held_bytes > HELD_AUDIO_MS * proto.BYTES_PER_MS:
            self._held_bytes -= len(self._held.popleft())

    def _emit(self, event: LiveEvent) -> None:
        self._events.put_nowait(event)

    # -------------------------------------------------------------- reading

    async def _read(self) -> None:
        try:
            while not self._closed:
                assert self._wire is not None
                wait = self._timeout if self._response_active else None
                try:
                    event = await self._wire.recv(wait)
                except asyncio.TimeoutError:
                    await self._reconnect(f"no event from the service for {wait:g} s")
                    continue
                except AzureAudioError:
                    raise
                except Exception as exc:
                    if self._closed:
                        return
                    await self._reconnect(f"the connection dropped ({type(exc).__name__})")
                    continue
                await self._handle(event)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self._failure = exc
        self._closed = True
        self._ready.set()  # wake waiting senders: they see the failure
        self._events.put_nowait(_END)

    async def _handle(self, event: dict[str, Any]) -> None:
        kind = event.get("type", "")
        if kind == "response.output_audio.delta":
            self._on_audio(event)
        elif kind in ("response.output_audio_transcript.delta", "response.output_text.delta"):
            answer = self._answer_of(event)
            if not answer.interrupted:  # what came after the cut was never heard
                answer.transcript.append(event.get("delta", ""))
                self._emit(Transcript(delta=event.get("delta", ""), item_id=event.get("item_id")))
        elif kind == "response.created":
            await self._on_created(event)
        elif kind == "response.done":
            await self._on_done(event.get("response") or {})
        elif kind == "input_audio_buffer.speech_started":
            self._emit(SpeechStarted(event.get("item_id"), event.get("audio_start_ms")))
            await self._interrupt(by_speech=True)
        elif kind == "input_audio_buffer.speech_stopped":
            self._emit(SpeechStopped(event.get("item_id"), event.get("audio_end_ms")))
        elif kind == "input_audio_buffer.committed":
            self._user_turn(str(event.get("item_id") or ""), "")
        elif kind == "conversation.item.input_audio_transcription.completed":
            text = str(event.get("transcript") or "").strip()
            self._user_turn(str(event.get("item_id") or ""), text)
            self._emit(UserTranscript(text=text, item_id=event.get("item_id")))
        elif kind in ("session.created", "session.updated"):
            self.model_name = (event.get("session") or {}).get("model") or self.model_name
        elif kind == "error":
            await self._on_error(event.get("error") or {})

    def _answer_of(self, event: Mapping[str, Any]) -> Answer:
        answer = self._answer
        response_id = event.get("response_id")
        if answer is None or (response_id and answer.response_id not in (None, response_id)):
            answer = self._answer = Answer(response_id=response_id)
        return answer

    def _on_audio(self, event: Mapping[str, Any]) -> None:
        answer = self._answer_of(event)
        item_id = str(event.get("item_id") or "")
        if answer.item_id is None:
            answer.item_id, answer.content_index = item_id, int(event.get("content_index") or 0)
        if answer.interrupted or item_id in self._cut_items:
            return
        pcm = proto.b64decode_delta(event.get("delta", ""))
        answer.pcm.append(pcm)
        answer.generated_bytes += len(pcm)
        self._emit(Audio(pcm=pcm, item_id=item_id, response_id=answer.response_id))

    def _user_turn(self, item_id: str, text: str) -> None:
        index = self._user_items.get(item_id)
        if index is None:
            self._user_items[item_id] = len(self.messages)
            self.messages.append(HumanMessage(content=text, id=item_id or None))
        elif text:
            self.messages[index] = HumanMessage(content=text, id=item_id or None)

    async def _on_created(self, event: Mapping[str, Any]) -> None:
        response = event.get("response") or {}
        self._response_active = True
        self._awaiting_created = False
        self._answer = Answer(response_id=response.get("id"))
        if self._start_run is not None:
            self._answer.run = await self._start_run(list(self.messages))

    async def _on_error(self, error: Mapping[str, Any]) -> None:
        code = error.get("code")
        if code == CANCEL_NOT_ACTIVE:
            return  # our cancel raced the response's own end: nothing to do
        if code == SESSION_EXPIRED:
            await self._reconnect("the service ended the session at its time limit")
            return
        if self._awaiting_created and error.get("event_id") == f"lcaa_response_{self._asks}":
            self._response_active = self._awaiting_created = False  # our ask was refused
        self._emit(Error(error_event_error(error, deployment=self._deployment, voice=self._voice)))

    async def _on_done(self, response: Mapping[str, Any]) -> None:
        self._response_active = False
        answer = self._answer_of({"response_id": response.get("id")})
        answer.done = True
        status = str(response.get("status") or "completed")
        calls = parse_calls(proto.function_calls(response)) if status == "completed" else []
        if answer.text or answer.generated_bytes or calls:
            answer.message_index = len(self.messages)
            self.messages.append(answer.history_message(calls))
        message = self._done_message(answer, response, calls)
        answer.pcm = []  # the audio goes out with the Done event; the history keeps text
        if answer.run is not None:  # reported before the app sees `done` and maybe closes
            result = LLMResult(generations=[[ChatGeneration(message=message)]],
                               llm_output={"token_usage": proto.chat_usage(response.get("usage")),
                                           "model_name": self.model_name})  # fmt: skip
            await answer.run.on_llm_end(result)
        self._emit(Done(message=message, usage=message.usage_metadata, status=status,
                        status_details=dict(response.get("status_details") or {})))  # fmt: skip
        if calls:
            task = asyncio.create_task(self._answer_calls(calls), name="lcaa-live-tools")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        elif self._want_response and self._ready.is_set():
            await self._create_response()

    def _done_message(
        self, answer: Answer, response: Mapping[str, Any], calls: list[dict[str, Any]]
    ) -> AIMessage:
        """The response in the chat model's shape (pcm16 audio as heard, usage, status)."""
        text = answer.heard_transcript()
        extra: dict[str, Any] = {}
        meta: dict[str, Any] = {"model_provider": MODEL_PROVIDER, "model_name": self.model_name,
                                "status": response.get("status"),
                                "finish_reason": proto.finish_reason(response)}  # fmt: skip
        if response.get("status_details"):
            meta["status_details"] = response["status_details"]
        if answer.generated_bytes:
            extra["audio"] = {"id": answer.item_id, "data": answer.audio_b64(), "transcript": text}
            meta["audio_format"] = "pcm16"
        if answer.heard_ms is not None:
            meta.update(interrupted=True, heard_ms=answer.heard_ms)
        return AIMessage(
            content=text, additional_kwargs=extra, response_metadata=meta,
            tool_calls=[{**c, "type": "tool_call"} for c in calls],
            usage_metadata=usage_metadata(proto.chat_usage(response.get("usage"))),
            id=response.get("id"),
        )  # fmt: skip

    async def _answer_calls(self, calls: list[dict[str, Any]]) -> None:
        results = await run_tools(calls, self._tools, timeout=self._tool_timeout, emit=self._emit)
        try:
            for result in results:
                self.messages.append(result)
                output = proto.function_call_output(result.tool_call_id, str(result.content))
                await self._send(proto.item_create(output))
            await self._request_response()  # one response for all the results
        except AzureAudioError:
            pass  # the session failed meanwhile: its iterator raises that error

    # -------------------------------------------------------------- barge-in

    async def _interrupt(self, *, by_speech: bool) -> bool:
        answer = self._answer
        if answer is None or answer.interrupted or not answer.item_id:
            return False
        now = time.monotonic()
        heard = heard_ms(answer.played_ms, answer.first_delivered, now, answer.generated_ms)
        if answer.done and heard >= int(answer.generated_ms):
            return False  # all of it was heard: nothing to cut
        answer.interrupted = True  # from here on, none of its audio reaches the app
        self._cut_items.add(answer.item_id)
        answer.heard_ms = heard
        if not answer.done:
            await self._send({"type": "response.cancel"})
        await self._send(proto.truncate(answer.item_id, answer.content_index, heard))
        if answer.message_index is not None:  # already in the history: keep what was heard
            old = self.messages[answer.message_index]
            calls = getattr(old, "tool_calls", [])
            self.messages[answer.message_index] = answer.history_message(calls)
        self._emit(Interrupted(played_ms=heard, item_id=answer.item_id,
                               generated_ms=int(answer.generated_ms)))  # fmt: skip
        return True

    # ---------------------------------------------------------- reconnection

    async def _reconnect(self, reason: str) -> None:
        """Replace the connection and restore the session; the typed error if refused."""
        self._ready.clear()
        if self._wire is not None:
            await self._wire.close()
        if self._response_active:  # the answer in flight is lost: keep what arrived
            await self._on_done({"id": self._answer.response_id if self._answer else None,
                                 "status": "incomplete",
                                 "status_details": {"reason": "connection_lost"}})  # fmt: skip
        attempt = 0
        while True:
            attempt += 1
            try:
                # shielded: a close of the session meanwhile waits for it and closes it
                self._opening = asyncio.ensure_future(self._open_wire())
                wire = await asyncio.shield(self._opening)
                self._opening = None
                break
            except (AzureAudioAuthenticationError, DeploymentNotFoundError):
                raise  # a refused sign-in or a missing deployment: at once
            except AzureAudioError:
                if attempt > self._max_retries:
                    raise
                delay = min(self._reconnect_delay * 2 ** (attempt - 1), MAX_RECONNECT_DELAY)
                await asyncio.sleep(delay)
        self._wire = wire
        await self._restore(wire)
        self.reconnections += 1
        self._ready.set()
        self._emit(Reconnected(reason=reason, attempt=attempt))
        if self._awaiting_created or self._want_response:
            await self._create_response()

    async def _restore(self, wire: Wire) -> None:
        """The session's settings, then the conversation as text, then the held audio."""
        await wire.send({"type": "session.update", "session": self._session})
        said = [m for m in self.messages if not (isinstance(m, HumanMessage) and not m.text)]
        _, items = proto.conversation_items(said, self._protocol)
        for item in items:
            await wire.send(proto.item_create(item))
        while self._held:
            pcm = self._held.popleft()
            self._held_bytes -= len(pcm)
            await wire.send_text(proto.append_audio(pcm))
