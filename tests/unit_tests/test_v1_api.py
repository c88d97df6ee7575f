"""Azure's v1 API on the wire (a mock transport; no network).

Expectations are written from Microsoft's v1 documentation, not from our code:
`POST https://<resource>.openai.azure.com/openai/v1/chat/completions`, no
`api-version`, the deployment in the body's `model`; the client is the plain
OpenAI one with `api_key` = the key or a token provider, so both go out as
`Authorization: Bearer ...`.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.conftest import make_llm
from tests.unit_tests.test_auth_wiring import FakeCredential, client_for

RESOURCE = "https://example-resource.openai.azure.com"


@pytest.mark.parametrize("endpoint", [f"{RESOURCE}/openai/v1", f"{RESOURCE}/openai/v1/"])
def test_api_key_on_the_v1_path(endpoint: str) -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm("voice-bot-prod", azure_endpoint=endpoint, api_key="key-v1", **client_for(seen))
    assert llm.api_kind == "v1"
    llm.invoke("Hi", voice="cedar")
    request = seen[0]
    assert str(request.url) == f"{RESOURCE}/openai/v1/chat/completions"
    assert "api-version" not in request.url.params
    assert request.headers["authorization"] == "Bearer key-v1"
    body = json.loads(request.content)
    assert body["model"] == "voice-bot-prod"
    assert body["modalities"] == ["text", "audio"]
    assert body["audio"] == {"voice": "cedar", "format": "wav"}


async def test_token_provider_on_the_v1_path_sync_and_async() -> None:
    seen: list[httpx2.Request] = []
    calls: list[int] = []

    def provider() -> str:
        calls.append(1)
        return f"tok-{len(calls)}"

    llm = make_llm(
        azure_endpoint=f"{RESOURCE}/openai/v1",
        api_key=None,
        azure_ad_token_provider=provider,
        **client_for(seen),
    )
    llm.invoke("Hi")
    await llm.ainvoke("Hi")
    assert [r.headers["authorization"] for r in seen] == ["Bearer tok-1", "Bearer tok-2"]
    assert all("api-key" not in r.headers for r in seen)
    assert all(str(r.url) == f"{RESOURCE}/openai/v1/chat/completions" for r in seen)


def test_keyless_v1_uses_the_token_scope_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity

    FakeCredential.created, FakeCredential.scopes = 0, []
    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    seen: list[httpx2.Request] = []
    llm = make_llm(
        azure_endpoint=f"{RESOURCE}/openai/v1",
        api_key=None,
        token_scope="https://ai.azure.com/.default",
        **client_for(seen),
    )
    llm.invoke("Hi")
    assert set(FakeCredential.scopes) == {"https://ai.azure.com/.default"}
    assert seen[0].headers["authorization"] == "Bearer entra-token"


def test_keyless_default_scope_is_cognitive_services(monkeypatch: pytest.MonkeyPatch) -> None:
    assert make_llm(api_key=None).token_scope == "https://cognitiveservices.azure.com/.default"


def test_v1_endpoint_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_azure_audio import AzureChatOpenAIAudio

    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", f"{RESOURCE}/openai/v1/")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", "gpt-audio-mini")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key")
    seen: list[httpx2.Request] = []
    llm = AzureChatOpenAIAudio(**client_for(seen))
    llm.invoke("Hi")
    assert str(seen[0].url) == f"{RESOURCE}/openai/v1/chat/completions"
    assert json.loads(seen[0].content)["model"] == "gpt-audio-mini"


def test_classic_path_stays_the_default() -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm("gpt-audio-1.5", **client_for(seen))
    assert llm.api_kind == "classic"
    llm.invoke("Hi")
    assert seen[0].url.path == "/openai/deployments/gpt-audio-1.5/chat/completions"
    assert seen[0].url.params["api-version"] == "2025-01-01-preview"


def test_v1_errors_name_the_v1_api() -> None:
    from langchain_azure_audio import DeploymentNotFoundError

    def handler(request: httpx2.Request) -> httpx2.Response:
        body: dict[str, Any] = {"error": {"code": "DeploymentNotFound", "message": "no such"}}
        return httpx2.Response(404, json=body)

    llm = make_llm(
        "missing",
        azure_endpoint=f"{RESOURCE}/openai/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with pytest.raises(DeploymentNotFoundError, match="'missing' was not found"):
        llm.invoke("Hi")


def test_tools_on_the_v1_path() -> None:
    """Tool calling works the same on the v1 API: tools in the body, calls parsed back."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
        }
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        choice = {"index": 0, "finish_reason": "tool_calls", "message": message}
        return httpx2.Response(200, json={"model": "gpt-audio-1.5", "choices": [choice]})

    def get_weather(city: str) -> str:
        """Get today's weather for a city."""
        return city

    llm = make_llm(
        "gpt-audio-1.5",
        azure_endpoint=f"{RESOURCE}/openai/v1",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    answer = llm.bind_tools([get_weather]).invoke("Weather in Paris?")
    assert answer.tool_calls[0]["name"] == "get_weather"
    assert answer.tool_calls[0]["args"] == {"city": "Paris"}
    assert str(seen[0].url) == f"{RESOURCE}/openai/v1/chat/completions"
    tool = json.loads(seen[0].content)["tools"][0]
    assert tool["type"] == "function"
    assert tool["function"]["name"] == "get_weather"
