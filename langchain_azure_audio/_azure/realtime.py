"""Azure's Realtime API on the wire: its URLs, its sign-in headers, its refusals.

Two protocols, as Microsoft documents them ("Use the GPT Realtime API via
WebSockets", learn.microsoft.com/azure/foundry/openai/how-to/realtime-audio-websockets,
ms.date 2026-01-29, and its preview-to-GA migration guide):

* GA (the default): `wss://<resource>.openai.azure.com/openai/v1/realtime?model=<deployment>`,
  no api-version;
* preview (deprecated by Azure from 2026-04-30, chosen by giving `api_version`):
  `wss://<resource>.openai.azure.com/openai/realtime?api-version=<version>&deployment=<deployment>`.

Sign-in: an API key goes in the `api-key` header (never in the URL); Entra ID as
`Authorization: Bearer <token>`, the token asked of the credential on *every*
connect, reconnections included (so a session that outlives a token's hour
signs in again with a fresh one).

Transport: the `openai` SDK's realtime connection
(`AsyncOpenAI(websocket_base_url=...).realtime.connect(...)`, the `openai[realtime]`
extra, i.e. `websockets`), with our URL parts and headers. What the SDK cannot
serve, and why:

* Its built-in reconnection (`on_reconnecting`, `max_retries`) is not used. It
  retries only after the close codes it deems recoverable (1001, 1005, 1006,
  1011-1013, 1015), so the service's end of a session at its time limit (an
  `error` event `session_expired`, then a close) is not retried; after a
  reconnection it first flushes whatever was queued (audio, say) into the new,
  unconfigured session, before anything could restore the session's settings and
  conversation, which the new server-side session does not have; and its
  `on_reconnecting` hook is synchronous, so it cannot await an async token
  provider for the fresh token. The live session reconnects itself instead
  (`_realtime/session.py`): a new SDK connection (fresh token), `session.update`,
  the conversation restored as text items, then the audio held meanwhile.
* Events are read with `recv_bytes()` and parsed with `json` rather than the
  SDK's typed `recv()`: one code path for both protocols (the SDK's types are the
  GA ones; preview event names are normalised in `_realtime/protocol.py`), and
  no model object built per audio delta. Events are sent as JSON with
  `send_raw()` (the SDK's own `send()` transforms each dict against the union of
  every client event type first).

Refusals at the handshake become this package's typed errors through the same
mapping as HTTP answers (`service_errors`): 401/403 `AzureAudioAuthenticationError`,
404 `DeploymentNotFoundError`, 429 `AzureAudioRateLimitError`. Nothing of
LangChain here.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal, cast
from urllib.parse import urlencode, urlsplit

import httpx2
import openai

from langchain_azure_audio._azure.auth import Credentials
from langchain_azure_audio._azure.endpoint import V1_PATH
from langchain_azure_audio._azure.service_errors import RequestContext, translate_error
from langchain_azure_audio.errors import (
    AzureAudioAuthenticationError,
    AzureAudioConfigError,
    AzureAudioError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    ContentFilterError,
    VoiceNotAvailableError,
)

if TYPE_CHECKING:
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

Protocol = Literal["ga", "preview"]
PREVIEW_API_VERSION: Final = "2025-04-01-preview"
"""The api-version Microsoft's WebSockets page names for the preview protocol."""
CLOSE_TIMEOUT: Final = 2.0
"""Seconds a close waits for the service's closing handshake before dropping the TCP."""
_API_VERSION: Final = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$")
_SDK_KEY: Final = "unused: each realtime connection sends its own auth headers"
"""The SDK client insists on an `api_key`; ours go in per connection (`auth_headers`),
replacing the `Authorization` header it would build from this."""
SESSION_EXPIRED: Final = "session_expired"
"""The `error` event's code when the service ends a session at its time limit."""
CANCEL_NOT_ACTIVE: Final = "response_cancel_not_active"
"""The `error` event's code for a `response.cancel` that raced the response's own end."""


