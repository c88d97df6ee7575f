"""LangChain's standard integration tests (langchain-tests) for AzureChatOpenAIAudio.

Cassettes live in `cassettes/standard/`, one per test, through langchain-tests'
own VCR support (pytest-recording). Three modes, chosen by LCAA_CASSETTE_MODE
(set by `scripts/record_cassettes.py`; plain pytest is `replay`):

* `replay`: strict replay; a test without a cassette is skipped with the reason.
* `live`: runs against Azure (AZURE_OPENAI_* settings) and records, scrubbed at
  record time; the cassettes say `"provenance": "recorded"`.
* `synthetic`: runs against the in-process synthetic service
  (`scripts/synthetic_service.py`) and records; the cassettes say
  `"provenance": "synthetic"`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests
from vcr import VCR

from langchain_azure_audio import AzureChatOpenAIAudio, audio_block
from langchain_azure_audio._azure.replay import MATCH_ON, SCRUBBED_HEADERS, scrubbers
from langchain_azure_audio._offline import OFFLINE_DEPLOYMENT, OFFLINE_ENDPOINT
from tests.cassette_tools import CASSETTES, REPO
from tests.conftest import NO_CASSETTE
from tests.standard_flags import AzureAudioFlags

MODE = os.environ.get("LCAA_CASSETTE_MODE", "replay")
STANDARD = CASSETTES / "standard"
OVERRIDE_DEPLOYMENT = os.environ.get("AZURE_OPENAI_SECOND_DEPLOYMENT_NAME", "gpt-4o-audio-preview")
RECORD_COMMAND = "python scripts/record_cassettes.py"

pytestmark = pytest.mark.vcr


def _params() -> dict[str, Any]:
    if MODE == "live":
        return {"max_retries": 2}  # endpoint, deployment, key/keyless: from the environment
    params: dict[str, Any] = {
        "azure_endpoint": OFFLINE_ENDPOINT,
        "azure_deployment": OFFLINE_DEPLOYMENT,
        "api_key": "replay-key",
        "max_retries": 0,
    }
    if MODE == "synthetic":
        import httpx2

        sys.path.insert(0, str(REPO / "scripts"))
        from synthetic_service import SyntheticAzure

        service = SyntheticAzure()
        params["http_client"] = httpx2.Client(transport=httpx2.MockTransport(service))
        params["http_async_client"] = httpx2.AsyncClient(transport=httpx2.MockTransport(service))
    return params


class TestAzureChatOpenAIAudioStandard(AzureAudioFlags, ChatModelIntegrationTests):
    @property
    def chat_model_params(self) -> dict[str, Any]:
        return _params()

    # Flags beyond the shared ones (tests/standard_flags.py), set truthfully.
    @property
    def supported_usage_metadata_details(self) -> dict[str, Any]:
        details = ["audio_input", "audio_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    @property
    def supports_model_override(self) -> bool:
        # Live, only when a second deployment is named; replayed cassettes carry one.
        return MODE != "live" or "AZURE_OPENAI_SECOND_DEPLOYMENT_NAME" in os.environ

    @property
    def model_override_value(self) -> str:
        return OVERRIDE_DEPLOYMENT

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    def _model(self) -> AzureChatOpenAIAudio:
        return AzureChatOpenAIAudio(**_params())

    def invoke_with_audio_input(self, *, stream: bool = False) -> AIMessage:
        message = HumanMessage(
            content=[
                {"type": "text", "text": "What is asked here?"},
                audio_block(CASSETTES / "audio" / "question.wav"),
            ]
        )
        return _run(self._model(), [message], stream)

    def invoke_with_audio_output(self, *, stream: bool = False) -> AIMessage:
        return _run(self._model(), [HumanMessage("Say hello in one short sentence.")], stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        return _run(self._model(), [HumanMessage("Hello again.")], stream)


def _run(model: AzureChatOpenAIAudio, messages: list[Any], stream: bool) -> AIMessage:
    if not stream:
        return model.invoke(messages)
    full = None
    for chunk in model.stream(messages):
        full = chunk if full is None else full + chunk
    assert isinstance(full, AIMessage)
    return full


# ------------------------------------------------------------ cassette wiring


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(STANDARD)


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    config: dict[str, Any] = {
        "serializer": "json",
        "path_transformer": VCR.ensure_suffix(".json"),
        "match_on": list(MATCH_ON),
        "filter_headers": list(SCRUBBED_HEADERS),
        "decode_compressed_response": True,
        "allow_playback_repeats": True,
        "record_mode": "none" if MODE == "replay" else "rewrite",
    }
    if MODE == "live":
        config.update(
            scrubbers(
                os.environ["AZURE_OPENAI_ENDPOINT"], os.environ["AZURE_OPENAI_DEPLOYMENT_NAME"]
            )
        )
    return config


@pytest.fixture(autouse=True)
def _skip_without_cassette(request: pytest.FixtureRequest, vcr_cassette_dir: str) -> None:
    if request.node.name == "test_audio_inputs" and MODE != "live":
        pytest.skip(
            "downloads a third-party WAV from wikimedia at run time, so it runs live only; "
            "audio input is covered offline by test_synthetic_cassettes.py and "
            "test_recorded_service.py"
        )
    name = request.getfixturevalue("default_cassette_name")
    if MODE == "replay" and not (Path(vcr_cassette_dir) / f"{name}.json").is_file():
        # Tests that make no request, or skip themselves (feature flags), still run;
        # one that sends a request is skipped by tests/conftest.py with this reason.
        request.node.stash[NO_CASSETTE] = (
            f"no cassette recorded for {name}: with Azure settings run `{RECORD_COMMAND}` "
            "to record it live"
        )
