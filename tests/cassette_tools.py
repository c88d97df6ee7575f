"""Shared test plumbing: strict vcrpy replay, and cassettes built from ../shared at test time.

The real recordings in `../shared/recordings` are third-party data: they are
read from there and turned into vcrpy cassettes in a temporary folder (URL
rewritten to the Azure deployments form, response bodies untouched). Nothing
derived from them is written inside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import vcr
from vcr.request import Request

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RECORDINGS = SHARED / "recordings"
SHARED_AUDIO = SHARED / "audio"
CASSETTES = REPO / "cassettes"

ENDPOINT = "https://example-resource.openai.azure.com"
API_VERSION = "2025-01-01-preview"
RECORDED_MODELS = ("gpt-4o-audio-preview-2025-06-03", "gpt-audio-1.5")

# The request fields that decide which answer a request gets. `model` is left
# out: Azure routes by the deployment in the URL, the recordings name OpenAI models.
MATCHED_BODY_FIELDS = (
    "messages", "modalities", "audio", "stream", "tools", "tool_choice", "response_format",
)


def require_shared() -> None:
    if not RECORDINGS.is_dir():
        pytest.skip(f"real recordings not found at {RECORDINGS} (../shared beside the checkout)")


def _body_fields(request: Request) -> dict[str, Any]:
    body = request.body
    if not body:
        return {}
    data = json.loads(body)
    return {key: data.get(key) for key in MATCHED_BODY_FIELDS}


def azure_body_matcher(r1: Request, r2: Request) -> None:
    """Two requests match when the fields that shape the answer are equal."""
    b1, b2 = _body_fields(r1), _body_fields(r2)
    if b1 != b2:
        differing = [k for k in MATCHED_BODY_FIELDS if b1.get(k) != b2.get(k)]
        raise AssertionError(f"request bodies differ in {differing}")


def strict_vcr() -> vcr.VCR:
    """Replay only: a request without a recorded match fails instead of going out."""
    v = vcr.VCR(
        record_mode="none",
        match_on=("method", "scheme", "host", "path", "query", "azure_body"),
        decode_compressed_response=True,
        filter_headers=["api-key", "authorization"],
    )
    v.register_matcher("azure_body", azure_body_matcher)
    return v


def recording_entries(stem: str, model: str) -> list[dict[str, Any]]:
    path = RECORDINGS / f"{stem}.{model}.json"
    return json.loads(path.read_text())["Entries"]  # type: ignore[no-any-return]


def cassette_from_recording(stem: str, model: str, deployment: str, folder: Path) -> Path:
    """Write a vcrpy cassette for one real recording into `folder` (a temp dir)."""
    uri = f"{ENDPOINT}/openai/deployments/{deployment}/chat/completions?api-version={API_VERSION}"
    interactions = []
    for entry in recording_entries(stem, model):
        body = entry["ResponseBody"]
        text = "".join(body) if isinstance(body, list) else json.dumps(body)
        interactions.append(
            {
                "request": {
                    "method": entry["RequestMethod"],
                    "uri": uri,
                    "body": json.dumps(entry["RequestBody"]),
                    "headers": {"Content-Type": ["application/json"]},
                },
                "response": {
                    "status": {"code": entry["StatusCode"], "message": "OK"},
                    "headers": {
                        k: v if isinstance(v, list) else [v]
                        for k, v in entry["ResponseHeaders"].items()
                        if k.lower() not in ("transfer-encoding", "content-length")
                    },
                    "body": {"string": text},
                },
            }
        )
    path = folder / f"{stem}.{model}.json"
    path.write_text(json.dumps({"version": 1, "interactions": interactions}))
    return path
