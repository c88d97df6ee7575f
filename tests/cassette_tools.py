"""Test plumbing: cassettes built from the real recordings in ../shared at test time.

The real recordings in `../shared/recordings` are third-party data: they are
read from there and turned into vcrpy cassettes in a temporary folder (URL
rewritten to the Azure deployments form, response bodies untouched). Nothing
derived from them is written inside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.needs import shared

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RECORDINGS = SHARED / "recordings"
SHARED_AUDIO = SHARED / "audio"
CASSETTES = REPO / "cassettes"

ENDPOINT = "https://example-resource.openai.azure.com"
API_VERSION = "2025-01-01-preview"
RECORDED_MODELS = ("gpt-4o-audio-preview-2025-06-03", "gpt-audio-1.5")


def require_shared() -> None:
    """Skip (with the reason) when ../shared is not beside the checkout; fail under CI."""
    shared(RECORDINGS)


def recording_entries(stem: str, model: str) -> list[dict[str, Any]]:
    path = RECORDINGS / f"{stem}.{model}.json"
    return json.loads(path.read_text())["Entries"]  # type: ignore[no-any-return]


def cassette_from_recording(
    stem: str, model: str, deployment: str, folder: Path, *, api: str = "classic"
) -> Path:
    """Write a vcrpy cassette for one real recording into `folder` (a temp dir), at the
    classic Azure URL or (`api="v1"`) the v1 one."""
    classic = f"{ENDPOINT}/openai/deployments/{deployment}/chat/completions"
    uri = (
        f"{ENDPOINT}/openai/v1/chat/completions"
        if api == "v1"
        else f"{classic}?api-version={API_VERSION}"
    )
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
    path = folder / f"{stem}.{model}.{api}.json"
    path.write_text(json.dumps({"version": 1, "interactions": interactions}))
    return path
