"""The cost callback reaches every request of a job: an agent, a long transcription (pieces
sent from concurrent asyncio tasks), an audiobook (segments in their own tasks, each with a
model of its own).

The cassettes are synthetic (their token counts are the synthetic service's); the expected
totals are read from the cassettes' response bodies, not from the package.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.cost import get_audio_cost_callback
from tests import agent_flows, audiobook_flows, long_flows
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

pytestmark = pytest.mark.filterwarnings(
    "ignore::langchain_azure_audio.ModelRetirementWarning"
)  # the synthetic cassettes answer as a retired preview


def recorded_usage(cassette: Path) -> list[dict[str, Any]]:
    """Each response's usage block, as the cassette holds it."""
    bodies = [json.loads(i["response"]["body"]["string"])
              for i in json.loads(cassette.read_text())["interactions"]]  # fmt: skip
    return [b["usage"] for b in bodies]


def test_a_long_transcription_and_question_count_every_piece(tmp_path: Path) -> None:
    cassette = CASSETTES / "long_audio.json"
    usage = recorded_usage(cassette)
    long_flows.write_meeting(tmp_path)
    with strict_vcr().use_cassette(str(cassette)), get_audio_cost_callback() as cb:
        long_flows.session(make_llm("gpt-audio-1.5"), tmp_path)
    assert cb.requests == len(usage) == 5  # 2 pieces transcribed, 2 asked about, 1 answer
    audio_in = sum(u["prompt_tokens_details"]["audio_tokens"] for u in usage)
    assert cb.tokens.audio_in == audio_in
    assert set(cb.costs) == {"gpt-audio-1.5-2026-02-23"}  # priced at the model that answered


def test_an_audiobook_counts_every_reading(tmp_path: Path) -> None:
    cassette = CASSETTES / "audiobook_small.json"
    usage = recorded_usage(cassette)
    with strict_vcr().use_cassette(str(cassette)), get_audio_cost_callback() as cb:
        report = audiobook_flows.small_book(make_llm(), tmp_path / "book.wav", tmp_path / "w")
    assert cb.requests == report.attempts == len(usage)  # the re-read segments too
    assert cb.tokens.audio_out == sum(u["completion_tokens_details"]["audio_tokens"]
                                      for u in usage)  # fmt: skip
    # gpt-4o-mini-audio-preview: audio out $20 per 1M, audio in $10, text $0.15 / $0.60
    assert cb.total_cost > cb.tokens.audio_out * 20 / 1e6


def test_an_agent_counts_each_model_call() -> None:
    cassette = strict_vcr().use_cassette(
        str(CASSETTES / "agents.json"), allow_playback_repeats=True
    )
    with cassette, get_audio_cost_callback() as cb:
        messages = agent_flows.agent_answers_a_spoken_question(make_llm())
    model_answers = [m for m in messages if m.type == "ai"]
    assert cb.requests == len(model_answers) == 2  # the tool call, then the spoken answer


def test_outside_the_block_nothing_is_counted() -> None:
    with get_audio_cost_callback() as cb:
        pass
    with strict_vcr().use_cassette(str(CASSETTES / "agents.json"), allow_playback_repeats=True):
        agent_flows.agent_answers_a_spoken_question(make_llm())
    assert cb.requests == 0


def test_a_session_reporting_answers_to_the_callbacks_is_counted() -> None:
    """A live session reports each finished response as LangChain reports any answer:
    `on_chat_model_start`, then `on_llm_end` with the answer and its usage (a realtime
    response's usage, with the cached audio it read, in `cache_read_audio`)."""
    from uuid import uuid4

    from langchain_core.callbacks import CallbackManager
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_core.outputs import ChatGeneration, LLMResult

    answer = AIMessage(
        "Sure.",
        response_metadata={"model_name": "gpt-realtime-1.5"},
        usage_metadata={"input_tokens": 789, "output_tokens": 32, "total_tokens": 821,
                        "input_token_details": {"audio": 476, "cache_read": 640,
                                                "cache_read_audio": 384},
                        "output_token_details": {"audio": 23}},
    )  # fmt: skip
    with get_audio_cost_callback() as cb:
        manager = CallbackManager.configure()  # what a model's run does: the hook adds ours
        for _ in range(2):  # two turns of the session
            (run,) = manager.on_chat_model_start({}, [[HumanMessage("hi")]], run_id=uuid4())
            run.on_llm_end(LLMResult(generations=[[ChatGeneration(message=answer)]]))
    assert cb.requests == 2
    # each: 57 x 4.00 + 256 x 0.40 + 92 x 32 + 384 x 0.40 + 9 x 16 + 23 x 64 = 5044 per 1M
    assert cb.total_cost == pytest.approx(2 * 0.005044)
