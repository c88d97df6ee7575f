from __future__ import annotations

import os
from typing import Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException

from langchain_azure_audio import AzureChatOpenAIAudio
from langchain_azure_audio._azure.replay import azure_body_matcher
from tests.cassette_tools import API_VERSION, ENDPOINT

TEST_KEY = "test-key-not-a-secret"
NO_CASSETTE = pytest.StashKey[str]()
"""Set on a replayed test whose cassette does not exist (why it would be skipped)."""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A test with *no* cassette at all that tries a request is skipped, with the reason.

    A request that misses in an existing cassette still fails loudly.
    """
    outcome = yield
    report = outcome.get_result()
    reason = item.stash.get(NO_CASSETTE, None)
    if (
        reason
        and call.excinfo is not None
        and call.excinfo.errisinstance(CannotOverwriteExistingCassetteException)
    ):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")


@pytest.hookimpl(optionalhook=True)  # pytest-recording comes with langchain-tests
def pytest_recording_configure(config: Any, vcr: Any) -> None:
    """langchain-tests' VCR support (pytest-recording) matches bodies like our replays."""
    vcr.register_matcher("azure_body", azure_body_matcher)


@pytest.fixture(autouse=True)
def _no_azure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real Azure settings (except when recording live)."""
    if os.environ.get("LCAA_CASSETTE_MODE") == "live":
        return
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


@pytest.fixture(scope="session")
def long_recording(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The 30-minute recording with known pauses (tests/long_recording.py), built once."""
    from tests.long_recording import build

    return build(request.config, tmp_path_factory.mktemp("long_recording"))
