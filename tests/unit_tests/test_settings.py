"""AzureChatOpenAIAudio settings, credentials and service-error translation, no network."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from typing import Any

import azure.identity
import httpx2
import openai
import pytest
from azure.core.exceptions import ClientAuthenticationError
from langchain_core.messages import HumanMessage

from langchain_azure_audio import (
    ApiVersionTooOldError,
    AzureAudioAuthenticationError,
    AzureAudioConfigError,
    AzureAudioInputError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    AzureChatOpenAIAudio,
    ContentFilterError,
    DeploymentNotFoundError,
    VoiceNotAvailableError,
    audio_block,
)
from langchain_azure_audio._azure.auth import (
    API_KEY_AUTH,
    COGNITIVE_SERVICES_SCOPE,
    KEYLESS_AUTH,
    PROVIDER_AUTH,
    LazyEntraTokenProvider,
    resolve_credentials,
)
from langchain_azure_audio._azure.service_errors import RequestContext, translate_error
from langchain_azure_audio.audio import pcm16_to_wav
from tests.cassette_tools import ENDPOINT
from tests.conftest import TEST_KEY, make_llm

WAV_BYTES = pcm16_to_wav(bytes(4800))

DEPLOYMENT = "gpt-4o-mini-audio-preview"
URL = f"{ENDPOINT}/openai/deployments/{DEPLOYMENT}/chat/completions?api-version=2024-10-21"
OK_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-1",
    "model": "gpt-4o-mini-audio-preview-2024-12-17",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Hello!"},
        }
    ],
    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
}


def fake_azure(status: int, body: dict[str, Any], seen: list[httpx2.Request]) -> httpx2.Client:
    """An httpx2 client answering every request in-process (no socket)."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(status, json=body)

    return httpx2.Client(transport=httpx2.MockTransport(handler))


# ------------------------------------------------------------------- construction


@pytest.mark.parametrize(
    ("overrides", "env_var"),
    [
        ({"azure_endpoint": None}, "AZURE_OPENAI_ENDPOINT"),
        ({"azure_endpoint": ""}, "AZURE_OPENAI_ENDPOINT"),
        ({"azure_deployment": None}, "AZURE_OPENAI_DEPLOYMENT_NAME"),
        ({"azure_deployment": ""}, "AZURE_OPENAI_DEPLOYMENT_NAME"),
    ],
)
def test_missing_endpoint_or_deployment_names_the_env_var(
    overrides: dict[str, Any], env_var: str
) -> None:
    with pytest.raises(AzureAudioConfigError) as info:
        make_llm(**overrides)
    assert f"set {env_var}" in str(info.value)


def test_endpoint_must_be_a_url() -> None:
    with pytest.raises(AzureAudioConfigError, match="is not a URL; use 'https://"):
        make_llm(azure_endpoint="example-resource.openai.azure.com")


TEN_VOICES = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
"""The built-in voices of audio chat completions, as Azure documents them (written by
hand here, not imported, so a change to the package's list shows up)."""


@pytest.mark.parametrize("voice", TEN_VOICES)
def test_every_documented_voice_is_accepted(voice: str) -> None:
    assert make_llm(voice=voice).voice == voice


def test_unknown_voice_lists_documented_voices() -> None:
    with pytest.raises(AzureAudioConfigError) as info:
        make_llm(voice="nova")
    message = str(info.value)
    assert "voice 'nova'" in message
    assert all(voice in message for voice in TEN_VOICES)
    assert "allow_unknown_voice=True" in message


def test_allow_unknown_voice_accepts_any_voice() -> None:
    assert make_llm(voice="nova", allow_unknown_voice=True).voice == "nova"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ({"audio_format": "m4a"}, "audio_format 'm4a' is not supported"),
        ({"modalities": ["audio"]}, "modalities=['audio'] is not accepted by the service"),
        ({"modalities": ["video"]}, "modalities contains ['video']"),
        ({"modalities": ["text", "video"]}, "modalities contains ['video']"),
        ({"modalities": []}, "modalities=[]: use ['text', 'audio'] or ['text']"),
        ({"expired_audio": "drop"}, "expired_audio 'drop' is not a policy"),
        ({"max_retries": -1}, "max_retries must be 0 or more"),
    ],
)
def test_bad_settings_raise_config_error(setting: dict[str, Any], says: str) -> None:
    with pytest.raises(AzureAudioConfigError) as info:
        make_llm(**setting)
    assert says in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "setting",
    [
        {"voice": "echo", "audio_format": "pcm16"},
        {"modalities": ["text"]},
        {"expired_audio": "error"},
        {"audio_format": "opus", "expired_audio": "send_id"},
    ],
)
def test_good_settings_are_kept(setting: dict[str, Any]) -> None:
    llm = make_llm(**setting)
    assert {key: getattr(llm, key) for key in setting} == setting


