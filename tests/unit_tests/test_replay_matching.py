"""The replay matcher: which request differences still find the recorded answer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from vcr.request import Request

from langchain_azure_audio._azure.replay import azure_body_matcher

URL = "https://example-resource.openai.azure.com/openai/deployments/d/chat/completions"


def _request(description: str, **extra: Any) -> Request:
    tool = {"type": "function", "function": {"name": "add", "description": description}}
    body = {"messages": [{"role": "user", "content": "2+3?"}], "tools": [tool], **extra}
    return Request("POST", URL, json.dumps(body), {})


# The same nested function's docstring as Python 3.12 and 3.13 compile it.
INDENTED = "Adds two integers.\n\n            Takes a and b, returns their sum."
DEDENTED = "Adds two integers.\n\nTakes a and b, returns their sum."


def test_a_tool_docstring_matches_across_python_versions() -> None:
    azure_body_matcher(_request(DEDENTED), _request(INDENTED))  # no AssertionError


@pytest.mark.parametrize(
    "other",
    [
        "Adds two integers.\n\nTakes a and b, returns their product.",
        "Adds two integers. Takes a and b, returns their sum.",
    ],
)
def test_a_different_tool_description_does_not_match(other: str) -> None:
    with pytest.raises(AssertionError, match=r"differ in \['tools'\]"):
        azure_body_matcher(_request(DEDENTED), _request(other))


def test_other_fields_still_decide() -> None:
    with pytest.raises(AssertionError, match=r"differ in \['stream'\]"):
        azure_body_matcher(_request(DEDENTED, stream=True), _request(INDENTED))
