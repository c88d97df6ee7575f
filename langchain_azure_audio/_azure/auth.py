"""Credential resolution: API key, the caller's token provider, or keyless Entra ID.

Order: an explicit API key wins; then a caller-supplied token provider; then
keyless Entra ID through azure-identity's `DefaultAzureCredential`, created
lazily on the first request so constructing a model never touches the
environment's credential chain.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Final

from langchain_azure_audio.errors import AzureAudioAuthenticationError

COGNITIVE_SERVICES_SCOPE: Final = "https://cognitiveservices.azure.com/.default"
"""The token scope Microsoft documents for Azure OpenAI, classic and v1 API alike
(learn.microsoft.com/azure/ai-services/openai/how-to/managed-identity)."""

TokenProvider = Callable[[], str]
AsyncTokenProvider = Callable[[], "str | Awaitable[str]"]


@dataclass(frozen=True)
class Credentials:
    """What the `openai` client is given, and how to describe it in errors.

    `api_key` is excluded from the repr so it can never be printed.
    """

    description: str
    api_key: str | None = field(default=None, repr=False)
    token_provider: TokenProvider | None = field(default=None, repr=False)
    async_token_provider: AsyncTokenProvider | None = field(default=None, repr=False)


API_KEY_AUTH: Final = "API key (api_key / AZURE_OPENAI_API_KEY, sent as the 'api-key' header)"
PROVIDER_AUTH: Final = "the azure_ad_token_provider you passed (bearer token)"


def keyless_auth(scope: str) -> str:
    """How keyless auth is described in errors."""
    return f"keyless Entra ID (DefaultAzureCredential, scope {scope})"


KEYLESS_AUTH: Final = keyless_auth(COGNITIVE_SERVICES_SCOPE)


def resolve_credentials(
    api_key: str | None,
    token_provider: TokenProvider | None,
    async_token_provider: AsyncTokenProvider | None = None,
    *,
    scope: str = COGNITIVE_SERVICES_SCOPE,
) -> Credentials:
    """Pick the auth path; nothing is contacted here (`scope` is for keyless Entra ID)."""
    if api_key:
        return Credentials(API_KEY_AUTH, api_key=api_key)
    if token_provider or async_token_provider:
        return Credentials(
            PROVIDER_AUTH,
            token_provider=CheckedTokenProvider(token_provider) if token_provider else None,
            async_token_provider=AsyncCheckedTokenProvider(async_token_provider or token_provider),
        )
    provider = LazyEntraTokenProvider(scope)
    return Credentials(keyless_auth(scope), token_provider=provider, async_token_provider=provider)


class CheckedTokenProvider:
    """Your `azure_ad_token_provider`, called once per request (so tokens refresh as it
    refreshes them); a failure becomes a one-line `AzureAudioAuthenticationError`
    naming the path, instead of the provider's own traceback out of the SDK."""

    def __init__(self, provider: TokenProvider) -> None:
        self._provider = provider

    def __repr__(self) -> str:
        return f"CheckedTokenProvider({self._provider!r})"

    def __call__(self) -> str:
        with _provider_errors():
            return _checked_token(self._provider())


class AsyncCheckedTokenProvider:
    """`CheckedTokenProvider` for the async client: the provider may be sync or async."""

    def __init__(self, provider: AsyncTokenProvider | TokenProvider | None) -> None:
        self._provider = provider

    def __repr__(self) -> str:
        return f"AsyncCheckedTokenProvider({self._provider!r})"

    async def __call__(self) -> str:
        assert self._provider is not None
        with _provider_errors():
            token = self._provider()
            if inspect.isawaitable(token):
                token = await token
            return _checked_token(token)


@contextlib.contextmanager
def _provider_errors() -> Iterator[None]:
    try:
        yield
    except AzureAudioAuthenticationError:
        raise
    except Exception as exc:
        raise provider_error(exc) from exc


