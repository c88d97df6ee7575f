"""A live recording is scrubbed at record time: the saved cassette is safe to commit.

The live path is exercised end to end except for the network: the model talks
to a real-looking resource through an in-process transport while vcrpy records
with the same hooks `scripts/record_cassettes.py` uses.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx2

from langchain_azure_audio import AzureChatOpenAIAudio
from langchain_azure_audio._azure.replay import (
    PLACEHOLDER_DEPLOYMENT,
    PLACEHOLDER_HOST,
    scrubbers,
    strict_vcr,
)
from tests.cassette_tools import REPO

REAL_ENDPOINT = "https://contoso-prod-eastus2.openai.azure.com"
REAL_DEPLOYMENT = "contoso-voice-prod"
REAL_KEY = "0123456789abcdef0123456789abcdef"


def test_live_recording_is_scrubbed_and_replays(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "scripts"))
    from synthetic_service import SyntheticAzure

    cassette = tmp_path / "live.json"
    live = AzureChatOpenAIAudio(
        azure_endpoint=REAL_ENDPOINT,
        azure_deployment=REAL_DEPLOYMENT,
        api_key=REAL_KEY,  # type: ignore[arg-type]
        http_client=httpx2.Client(transport=httpx2.MockTransport(SyntheticAzure())),
    )
    recorder = strict_vcr(record_mode="all")
    with recorder.use_cassette(str(cassette), **scrubbers(REAL_ENDPOINT, REAL_DEPLOYMENT)):
        recorded = live.invoke("Hello")

    saved = cassette.read_text()
    for secret in (REAL_KEY, "contoso", REAL_DEPLOYMENT):
        assert secret not in saved
    request = json.loads(saved)["interactions"][0]["request"]
    assert request["uri"].startswith(
        f"https://{PLACEHOLDER_HOST}/openai/deployments/{PLACEHOLDER_DEPLOYMENT}/"
    )
    assert {name.lower() for name in request["headers"]} == {"content-type"}

    replayed_model = AzureChatOpenAIAudio(
        azure_endpoint=f"https://{PLACEHOLDER_HOST}",
        azure_deployment=PLACEHOLDER_DEPLOYMENT,
        api_key="replay",  # type: ignore[arg-type]
    )
    with strict_vcr().use_cassette(str(cassette)):
        replayed = replayed_model.invoke("Hello")
    assert replayed.content == recorded.content
    assert replayed.additional_kwargs["audio"] == recorded.additional_kwargs["audio"]
