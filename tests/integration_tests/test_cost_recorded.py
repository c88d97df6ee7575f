"""What the real recorded answers cost, and the callback totalling them.

The usage blocks of ../shared/recordings, replayed through the package; the
expected costs are worked out by hand below from those usage blocks and the list
prices (per 1M tokens: gpt-audio-1.5 text $2.50 in / $10 out, audio $32 in / $64 out;
gpt-4o-audio-preview text $2.50 / $10, audio $40 / $80):

  recording (entry)                        text in  audio in  text out  audio out
  multiturn, gpt-audio-1.5 (0)                  11        17        32         93
    11 x 2.5 + 17 x 32 + 32 x 10 + 93 x 64 = 27.5 + 544 + 320 + 5952 = 6843.5
  multiturn, gpt-audio-1.5 (1, streamed)        62       142        37        125
    62 x 2.5 + 142 x 32 + 37 x 10 + 125 x 64 = 155 + 4544 + 370 + 8000 = 13069
  text stream, gpt-audio-1.5 (0)                18         0         5         19
    18 x 2.5 + 5 x 10 + 19 x 64 = 45 + 50 + 1216 = 1311
  multiturn, preview (0)                        11        17        30         84
    11 x 2.5 + 17 x 40 + 30 x 10 + 84 x 80 = 27.5 + 680 + 300 + 6720 = 7727.5
  multiturn, preview (1, streamed)              60       133        69        292
    60 x 2.5 + 133 x 40 + 69 x 10 + 292 x 80 = 150 + 5320 + 690 + 23360 = 29520
  text stream, preview (0)                      18         0         5         28
    18 x 2.5 + 5 x 10 + 28 x 80 = 45 + 50 + 2240 = 2335
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import HumanMessage
from langchain_core.output_parsers import StrOutputParser

from langchain_azure_audio import audio_block
from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.cost import Tokens, cost_of, get_audio_cost_callback
from tests.cassette_tools import (
    RECORDED_MODELS,
    SHARED_AUDIO,
    cassette_from_recording,
    require_shared,
)
from tests.conftest import make_llm

pytestmark = [
    pytest.mark.shared,
    pytest.mark.filterwarnings("ignore::langchain_azure_audio.ModelRetirementWarning"),
]

MULTITURN = "chat_audio_in_audio_out_multiturn"
TEXT_STREAM = "chat_text_in_audio_out_stream"
PROMPT = "Say the exact word 'hello' and nothing else."
DEPLOYMENT = {"gpt-audio-1.5": "gpt-audio-1.5", RECORDED_MODELS[0]: "gpt-4o-audio-preview"}
# model: (first turn, second turn, text stream), US dollars: the sums above / 1M
COST = {
    "gpt-audio-1.5": (0.0068435, 0.013069, 0.001311),
    RECORDED_MODELS[0]: (0.0077275, 0.02952, 0.002335),
}
TOKENS = {  # the first turn's usage, by kind
    "gpt-audio-1.5": Tokens(text_in=11, audio_in=17, text_out=32, audio_out=93),
    RECORDED_MODELS[0]: Tokens(text_in=11, audio_in=17, text_out=30, audio_out=84),
}


@pytest.fixture(params=RECORDED_MODELS)
def model(request: pytest.FixtureRequest) -> str:
    require_shared()
    return str(request.param)


def replay(stem: str, model: str, folder: Path) -> Any:
    path = cassette_from_recording(stem, model, DEPLOYMENT[model], folder)
    return strict_vcr().use_cassette(str(path), allow_playback_repeats=True)


def first_turn() -> HumanMessage:
    return HumanMessage(content=[audio_block(SHARED_AUDIO / "hello_world.mp3")])


def question() -> HumanMessage:
    return HumanMessage(content=[
        {"type": "text", "text": "Please answer the following spoken question:"},
        audio_block(SHARED_AUDIO / "whats_the_weather_24khz_mono.wav")])  # fmt: skip


def test_the_cost_of_a_real_answer(model: str, tmp_path: Path) -> None:
    llm = make_llm(DEPLOYMENT[model], audio_format="pcm16")
    with replay(MULTITURN, model, tmp_path):
        answer = llm.invoke([first_turn()])
    cost = cost_of(answer)  # priced at the model that answered (response_metadata)
    assert cost.tokens == TOKENS[model]
    assert cost.usd == pytest.approx(COST[model][0])
    assert cost.complete


def test_the_callback_totals_a_conversation_invoke_then_stream(model: str, tmp_path: Path) -> None:
    llm = make_llm(DEPLOYMENT[model], audio_format="pcm16", expired_audio="send_id")
    with replay(MULTITURN, model, tmp_path), get_audio_cost_callback() as cb:
        first = llm.invoke([first_turn()])
        list(llm.stream([first_turn(), first, question()]))  # counted when the stream ends
    assert cb.requests == 2
    assert cb.total_cost == pytest.approx(COST[model][0] + COST[model][1])
    assert cb.complete


def test_the_callback_counts_a_streamed_chain(model: str, tmp_path: Path) -> None:
    chain = make_llm(DEPLOYMENT[model], audio_format="pcm16", voice="ash") | StrOutputParser()
    with replay(TEXT_STREAM, model, tmp_path), get_audio_cost_callback() as cb:
        assert "".join(chain.stream(PROMPT)) == "Hello"
    assert cb.requests == 1
    assert cb.tokens.text_in == 18
    assert cb.total_cost == pytest.approx(COST[model][2])


async def test_the_callback_counts_an_async_stream(model: str, tmp_path: Path) -> None:
    llm = make_llm(DEPLOYMENT[model], audio_format="pcm16", voice="ash")
    with replay(TEXT_STREAM, model, tmp_path), get_audio_cost_callback() as cb:
        async for _ in llm.astream(PROMPT):
            pass
    assert cb.requests == 1
    assert cb.total_cost == pytest.approx(COST[model][2])


def test_your_prices_replace_the_list_price(tmp_path: Path) -> None:
    require_shared()
    from langchain_azure_audio.cost import Price

    # an Azure agreement at 10% over list: 11 x 2.75 + 17 x 35.2 + 32 x 11 + 93 x 70.4
    # = 30.25 + 598.4 + 352 + 6547.2 = 7527.85
    mine = {"gpt-audio-1.5": Price(2.75, None, 11.0, 35.2, None, 70.4)}
    llm = make_llm("gpt-audio-1.5", audio_format="pcm16")
    with replay(MULTITURN, "gpt-audio-1.5", tmp_path), get_audio_cost_callback(mine) as cb:
        llm.invoke([first_turn()])
    assert cb.total_cost == pytest.approx(0.00752785)
