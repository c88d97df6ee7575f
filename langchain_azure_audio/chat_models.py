"""`AzureChatOpenAIAudio`: Azure OpenAI audio models as a LangChain chat model."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Any, Final

import openai
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
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
from langchain_core.utils import from_env
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from langchain_azure_audio._azure.body import JsonBody
from langchain_azure_audio._azure.clients import (
    ApiKind,
    ClientOptions,
    api_kind,
    async_client,
    chat_path,
    request_options,
    sync_client,
)
from langchain_azure_audio._azure.service_errors import (
    MIN_AUDIO_API_VERSION,
    RequestContext,
    translate_error,
)
from langchain_azure_audio._model.azure_settings import AzureSettings
from langchain_azure_audio._model.lifecycle import NOTICES
from langchain_azure_audio._model.profiles import (
    ALL_VOICES,
    model_profile,
    resolve_model_name,
    voices_for,
)
from langchain_azure_audio._model.settings import (
    check_call_settings,
    check_passthrough,
    checked_response,
)
from langchain_azure_audio._model.structured import structured_output
from langchain_azure_audio._translate import messages as translate
from langchain_azure_audio._translate.streaming import STREAM_AUDIO_FORMAT, StreamAssembler
from langchain_azure_audio._translate.tool_schemas import format_tools, tool_choice_param
from langchain_azure_audio.errors import (
    AzureAudioInputError,
    AzureAudioServiceError,
)

DOCUMENTED_VOICES: Final = ALL_VOICES
"""The voices Azure documents for audio chat completions (the GA gpt-audio family;
the retired previews documented alloy, echo and shimmer)."""

try:  # the `openai` SDK's transport: httpx2 in openai 3.x, httpx before
    import httpx2 as _transport
except ImportError:  # pragma: no cover
    import httpx as _transport  # type: ignore[no-redef]

STREAM_FAILURES: Final = (openai.APIError, _transport.TransportError)
"""What can end a stream early: an error event or a dropped/timed-out connection."""

register_translator(
    translate.MODEL_PROVIDER,
    translate.translate_content,
    translate.translate_content,
)


class AzureChatOpenAIAudio(AzureSettings, BaseChatModel):
    """Azure OpenAI audio chat models (`gpt-audio-1.5`, `gpt-audio`, `gpt-audio-mini`,
    and the retired `gpt-4o-audio-preview` / `gpt-4o-mini-audio-preview`).

    Text and audio in, text and audio out, through the ordinary chat-completions
    API. Answers are `AIMessage`s whose `.content` is the text (the transcript
    when the model spoke), with the audio in `additional_kwargs["audio"]`
    (`id`, base64 `data`, `expires_at`, `transcript`) and as a standard audio
    content block in `.content_blocks`.

    Auth: an API key when given (`api_key` or `AZURE_OPENAI_API_KEY`);
    otherwise your `azure_ad_token_provider`; otherwise keyless Entra ID through
    `DefaultAzureCredential` (created on the first request, scope `token_scope`).

    Endpoint: `https://<resource>.openai.azure.com` uses Azure's classic API
    (deployment in the path, `api_version`); `https://<resource>.openai.azure.com/openai/v1`
    uses the v1 API (no api-version, deployment in the body's `model`).

    Example:
        ```python
        from langchain_azure_audio import AzureChatOpenAIAudio, save_audio

        llm = AzureChatOpenAIAudio(
            azure_deployment="gpt-audio-1.5",
            azure_endpoint="https://my-resource.openai.azure.com",
            voice="marin",
            audio_format="wav",
        )
        answer = llm.invoke("Is a golden retriever a good family dog?")
        print(answer.content)           # the spoken words, as text
        save_audio(answer, "dog.wav")   # the speech
        ```
    """

    api_version: str = Field(
        default_factory=from_env("OPENAI_API_VERSION", default=MIN_AUDIO_API_VERSION)
    )
    """Azure api-version of the classic API (env `OPENAI_API_VERSION`); audio needs
    `2025-01-01-preview`+. The v1 API takes none."""
    audio_format: str = "wav"
    """Output audio format: wav, aac, mp3, flac, opus or pcm16. Streams are always pcm16."""
    modalities: list[str] = Field(default_factory=lambda: ["text", "audio"])
    """`["text", "audio"]` to hear the answer, `["text"]` for transcription/analysis."""
    expired_audio: str = "transcript"
    """What to send for an earlier answer whose audio id expired: its `transcript`
    as text (default), the id anyway (`send_id`), or raise (`error`)."""
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, alias="max_completion_tokens")
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Extra request parameters passed through to the service."""
    streaming: bool = False
    """Make `invoke` stream under the hood (the answer is the same)."""
    http_client: Any | None = Field(default=None, exclude=True)
    """An `httpx2.Client` for the sync `openai` client (proxies, tests)."""
    http_async_client: Any | None = Field(default=None, exclude=True)
    """An `httpx2.AsyncClient` for the async `openai` client."""

    model_config = ConfigDict(
        populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=()
    )

    _client: openai.OpenAI | None = PrivateAttr(default=None)
    _async_client: openai.AsyncOpenAI | None = PrivateAttr(default=None)
    _async_loop: asyncio.AbstractEventLoop | None = PrivateAttr(default=None)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._check_settings()
        if self.profile is None:  # langchain-core < 1.3 has no _resolve_model_profile hook
            self.profile = self._resolve_model_profile()
        NOTICES.check(self.audio_model_name)  # a retiring model: one warning per process

    # ------------------------------------------------------------- settings

    def _check_settings(self) -> None:
        """Typed errors for bad settings, before any request."""
        self._check_deployment_settings("audio model")
        check_call_settings(
            voice=self.voice,
            audio_format=self.audio_format,
            modalities=self.modalities,
            expired_audio=self.expired_audio,
            allow_unknown_voice=self.allow_unknown_voice,
        )

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(self.audio_model_name)

    @property
    def api_kind(self) -> ApiKind:
        """`"v1"` when `azure_endpoint` ends in `/openai/v1`, else `"classic"`."""
        return api_kind(str(self.azure_endpoint))

    @property
    def _llm_type(self) -> str:
        return "azure-openai-audio"

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_azure_audio", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "azure_deployment": self.azure_deployment,
            "model_name": self.audio_model_name,
            "api": self.api_kind,
            "api_version": self.api_version if self.api_kind == "classic" else None,
            "voice": self.voice,
            "audio_format": self.audio_format,
            "modalities": self.modalities,
            "temperature": self.temperature,
        }

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="azure",
            ls_model_name=kwargs.get("model")
            or self.audio_model_name
            or self.azure_deployment
            or "",
            ls_model_type="chat",
        )
        if self.temperature is not None:
            params["ls_temperature"] = self.temperature
        if self.max_tokens is not None:
            params["ls_max_tokens"] = self.max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    # ------------------------------------------------------------- clients

    def _client_options(self) -> ClientOptions:
        return ClientOptions(
            endpoint=str(self.azure_endpoint),
            api_version=self.api_version,
            max_retries=self.max_retries,
            timeout=self.timeout,
            default_headers=self.default_headers,
        )

    def _sync_client(self) -> openai.OpenAI:
        if self._client is None:
            self._client = sync_client(self._client_options(), self._creds(), self.http_client)
        return self._client

    def _async_client_(self) -> openai.AsyncOpenAI:
        """The async client of the running event loop.

        Its connection pool belongs to one loop, so each new loop (each
        `asyncio.run`) gets a new client; a client you passed is always used.
        """
        loop = asyncio.get_running_loop()
        if self._async_client is None or (
            self.http_async_client is None and self._async_loop is not loop
        ):
            self._async_loop = loop
            self._async_client = async_client(
                self._client_options(), self._creds(), self.http_async_client
            )
        return self._async_client

    async def aclose(self) -> None:
        """Close the async HTTP connections of the running event loop.

        Optional: call it before an event loop you created ends (e.g. at the end
        of the coroutine you pass to `asyncio.run`) to release its connections
        cleanly; the next async call opens new ones.
        """
        if self._async_client is not None and self._async_loop is asyncio.get_running_loop():
            if self.http_async_client is None:  # a client you passed is yours to close
                await self._async_client.close()
            self._async_client = None

    @contextlib.contextmanager
    def _service_errors(self, request: dict[str, Any]) -> Iterator[None]:
        """Re-raise `openai` errors as this package's typed errors."""
        try:
            yield
        except openai.OpenAIError as exc:
            deployment = str(request["model"])
            model = resolve_model_name(self.model_name, deployment)
            ctx = RequestContext(
                deployment=deployment,
                endpoint=str(self.azure_endpoint),
                api_version=self.api_version if self.api_kind == "classic" else "v1",
                auth=self._creds().description,
                voice=(request.get("audio") or {}).get("voice"),
                model=model,
                voices=voices_for(model),
            )
            translated = translate_error(exc, ctx)
            if translated is None:
                raise
            raise translated from exc
        except json.JSONDecodeError as exc:  # a 200 whose body is not (complete) JSON
            raise AzureAudioServiceError(
                f"Azure OpenAI answered with a body that is not valid JSON ({exc.msg} at "
                f"character {exc.pos}); the response was probably cut off. Retry the request.",
                status_code=200,
            ) from exc

    # ------------------------------------------------------------- requests

    def _request(
        self,
        messages: Sequence[BaseMessage],
        stop: list[str] | None,
        kwargs: dict[str, Any],
        *,
        stream: bool,
    ) -> tuple[dict[str, Any], str | None]:
        """Validate and translate; returns the request and the answer's audio format.

        `kwargs` are the per-call parameters (a copy: managed ones are popped).
        """
        kwargs = dict(kwargs)
        kwargs.pop("stream", None)  # LangChain's own routing flag: _stream vs _generate decide
        deployment = kwargs.pop("model", None)
        deployment = kwargs.pop("azure_deployment", None) or deployment
        settings = {
            "voice": kwargs.pop("voice", self.voice),
            "audio_format": kwargs.pop("audio_format", self.audio_format),
            "modalities": kwargs.pop("modalities", self.modalities),
            "expired_audio": kwargs.pop("expired_audio", self.expired_audio),
        }
        check_call_settings(**settings, allow_unknown_voice=self.allow_unknown_voice)
        azure_messages, has_audio = translate.to_azure_messages(
            messages, expired_audio=settings["expired_audio"]
        )
        wants_audio = "audio" in settings["modalities"]
        if not has_audio and not wants_audio:
            raise AzureAudioInputError(
                "The request has no audio input and modalities=['text']; audio models need "
                "audio on one side. Add an audio block to a HumanMessage (audio_block(path)) "
                "or set modalities=['text', 'audio']."
            )
        check_passthrough({**self.model_kwargs, **kwargs}, wants_audio)
        audio_format = STREAM_AUDIO_FORMAT if stream else settings["audio_format"]
        extra = {
            **self.model_kwargs,
            "temperature": self.temperature,
            "max_completion_tokens": self.max_tokens,
            "stop": (stop or self.stop) or None,  # an empty list is not sent
            **kwargs,
        }
        request = translate.build_request(
            azure_messages,
            deployment=str(deployment or self.azure_deployment),
            modalities=settings["modalities"],
            voice=settings["voice"],
            audio_format=audio_format,
            stream=stream,
            extra=extra,
        )
        return request, (audio_format if wants_audio else None)

    def _post(self, request: dict[str, Any], *, asynchronous: bool = False) -> dict[str, Any]:
        """Arguments of the SDK's documented `client.post(..., cast_to=object)`.

        The SDK still does transport, auth, retries, errors and SSE decoding, but
        hands back the parsed JSON as dicts instead of building a pydantic model
        per chunk (Azure's extra fields stay as sent, and the hot path stays lean).
        The body goes as `JsonBody`: the SDK's JSON, with big base64 audio streamed
        from the caller's string instead of copied twice.
        """
        body = JsonBody(request)
        return {
            "path": chat_path(self.api_kind, str(request["model"])),
            "content": body.aiter() if asynchronous else body,
            "options": request_options(body.headers),
        }

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
        """Bind tools (Pydantic models, TypedDicts, functions, `BaseTool`s, JSON schemas).

        Tool calls come back in `AIMessage.tool_calls`, with or without speech.
        `tool_choice`: a tool name, `"auto"`, `"any"`/`"required"`, `"none"`, or
        `True` (the only tool). Schemas the service would reject are refused here.
        """
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
        """Answers parsed into `schema` (Pydantic, TypedDict or JSON schema), by function calling.

        Works with audio input too ("extract the caller's name from this
        voicemail"). The audio models take no `response_format`, so
        `method="json_schema"` and `method="json_mode"` (with a schema), as
        written for `AzureChatOpenAI`, are served by function calling too.
        """
        return structured_output(
            self.bind_tools,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            kwargs=kwargs,
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return generate_from_stream(self._stream(messages, stop, run_manager, **kwargs))
        request, audio_format = self._request(messages, stop, kwargs, stream=False)
        with self._service_errors(request):
            response = self._sync_client().post(**self._post(request), cast_to=object)
        result = translate.chat_result(checked_response(response), audio_format=audio_format)
        _answered(result.generations[0].message, messages)
        return result

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self.streaming:
            return await agenerate_from_stream(self._astream(messages, stop, run_manager, **kwargs))
        request, audio_format = self._request(messages, stop, kwargs, stream=False)
        with self._service_errors(request):
            response = await self._async_client_().post(
                **self._post(request, asynchronous=True), cast_to=object
            )
        result = translate.chat_result(checked_response(response), audio_format=audio_format)
        _answered(result.generations[0].message, messages)
        return result

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request, _ = self._request(messages, stop, kwargs, stream=True)
        assembler = StreamAssembler()
        with self._service_errors(request):
            stream = self._sync_client().post(
                **self._post(request), cast_to=object, stream=True, stream_cls=openai.Stream[Any]
            )
            try:
                for server_chunk in stream:
                    chunk = assembler.feed(server_chunk)
                    if chunk is not None:
                        if run_manager and chunk.text:
                            run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
            except STREAM_FAILURES as exc:
                raise assembler.interrupted(exc) from exc
            finally:  # also on break, generator close and errors
                stream.close()  # at once: the server sees the connection end
        if not assembler.complete:
            raise assembler.interrupted(None)
        last = assembler.finish()
        _answered(last.message, messages)
        yield last

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        request, _ = self._request(messages, stop, kwargs, stream=True)
        assembler = StreamAssembler()
        with self._service_errors(request):
            stream = await self._async_client_().post(
                **self._post(request, asynchronous=True),
                cast_to=object,
                stream=True,
                stream_cls=openai.AsyncStream[Any],
            )
            try:
                async for server_chunk in stream:
                    chunk = assembler.feed(server_chunk)
                    if chunk is not None:
                        if run_manager and chunk.text:
                            await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                        yield chunk
            except STREAM_FAILURES as exc:
                raise assembler.interrupted(exc) from exc
            finally:  # also on task cancellation, aclose and errors
                await stream.close()  # at once: the server sees the connection end
        if not assembler.complete:
            raise assembler.interrupted(None)
        last = assembler.finish()
        _answered(last.message, messages)
        yield last


def _answered(message: BaseMessage, messages: list[BaseMessage]) -> None:
    """What every answer gets: its transcoded inputs noted, and the model version the
    service ran checked against its published retirement (one warning per process)."""
    translate.note_transcoded_inputs(message, messages)
    NOTICES.check(message.response_metadata.get("model_name"))
