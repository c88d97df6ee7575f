"""Strict vcrpy replay of cassettes, shared by the offline demo and the tests.

A request with no recorded match fails loudly (`record_mode="none"`): nothing
reaches the network. Requests match on method, URL and the body fields that
decide the answer, so two turns to the same URL replay the right responses.
"""

from __future__ import annotations

import json
from typing import Any, Final

import vcr
from vcr.request import Request

MATCHED_BODY_FIELDS: Final = (
    "messages",
    "modalities",
    "audio",
    "stream",
    "tools",
    "tool_choice",
    "response_format",
)
"""Request fields that shape the answer. `model` is not one: Azure routes by the
deployment in the URL."""

SCRUBBED_HEADERS: Final = ("api-key", "authorization", "ocp-apim-subscription-key")


def _body_fields(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    data = json.loads(request.body)
    return {key: data.get(key) for key in MATCHED_BODY_FIELDS}


def azure_body_matcher(r1: Request, r2: Request) -> None:
    """vcrpy matcher: the answer-shaping body fields must be equal."""
    b1, b2 = _body_fields(r1), _body_fields(r2)
    if b1 != b2:
        differing = [k for k in MATCHED_BODY_FIELDS if b1.get(k) != b2.get(k)]
        raise AssertionError(f"request bodies differ in {differing}")


def strict_vcr(record_mode: str = "none") -> vcr.VCR:
    """A VCR that replays only (by default) and never stores credentials."""
    recorder = vcr.VCR(
        record_mode=record_mode,
        serializer="json",
        match_on=("method", "scheme", "host", "port", "path", "query", "azure_body"),
        decode_compressed_response=True,
        filter_headers=list(SCRUBBED_HEADERS),
    )
    recorder.register_matcher("azure_body", azure_body_matcher)
    return recorder
