"""Every cassette in cassettes/ says where it came from, holds no secret, and stays small."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from langchain_azure_audio._azure.replay import PLACEHOLDER_HOST
from tests.cassette_tools import CASSETTES, RECORDINGS, REPO
from tests.needs import shared

ALL_CASSETTES = sorted(CASSETTES.rglob("*.json"))
MAX_CASSETTE_BYTES = 3 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024

SECRET_HEADERS = {
    "api-key", "authorization", "ocp-apim-subscription-key", "x-api-key", "cookie",
    "set-cookie", "x-ms-client-request-id", "openai-organization", "openai-project",
}  # fmt: skip
SECRET_QUERY_KEYS = {"api-key", "key", "code", "sig", "token", "access_token", "subscription-key"}
SECRET_PATTERNS = {
    "bearer token": re.compile(r"Bearer\s+[A-Za-z0-9._-]{8,}"),
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),
    "32-hex API key": re.compile(r"(?<![A-Za-z0-9+/])[0-9a-fA-F]{32}(?![A-Za-z0-9+/])"),
    "Azure resource host": re.compile(
        r"[a-z0-9-]+\.(?:openai\.azure\.com|cognitiveservices\.azure\.com|services\.ai\.azure\.com)"
    ),
}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(CASSETTES)) for p in paths]


def test_there_are_cassettes() -> None:
    assert len(ALL_CASSETTES) >= 6


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=ids(ALL_CASSETTES))
def test_cassette_says_where_it_came_from(path: Path) -> None:
    meta = load(path).get("metadata") or {}
    assert meta.get("provenance") in ("synthetic", "recorded"), f"{path.name}: no provenance"
    if meta["provenance"] == "synthetic":
        assert meta.get("recorded_live") is False
        generator = REPO / str(meta.get("generator", "")).split()[0]
        assert generator.is_file(), f"{path.name}: generator {generator} is not in the repo"
    else:
        assert meta.get("recorded_live") is True
        assert meta.get("recorded_at"), f"{path.name}: a live recording must say when"
        assert "scrubbed" in meta, f"{path.name}: a live recording must say how it was scrubbed"


@pytest.mark.parametrize("path", ALL_CASSETTES, ids=ids(ALL_CASSETTES))
def test_cassette_holds_no_secret(path: Path) -> None:
    data = load(path)
    assert data["interactions"], f"{path.name}: no interactions"
    for number, interaction in enumerate(data["interactions"]):
        where = f"{path.name} interaction {number}"
        request, response = interaction["request"], interaction["response"]
        url = urlsplit(request["uri"])
        assert url.scheme == "https", where
        assert url.hostname == PLACEHOLDER_HOST, f"{where}: real host {url.hostname}"
        leaked_query = SECRET_QUERY_KEYS & {k.lower() for k in parse_qs(url.query)}
        assert not leaked_query, f"{where}: secret query parameters {leaked_query}"
        for headers in (request.get("headers") or {}, response.get("headers") or {}):
            leaked = SECRET_HEADERS & {name.lower() for name in headers}
            assert not leaked, f"{where}: secret headers {leaked}"
    text = path.read_text().replace(PLACEHOLDER_HOST, "")
    for name, pattern in SECRET_PATTERNS.items():
        match = pattern.search(text)
        assert match is None, f"{path.name}: looks like a {name}: {match.group(0)[:40]!r}"


def test_cassettes_are_small_enough_for_git() -> None:
    sizes = {path: path.stat().st_size for path in ALL_CASSETTES}
    too_big = {p.name: s for p, s in sizes.items() if s > MAX_CASSETTE_BYTES}
    assert not too_big, f"cassettes over {MAX_CASSETTE_BYTES} bytes: {too_big}"
    total = sum(sizes.values())
    assert total <= MAX_TOTAL_BYTES, f"cassettes total {total} bytes"


def test_no_third_party_recording_was_copied_into_the_repo() -> None:
    shared(RECORDINGS)  # nothing to compare against without it
    fingerprints = []
    for recording in RECORDINGS.glob("*.json"):
        for match in re.finditer(r'"data":\s*"([A-Za-z0-9+/]{120})', recording.read_text()):
            fingerprints.append(match.group(1))
    assert fingerprints
    for path in [*ALL_CASSETTES, *(CASSETTES / "audio").glob("*")]:
        content = path.read_bytes()
        copied = [f for f in fingerprints if f.encode() in content]
        assert not copied, f"{path.name} contains audio from ../shared/recordings"
