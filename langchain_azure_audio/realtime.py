"""`AzureChatOpenAIRealtime`: Azure's realtime models as a LangChain chat model, and live.

The same settings, errors and answers as `AzureChatOpenAIAudio` (an app moves
between the two by changing the class), over Azure's Realtime API instead of
chat completions:

* `invoke` / `stream` (and their async forms) send the conversation over one
  short-lived connection per call and return the chat model's `AIMessage`:
  `.content` the transcript, `additional_kwargs["audio"]` with the pcm16 audio,
  a standard audio content block, `usage_metadata` with audio token details,
  `response_metadata["status"]`. A new connection per call keeps calls
  independent (the service keeps a conversation per connection; reusing one
  would mean deleting its items between calls) at the cost of a handshake.
* `connect(...)` opens a live session (`LiveSession`): microphone audio in,
  speech out as it is made, tools run for the model, barge-in, reconnection.

See docs/live-voice.md.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Final

from langchain_core.callbacks import (
    AsyncCallbackManager,
    AsyncCallbackManagerForLLMRun,
    CallbackManagerForLLMRun,
)
from langchain_core.language_models import LangSmithParams, ModelProfile
from langchain_core.language_models.base import LanguageModelInput
from langchain_core.language_models.chat_models import (
    BaseChatModel,
    agenerate_from_stream,
    generate_from_stream,
)
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.messages.block_translators import register_translator
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from langchain_azure_audio._azure.realtime import (
    RealtimeEndpoint,
    open_connection,
    realtime_client,
    realtime_endpoint,
)
from langchain_azure_audio._model.azure_settings import AzureSettings
from langchain_azure_audio._model.lifecycle import NOTICES
from langchain_azure_audio._model.profiles import (
    realtime_profile,
    realtime_voices_for,
    resolve_model_name,
)
from langchain_azure_audio._model.settings import (
    check_realtime_modalities,
    check_turn_detection,
    check_voice,
)
from langchain_azure_audio._model.structured import structured_output
from langchain_azure_audio._realtime import events
from langchain_azure_audio._realtime import protocol as proto
from langchain_azure_audio._realtime.session import LiveSession
from langchain_azure_audio._realtime.sync import iterate_async
from langchain_azure_audio._realtime.wire import DEFAULT_TIMEOUT, Wire, one_response
from langchain_azure_audio._translate import messages as translate
from langchain_azure_audio._translate.streaming import StreamAssembler
from langchain_azure_audio._translate.tool_schemas import format_tools, tool_choice_param
from langchain_azure_audio.errors import AzureAudioConfigError, AzureAudioServiceError

__all__ = [
    "Audio",
    "AzureChatOpenAIRealtime",
    "Done",
    "Error",
    "Interrupted",
    "LiveEvent",
    "LiveSession",
    "Reconnected",
    "SpeechStarted",
    "SpeechStopped",
    "ToolCall",
    "ToolResult",
    "Transcript",
    "UserTranscript",
]

Audio = events.Audio
Done = events.Done
Error = events.Error
Interrupted = events.Interrupted
LiveEvent = events.LiveEvent
Reconnected = events.Reconnected
SpeechStarted = events.SpeechStarted
SpeechStopped = events.SpeechStopped
ToolCall = events.ToolCall
ToolResult = events.ToolResult
Transcript = events.Transcript
UserTranscript = events.UserTranscript

register_translator(
    translate.MODEL_PROVIDER, translate.translate_content, translate.translate_content
)

_CALL_KWARGS: Final = ("tools", "tool_choice", "parallel_tool_calls", "voice", "modalities",
                       "model", "azure_deployment", "instructions", "stream")  # fmt: skip


def _connection_closed() -> tuple[type[BaseException], ...]:
    """What ends a call's connection early: a close, a network error."""
    from websockets.exceptions import ConnectionClosed

    return (ConnectionClosed, OSError)


