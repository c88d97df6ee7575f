"""What an answer, a chain, a book or a transcription costs: audio and text tokens, priced.

* `cost_of(answer)`: the cost of one `AIMessage` (or its `usage_metadata`), with
  audio and text priced apart and cached input counted at its cached price.
* `get_audio_cost_callback()`: a context manager, in the style of LangChain's
  `get_openai_callback()`, whose handler totals tokens and cost over everything
  run inside it: a chain, an agent, a stream, `transcribe_long`, an audiobook, a
  live session (anything that reports its answers to LangChain's callbacks).
* `estimate(...)`: what a job is expected to use, from minutes of speech.

Prices are the list prices of `langchain_azure_audio._model.prices.LIST_PRICES`
(each with its source and date; a price nobody published is missing, never
guessed), or yours: `prices={"gpt-audio-1.5": Price(...)}`.

How usage is split. `input_tokens` holds text and audio;
`input_token_details["audio"]` the audio, `["cache_read"]` the cached part of
either. Chat completions do not say which modality was cached: the cached
tokens are taken as text first (prompts are cached from their start, where
the instructions are), and any beyond the text tokens as audio. An answer that
reports the split (`input_token_details["cache_read_audio"]`, as a realtime
session's usage does) is priced as reported. Output: `output_token_details
["audio"]` is audio, the rest (the words, reasoning) text.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, fields
from typing import Any, Final
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from langchain_azure_audio._model.prices import (
    AUDIO_TOKENS_PER_MINUTE_IN,
    AUDIO_TOKENS_PER_MINUTE_OUT,
    CHARACTERS_PER_MINUTE_SPOKEN,
    CHARACTERS_PER_TEXT_TOKEN,
    LIST_PRICES,
    PER_TOKENS,
    TEXT_TOKENS_PER_MINUTE_OUT,
    Price,
    PriceRow,
    Prices,
    find_price,
)

__all__ = [
    "AUDIO_TOKENS_PER_MINUTE_IN",
    "AUDIO_TOKENS_PER_MINUTE_OUT",
    "CHARACTERS_PER_MINUTE_SPOKEN",
    "CHARACTERS_PER_TEXT_TOKEN",
    "LIST_PRICES",
    "TEXT_TOKENS_PER_MINUTE_OUT",
    "AudioCostCallbackHandler",
    "Cost",
    "Estimate",
    "Price",
    "PriceRow",
    "Tokens",
    "cost_of",
    "estimate",
    "find_price",
    "format_usd",
    "get_audio_cost_callback",
    "split_usage",
]

KINDS: Final = ("text_in", "cached_text_in", "audio_in", "cached_audio_in", "text_out",
                "audio_out")  # fmt: skip
LABELS: Final = {"text_in": "text in", "cached_text_in": "cached text in",
                 "audio_in": "audio in", "cached_audio_in": "cached audio in",
                 "text_out": "text out", "audio_out": "audio out"}  # fmt: skip


@dataclass(frozen=True)
class Tokens:
    """Tokens by kind (uncached and cached input, output), text and audio apart."""

    text_in: int = 0
    cached_text_in: int = 0
    audio_in: int = 0
    cached_audio_in: int = 0
    text_out: int = 0
    audio_out: int = 0

    def __add__(self, other: Tokens) -> Tokens:
        return Tokens(*(getattr(self, k) + getattr(other, k) for k in KINDS))

    @property
    def total(self) -> int:
        return sum(getattr(self, k) for k in KINDS)

    def describe(self) -> str:
        """`"audio in 1,234, text out 56"` (kinds with tokens only)."""
        parts = [f"{LABELS[k]} {getattr(self, k):,}" for k in KINDS if getattr(self, k)]
        return ", ".join(parts) or "none"


def split_usage(usage: Mapping[str, Any] | None) -> Tokens:
    """LangChain `usage_metadata` as tokens by kind (see the module's note on the split)."""
    if not usage:
        return Tokens()
    details_in: Mapping[str, Any] = usage.get("input_token_details") or {}
    details_out: Mapping[str, Any] = usage.get("output_token_details") or {}
    total_in = int(usage.get("input_tokens") or 0)
    audio_in = int(details_in.get("audio") or 0)
    cached = int(details_in.get("cache_read") or 0)
    text_in = max(0, total_in - audio_in)
    if "cache_read_audio" in details_in:  # the usage says which cached tokens were audio
        cached_audio = min(int(details_in["cache_read_audio"] or 0), cached, audio_in)
    else:  # text first: prompts are cached from the start
        cached_audio = min(max(0, cached - text_in), audio_in)
    cached_text = min(cached - cached_audio, text_in)
    audio_out = int(details_out.get("audio") or 0)
    return Tokens(
        text_in=text_in - cached_text,
        cached_text_in=cached_text,
        audio_in=audio_in - cached_audio,
        cached_audio_in=cached_audio,
        text_out=max(0, int(usage.get("output_tokens") or 0) - audio_out),
        audio_out=audio_out,
    )


@dataclass(frozen=True)
class Cost:
    """The list-price cost of some tokens of one model.

    `usd` covers the kinds that have a price; `unpriced` names the kinds that had
    tokens but no price (the cost is then incomplete: `complete` is False).
    """

    model: str | None
    tokens: Tokens
    usd: float
    unpriced: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    price: Price | None = None

    @property
    def complete(self) -> bool:
        return not self.unpriced

    def __str__(self) -> str:
        text = f"{format_usd(self.usd)} for {self.tokens.describe()}"
        if self.unpriced:
            kinds = ", ".join(LABELS[k] for k in self.unpriced)
            text += f" (not priced: {kinds}: {_why_unpriced(self)})"
        return text


def _why_unpriced(cost: Cost) -> str:
    if cost.model is None:
        return "the model is unknown; set model_name or pass model="
    if cost.price is None:
        return f"{cost.model} has no list price here; pass prices="
    return cost.price.note or "no published price"


def _price_tokens(model: str | None, tokens: Tokens, price: Price | None) -> Cost:
    usd = 0.0
    unpriced: list[str] = []
    notes: list[str] = []
    for kind in KINDS:
        count = getattr(tokens, kind)
        if not count:
            continue
        rate = getattr(price, kind) if price is not None else None
        if rate is None and kind.startswith("cached_") and price is not None:
            rate = getattr(price, kind.removeprefix("cached_"))  # the input price: no less
            if rate is not None:
                notes.append(f"{LABELS[kind]}: no cached price published, counted at the "
                             "input price")  # fmt: skip
        if rate is None:
            unpriced.append(kind)
            continue
        usd += count * rate / PER_TOKENS
    return Cost(model, tokens, usd, tuple(unpriced), tuple(notes), price)


def cost_of(
    answer: BaseMessage | Mapping[str, Any],
    *,
    model: str | None = None,
    prices: Prices | None = None,
) -> Cost:
    """The list-price cost of an answer (`AIMessage`) or of its `usage_metadata`.

    `model`: the model that answered; by default the answer's own
    `response_metadata["model_name"]` (e.g. `gpt-audio-1.5-2026-02-23`).
    `prices`: your own prices by model name, before the list prices.

    Example:
        ```python
        from langchain_azure_audio.cost import cost_of

        usage = {"input_tokens": 28, "output_tokens": 125, "total_tokens": 153,
                 "input_token_details": {"audio": 17, "cache_read": 0},
                 "output_token_details": {"audio": 93}}
        cost = cost_of(usage, model="gpt-audio-1.5")
        print(cost)      # $0.0068 for text in 11, audio in 17, text out 32, audio out 93
        print(cost.usd)  # 0.0068435 = (11 x 2.50 + 17 x 32 + 32 x 10 + 93 x 64) / 1M
        ```
    """
    if isinstance(answer, BaseMessage):
        usage = getattr(answer, "usage_metadata", None)
        model = model or answer.response_metadata.get("model_name")
    else:
        usage = answer
    tokens = split_usage(usage)
    return _price_tokens(model, tokens, find_price(model, prices))


def format_usd(usd: float) -> str:
    """`$1.23`, or four decimals under a dollar (`$0.0067`), `$0` for nothing."""
    if usd == 0:
        return "$0"
    return f"${usd:,.2f}" if usd >= 1 else f"${usd:.4f}"


@dataclass
class _ModelTotal:
    requests: int = 0
    tokens: Tokens = field(default_factory=Tokens)


class AudioCostCallbackHandler(BaseCallbackHandler):
    """Totals the tokens and the list-price cost of every answer it sees (`on_llm_end`).

    Use it through `get_audio_cost_callback()`, or pass it in `callbacks=[...]`.
    Thread- and task-safe: concurrent requests (an audiobook's segments, a long
    recording's pieces) add up under a lock. Streams count too: LangChain reports
    a stream's merged answer, usage included, at its end.
    """

    raise_error: bool = False
    run_inline: bool = True  # called in the caller's task: no executor hop for async runs

    def __init__(self, prices: Prices | None = None) -> None:
        super().__init__()
        self.prices = prices
        self._lock = threading.Lock()
        self._by_model: dict[str, _ModelTotal] = {}
        self._started: dict[UUID, str] = {}

    # the model a run was started for, when its answer does not name one
    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]],
                            *, run_id: UUID, metadata: dict[str, Any] | None = None,
                            **kwargs: Any) -> None:  # fmt: skip
        params = kwargs.get("invocation_params") or {}
        name = (metadata or {}).get("ls_model_name") or params.get("model_name")
        if name:
            with self._lock:
                self._started[run_id] = str(name)

    def on_llm_error(self, error: BaseException, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            self._started.pop(run_id, None)

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        with self._lock:
            started = self._started.pop(run_id, None)
        fallback = (response.llm_output or {}).get("model_name") or started
        for generations in response.generations:
            for generation in generations:
                if not isinstance(generation, ChatGeneration):
                    continue
                message = generation.message
                usage = getattr(message, "usage_metadata", None)
                if not usage:
                    continue
                model = message.response_metadata.get("model_name") or fallback or "unknown"
                self.add(str(model), split_usage(usage))

    def add(self, model: str, tokens: Tokens) -> None:
        """Count one answer of `model` (the callbacks do this; a session may too)."""
        with self._lock:
            total = self._by_model.setdefault(model, _ModelTotal())
            total.requests += 1
            total.tokens = total.tokens + tokens

    @property
    def requests(self) -> int:
        """Answers counted (each request that came back with usage)."""
        with self._lock:
            return sum(t.requests for t in self._by_model.values())

    @property
    def tokens(self) -> Tokens:
        with self._lock:
            totals = [t.tokens for t in self._by_model.values()]
        return sum(totals, Tokens())

    @property
    def costs(self) -> dict[str, Cost]:
        """The cost per model that answered."""
        with self._lock:
            items = [(m, t.tokens) for m, t in self._by_model.items()]
        return {m: _price_tokens(None if m == "unknown" else m, tokens,
                                 find_price(m, self.prices)) for m, tokens in items}  # fmt: skip

    @property
    def total_cost(self) -> float:
        """US dollars at list price (or yours) for every priced token counted."""
        return sum(c.usd for c in self.costs.values())

    @property
    def complete(self) -> bool:
        """Whether every token counted had a price."""
        return all(c.complete for c in self.costs.values())

    def __repr__(self) -> str:
        costs = self.costs
        lines = [
            f"Requests: {self.requests}",
            f"Tokens: {self.tokens.describe()}",
            f"Cost: {format_usd(self.total_cost)}"
            + ("" if self.complete else " (incomplete: some tokens have no price)"),
        ]
        lines += [f"  {model}: {cost}" for model, cost in costs.items()]
        return "\n".join(lines)  # fmt: skip


_handler_var: ContextVar[AudioCostCallbackHandler | None] = ContextVar(
    "langchain_azure_audio_cost", default=None
)
register_configure_hook(_handler_var, inheritable=True)


@contextmanager
def get_audio_cost_callback(prices: Prices | None = None) -> Iterator[AudioCostCallbackHandler]:
    """Total the tokens and cost of every model call made inside the block.

    Works across threads and asyncio tasks started inside it (the handler
    travels in a context variable that LangChain's callback managers read), so
    `transcribe_long`, `narrate_book` and concurrent `abatch`es are counted.

    Example:
        ```python
        from langchain_azure_audio.cost import get_audio_cost_callback

        with get_audio_cost_callback() as cb:
            pass  # llm.invoke(...), chain.stream(...), transcribe_long(llm, "talk.m4a")
        print(cb.requests, cb.tokens.audio_in, f"${cb.total_cost:.4f}")
        print(cb)  # requests, tokens by kind, the cost per model
        ```
    """
    handler = AudioCostCallbackHandler(prices)
    token = _handler_var.set(handler)
    try:
        yield handler
    finally:
        _handler_var.reset(token)


@dataclass(frozen=True)
class Estimate:
    """What a job is expected to use, before it runs, at list price (or yours)."""

    model: str | None
    requests: int
    seconds_in: float
    """Seconds of speech to be sent."""
    seconds_out: float
    """Seconds of speech expected back."""
    cost: Cost

    @property
    def tokens(self) -> Tokens:
        return self.cost.tokens


def estimate(
    model: str | None,
    *,
    requests: int,
    seconds_in: float = 0.0,
    seconds_out: float = 0.0,
    transcribed_seconds: float = 0.0,
    prices: Prices | None = None,
) -> Estimate:
    """Expected tokens and cost at the measured rates.

    `seconds_in`: speech sent (`AUDIO_TOKENS_PER_MINUTE_IN`); `seconds_out`: speech
    the model says (`AUDIO_TOKENS_PER_MINUTE_OUT`, and its words as text,
    `TEXT_TOKENS_PER_MINUTE_OUT`); `transcribed_seconds`: speech whose words come
    back as text only (`CHARACTERS_PER_MINUTE_SPOKEN` characters a minute, at
    `CHARACTERS_PER_TEXT_TOKEN`). Prompt text is not counted (a few dozen tokens a
    request).
    """
    words = transcribed_seconds / 60 * CHARACTERS_PER_MINUTE_SPOKEN / CHARACTERS_PER_TEXT_TOKEN
    tokens = Tokens(
        audio_in=round(seconds_in / 60 * AUDIO_TOKENS_PER_MINUTE_IN),
        audio_out=round(seconds_out / 60 * AUDIO_TOKENS_PER_MINUTE_OUT),
        text_out=round(seconds_out / 60 * TEXT_TOKENS_PER_MINUTE_OUT + words),
    )
    cost = _price_tokens(model, tokens, find_price(model, prices))
    return Estimate(model, requests, seconds_in, seconds_out, cost)


def spoken_seconds(characters: int) -> float:
    """Seconds the model takes to say `characters` of text (`CHARACTERS_PER_MINUTE_SPOKEN`)."""
    return characters / CHARACTERS_PER_MINUTE_SPOKEN * 60


def price_from_dict(data: Mapping[str, Any], *, source: str) -> Price:
    """A `Price` from `{"text_in": 2.5, "audio_in": 32, ...}` (missing kinds: None)."""
    names = [f.name for f in fields(Price)][:6]
    unknown = sorted(set(data) - set(names) - {"as_of", "note"})
    if unknown:
        raise ValueError(f"unknown price field(s) {unknown}; use {', '.join(names)}.")
    kinds: dict[str, Any] = {n: data.get(n) for n in names}
    return Price(**kinds, source=source, as_of=str(data.get("as_of", "")),
                 note=str(data.get("note", "")))  # fmt: skip
