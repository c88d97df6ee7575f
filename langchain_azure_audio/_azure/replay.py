"""Strict vcrpy replay of cassettes, shared by the offline demo and the tests.

A request with no recorded match fails loudly (`record_mode="none"`): nothing
reaches the network. Requests match on method, URL and the body fields that
decide the answer, so two turns to the same URL replay the right responses.
"""

from __future__ import annotations

import hashlib
import inspect
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

AUDIO_DIGEST_OVER: Final = 4096
"""Input audio longer than this (base64 characters) is matched, and may be stored, by its
SHA-256: a long recording's pieces would make a cassette of many megabytes."""

SCRUBBED_HEADERS: Final = ("api-key", "authorization", "ocp-apim-subscription-key")
MATCH_ON: Final = ("method", "scheme", "host", "port", "path", "query", "azure_body")


def _body_fields(request: Request) -> dict[str, Any]:
    if not request.body:
        return {}
    data = json.loads(request.body)
    fields = {key: data.get(key) for key in MATCHED_BODY_FIELDS}
    if fields["messages"]:
        fields["messages"] = _canonical_call_ids(digest_input_audio(fields["messages"]))
    if isinstance(fields["tools"], list):
        fields["tools"] = _canonical_tool_descriptions(fields["tools"])
    return fields


def digest_input_audio(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`messages` with every long `input_audio` payload replaced by `sha256:<hex>` of it
    (a payload already in that form stays as it is)."""
    out = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            message = {**message, "content": [_digest_part(part) for part in content]}
        out.append(message)
    return out


def _digest_part(part: Any) -> Any:
    audio = part.get("input_audio") if isinstance(part, dict) else None
    if not isinstance(audio, dict):
        return part
    data = audio.get("data")
    if not isinstance(data, str) or len(data) <= AUDIO_DIGEST_OVER or data.startswith("sha256:"):
        return part
    digest = "sha256:" + hashlib.sha256(data.encode("ascii")).hexdigest()
    return {**part, "input_audio": {**audio, "data": digest}}


def digest_cassette_audio(path: str) -> None:
    """Store a recorded cassette's long input audio as digests (see `digest_input_audio`)."""
    with open(path, encoding="utf-8") as handle:
        cassette = json.load(handle)
    for interaction in cassette["interactions"]:
        request = interaction["request"]
        if request.get("body"):
            body = json.loads(request["body"])
            if isinstance(body.get("messages"), list):
                body["messages"] = digest_input_audio(body["messages"])
                request["body"] = json.dumps(body)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(cassette, handle, indent=1)
        handle.write("\n")


def _canonical_tool_descriptions(tools: list[Any]) -> list[Any]:
    """Tool descriptions without docstring indentation: Python 3.13 strips it when it
    compiles a docstring, earlier versions keep it, so one tool reads two ways."""
    out = []
    for tool in tools:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("description"), str):
            function = {**function, "description": inspect.cleandoc(function["description"])}
            tool = {**tool, "function": function}
        out.append(tool)
    return out


def _canonical_call_ids(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tool-call ids renamed by order of appearance: callers may mint them at random
    (few-shot examples do), and they carry no meaning beyond pairing calls with results."""
    names: dict[str, str] = {}

    def canonical(call_id: str) -> str:
        return names.setdefault(call_id, f"call_{len(names)}")

    out = []
    for message in messages:
        message = dict(message)
        if message.get("tool_calls"):
            message["tool_calls"] = [
                {**call, "id": canonical(call.get("id", ""))} for call in message["tool_calls"]
            ]
        if "tool_call_id" in message:
            message["tool_call_id"] = canonical(message["tool_call_id"])
        out.append(message)
    return out


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
        match_on=MATCH_ON,
        decode_compressed_response=True,
        filter_headers=list(SCRUBBED_HEADERS),
    )
    recorder.register_matcher("azure_body", azure_body_matcher)
    return recorder


PLACEHOLDER_HOST: Final = "example-resource.openai.azure.com"
PLACEHOLDER_DEPLOYMENT: Final = "gpt-4o-mini-audio-preview"
_KEPT_RESPONSE_HEADERS: Final = ("content-type", "retry-after", "retry-after-ms", "x-ms-region")


def scrubbers(endpoint: str, deployment: str) -> dict[str, Any]:
    """`before_record_*` hooks that make a live recording safe to commit.

    Requests keep only their method, body and a URL rewritten to the
    placeholder resource and deployment (the real host names the customer's
    resource; the deployment name is replaced in the body's `model` too);
    every header is dropped (`api-key`, `Authorization`, cookies).
    Responses keep only the headers the tests need.
    """
    real_host = endpoint.split("://", 1)[-1].split("/", 1)[0]

    def scrub_request(request: Request) -> Request:
        request.uri = request.uri.replace(real_host, PLACEHOLDER_HOST).replace(
            f"/deployments/{deployment}/", f"/deployments/{PLACEHOLDER_DEPLOYMENT}/"
        )
        if request.uri.startswith("http://"):
            request.uri = "https://" + request.uri[len("http://") :]
        request.headers = {"Content-Type": "application/json"}
        if request.body:
            body = json.loads(request.body)
            if body.get("model") == deployment:
                body["model"] = PLACEHOLDER_DEPLOYMENT
                request.body = json.dumps(body).encode()
        return request

    def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
        response["headers"] = {
            name: value
            for name, value in response["headers"].items()
            if name.lower() in _KEPT_RESPONSE_HEADERS
        }
        return response

    return {"before_record_request": scrub_request, "before_record_response": scrub_response}


def replay_cassette(path: str, *, allow_playback_repeats: bool = False) -> Any:
    """A strict replay context for `path`; picklable as `functools.partial(replay_cassette,
    path)`, so worker processes (Ray tasks) can replay inside themselves."""
    return strict_vcr().use_cassette(path, allow_playback_repeats=allow_playback_repeats)
