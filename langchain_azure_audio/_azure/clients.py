"""The `openai` clients behind the chat model: Azure's classic API or its v1 API.

* Classic (the default): `{endpoint}/openai/deployments/{deployment}/chat/completions
  ?api-version=...`, through `openai.AzureOpenAI`; an API key goes in the
  `api-key` header, a token as `Authorization: Bearer`.
* v1, selected by an endpoint ending in `/openai/v1`: `POST {endpoint}/chat/completions`
  with no api-version and the deployment in the body's `model`, through the
  plain `openai.OpenAI` client with `base_url` set to the endpoint and `api_key`
  set to the key or to a token provider. This is the setup Microsoft documents
  for the v1 API (learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle,
  "API key" and "Microsoft Entra ID" code: `OpenAI(base_url="https://<resource>.
  openai.azure.com/openai/v1/", api_key=token_provider)` with
  `get_bearer_token_provider(DefaultAzureCredential(),
  "https://cognitiveservices.azure.com/.default")`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import quote

import openai

from langchain_azure_audio._azure.auth import AsyncTokenProvider, Credentials

ApiKind = Literal["classic", "v1"]
V1_SUFFIX: Final = "/openai/v1"

_caller_retries: ContextVar[bool] = ContextVar("lcaa_caller_retries", default=False)


@contextmanager
def caller_retries() -> Iterator[None]:
    """Inside this block the SDK sends each request once: the caller (the batch layer,
    which paces every attempt and honours any `Retry-After`) does the retrying, so the
    two layers never multiply. Per task/thread (a context variable)."""
    token = _caller_retries.set(True)
    try:
        yield
    finally:
        _caller_retries.reset(token)


def request_options(headers: Mapping[str, str]) -> dict[str, Any]:
    """The SDK's per-request options: our headers, and no SDK retries under `caller_retries`."""
    options: dict[str, Any] = {"headers": dict(headers)}
    if _caller_retries.get():
        options["max_retries"] = 0
    return options


def api_kind(endpoint: str) -> ApiKind:
    """`"v1"` for an endpoint ending in `/openai/v1` (a trailing slash allowed)."""
    return "v1" if endpoint.rstrip("/").lower().endswith(V1_SUFFIX) else "classic"


def chat_path(kind: ApiKind, deployment: str) -> str:
    """The chat-completions path under the client's base URL (`.../openai/` or `.../openai/v1/`)."""
    if kind == "v1":
        return "/chat/completions"
    return f"/deployments/{quote(deployment, safe='')}/chat/completions"


@dataclass(frozen=True)
class ClientOptions:
    """What both clients are built from (no secrets: those come with `Credentials`)."""

    endpoint: str
    api_version: str
    max_retries: int
    timeout: float | None = None
    default_headers: Mapping[str, str] | None = None

    @property
    def kind(self) -> ApiKind:
        return api_kind(self.endpoint)

    def common(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        if self.timeout is not None:
            kwargs["timeout"] = self.timeout
        return kwargs


def sync_client(
    options: ClientOptions, creds: Credentials, http_client: Any | None
) -> openai.OpenAI:
    """The sync client for `options.endpoint` (`AzureOpenAI` is an `OpenAI`)."""
    if options.kind == "v1":
        return openai.OpenAI(
            base_url=options.endpoint.rstrip("/") + "/",
            api_key=creds.api_key or creds.token_provider,
            http_client=http_client,
            **options.common(),
        )
    # No azure_deployment here: requests name their deployment in the path
    # (`chat_path`), so a per-call `model` works.
    return openai.AzureOpenAI(
        azure_endpoint=options.endpoint,
        api_version=options.api_version,
        api_key=creds.api_key,
        azure_ad_token_provider=None if creds.api_key else creds.token_provider,
        http_client=http_client,
        **options.common(),
    )


def async_client(
    options: ClientOptions, creds: Credentials, http_client: Any | None
) -> openai.AsyncOpenAI:
    """The async client for `options.endpoint` (`AsyncAzureOpenAI` is an `AsyncOpenAI`)."""
    if options.kind == "v1":
        provider = creds.async_token_provider
        return openai.AsyncOpenAI(
            base_url=options.endpoint.rstrip("/") + "/",
            api_key=creds.api_key or (_awaitable(provider) if provider else None),
            http_client=http_client,
            **options.common(),
        )
    return openai.AsyncAzureOpenAI(
        azure_endpoint=options.endpoint,
        api_version=options.api_version,
        api_key=creds.api_key,
        azure_ad_token_provider=None if creds.api_key else creds.async_token_provider,
        http_client=http_client,
        **options.common(),
    )


def _awaitable(provider: AsyncTokenProvider) -> Any:
    """`AsyncOpenAI` wants `api_key` as an async callable; ours may be sync or async."""

    async def token() -> str:
        value = provider()
        return await value if inspect.isawaitable(value) else value

    return token