class AzureChatOpenAIRealtime(AzureSettings, BaseChatModel):
    """Azure OpenAI realtime models (`gpt-realtime`, `gpt-realtime-mini`,
    `gpt-realtime-1.5`, `gpt-realtime-2`, and the preview `gpt-4o-realtime-preview` /
    `gpt-4o-mini-realtime-preview`) as a LangChain chat model, and live.

    Endpoint: the GA protocol (`wss://<resource>/openai/v1/realtime?model=<deployment>`)
    by default; the preview protocol (`/openai/realtime?api-version=...&deployment=...`)
    when `api_version` is given. Auth as `AzureChatOpenAIAudio`: an API key (the
    `api-key` header), else your token provider, else keyless Entra ID; a token is
    fetched for every connection.

    Example:
        ```python
        from langchain_azure_audio import AzureChatOpenAIRealtime, save_audio

        llm = AzureChatOpenAIRealtime(
            azure_deployment="gpt-realtime",
            azure_endpoint="https://my-resource.openai.azure.com",
            voice="marin",
        )
        answer = llm.invoke("Is a golden retriever a good family dog?")
        print(answer.content)           # the spoken words, as text
        save_audio(answer, "dog.wav")   # the speech (pcm16, saved as WAV)
        ```
    """

    api_version: str | None = None
    """Set it (e.g. `2025-04-01-preview`) to use the preview protocol; unset (the
    default) is the GA protocol. `OPENAI_API_VERSION` is not read: it is commonly set
    for chat completions, and would switch this model to the deprecated protocol."""
    instructions: str | None = None
    """Session instructions (a leading `SystemMessage` of a call takes their place)."""
    modalities: list[str] = Field(default_factory=lambda: ["text", "audio"])
    """`["text", "audio"]`: speech and its transcript; `["text"]`: text only."""
    max_tokens: int | None = Field(default=None, alias="max_output_tokens")
    """The most tokens of one answer (the service's default when unset)."""

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=()
    )

    _sdk_client: Any = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._check_deployment_settings("realtime model")
        self._endpoint(str(self.azure_deployment))  # a bad api_version is refused here
        self._check_voice(self.voice)
        check_realtime_modalities(self.modalities)
        if self.profile is None:  # langchain-core < 1.3 has no _resolve_model_profile hook
            self.profile = self._resolve_model_profile()
        NOTICES.check(self.audio_model_name)  # a retiring model: one warning per process

    # ------------------------------------------------------------- settings

    def _check_voice(self, voice: str) -> None:
        check_voice(
            voice,
            allow_unknown_voice=self.allow_unknown_voice,
            voices=realtime_voices_for(self.audio_model_name),
            api="the realtime model",
        )

    def _resolve_model_profile(self) -> ModelProfile | None:
        return realtime_profile(self.audio_model_name)

    @property
    def audio_model_name(self) -> str | None:
        """The model behind the deployment: `model_name`, or the deployment's name when it
        names a known realtime model (`None` otherwise)."""
        return resolve_model_name(self.model_name, self.azure_deployment, realtime=True)

    @property
    def protocol(self) -> str:
        """`"ga"` (the default) or `"preview"` (when `api_version` is set)."""
        return "preview" if self.api_version else "ga"

    def _endpoint(self, deployment: str) -> RealtimeEndpoint:
        return realtime_endpoint(str(self.azure_endpoint), deployment, self.api_version)

    @property
    def _llm_type(self) -> str:
        return "azure-openai-realtime"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_azure_audio", "realtime"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "azure_deployment": self.azure_deployment,
            "model_name": self.audio_model_name,
            "api": f"realtime-{self.protocol}",
            "api_version": self.api_version,
            "voice": self.voice,
            "modalities": self.modalities,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="azure",
            ls_model_name=kwargs.get("model") or self.audio_model_name or self.azure_deployment
            or "",
            ls_model_type="chat",
        )  # fmt: skip
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        return params

    # ---------------------------------------------------------- connections

    def _client(self) -> Any:
        """The SDK client (made once: it costs tens of milliseconds); it holds no socket."""
        if self._sdk_client is None:
            self._sdk_client = realtime_client(
                self._endpoint(str(self.azure_deployment)), self.default_headers
            )
        return self._sdk_client

    @property
    def _wait(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT

    def _opener(self, deployment: str) -> Callable[[], Any]:
        where = self._endpoint(deployment)

        async def open_wire() -> Wire:
            connection = await open_connection(self._client(), where, self._creds(),
                                               timeout=self._wait)  # fmt: skip
            return Wire(connection, where.protocol)

        return open_wire

    def _session(
        self,
        *,
        voice: str,
        modalities: Sequence[str],
        instructions: str | None,
        tools: list[dict[str, Any]] | None,
        tool_choice: Any,
        turn_detection: Any = None,
        transcription: str | None = None,
    ) -> dict[str, Any]:
        protocol = self._endpoint(str(self.azure_deployment)).protocol
        flat = proto.realtime_tools(tools) if tools else None
        choice = None
        if flat is not None:
            choice, flat = proto.realtime_tool_choice(tool_choice, flat, protocol)
        return proto.session_config(
            protocol, voice=voice, modalities=modalities, instructions=instructions,
            turn_detection=turn_detection, transcription=transcription, tools=flat,
            tool_choice=choice, max_output_tokens=self.max_tokens,
        )  # fmt: skip

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: Mapping[str, Any]
    ) -> tuple[dict[str, Any], list[dict[str, Any]], str, str]:
        """Validate and translate one call: its session, its items, deployment and voice."""
        if stop:
            raise AzureAudioConfigError(
                f"stop={stop!r}: the Realtime API has no stop sequences; drop `stop` (or use "
                "AzureChatOpenAIAudio, whose chat completions take them)."
            )
        unknown = sorted(set(kwargs) - set(_CALL_KWARGS))
        if unknown:
            raise AzureAudioConfigError(
                f"{unknown} cannot be passed to a realtime call; it takes {list(_CALL_KWARGS)}."
            )
        deployment = str(kwargs.get("azure_deployment") or kwargs.get("model")
                         or self.azure_deployment)  # fmt: skip
        voice = kwargs.get("voice", self.voice)
        self._check_voice(voice)
        modalities = kwargs.get("modalities", self.modalities)
        check_realtime_modalities(modalities)
        protocol = self._endpoint(deployment).protocol
        instructions, items = proto.conversation_items(messages, protocol)
        session = self._session(
            voice=voice, modalities=modalities,
            instructions=instructions or kwargs.get("instructions") or self.instructions,
            tools=kwargs.get("tools"), tool_choice=kwargs.get("tool_choice"),
        )  # fmt: skip
        if kwargs.get("parallel_tool_calls") is not None and protocol == "ga":
            session["parallel_tool_calls"] = kwargs["parallel_tool_calls"]
        return session, items, deployment, voice

    # ------------------------------------------------------------- tools

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | dict[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (Pydantic models, TypedDicts, functions, `BaseTool`s, JSON schemas);
        the calls come back in `AIMessage.tool_calls`. `tool_choice`: a tool name,
        `"auto"`, `"any"`/`"required"`, `"none"`, or `True` (the only tool)."""
        formatted = format_tools(tools, strict=strict)
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice_param(tool_choice, formatted)
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: str = "function_calling",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """Answers parsed into `schema`, by one forced function call (the Realtime API has
        no `response_format`; `json_schema`/`json_mode` are served the same way)."""
        return structured_output(self.bind_tools, schema, method=method,
                                 include_raw=include_raw, strict=strict, kwargs=kwargs)  # fmt: skip

    # ------------------------------------------------------------- calls

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        session, items, deployment, voice = self._prepare(messages, stop, kwargs)
        assembler = StreamAssembler()
        model: str | None = None
        response: dict[str, Any] | None = None
        events_ = one_response(self._opener(deployment), session, items, timeout=self._wait,
                               deployment=deployment, voice=voice)  # fmt: skip
        try:
            async for event in events_:
                if event.get("type") == "session.created":
                    model = (event.get("session") or {}).get("model") or model
                elif event.get("type") == "response.done":
                    response = event.get("response") or {}
                for server_chunk in proto.stream_chunks(event, model):
                    chunk = assembler.feed(server_chunk)
                    if chunk is not None:
                        if run_manager and chunk.text:
                            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
        except asyncio.TimeoutError as exc:
            waited = TimeoutError(f"no event from the service for {self._wait:g} s")
            raise assembler.interrupted(waited) from exc
        except _connection_closed() as exc:
            raise assembler.interrupted(exc) from exc
        finally:
            await events_.aclose()  # closes the connection at once (break, cancel, error)
        assert response is not None
        if response.get("status") == "failed":
            details = response.get("status_details") or {}
            error = details.get("error") or {}
            raise AzureAudioServiceError(
                f"The realtime response failed ({error.get('code') or error.get('type')}: "
                f"{error.get('message') or details}); retry the call.",
                code=error.get("code"), service_message=error.get("message"), body=response,
            )  # fmt: skip
        last = assembler.finish()
        last.message.response_metadata["status"] = response.get("status")
        if response.get("status_details"):
            last.message.response_metadata["status_details"] = response["status_details"]
        if model:
            last.message.response_metadata["model_name"] = model
        translate.note_transcoded_inputs(last.message, messages)
        yield last

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for chunk in iterate_async(lambda: self._astream(messages, stop, None, **kwargs)):
            if run_manager and chunk.text:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))

    # ------------------------------------------------------------- live

    def connect(
        self,
        *,
        tools: Sequence[BaseTool | Callable[..., Any]] = (),
        instructions: str | None = None,
        turn_detection: str | dict[str, Any] | None = "server_vad",
        transcription: str | None = proto.DEFAULT_TRANSCRIPTION,
        tool_choice: str | None = None,
        tool_timeout: float = 60.0,
        reconnect_delay: float = 0.5,
    ) -> LiveSession:
        """A live session: `async with llm.connect(tools=[...]) as live:`.

        Args:
            tools: LangChain tools (or functions) the session runs for the model.
            instructions: the session's instructions (default: the model's).
            turn_detection: `"server_vad"` (default), `"semantic_vad"` (or a dict of
                options with one of them as `type`), or `None` for push-to-talk
                (`await live.commit()` ends each turn).
            transcription: the model that transcribes the user's speech
                (`user_transcript` events, and the text `live.messages` keeps), or `None`.
            tool_choice: `"auto"` (default), `"required"`, `"none"` or a tool's name.
            tool_timeout: seconds a tool may run before it answers with a timeout error.
            reconnect_delay: seconds before the first reconnection attempt (doubling).

        Raises:
            AzureAudioConfigError: bad settings (before any connection).
        """
        check_turn_detection(turn_detection)
        if tool_timeout <= 0 or reconnect_delay < 0:
            raise AzureAudioConfigError("tool_timeout must be positive, reconnect_delay >= 0.")
        as_tools = [t if isinstance(t, BaseTool) else _as_tool(t) for t in tools]
        formatted = format_tools(as_tools) if as_tools else None
        choice = tool_choice_param(tool_choice, formatted) if formatted and tool_choice else None
        session = self._session(
            voice=self.voice, modalities=self.modalities,
            instructions=instructions if instructions is not None else self.instructions,
            tools=formatted, tool_choice=choice, turn_detection=turn_detection,
            transcription=transcription,
        )  # fmt: skip
        deployment = str(self.azure_deployment)
        return LiveSession(
            open_wire=self._opener(deployment), session=session,
            tools={t.name: t for t in as_tools}, protocol=self._endpoint(deployment).protocol,
            deployment=deployment, voice=self.voice, timeout=self._wait,
            tool_timeout=tool_timeout, max_retries=self.max_retries,
            reconnect_delay=reconnect_delay, push_to_talk=turn_detection is None,
            start_run=self._start_live_run,
        )  # fmt: skip

    async def _start_live_run(self, messages: list[BaseMessage]) -> Any:
        """The callbacks' run of one live response (`on_chat_model_start` now, the session
        calls `on_llm_end`), so handlers (cost trackers, tracers) see live sessions too."""
        manager = AsyncCallbackManager.configure(
            None, self.callbacks, self.verbose, None, self.tags, None, self.metadata
        )
        if not manager.handlers:
            return None
        params = {**self._identifying_params, "_type": self._llm_type, "live": True}
        (run,) = await manager.on_chat_model_start(
            self._serialized, [messages], invocation_params=params, options={},
            name="live response", batch_size=1,
        )  # fmt: skip
        return run


def _as_tool(function: Callable[..., Any]) -> BaseTool:
    from langchain_core.tools import tool

    return tool(function)
