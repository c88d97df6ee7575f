"""Which credential reaches the wire, for each auth path (no network: a mock transport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from azure.core.credentials import AccessToken

from langchain_azure_audio import AzureAudioAuthenticationError
from langchain_azure_audio._azure.auth import COGNITIVE_SERVICES_SCOPE
from tests.conftest import make_llm

ANSWER = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-mini-audio-preview",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": None, "audio": {
                "id": "audio_1", "data": "AAAA", "expires_at": 4102444800, "transcript": "Hi.",
            }},
        }
    ],
}  # fmt: skip


def capture(seen: list[httpx2.Request]) -> Callable[[httpx2.Request], httpx2.Response]:
    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json=ANSWER)

    return handler


def client_for(seen: list[httpx2.Request]) -> dict[str, Any]:
    return {
        "http_client": httpx2.Client(transport=httpx2.MockTransport(capture(seen))),
        "http_async_client": httpx2.AsyncClient(transport=httpx2.MockTransport(capture(seen))),
    }


def test_api_key_goes_in_the_api_key_header() -> None:
    seen: list[httpx2.Request] = []
    answer = make_llm(api_key="key-123", **client_for(seen)).invoke("Hi")
    assert answer.content == "Hi."
    assert seen[0].headers["api-key"] == "key-123"
    assert "authorization" not in seen[0].headers
    assert seen[0].url.path == "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions"
    assert seen[0].url.params["api-version"] == "2025-01-01-preview"
    body = json.loads(seen[0].content)
    assert body["modalities"] == ["text", "audio"]
    assert body["audio"] == {"voice": "alloy", "format": "wav"}


async def test_token_provider_sends_a_bearer_token_sync_and_async() -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm(api_key=None, azure_ad_token_provider=lambda: "tok-abc", **client_for(seen))
    llm.invoke("Hi")
    await llm.ainvoke("Hi")
    assert [r.headers["authorization"] for r in seen] == ["Bearer tok-abc"] * 2
    assert all("api-key" not in r.headers for r in seen)


class FakeCredential:
    created = 0
    scopes: list[str] = []  # noqa: RUF012

    def __init__(self) -> None:
        FakeCredential.created += 1

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        FakeCredential.scopes.extend(scopes)
        return AccessToken("entra-token", 4102444800)

    def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessTokenInfo

        FakeCredential.scopes.extend(scopes)
        return AccessTokenInfo("entra-token", 4102444800)


def test_keyless_uses_default_azure_credential_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    FakeCredential.created, FakeCredential.scopes = 0, []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    seen: list[httpx2.Request] = []
    llm = make_llm(api_key=None, **client_for(seen))
    assert FakeCredential.created == 0  # nothing built at construction
    llm.invoke("Hi")
    llm.invoke("Hi again")
    assert FakeCredential.created == 1
    assert set(FakeCredential.scopes) == {COGNITIVE_SERVICES_SCOPE}
    assert [r.headers["authorization"] for r in seen] == ["Bearer entra-token"] * 2


def test_keyless_failure_names_the_path_and_the_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity
    from azure.core.exceptions import ClientAuthenticationError

    class NoCredential(FakeCredential):
        def get_token_info(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError("DefaultAzureCredential failed to retrieve a token")

        get_token = get_token_info

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", NoCredential)
    seen: list[httpx2.Request] = []
    with pytest.raises(AzureAudioAuthenticationError) as caught:
        make_llm(api_key=None, **client_for(seen)).invoke("Hi")
    message = str(caught.value)
    assert "DefaultAzureCredential" in message
    assert COGNITIVE_SERVICES_SCOPE in message
    assert "AZURE_OPENAI_API_KEY" in message
    assert seen == []  # nothing was sent without a credential


def test_per_call_model_routes_to_that_deployment() -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm(**client_for(seen))
    llm.invoke("Hi")
    llm.invoke("Hi", model="gpt-4o-audio-preview")
    assert [r.url.path for r in seen] == [
        "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions",
        "/openai/deployments/gpt-4o-audio-preview/chat/completions",
    ]
    assert llm._get_ls_params(model="gpt-4o-audio-preview")["ls_model_name"] == (
        "gpt-4o-audio-preview"
    )


def test_stop_is_sent_only_when_there_is_one() -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm(stop=[], **client_for(seen))
    llm.invoke("Hi")
    llm.invoke("Hi", stop=["Goodbye"])
    bodies = [json.loads(r.content) for r in seen]
    assert "stop" not in bodies[0]  # an empty list would be refused by the service
    assert bodies[1]["stop"] == ["Goodbye"]