# ------------------------------------------------------------------ per-call errors


@pytest.fixture
def offline_llm(monkeypatch: pytest.MonkeyPatch) -> AzureChatOpenAIAudio:
    """A model whose client must never be built: these calls fail before the network."""

    def no_client(*args: Any, **kwargs: Any) -> Any:
        pytest.fail("a client was built: the error should come before any request")

    monkeypatch.setattr(openai, "AzureOpenAI", no_client)
    return make_llm()


@pytest.mark.parametrize(
    ("call_kwargs", "says"),
    [
        ({"voice": "bob"}, "voice 'bob' is not one of the voices Azure documents"),
        ({"audio_format": "ogg"}, "audio_format 'ogg' is not supported"),
        ({"modalities": ["audio"]}, "modalities=['audio'] is not accepted"),
        ({"modalities": []}, "modalities=[]"),
        ({"expired_audio": "ignore"}, "expired_audio 'ignore' is not a policy"),
    ],
)
def test_per_call_overrides_are_checked_before_the_request(
    offline_llm: AzureChatOpenAIAudio, call_kwargs: dict[str, Any], says: str
) -> None:
    with pytest.raises(AzureAudioConfigError) as info:
        offline_llm.invoke("Is a golden retriever a good family dog?", **call_kwargs)
    assert says in str(info.value)


@pytest.mark.parametrize(
    ("call_kwargs", "says"),
    [
        ({"audio": {"voice": "alloy", "format": "wav"}, "modalities": ["text"]},
         "audio output parameters were given but modalities=['text']"),
        ({"audio": {"voice": "alloy", "format": "wav"}}, "set voice= and audio_format="),
    ],
)  # fmt: skip
def test_extra_parameters_cannot_fight_the_settings(
    offline_llm: AzureChatOpenAIAudio, call_kwargs: dict[str, Any], says: str
) -> None:
    question = HumanMessage(content=[audio_block(WAV_BYTES)])
    with pytest.raises(AzureAudioConfigError, match=re.escape(says)):
        offline_llm.invoke([question], **call_kwargs)


def test_model_kwargs_cannot_carry_the_messages() -> None:
    llm = make_llm(model_kwargs={"messages": []})
    with pytest.raises(AzureAudioConfigError, match=re.escape("pass messages to invoke()")):
        llm.invoke("Hello")


def test_text_only_without_audio_input_is_refused(offline_llm: AzureChatOpenAIAudio) -> None:
    with pytest.raises(AzureAudioInputError) as info:
        offline_llm.invoke([HumanMessage("Summarise this.")], modalities=["text"])
    message = str(info.value)
    assert "no audio input and modalities=['text']" in message
    assert "audio_block(path)" in message


def test_text_only_model_without_audio_input_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    llm = make_llm(modalities=["text"])
    monkeypatch.setattr(openai, "AzureOpenAI", lambda **_: pytest.fail("client built"))
    with pytest.raises(AzureAudioInputError, match="no audio input"):
        llm.invoke("Hello")


def test_bad_audio_block_is_refused_before_the_request(
    offline_llm: AzureChatOpenAIAudio,
) -> None:
    message = HumanMessage(content=[{"type": "audio", "url": "https://x.test/a.wav"}])
    with pytest.raises(AzureAudioInputError, match=r"^messages\[0\]\.content\[0\]: audio URLs"):
        offline_llm.invoke([message])


# --------------------------------------------------------------------- environment


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://env-resource.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", "env-audio-deployment")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "env-key-123")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    llm = AzureChatOpenAIAudio()
    assert llm.azure_endpoint == "https://env-resource.openai.azure.com"
    assert llm.azure_deployment == "env-audio-deployment"
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "env-key-123"
    assert llm.api_version == "2025-04-01-preview"
    assert "env-key-123" not in repr(llm)


