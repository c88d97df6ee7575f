from __future__ import annotations

import pytest

from langchain_azure_audio import AzureChatOpenAIAudio
from tests.cassette_tools import API_VERSION, ENDPOINT

TEST_KEY = "test-key-not-a-secret"


@pytest.fixture(autouse=True)
def _no_azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real Azure settings."""
    for name in (
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_DEPLOYMENT_NAME",
        "OPENAI_API_VERSION",
    ):
        monkeypatch.delenv(name, raising=False)


def make_llm(
    deployment: str = "gpt-4o-mini-audio-preview", **kwargs: object
) -> AzureChatOpenAIAudio:
    params: dict[str, object] = {
        "azure_endpoint": ENDPOINT,
        "azure_deployment": deployment,
        "api_version": API_VERSION,
        "api_key": TEST_KEY,
        "max_retries": 0,
    }
    params.update(kwargs)
    return AzureChatOpenAIAudio(**params)  # type: ignore[arg-type]
