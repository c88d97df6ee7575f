"""Bearer tokens expire; a long keyless run must keep going, and a broken provider must
say so in one line.

The service is an in-process `httpx2` transport that refuses an expired token
with 401, as Azure does: a request sent with a stale token fails the test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from azure.core.credentials import AccessToken, AccessTokenInfo

from langchain_azure_audio import AzureAudioAuthenticationError
from langchain_azure_audio._azure.auth import COGNITIVE_SERVICES_SCOPE
from tests.conftest import make_llm

ANSWER = {"id": "chatcmpl-t", "model": "gpt-4o-mini-audio-preview", "choices": [{
    "index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": None,
    "audio": {"id": "audio_t", "data": "AAAA", "expires_at": 4102444800, "transcript": "Hi."}}}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}  # fmt: skip
STREAM = "".join(f"data: {json.dumps(c)}\n\n" for c in [
    {"id": "c", "choices": [{"index": 0, "delta": {"audio": {"id": "a", "transcript": "Hi."}}}]},
    {"id": "c", "choices": [{"index": 0, "delta": {"audio": {"data": "AAAA"}}}]},
    {"id": "c", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1,
                                         "total_tokens": 2}},
]) + "data: [DONE]\n\n"  # fmt: skip


class Service:
    """Accepts `Bearer tok-<n>-<expires>` until `expires` on `clock`; 401 after."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.tokens_seen: list[str] = []
        self.refused = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.tokens_seen.append(token)
        if not token.startswith("tok-") or float(token.split("-")[2]) <= self.clock():
            self.refused += 1
            return httpx2.Response(401, json={"error": {"code": "401", "message":
                                   "Access token has expired or is not yet valid."}})  # fmt: skip
        if json.loads(request.content).get("stream"):
            return httpx2.Response(200, headers={"content-type": "text/event-stream"},
                                   content=STREAM.encode())  # fmt: skip
        return httpx2.Response(200, json=ANSWER)

    def clients(self) -> dict[str, Any]:
        return {
            "http_client": httpx2.Client(transport=httpx2.MockTransport(self)),
            "http_async_client": httpx2.AsyncClient(transport=httpx2.MockTransport(self)),
        }


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


class CachingProvider:
    """A typical hand-rolled provider: caches its token, renews 5 minutes before expiry."""

    def __init__(self, clock: Clock, lifetime: float) -> None:
        self.clock, self.lifetime, self.issued = clock, lifetime, 0
        self.token = ""
        self.expires = 0.0

    def __call__(self) -> str:
        if self.expires - self.clock() < 300:
            self.issued += 1
            self.expires = self.clock() + self.lifetime
            self.token = f"tok-{self.issued}-{self.expires}"
        return self.token


async def test_a_run_three_token_lifetimes_long_never_fails_a_request() -> None:
    clock = Clock()
    service = Service(clock)
    provider = CachingProvider(clock, lifetime=3600)
    llm = make_llm(api_key=None, azure_ad_token_provider=provider, **service.clients())
    answers = []
    for step in range(19):  # 3 hours, a request every 10 minutes, all four call styles
        clock.now += 600 if step else 0
        if step % 4 == 0:
            answers.append(llm.invoke("Hi").text)
        elif step % 4 == 1:
            answers.append("".join(c.text for c in llm.stream("Hi")))
        elif step % 4 == 2:
            answers.append((await llm.ainvoke("Hi")).text)
        else:
            answers.append("".join([c.text async for c in llm.astream("Hi")]))
    assert answers == ["Hi."] * 19
    assert service.refused == 0
    assert provider.issued >= 3  # the hour-long token was renewed on the way
    assert len(set(service.tokens_seen)) == provider.issued


