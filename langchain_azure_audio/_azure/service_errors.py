"""Turn `openai` SDK exceptions into this package's typed errors.

Messages say what the service answered, which deployment/endpoint/auth path
was involved, and what to do. They never include a credential.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import openai

from langchain_azure_audio.errors import (
    ApiVersionTooOldError,
    AzureAudioAuthenticationError,
    AzureAudioError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    ContentFilterError,
    DeploymentNotFoundError,
    VoiceNotAvailableError,
)

MIN_AUDIO_API_VERSION = "2025-01-01-preview"


@dataclass(frozen=True)
class RequestContext:
    """What the error messages may mention about the request (no secrets)."""

    deployment: str
    endpoint: str
    api_version: str  # "v1" on the v1 API
    auth: str
    voice: str | None = None
    model: str | None = None  # the model behind the deployment, when known
    voices: tuple[str, ...] = ()  # the voices documented for that model (the caller knows)


def translate_error(exc: Exception, ctx: RequestContext) -> AzureAudioError | None:
    """Our exception for an `openai` one, or `None` if it is not a service error."""
    if isinstance(exc, openai.APIStatusError):
        return _status_error(exc, ctx)
    if isinstance(exc, openai.APITimeoutError):
        return AzureAudioServiceError(
            f"The request to deployment {ctx.deployment!r} at {ctx.endpoint} timed out after "
            "the configured retries; raise `timeout` or `max_retries`, or retry later."
        )
    if isinstance(exc, openai.APIConnectionError):
        return AzureAudioServiceError(
            f"Could not reach {ctx.endpoint} ({_root_reason(exc)}); check azure_endpoint "
            "(AZURE_OPENAI_ENDPOINT) and the network."
        )
    if isinstance(exc, openai.APIError):  # e.g. an error event inside a 200 stream
        code, message = _error_fields(exc.body)
        return AzureAudioServiceError(
            f"Azure OpenAI reported an error: {message or exc.message}",
            code=code,
            service_message=message or exc.message,
            body=exc.body,
        )
    return None


def _error_param(body: Any) -> str:
    error = body.get("error", body) if isinstance(body, dict) else None
    return str(error.get("param") or "") if isinstance(error, dict) else ""


def _is_voice_refusal(status: int, body: Any, service_message: str) -> bool:
    """A 400 about the `audio.voice` parameter (by its `param`, or a message naming it)."""
    if status != 400:
        return False
    return "voice" in _error_param(body).lower() or (
        re.search(r"\bvoice\b", service_message, re.IGNORECASE) is not None
    )


def _root_reason(exc: BaseException) -> BaseException:
    """The innermost OS-level cause of a connection error (e.g. `[Errno 111] Connection
    refused`, `[Errno -2] Name or service not known`), else the transport's own error."""
    reason: BaseException = exc.__cause__ or exc
    seen: set[int] = set()
    cause: BaseException | None = reason
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.errno is not None:
            return cause
        cause = cause.__cause__ or cause.__context__
    return reason


def _error_fields(body: Any) -> tuple[str | None, str | None]:
    error = body.get("error", body) if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    code = error.get("code")
    return (str(code) if code is not None else None), error.get("message")


def _status_error(exc: openai.APIStatusError, ctx: RequestContext) -> AzureAudioError:
    status = exc.status_code
    code, service_message = _error_fields(exc.body)
    service_message = service_message or exc.message
    common: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "service_message": service_message,
        "body": exc.body,
    }
    said = f"(HTTP {status}{', ' + code if code else ''}: {service_message})"
    if status in (401, 403):
        fix = (
            "check that the key belongs to that resource"
            if ctx.auth.startswith("API key")
            else "check that the token is for scope https://cognitiveservices.azure.com/.default "
            "and that the identity (`az login`) has the 'Cognitive Services OpenAI User' role "
            "on that resource, or set AZURE_OPENAI_API_KEY to use an API key"
        )
        return AzureAudioAuthenticationError(
            f"Azure refused the credentials {said} at {ctx.endpoint}. Tried: {ctx.auth}. "
            f"Fix: {fix}.",
            **common,
        )
    if status == 404:
        return DeploymentNotFoundError(
            f"Deployment {ctx.deployment!r} was not found at {ctx.endpoint} {said}. Check "
            "azure_deployment (AZURE_OPENAI_DEPLOYMENT_NAME) against the deployments listed "
            "in Azure AI Foundry, and azure_endpoint (AZURE_OPENAI_ENDPOINT).",
            **common,
        )
    if status == 429:
        retry_after = _retry_after(exc.response)
        wait = f" The service asked to wait {retry_after:g} s." if retry_after else ""
        return AzureAudioRateLimitError(
            f"Rate limited by deployment {ctx.deployment!r} {said} after the configured "
            f"retries.{wait} Raise max_retries, slow down, or raise the deployment's quota.",
            retry_after=retry_after,
            **common,
        )
    if code == "content_filter" or "content management policy" in service_message:
        filter_results = _filter_results(exc.body)
        categories = sorted(
            name
            for name, result in filter_results.items()
            if isinstance(result, dict) and result.get("filtered")
        )
        return ContentFilterError(
            f"Azure's content filter refused the prompt {said}; categories: "
            f"{', '.join(categories) or 'not given'}. Rephrase the input or adjust the "
            "deployment's content filter.",
            categories=categories,
            filter_results=filter_results,
            **common,
        )
    if _is_voice_refusal(status, exc.body, service_message):
        model = f" (model {ctx.model})" if ctx.model else ""
        voice = f"voice {ctx.voice!r}" if ctx.voice else "the requested voice"
        return VoiceNotAvailableError(
            f"Deployment {ctx.deployment!r}{model} does not offer {voice} {said}. "
            f"Try one of the voices documented for it: {', '.join(ctx.voices)}.",
            voice=ctx.voice,
            voices_to_try=ctx.voices,
            **common,
        )
    if (
        status == 400
        and "unrecognized request argument" in service_message.lower()
        and ("modalities" in service_message or "audio" in service_message)
    ):
        return ApiVersionTooOldError(
            f"api-version {ctx.api_version!r} predates audio in chat completions {said}. "
            f"Use api_version='{MIN_AUDIO_API_VERSION}' or later (env OPENAI_API_VERSION).",
            **common,
        )
    return AzureAudioServiceError(
        f"Azure OpenAI answered HTTP {status} for deployment {ctx.deployment!r}: {service_message}",
        **common,
    )


def _filter_results(body: Any) -> dict[str, Any]:
    error = body.get("error", body) if isinstance(body, dict) else {}
    inner = error.get("innererror") or {} if isinstance(error, dict) else {}
    results = inner.get("content_filter_result") or inner.get("content_filter_results") or {}
    return results if isinstance(results, dict) else {}


def _retry_after(response: Any) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name in ("retry-after-ms", "retry-after"):
        value = headers.get(name)
        if value:
            try:
                seconds = float(value)
            except ValueError:
                continue
            return seconds / 1000 if name == "retry-after-ms" else seconds
    return None