@dataclass(frozen=True)
class RealtimeEndpoint:
    """Where a realtime deployment is reached, and with which protocol."""

    protocol: Protocol
    websocket_base: str
    """`wss://<host>[/prefix]/openai/v1` (GA) or `wss://<host>[/prefix]/openai` (preview)."""
    deployment: str
    api_version: str | None
    endpoint: str
    """`azure_endpoint` as configured (for messages)."""
    query: dict[str, str] = field(default_factory=dict)
    """The URL's query: `model` (GA), or `api-version` and `deployment` (preview)."""

    @property
    def url(self) -> str:
        """The WebSocket URL the service is asked for (it carries no credential)."""
        return f"{self.websocket_base}/realtime?{urlencode(self.query)}"


def realtime_endpoint(endpoint: str, deployment: str, api_version: str | None) -> RealtimeEndpoint:
    """The realtime URL of a normalised `azure_endpoint` (see `endpoint.normalize_endpoint`).

    Raises:
        AzureAudioConfigError: an `api_version` with a v1 endpoint, or one that is not
            an api-version.
    """
    parts = urlsplit(endpoint)
    scheme = "ws" if parts.scheme == "http" else "wss"
    path = parts.path.rstrip("/")
    is_v1 = path == V1_PATH or path.endswith(V1_PATH)
    root = f"{scheme}://{parts.netloc}{path[: -len(V1_PATH)] if is_v1 else path}"
    if api_version is None:
        return RealtimeEndpoint(
            "ga", f"{root}{V1_PATH}", deployment, None, endpoint, {"model": deployment}
        )
    if is_v1:
        raise AzureAudioConfigError(
            f"api_version={api_version!r} selects the preview realtime protocol, but "
            f"azure_endpoint {endpoint!r} is the v1 (GA) API: drop api_version for GA (the "
            "default), or use the resource root https://<resource>.openai.azure.com."
        )
    if not _API_VERSION.match(api_version):
        raise AzureAudioConfigError(
            f"api_version={api_version!r} is not an api-version; the preview realtime "
            f"protocol takes e.g. api_version='{PREVIEW_API_VERSION}' (or leave it unset "
            "for the GA protocol)."
        )
    query = {"api-version": api_version, "deployment": deployment}
    return RealtimeEndpoint("preview", f"{root}/openai", deployment, api_version, endpoint, query)


def realtime_client(where: RealtimeEndpoint, default_headers: Mapping[str, str] | None) -> Any:
    """The SDK client whose `realtime.connect` opens connections to `where`.

    Build it once per model: the SDK's client costs tens of milliseconds to make.
    """
    http_base = where.websocket_base.replace("ws", "http", 1)
    return openai.AsyncOpenAI(
        api_key=_SDK_KEY,
        base_url=http_base,
        websocket_base_url=where.websocket_base,
        default_headers=default_headers,
        max_retries=0,
    )


async def auth_headers(creds: Credentials) -> dict[str, Any]:
    """The sign-in headers of one connection: the key, or a token fetched now."""
    if creds.api_key:
        return {"api-key": creds.api_key, "Authorization": openai.Omit()}
    provider = creds.async_token_provider or creds.token_provider
    if provider is None:  # pragma: no cover - resolve_credentials always sets one
        raise AzureAudioAuthenticationError("No credential to sign in with.")
    token = provider()
    if inspect.isawaitable(token):
        token = await token
    return {"Authorization": f"Bearer {token}"}


