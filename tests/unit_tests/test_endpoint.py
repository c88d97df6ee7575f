"""Issue 15 item 9: an `azure_endpoint` pasted with its request path still on it."""

from __future__ import annotations

import pytest

from langchain_azure_audio import AzureAudioConfigError
from langchain_azure_audio._azure.endpoint import normalize_endpoint
from tests.conftest import make_llm

ROOT = "https://my-resource.openai.azure.com"


@pytest.mark.parametrize(
    ("pasted", "endpoint"),
    [
        (ROOT, ROOT),
        (ROOT + "/", ROOT),
        ("  " + ROOT + "  ", ROOT),
        (
            ROOT + "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions"
            "?api-version=2025-01-01-preview",
            ROOT,
        ),
        (ROOT + "/openai/deployments/gpt-4o-mini-audio-preview", ROOT),
        (ROOT + "/openai/", ROOT),
        (ROOT + "/openai/v1", ROOT + "/openai/v1"),  # the v1 API base is an endpoint
        (ROOT + "/openai/v1/", ROOT + "/openai/v1"),
        (ROOT + "/openai/v1/chat/completions", ROOT + "/openai/v1"),
        (
            "https://x.cognitiveservices.azure.com/openai/deployments/d/chat/completions?a=1",
            "https://x.cognitiveservices.azure.com",
        ),
        ("https://gateway.example.com/azure-openai", "https://gateway.example.com/azure-openai"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_pasted_endpoints_are_normalised(pasted: str, endpoint: str) -> None:
    assert normalize_endpoint(pasted) == endpoint


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("my-resource.openai.azure.com", "is not a URL"),
        ("ftp://my-resource.openai.azure.com", "is not a URL"),
        ("https://", "has no host name"),
        ("https://host:port", "is not a valid URL"),
        ("https://gateway.example.com/api?key=1", "query string"),
    ],
)
def test_what_cannot_be_an_endpoint_is_refused_with_the_fix(bad: str, words: str) -> None:
    with pytest.raises(AzureAudioConfigError, match=words) as caught:
        normalize_endpoint(bad)
    assert "https://" in str(caught.value)


def test_a_model_given_a_pasted_request_url_sends_to_the_resource() -> None:
    pasted = (ROOT + "/openai/deployments/gpt-4o-mini-audio-preview/chat/completions"
              "?api-version=2025-01-01-preview")  # fmt: skip
    llm = make_llm(azure_endpoint=pasted)
    assert llm.azure_endpoint == ROOT
    base = str(llm._sync_client().base_url)
    assert base == ROOT + "/openai/"
    assert "chat/completions" not in base
    assert "api-version" not in base