class ExpiringCredential:
    """A stand-in for DefaultAzureCredential whose tokens live `lifetime` seconds on `clock`."""

    def __init__(self, clock: Clock, lifetime: float) -> None:
        self.clock, self.lifetime, self.issued = clock, lifetime, 0
        self.scopes: set[str] = set()

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        info = self.get_token_info(*scopes)
        return AccessToken(info.token, info.expires_on)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> AccessTokenInfo:
        self.scopes.update(scopes)
        self.issued += 1
        expires = self.clock() + self.lifetime
        return AccessTokenInfo(f"tok-{self.issued}-{expires}", int(expires))


async def test_keyless_run_three_token_lifetimes_long(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keyless auth through azure-identity's own token provider, over three hours of 1-hour
    tokens: no request goes out with an expired token, and a token is reused while it is
    valid (not fetched per request). Time is a clock the test moves (`time.time`, which
    azure-identity reads), so a busy machine changes nothing."""
    import azure.identity

    clock = Clock()
    monkeypatch.setattr(time, "time", clock)
    credential = ExpiringCredential(clock, lifetime=3600)
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda: credential)
    service = Service(clock)
    llm = make_llm(api_key=None, **service.clients())
    answers = []
    for step in range(19):  # 3 hours, a request every 10 minutes, three call styles
        clock.now += 600 if step else 0
        if step % 3 == 0:
            answers.append(llm.invoke("Hi").text)
        elif step % 3 == 1:
            answers.append((await llm.ainvoke("Hi")).text)
        else:
            answers.append("".join(c.text for c in llm.stream("Hi")))
    assert answers == ["Hi."] * 19
    assert service.refused == 0, "a request went out with an expired token"
    tokens = len(set(service.tokens_seen))
    assert 3 <= tokens <= 5, f"{tokens} tokens for 3 hours of 1-hour tokens"
    assert credential.scopes == {COGNITIVE_SERVICES_SCOPE}


# --------------------------------------------------------------- broken providers


def broken_provider() -> str:
    raise RuntimeError("token endpoint unreachable: connect timeout\nmore detail on line 2")


async def broken_async_provider() -> str:
    raise OSError("managed identity endpoint refused the connection")


def assert_one_line_auth_error(error: AzureAudioAuthenticationError, cause: str) -> None:
    message = str(error)
    assert "\n" not in message
    assert "azure_ad_token_provider" in message
    assert cause in message
    assert "AZURE_OPENAI_API_KEY" in message  # the other way in


@pytest.mark.parametrize("call", ["invoke", "stream"])
def test_a_raising_provider_gives_the_one_line_auth_error(call: str) -> None:
    service = Service(time.time)
    llm = make_llm(api_key=None, azure_ad_token_provider=broken_provider, **service.clients())
    with pytest.raises(AzureAudioAuthenticationError) as caught:
        llm.invoke("Hi") if call == "invoke" else list(llm.stream("Hi"))
    assert_one_line_auth_error(caught.value, "RuntimeError: token endpoint unreachable")
    assert "line 2" not in str(caught.value)
    assert service.tokens_seen == []  # nothing was sent


@pytest.mark.parametrize("call", ["ainvoke", "astream"])
async def test_a_raising_async_provider_gives_the_one_line_auth_error(call: str) -> None:
    service = Service(time.time)
    llm = make_llm(api_key=None, azure_ad_async_token_provider=broken_async_provider,
                   azure_ad_token_provider=lambda: "unused", **service.clients())  # fmt: skip

    async def run() -> object:
        return (
            await llm.ainvoke("Hi") if call == "ainvoke" else [c async for c in llm.astream("Hi")]
        )

    with pytest.raises(AzureAudioAuthenticationError) as caught:
        await run()
    assert_one_line_auth_error(caught.value, "OSError: managed identity endpoint refused")
    assert service.tokens_seen == []


@pytest.mark.parametrize("token", ["", None])
def test_a_provider_returning_no_token_is_an_auth_error(token: str | None) -> None:
    service = Service(time.time)
    llm = make_llm(api_key=None, azure_ad_token_provider=lambda: token, **service.clients())
    with pytest.raises(AzureAudioAuthenticationError, match="instead of a token"):
        llm.invoke("Hi")
    assert service.tokens_seen == []