async def open_connection(
    client: Any, where: RealtimeEndpoint, creds: Credentials, *, timeout: float
) -> AsyncRealtimeConnection:
    """A new SDK realtime connection to `where`, signed in afresh; typed errors on refusal.

    At most `timeout` seconds for the credential and the handshake together.
    """
    options = cast(Any, {"close_timeout": CLOSE_TIMEOUT, "open_timeout": timeout})
    try:
        headers = await asyncio.wait_for(auth_headers(creds), timeout)
        manager = client.realtime.connect(
            model=where.deployment if where.protocol == "ga" else openai.omit,
            extra_query={} if where.protocol == "ga" else where.query,
            extra_headers=headers,
            websocket_connection_options=options,
        )
        return cast("AsyncRealtimeConnection", await asyncio.wait_for(manager.enter(), timeout))
    except asyncio.TimeoutError as exc:
        raise AzureAudioServiceError(
            f"The realtime service at {where.endpoint} did not accept a connection within "
            f"{timeout:g} s; check azure_endpoint and the network, or raise timeout."
        ) from exc
    except AzureAudioError:
        raise
    except Exception as exc:
        raise connect_error(exc, where, creds) from exc


def connect_error(
    exc: BaseException, where: RealtimeEndpoint, creds: Credentials
) -> AzureAudioError:
    """A failed handshake as a typed error (a refusal by status, or an unreachable host)."""
    from websockets.exceptions import InvalidStatus

    if isinstance(exc, InvalidStatus):
        response = exc.response
        body_bytes = bytes(response.body or b"")
        try:
            body: Any = json.loads(body_bytes) if body_bytes else None
        except ValueError:
            body = body_bytes.decode("utf-8", "replace")[:300] or None
        request = httpx2.Request("GET", where.url.replace("ws", "http", 1))
        http = httpx2.Response(
            response.status_code,
            headers=dict(response.headers.raw_items()),
            content=body_bytes,
            request=request,
        )
        message = body if isinstance(body, str) else f"HTTP {response.status_code}"
        status_error = openai.APIStatusError(message, response=http, body=body)
        ctx = RequestContext(
            deployment=where.deployment,
            endpoint=where.endpoint,
            api_version=where.api_version or "v1",
            auth=creds.description,
        )
        translated = translate_error(status_error, ctx)
        if translated is not None:
            return translated
    reason = f"{type(exc).__name__}: {exc}".strip()
    return AzureAudioServiceError(
        f"Could not open the realtime connection to {where.endpoint} ({reason}); check "
        "azure_endpoint (AZURE_OPENAI_ENDPOINT) and the network."
    )


def error_event_error(error: Mapping[str, Any], *, deployment: str, voice: str) -> AzureAudioError:
    """The typed error for a realtime `error` event's `error` object.

    The object carries `type`, `code`, `message` and `param` (the SDK's `RealtimeError`);
    the codes are not enumerated by the documentation, so the mapping goes by what
    each field says, and anything else is an `AzureAudioServiceError` with the
    service's own code and message.
    """
    code = error.get("code")
    code_text = str(code) if code is not None else None
    message = str(error.get("message") or "no message")
    kind = str(error.get("type") or "")
    param = str(error.get("param") or "")
    said = f"({code_text or kind or 'error'}: {message})"
    common: dict[str, Any] = {"code": code_text, "service_message": message, "body": dict(error)}
    lowered = f"{code_text} {kind} {message}".lower()
    if "voice" in param.lower() or re.search(r"\bvoice\b", message, re.IGNORECASE):
        return VoiceNotAvailableError(
            f"Deployment {deployment!r} refused voice {voice!r} {said}; pick another voice.",
            voice=voice,
            **common,
        )
    if "content_filter" in lowered or "content management policy" in lowered:
        return ContentFilterError(
            f"Azure's content filter refused the conversation {said}; rephrase the input "
            "or adjust the deployment's content filter.",
            **common,
        )
    if "rate_limit" in lowered:
        return AzureAudioRateLimitError(
            f"Rate limited by deployment {deployment!r} {said}; slow down or raise the "
            "deployment's quota.",
            **common,
        )
    if "authentication" in lowered or "invalid_api_key" in lowered or "unauthorized" in lowered:
        return AzureAudioAuthenticationError(
            f"The realtime service refused the credentials {said}; check api_key or the "
            "identity's 'Cognitive Services OpenAI User' role.",
            **common,
        )
    return AzureAudioServiceError(
        f"The realtime service reported an error for deployment {deployment!r} {said}.",
        **common,
    )
