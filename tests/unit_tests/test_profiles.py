"""Which model is behind a deployment, and its LangChain profile.

Expected values are Azure's and OpenAI's documented facts, written here by hand
(sources in langchain_azure_audio/_model/profiles.py), not read from the package.
"""

from __future__ import annotations

import datetime
from typing import Final

import httpx2
import pytest

from langchain_azure_audio._model.profiles import find_model, model_profile
from tests.conftest import make_llm

# model, version, retirement date (Microsoft's retirement schedule: the page of 2026-09-02
# for the GA models, the retirement table of 2025-12-16 for the previews)
DOCUMENTED = [
    ("gpt-audio-1.5", "2026-02-23", "2027-08-24"),
    ("gpt-audio", "2025-08-28", "2027-03-02"),
    ("gpt-audio-mini", "2025-12-15", "2027-06-15"),
    ("gpt-4o-audio-preview", "2024-12-17", "2026-02-02"),
    ("gpt-4o-mini-audio-preview", "2024-12-17", "2026-02-28"),
]
A_DAY: Final = datetime.date(2026, 12, 7)
"""The day the status is judged on (injected: the test does not depend on today's date)."""


@pytest.mark.parametrize(("name", "version", "retires"), DOCUMENTED)
def test_profile_of_every_known_model(name: str, version: str, retires: str) -> None:
    profile = model_profile(name, A_DAY)
    assert make_llm(name).profile == model_profile(name)
    assert profile["name"] == name
    assert profile["release_date"] == version
    assert profile["max_input_tokens"] == 128_000
    assert profile["max_output_tokens"] == 16_384
    assert profile["audio_inputs"]
    assert profile["audio_outputs"]
    assert profile["text_inputs"]
    assert profile["text_outputs"]
    assert profile["tool_calling"] is True
    assert profile["structured_output"] is False  # create_agent then uses its tool strategy
    assert profile["status"] == ("retired" if retires <= A_DAY.isoformat() else "active")


def test_deployment_named_with_a_version_is_that_version() -> None:
    known = find_model("gpt-audio-mini-2025-10-06")
    assert known is not None
    assert (known.name, known.version, known.retirement) == (
        "gpt-audio-mini",
        "2025-10-06",
        "2027-04-06",
    )


def test_model_name_names_the_model_behind_a_custom_deployment() -> None:
    llm = make_llm("voice-bot-prod", model_name="gpt-audio-1.5")
    assert llm.audio_model_name == "gpt-audio-1.5"
    assert llm.profile is not None
    assert llm.profile["name"] == "gpt-audio-1.5"
    alias = make_llm("voice-bot-prod", model="gpt-audio-mini")  # as in AzureChatOpenAI
    assert alias.model_name == "gpt-audio-mini"
    assert alias.profile is not None
    assert alias.profile["name"] == "gpt-audio-mini"


def test_unknown_model_gets_a_conservative_profile() -> None:
    llm = make_llm("voice-bot-prod")
    assert llm.audio_model_name is None
    profile = llm.profile
    assert profile is not None
    assert "name" not in profile
    assert "max_input_tokens" not in profile
    assert profile["audio_inputs"]
    assert profile["structured_output"] is False


def test_langsmith_params_carry_the_model_name() -> None:
    assert (
        make_llm("voice-bot-prod", model="gpt-audio-1.5")._get_ls_params()["ls_model_name"]
        == "gpt-audio-1.5"
    )
    assert make_llm("gpt-audio-mini")._get_ls_params()["ls_model_name"] == "gpt-audio-mini"
    assert make_llm("voice-bot-prod")._get_ls_params()["ls_model_name"] == "voice-bot-prod"


def test_response_metadata_model_name_is_what_the_service_answered() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            200,
            json={
                "model": "gpt-audio-1.5-2026-02-23",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": "Hello."},
                    }
                ],
            },
        )

    llm = make_llm(
        "voice-bot-prod",
        model_name="gpt-audio-1.5",
        modalities=["text"],
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    from langchain_core.messages import HumanMessage

    from langchain_azure_audio import audio_block
    from tests.cassette_tools import CASSETTES

    answer = llm.invoke([HumanMessage(content=[audio_block(CASSETTES / "audio" / "question.wav")])])
    assert answer.response_metadata["model_name"] == "gpt-audio-1.5-2026-02-23"


def test_voice_refusal_names_the_models_voices() -> None:
    from langchain_azure_audio import VoiceNotAvailableError

    def handler(request: httpx2.Request) -> httpx2.Response:
        error = {"code": "invalid_value", "param": "audio.voice", "message": "Invalid voice."}
        return httpx2.Response(400, json={"error": error})

    llm = make_llm(
        "gpt-4o-mini-audio-preview",
        voice="marin",
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with pytest.raises(VoiceNotAvailableError) as info:
        llm.invoke("Hi")
    assert info.value.voice == "marin"
    assert info.value.voices_to_try == ("alloy", "echo", "shimmer")
    assert "alloy, echo, shimmer" in str(info.value)