def provider_error(exc: BaseException) -> AzureAudioAuthenticationError:
    return AzureAudioAuthenticationError(
        f"Could not get a token from {PROVIDER_AUTH}: {type(exc).__name__}: "
        f"{_first_line(exc)}. Check the credential behind it (signed in, 'Cognitive Services "
        f"OpenAI User' role, scope {COGNITIVE_SERVICES_SCOPE}), or set AZURE_OPENAI_API_KEY "
        "to use an API key instead."
    )


def _checked_token(token: object) -> str:
    if not isinstance(token, str) or not token:
        what = "an empty string" if token == "" else type(token).__name__
        raise AzureAudioAuthenticationError(
            f"{PROVIDER_AUTH} returned {what} instead of a token; "
            "it must return the bearer token (for azure-identity, wrap the credential with "
            "get_bearer_token_provider(credential, "
            f"'{COGNITIVE_SERVICES_SCOPE}'))."
        )
    return token


class LazyEntraTokenProvider:
    """A bearer-token provider that builds `DefaultAzureCredential` on first use.

    Token caching and refresh are azure-identity's (`get_bearer_token_provider`).
    A failure to get a token is raised as `AzureAudioAuthenticationError`
    saying which path was tried and how to fix it.
    """

    def __init__(self, scope: str = COGNITIVE_SERVICES_SCOPE) -> None:
        self.scope = scope
        self._provider: TokenProvider | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return "LazyEntraTokenProvider(DefaultAzureCredential)"

    def __call__(self) -> str:
        from azure.core.exceptions import ClientAuthenticationError

        try:
            with _quiet_credential_chain():
                return self._get_provider()()
        except ClientAuthenticationError as exc:
            detail = str(exc).strip()
            _log.debug("keyless Entra ID sign-in failed; azure-identity said:\n%s", detail)
            tried = _attempted_credentials(detail)
            raise AzureAudioAuthenticationError(
                f"Keyless sign-in failed: DefaultAzureCredential found no token for scope "
                f"{self.scope} (tried {tried}). Fix: run `az login` (or use a "
                "managed identity, or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET) "
                "and grant the 'Cognitive Services OpenAI User' role, or set "
                "AZURE_OPENAI_API_KEY to use an API key. (azure-identity's full report: this "
                "error's __cause__, and DEBUG logging.)"
            ) from exc

    def _get_provider(self) -> TokenProvider:
        with self._lock:
            if self._provider is None:
                from azure.identity import DefaultAzureCredential, get_bearer_token_provider

                self._provider = get_bearer_token_provider(DefaultAzureCredential(), self.scope)
            return self._provider


CHAIN_LOGGERS: Final = (
    "azure.identity._credentials.chained",
    "azure.identity.aio._credentials.chained",
)
"""Where azure-identity logs its multi-line "DefaultAzureCredential failed" block
(at WARNING, so Python's last-resort handler prints it on stderr)."""

_log = logging.getLogger("langchain_azure_audio")
_in_our_call: ContextVar[bool] = ContextVar("_in_our_call", default=False)


class _DemoteToDebug(logging.Filter):
    """Drops the chain's warning while *we* are asking for a token: the same text
    goes on our `AzureAudioAuthenticationError.__cause__` and to DEBUG instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_in_our_call.get() and record.levelno >= logging.WARNING)


_DEMOTE: Final = _DemoteToDebug()


@contextlib.contextmanager
def _quiet_credential_chain() -> Iterator[None]:
    for name in CHAIN_LOGGERS:
        logger = logging.getLogger(name)
        if _DEMOTE not in logger.filters:
            logger.addFilter(_DEMOTE)
    token = _in_our_call.set(True)
    try:
        yield
    finally:
        _in_our_call.reset(token)


def _attempted_credentials(detail: str) -> str:
    """The credential names azure-identity lists under "Attempted credentials"."""
    names = re.findall(r"^\s+(\w+Credential):", detail, re.M)
    return ", ".join(dict.fromkeys(names)) or "its credential chain"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
