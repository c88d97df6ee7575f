"""Prices as data and the cost of an answer, against figures computed by hand.

Every expected number here is typed by hand: the list prices as read from each
model's page (sources in langchain_azure_audio/_model/prices.py), and costs
worked out in the comments, never computed by the code under test.
"""

from __future__ import annotations

import importlib.util
import json
import re
from types import ModuleType
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from langchain_azure_audio._model import prices
from langchain_azure_audio._model.profiles import KNOWN_MODELS
from langchain_azure_audio.cost import (
    Price,
    Tokens,
    cost_of,
    estimate,
    find_price,
    split_usage,
)
from tests.cassette_tools import REPO
from tests.page_blocks import generated_block

# model: (text in, cached text in, text out, audio in, cached audio in, audio out), per 1M
# tokens, as read from developers.openai.com/api/docs/models/MODEL on 2026-12-07
# (None: not published there).
PUBLISHED = {
    "gpt-audio-1.5": (2.50, None, 10.00, 32.00, None, 64.00),
    "gpt-audio": (2.50, None, 10.00, 32.00, None, 64.00),
    "gpt-audio-mini": (0.60, None, 2.40, None, None, None),
    "gpt-4o-audio-preview-2024-12-17": (2.50, None, 10.00, 40.00, None, 80.00),
    "gpt-4o-audio-preview-2025-06-03": (2.50, None, 10.00, 40.00, None, 80.00),
    "gpt-4o-mini-audio-preview": (0.15, None, 0.60, 10.00, None, 20.00),
    "gpt-realtime-2": (4.00, 0.40, 24.00, 32.00, 0.40, 64.00),
    "gpt-realtime-1.5": (4.00, 0.40, 16.00, 32.00, 0.40, 64.00),
    "gpt-realtime": (None, None, None, None, None, None),
    "gpt-realtime-mini": (None, None, None, None, None, None),
    "gpt-4o-realtime-preview-2024-12-17": (5.00, 2.50, 20.00, 40.00, 2.50, 80.00),
    "gpt-4o-mini-realtime-preview": (0.60, 0.30, 2.40, 10.00, 0.30, 20.00),
}
REALTIME = ("gpt-realtime", "gpt-realtime-mini", "gpt-realtime-1.5", "gpt-realtime-2",
            "gpt-4o-realtime-preview", "gpt-4o-mini-realtime-preview")  # fmt: skip


@pytest.mark.parametrize("model", PUBLISHED)
def test_the_table_holds_the_published_prices(model: str) -> None:
    price = find_price(model)
    assert price is not None
    found = (price.text_in, price.cached_text_in, price.text_out, price.audio_in,
             price.cached_audio_in, price.audio_out)  # fmt: skip
    assert found == PUBLISHED[model]
    assert price.source.startswith("https://developers.openai.com/api/docs/models/")
    assert price.as_of == "2026-12-07"
    if None in found:
        assert price.note, f"{model}: a missing price must say why"


def test_every_model_the_package_knows_has_a_row() -> None:
    names = {m.name for m in KNOWN_MODELS} | set(REALTIME)
    assert names == {row.model for row in prices.LIST_PRICES}


def test_an_unpriced_snapshot_gets_no_price_rather_than_a_neighbours() -> None:
    assert find_price("gpt-4o-audio-preview-2024-10-01") is None  # an older price list
    assert find_price("voice-bot-prod") is None


def test_your_prices_come_first_by_version_then_by_name() -> None:
    by_name = Price(1.0, None, 1.0, 1.0, None, 1.0)
    by_version = Price(2.0, None, 2.0, 2.0, None, 2.0)
    yours = {"GPT-Audio-1.5": by_name, "gpt-audio-1.5-2026-02-23": by_version}
    assert find_price("gpt-audio-1.5-2026-02-23", yours) is by_version
    assert find_price("gpt-audio-1.5", yours) is by_name
    assert find_price("gpt-audio", yours) is find_price("gpt-audio")


def test_a_price_is_a_number_or_none() -> None:
    with pytest.raises(ValueError, match="text_in must be a number of US dollars"):
        Price(-1.0, None, 1.0, 1.0, None, 1.0)


def test_the_realtime_usage_example_is_priced_with_its_cached_split() -> None:
    # A realtime answer's usage as reported in a public forum thread (input 789: text 313,
    # audio 476; cached 640: text 256, audio 384; output 32: text 9, audio 23), in
    # LangChain's form, priced as gpt-realtime-1.5:
    usage = {"input_tokens": 789, "output_tokens": 32, "total_tokens": 821,
             "input_token_details": {"audio": 476, "cache_read": 640, "cache_read_audio": 384},
             "output_token_details": {"audio": 23}}  # fmt: skip
    cost = cost_of(usage, model="gpt-realtime-1.5")
    assert cost.tokens == Tokens(text_in=57, cached_text_in=256, audio_in=92,
                                 cached_audio_in=384, text_out=9, audio_out=23)  # fmt: skip
    # 57 x 4.00 + 256 x 0.40 + 92 x 32 + 384 x 0.40 + 9 x 16 + 23 x 64
    # = 228 + 102.4 + 2944 + 153.6 + 144 + 1472 = 5044 per 1M tokens
    assert cost.usd == pytest.approx(0.005044)
    assert cost.complete