def test_explicit_arguments_beat_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", "env-audio-deployment")
    monkeypatch.setenv("OPENAI_API_VERSION", "2025-04-01-preview")
    llm = make_llm("explicit-deployment", api_version="2025-01-01-preview")
    assert llm.azure_deployment == "explicit-deployment"
    assert llm.api_version == "2025-01-01-preview"


def test_default_api_version() -> None:
    llm = AzureChatOpenAIAudio(azure_endpoint=ENDPOINT, azure_deployment=DEPLOYMENT)
    assert llm.api_version == "2025-01-01-preview"


@pytest.mark.parametrize(
    "render",
    [
        pytest.param(repr, id="repr"),
        pytest.param(str, id="str"),
        pytest.param(lambda llm: llm.model_dump_json(), id="model_dump_json"),
        pytest.param(lambda llm: json.dumps(llm.to_json()), id="to_json"),
    ],
)
def test_api_key_is_never_printed(render: Callable[[AzureChatOpenAIAudio], str]) -> None:
    text = render(make_llm())
    assert TEST_KEY not in text
    assert DEPLOYMENT in text  # the rendering is real, only the key is hidden


# --------------------------------------------------------------------- credentials


def _token() -> str:
    return "caller-token"


def test_resolve_credentials_prefers_the_api_key() -> None:
    creds = resolve_credentials("k-123", _token)
    assert creds.description == API_KEY_AUTH
    assert creds.api_key == "k-123"
    assert creds.token_provider is None
    assert "k-123" not in repr(creds)


async def test_resolve_credentials_uses_the_callers_provider() -> None:
    creds = resolve_credentials(None, _token)
    assert creds.description == PROVIDER_AUTH
    assert creds.api_key is None
    assert creds.token_provider is not None
    assert creds.async_token_provider is not None
    # wrapped (a failure becomes the one-line auth error), called on every request
    assert creds.token_provider() == _token()
    assert await creds.async_token_provider() == _token()  # type: ignore[misc]


