"""LangChain's standard integration tests (langchain-tests) for AzureChatOpenAIRealtime,
against the scripted loopback realtime server (tests/realtime_server.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_azure_audio import AzureAudioConfigError, AzureChatOpenAIRealtime, audio_block
from tests.cassette_tools import CASSETTES
from tests.realtime_server import RealtimeServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

_SERVER: dict[str, RealtimeServer] = {}


@pytest.fixture(scope="module", autouse=True)
def scripted_server() -> Iterator[RealtimeServer]:
    with RealtimeServer() as server:
        _SERVER["server"] = server
        yield server
    _SERVER.clear()


def _params() -> dict[str, Any]:
    return {
        "azure_endpoint": _SERVER["server"].endpoint,
        "azure_deployment": "gpt-realtime",
        "api_key": "scripted-server-key",
        "max_retries": 0,
        "timeout": 10,
    }


class TestAzureChatOpenAIRealtimeStandard(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return AzureChatOpenAIRealtime

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return _params()

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True

    @property
    def supported_usage_metadata_details(self) -> dict[str, Any]:
        details = ["audio_input", "audio_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "gpt-realtime-mini"

    def _model(self) -> AzureChatOpenAIRealtime:
        return AzureChatOpenAIRealtime(**_params())

    def invoke_with_audio_input(self, *, stream: bool = False) -> AIMessage:
        question = audio_block(CASSETTES / "audio" / "question.wav")
        message = HumanMessage(content=[{"type": "text", "text": "What is asked here?"}, question])
        return _run(self._model(), [message], stream)

    def invoke_with_audio_output(self, *, stream: bool = False) -> AIMessage:
        return _run(self._model(), [HumanMessage("Say hello in one short sentence.")], stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        return _run(self._model(), [HumanMessage("Hello again.")], stream)

    @pytest.mark.xfail(
        reason="the Realtime API has no stop sequences: `stop` raises a typed "
        "AzureAudioConfigError before any connection",
        raises=AzureAudioConfigError,
        strict=True,
    )
    def test_stop_sequence(self, model: BaseChatModel) -> None:
        super().test_stop_sequence(model)


@pytest.fixture(autouse=True)
def _skip_networked(request: pytest.FixtureRequest) -> None:
    if request.node.name == "test_audio_inputs":
        pytest.skip(
            "downloads a third-party WAV at run time (network); audio input runs offline "
            "in test_usage_metadata and tests/integration_tests/test_realtime.py"
        )


def _run(model: AzureChatOpenAIRealtime, messages: list[Any], stream: bool) -> AIMessage:
    if not stream:
        return model.invoke(messages)
    full = None
    for chunk in model.stream(messages):
        full = chunk if full is None else full + chunk
    assert isinstance(full, AIMessage)
    return full