def test_chat_completions_cached_tokens_are_text_first() -> None:
    # 1,000 in (600 audio, 400 text), 500 cached: the 400 text tokens, then 100 audio
    usage = {"input_tokens": 1000, "output_tokens": 0, "total_tokens": 1000,
             "input_token_details": {"audio": 600, "cache_read": 500}}  # fmt: skip
    assert split_usage(usage) == Tokens(text_in=0, cached_text_in=400, audio_in=500,
                                        cached_audio_in=100)  # fmt: skip
    # priced as gpt-4o-mini-realtime-preview: 400 x 0.30 + 500 x 10 + 100 x 0.30 = 5150
    assert cost_of(usage, model="gpt-4o-mini-realtime-preview").usd == pytest.approx(0.00515)


def test_without_a_cached_price_cached_tokens_cost_the_input_price_and_say_so() -> None:
    usage = {"input_tokens": 100, "output_tokens": 0, "total_tokens": 100,
             "input_token_details": {"audio": 0, "cache_read": 60}}  # fmt: skip
    cost = cost_of(usage, model="gpt-audio-1.5")
    assert cost.usd == pytest.approx(100 * 2.50 / 1e6)  # 40 + 60 text tokens at $2.50
    assert any("cached text in" in note for note in cost.notes)


def test_audio_without_a_published_price_is_not_priced_not_guessed() -> None:
    # gpt-audio-mini: 11 text in, 17 audio in, 32 text out, 93 audio out
    usage = {
        "input_tokens": 28,
        "output_tokens": 125,
        "total_tokens": 153,
        "input_token_details": {"audio": 17},
        "output_token_details": {"audio": 93},
    }
    cost = cost_of(usage, model="gpt-audio-mini-2025-12-15")
    assert cost.unpriced == ("audio_in", "audio_out")
    assert not cost.complete
    assert cost.usd == pytest.approx((11 * 0.60 + 32 * 2.40) / 1e6)  # 6.6 + 76.8 = 83.4
    assert "no published price" in str(cost)


def test_an_answer_is_priced_at_the_model_that_answered() -> None:
    answer = AIMessage(
        "Hi",
        response_metadata={"model_name": "gpt-4o-audio-preview-2024-12-17"},
        usage_metadata={"input_tokens": 28, "output_tokens": 114, "total_tokens": 142,
                        "input_token_details": {"audio": 17, "cache_read": 0},
                        "output_token_details": {"audio": 84}},
    )  # fmt: skip
    # 11 x 2.50 + 17 x 40 + 30 x 10 + 84 x 80 = 27.5 + 680 + 300 + 6720 = 7727.5
    assert cost_of(answer).usd == pytest.approx(0.0077275)
    assert cost_of(answer, model="voice-bot-prod").unpriced  # unknown model: nothing priced


def test_an_estimate_counts_minutes_at_the_measured_rates() -> None:
    plan = estimate("gpt-audio-1.5", requests=12, seconds_in=3600, transcribed_seconds=3600)
    # an hour heard: 599 x 60 = 35,940 audio tokens in; its words, 1,017 characters a minute
    # at 4 characters a token: 1,017 x 60 / 4 = 15,255 text tokens out
    assert (plan.tokens.audio_in, plan.tokens.text_out) == (35_940, 15_255)
    # 35,940 x 32 + 15,255 x 10 = 1,150,080 + 152,550 = 1,302,630 per 1M
    assert plan.cost.usd == pytest.approx(1.30263)
    book = estimate("gpt-audio-1.5", requests=3, seconds_out=600)
    # ten minutes said: 1,200 x 10 = 12,000 audio out, 420 x 10 = 4,200 text out
    assert (book.tokens.audio_out, book.tokens.text_out) == (12_000, 4_200)


def _module(path: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_cost_page_is_written_from_the_price_data() -> None:
    page = (REPO / "docs" / "cost.md").read_text()
    writer = _module("scripts/write_cost_page.py", "write_cost_page")
    for name, render in writer.BLOCKS.items():
        assert render() in generated_block(page, name), (
            "docs/cost.md is stale: run scripts/write_cost_page.py"
        )
    assert "| `gpt-audio-1.5` | $2.50 | — | $10.00 | $32.00 | — | $64.00 |" in page


def test_the_estimate_rates_are_the_benchmarks_measurement() -> None:
    results = json.loads((REPO / "benchmarks" / "results" / "long_audio.json").read_text())
    first_turns: dict[str, Any] = results["token_rates"]
    seconds_in = sum(r["input_audio_s"] for r in first_turns.values())  # 1.704 x 2
    seconds_out = sum(r["output_audio_s"] for r in first_turns.values())  # 4.2 + 4.65
    assert (
        round(60 * sum(r["input_audio_tokens"] for r in first_turns.values()) / seconds_in)
        == prices.AUDIO_TOKENS_PER_MINUTE_IN
    )
    assert (
        round(60 * sum(r["output_audio_tokens"] for r in first_turns.values()) / seconds_out)
        == prices.AUDIO_TOKENS_PER_MINUTE_OUT
    )
    source = (REPO / "langchain_azure_audio" / "_model" / "prices.py").read_text()
    assert re.search(r"# <generated: token-rates>.*# <end generated: token-rates>", source, re.S)