@pytest.fixture
def fake_identity(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace azure-identity; the list records each DefaultAzureCredential built."""
    built: list[str] = []

    def default_credential(*args: Any, **kwargs: Any) -> str:
        built.append("DefaultAzureCredential")
        return "credential"

    def bearer_provider(credential: Any, *scopes: str) -> Callable[[], str]:
        assert credential == "credential"
        assert scopes == (COGNITIVE_SERVICES_SCOPE,)
        return lambda: "entra-token"

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", default_credential)
    monkeypatch.setattr(azure.identity, "get_bearer_token_provider", bearer_provider)
    return built


def test_keyless_credentials_are_lazy(fake_identity: list[str]) -> None:
    creds = resolve_credentials(None, None)
    assert creds.description == KEYLESS_AUTH
    assert "DefaultAzureCredential" in creds.description
    assert isinstance(creds.token_provider, LazyEntraTokenProvider)
    assert fake_identity == []
    assert creds.token_provider() == "entra-token"
    assert creds.token_provider() == "entra-token"
    assert fake_identity == ["DefaultAzureCredential"]  # built once, on first use


def test_keyless_model_builds_the_credential_on_the_first_request(
    fake_identity: list[str],
) -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm(api_key=None, http_client=fake_azure(200, OK_RESPONSE, seen))
    assert fake_identity == []  # constructing the model touched nothing
    assert llm.invoke("Hi").content == "Hello!"
    assert fake_identity == ["DefaultAzureCredential"]
    assert seen[0].headers["authorization"] == "Bearer entra-token"
    assert "api-key" not in seen[0].headers


@pytest.mark.parametrize(
    ("settings", "header", "value", "absent"),
    [
        pytest.param({}, "api-key", TEST_KEY, "authorization", id="key"),
        pytest.param(
            {"azure_ad_token_provider": _token},
            "api-key",
            TEST_KEY,
            "authorization",
            id="key-beats-provider",
        ),
        pytest.param(
            {"api_key": None, "azure_ad_token_provider": _token},
            "authorization",
            "Bearer caller-token",
            "api-key",
            id="provider",
        ),
    ],
)
def test_model_sends_the_resolved_credential(
    fake_identity: list[str], settings: dict[str, Any], header: str, value: str, absent: str
) -> None:
    seen: list[httpx2.Request] = []
    llm = make_llm(http_client=fake_azure(200, OK_RESPONSE, seen), **settings)
    assert llm.invoke("Hi").content == "Hello!"
    assert seen[0].headers[header] == value
    assert absent not in seen[0].headers
    assert fake_identity == []  # DefaultAzureCredential is never built on these paths


def test_lazy_entra_failure_says_how_to_fix_it(monkeypatch: pytest.MonkeyPatch) -> None:
    original = ClientAuthenticationError(
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
        "Attempted credentials:\n\tEnvironmentCredential: incomplete"
    )

    def failing_provider() -> str:
        raise original

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", lambda: "credential")
    monkeypatch.setattr(azure.identity, "get_bearer_token_provider", lambda *_: failing_provider)
    with pytest.raises(AzureAudioAuthenticationError) as info:
        LazyEntraTokenProvider()()
    message = str(info.value)
    assert "DefaultAzureCredential found no token" in message
    assert "(tried EnvironmentCredential)" in message  # the names azure-identity listed
    assert "Attempted credentials" not in message  # not azure's multi-line text
    assert "\n" not in message
    assert "az login" in message
    assert "Cognitive Services OpenAI User" in message
    assert "AZURE_OPENAI_API_KEY" in message
    assert info.value.__cause__ is original


# ------------------------------------------------------------ service error mapping

CTX = RequestContext(
    deployment=DEPLOYMENT, endpoint=ENDPOINT, api_version="2024-10-21", auth=API_KEY_AUTH
)


def status_error(
    cls: type[openai.APIStatusError],
    status: int,
    error: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> openai.APIStatusError:
    """The exception the openai SDK raises for an Azure error response."""
    request = httpx2.Request("POST", URL, headers={"api-key": TEST_KEY})
    response = httpx2.Response(status, request=request, headers=headers, json={"error": error})
    return cls(f"Error code: {status} - {{'error': {error}}}", response=response, body=error)


def test_401_names_the_auth_path_not_the_key() -> None:
    exc = status_error(
        openai.AuthenticationError,
        401,
        {"code": "401", "message": "Access denied due to invalid subscription key."},
    )
    error = translate_error(exc, CTX)
    assert isinstance(error, AzureAudioAuthenticationError)
    assert error.status_code == 401
    assert error.service_message == "Access denied due to invalid subscription key."
    assert f"Tried: {API_KEY_AUTH}" in str(error)
    assert ENDPOINT in str(error)
    assert TEST_KEY not in str(error)


def test_401_with_a_keyless_token_names_the_scope_az_login_and_the_key_alternative() -> None:
    from dataclasses import replace

    from langchain_azure_audio._azure.auth import KEYLESS_AUTH

    exc = status_error(openai.AuthenticationError, 401,
                       {"code": "401", "message": "Token audience is invalid."})  # fmt: skip
    message = str(translate_error(exc, replace(CTX, auth=KEYLESS_AUTH)))
    assert "\n" not in message
    for words in ("https://cognitiveservices.azure.com/.default", "`az login`",
                  "AZURE_OPENAI_API_KEY", "Token audience is invalid."):  # fmt: skip
        assert words in message


def test_401_through_the_model_hides_the_key() -> None:
    seen: list[httpx2.Request] = []
    body = {"error": {"code": "401", "message": "Access denied due to invalid subscription key."}}
    llm = make_llm(http_client=fake_azure(401, body, seen))
    with pytest.raises(AzureAudioAuthenticationError) as info:
        llm.invoke("Hi")
    assert seen[0].headers["api-key"] == TEST_KEY  # the key was really used...
    assert TEST_KEY not in str(info.value)  # ...and is not in the error
    assert "API key" in str(info.value)
    assert isinstance(info.value.__cause__, openai.AuthenticationError)


def test_404_deployment_not_found() -> None:
    exc = status_error(
        openai.NotFoundError,
        404,
        {
            "code": "DeploymentNotFound",
            "message": "The API deployment for this resource does not exist.",
        },
    )
    error = translate_error(exc, CTX)
    assert isinstance(error, DeploymentNotFoundError)
    assert error.code == "DeploymentNotFound"
    message = str(error)
    assert f"Deployment {DEPLOYMENT!r} was not found at {ENDPOINT}" in message
    assert "AZURE_OPENAI_DEPLOYMENT_NAME" in message
    assert "The API deployment for this resource does not exist." in message


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({}, None),
    ],
)
def test_429_rate_limit_carries_retry_after(
    headers: dict[str, str], retry_after: float | None
) -> None:
    exc = status_error(
        openai.RateLimitError,
        429,
        {"code": "429", "message": "Requests to the ChatCompletions_Create Operation ..."},
        headers,
    )
    error = translate_error(exc, CTX)
    assert isinstance(error, AzureAudioRateLimitError)
    assert error.retry_after == retry_after
    assert error.status_code == 429
    if retry_after is None:
        assert "asked to wait" not in str(error)
    else:
        assert f"The service asked to wait {retry_after:g} s." in str(error)


def test_400_content_filter_lists_the_categories() -> None:
    filter_result = {
        "hate": {"filtered": False, "severity": "safe"},
        "jailbreak": {"filtered": False, "detected": False},
        "self_harm": {"filtered": False, "severity": "safe"},
        "sexual": {"filtered": False, "severity": "safe"},
        "violence": {"filtered": True, "severity": "medium"},
    }
    exc = status_error(
        openai.BadRequestError,
        400,
        {
            "message": "The response was filtered due to the prompt triggering Azure OpenAI's "
            "content management policy.",
            "type": None,
            "param": "prompt",
            "code": "content_filter",
            "status": 400,
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": filter_result,
            },
        },
    )
    error = translate_error(exc, CTX)
    assert isinstance(error, ContentFilterError)
    assert error.categories == ["violence"]
    assert error.filter_results == filter_result
    assert "categories: violence" in str(error)


def test_400_unrecognized_modalities_means_api_version_too_old() -> None:
    exc = status_error(
        openai.BadRequestError,
        400,
        {"code": "BadRequest", "message": "Unrecognized request argument supplied: modalities"},
    )
    error = translate_error(exc, CTX)
    assert isinstance(error, ApiVersionTooOldError)
    message = str(error)
    assert "api-version '2024-10-21'" in message
    assert "api_version='2025-01-01-preview'" in message
    assert "OPENAI_API_VERSION" in message


def test_other_400_is_a_plain_service_error() -> None:
    exc = status_error(
        openai.BadRequestError,
        400,
        {"code": "invalid_value", "message": "Invalid value for 'temperature'."},
    )
    error = translate_error(exc, CTX)
    assert type(error) is AzureAudioServiceError
    assert error.code == "invalid_value"
    assert f"HTTP 400 for deployment {DEPLOYMENT!r}: Invalid value for 'temperature'." in str(error)


@pytest.mark.parametrize(
    "body",
    [
        {
            "code": "invalid_value",
            "param": "audio.voice",
            "message": "Invalid value: 'cedar'. Supported values are: 'alloy', 'echo', 'shimmer'.",
        },
        {"code": "BadRequest", "message": "The voice 'cedar' is not available for this model."},
    ],
    ids=["by-param", "by-message"],
)
def test_voice_refused_by_the_service_names_voices_to_try(body: dict[str, Any]) -> None:
    ctx = dataclasses.replace(
        CTX, voice="cedar", model="gpt-4o-mini-audio-preview", voices=("alloy", "echo", "shimmer")
    )
    error = translate_error(status_error(openai.BadRequestError, 400, body), ctx)
    assert isinstance(error, VoiceNotAvailableError)
    assert error.voice == "cedar"
    assert error.voices_to_try == ("alloy", "echo", "shimmer")
    message = str(error)
    assert "does not offer voice 'cedar'" in message
    assert "gpt-4o-mini-audio-preview" in message
    assert "alloy, echo, shimmer" in message


def test_connection_error_names_the_endpoint() -> None:
    exc = openai.APIConnectionError(request=httpx2.Request("POST", URL))
    error = translate_error(exc, CTX)
    assert isinstance(error, AzureAudioServiceError)
    assert f"Could not reach {ENDPOINT}" in str(error)
    assert "AZURE_OPENAI_ENDPOINT" in str(error)


def test_non_openai_errors_are_not_translated() -> None:
    assert translate_error(KeyError("x"), CTX) is None
