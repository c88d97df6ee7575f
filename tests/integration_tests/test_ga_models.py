"""Today's models replayed from cassettes/ga_models.json (synthetic; tests/ga_flows.py):
every voice, aac out, the v1 API, and create_agent with response_format."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_azure_audio import AzureAudioInputError, AzureChatOpenAIAudio, save_audio
from langchain_azure_audio._azure.replay import strict_vcr
from tests import ga_flows as flows
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

CASSETTE = CASSETTES / "ga_models.json"


@pytest.fixture
def replay() -> Iterator[None]:
    with strict_vcr().use_cassette(str(CASSETTE), allow_playback_repeats=True):
        yield


def recorded_requests() -> list[dict[str, Any]]:
    interactions = json.loads(CASSETTE.read_text())["interactions"]
    return [
        {"uri": i["request"]["uri"], "body": json.loads(i["request"]["body"])} for i in interactions
    ]


def test_every_voice_is_sent_as_documented(replay: None) -> None:
    answers = flows.speak_in_each_voice(make_llm(flows.GA_DEPLOYMENT))
    assert list(answers) == list(flows.VOICES)
    for answer in answers.values():
        assert base64.b64decode(answer.additional_kwargs["audio"]["data"])[:4] == b"RIFF"
    # The request shape, as Azure documents it (hand-written, not built by our code).
    sent = [r["body"] for r in recorded_requests()[: len(flows.VOICES)]]
    for voice, body in zip(flows.VOICES, sent, strict=True):
        assert body == {
            "model": "gpt-audio-1.5",
            "messages": [{"role": "user", "content": "Say hello."}],
            "modalities": ["text", "audio"],
            "audio": {"voice": voice, "format": "wav"},
        }


def test_aac_answer_is_saved_as_aac(replay: None, tmp_path: Path) -> None:
    answer, path = flows.speak_aac(make_llm(flows.GA_DEPLOYMENT), tmp_path)
    assert answer.response_metadata["audio_format"] == "aac"
    assert path.suffix == ".aac"
    data = path.read_bytes()
    assert data[0] == 0xFF
    assert data[1] & 0xF6 == 0xF0
    blocks = [b for b in answer.content_blocks if b["type"] == "audio"]
    assert blocks[0]["mime_type"] == "audio/aac"  # type: ignore[typeddict-item]
    with pytest.raises(AzureAudioInputError, match=r"aac audio .* save it as 'hello\.aac'"):
        save_audio(answer, tmp_path / "hello.wav")


def v1_llm(endpoint: str = flows.V1_ENDPOINT) -> AzureChatOpenAIAudio:
    return make_llm(flows.GA_DEPLOYMENT, azure_endpoint=endpoint)


@pytest.mark.parametrize("endpoint", [flows.V1_ENDPOINT, flows.V1_ENDPOINT + "/"])
def test_v1_conversation_invoke_stream_and_id(replay: None, endpoint: str) -> None:
    first, streamed, follow_up = flows.v1_conversation(v1_llm(endpoint))
    assert first.additional_kwargs["audio"]["id"]
    assert streamed.response_metadata["audio_format"] == "pcm16"
    assert base64.b64decode(streamed.additional_kwargs["audio"]["data"])
    assert follow_up.content
    requests = [r for r in recorded_requests() if "/openai/v1/" in r["uri"]]
    assert {r["uri"] for r in requests} == {
        "https://example-resource.openai.azure.com/openai/v1/chat/completions"
    }
    assert requests[1]["body"]["stream"] is True
    assert requests[1]["body"]["stream_options"] == {"include_usage": True}
    assert requests[2]["body"]["messages"][1] == {
        "role": "assistant",
        "audio": {"id": first.additional_kwargs["audio"]["id"]},
    }


def test_create_agent_with_response_format(replay: None) -> None:
    llm = make_llm(flows.GA_DEPLOYMENT)
    assert llm.profile is not None
    assert llm.profile["structured_output"] is False
    report = flows.agent_with_response_format(llm)
    assert isinstance(report, flows.WeatherReport)
    assert report.city == "Paris"
    assert report.summary
