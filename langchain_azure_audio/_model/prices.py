"""What the models cost: list prices per 1M tokens, as data, each row with its source.

One table (`LIST_PRICES`) for every model the package knows: the gpt-audio family,
the retired audio previews and the realtime models. A price is copied from a
published page, never derived: a model (or a kind of token) whose price no
stored copy of a primary page gives is `None`, with the reason in `note`.

Where the prices come from. Azure's own pricing page (azure.microsoft.com/pricing/
details/azure-openai/) shows its numbers only once a region and currency are
chosen in the browser; no stored copy of it has them. The prices here are the
list prices OpenAI publishes on each model's page (developers.openai.com/api/docs/
models/NAME), read from the stored copies on `as_of`. An Azure agreement, a Data
Zone or Regional deployment, or a later price change can price the same tokens
differently: pass your own `Price` (`cost_of(..., prices={...})`,
`get_audio_cost_callback(prices=...)`, the command line's `--prices FILE`).

Token rates. `AUDIO_TOKENS_PER_MINUTE_IN` / `_OUT` and the speech rates below are
measured from the real recorded traffic in ../shared/recordings by
`benchmarks/bench_long_audio.py` (the same measurement as docs/long-recordings.md's
token table); the block between the markers is written by that script, and a test
checks it against the benchmark's results.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Final

from langchain_azure_audio._model.profiles import split_model_name

PER_TOKENS: Final = 1_000_000
"""Prices are in US dollars per this many tokens."""
OPENAI_MODELS: Final = "https://developers.openai.com/api/docs/models/"
READ_ON: Final = "2026-12-07"
"""When the stored copies of the model pages were read (they carry no date of their own)."""

CHARACTERS_PER_TEXT_TOKEN: Final = 4
"""OpenAI's rule of thumb for English text ("1 token is about 4 characters": help center,
"What are tokens and how to count them?"): a transcript's words, from its characters."""

# <generated: token-rates> written by benchmarks/bench_long_audio.py; do not edit
AUDIO_TOKENS_PER_MINUTE_IN: Final = 599
"""Input audio tokens Azure billed per minute of speech sent (real recorded traffic)."""
AUDIO_TOKENS_PER_MINUTE_OUT: Final = 1200
"""Output audio tokens Azure billed per minute of speech the model said."""
TEXT_TOKENS_PER_MINUTE_OUT: Final = 420
"""Output text tokens (the words of the speech) per minute of speech the model said."""
CHARACTERS_PER_MINUTE_SPOKEN: Final = 1017
"""Characters of transcript per minute of the model's speech."""
# <end generated: token-rates>


@dataclass(frozen=True)
class Price:
    """US dollars per 1M tokens of each kind; `None` where no price is published.

    `cached_text_in` / `cached_audio_in`: input tokens the service read from its
    prompt cache (`usage_metadata["input_token_details"]["cache_read"]`).
    """

    text_in: float | None
    cached_text_in: float | None
    text_out: float | None
    audio_in: float | None
    cached_audio_in: float | None
    audio_out: float | None
    source: str = "your own prices"
    as_of: str = ""
    """ISO date of the prices (for the table: when the stored copy of `source` was read)."""
    note: str = ""
    """Why a price is missing, or what the row covers."""

    def __post_init__(self) -> None:
        for field in fields(self)[:6]:
            value = getattr(self, field.name)
            if value is not None and (not isinstance(value, int | float) or value < 0):
                raise ValueError(
                    f"Price.{field.name} must be a number of US dollars per 1M tokens (0 or "
                    f"more) or None (not published), not {value!r}."
                )

    @property
    def complete(self) -> bool:
        """Whether every uncached kind has a price (cached ones may fall back to uncached)."""
        kinds = (self.text_in, self.text_out, self.audio_in, self.audio_out)
        return all(p is not None for p in kinds)


@dataclass(frozen=True)
class PriceRow:
    """One model's list price. `versions`: the versions it covers (`None`: all)."""

    model: str
    price: Price
    versions: tuple[str, ...] | None = None


def _openai(model: str, *prices: float | None, note: str = "") -> Price:
    text_in, cached_text_in, text_out, audio_in, cached_audio_in, audio_out = prices
    return Price(
        text_in, cached_text_in, text_out, audio_in, cached_audio_in, audio_out,
        source=OPENAI_MODELS + model, as_of=READ_ON, note=note,
    )  # fmt: skip


_NO_CACHED = "no cached-input price listed: cached tokens are counted at the input price"
_UNPUBLISHED = "no stored copy of a primary page gives its price"
_AUDIO_UNPUBLISHED = (
    "the model page lists text prices only: audio tokens have no published price (pass your own)"
)
_SNAPSHOTS = "the page's prices, for its snapshots 2025-06-03 and 2024-12-17 (retired)"
_BOTH = ("2025-06-03", "2024-12-17")
# fmt: off
LIST_PRICES: Final = (
    # model, then US$ per 1M tokens: text in, cached text in, text out,
    #                                audio in, cached audio in, audio out
    PriceRow("gpt-audio-1.5", _openai("gpt-audio-1.5", 2.50, None, 10.00,
                                      32.00, None, 64.00, note=_NO_CACHED)),
    PriceRow("gpt-audio", _openai("gpt-audio", 2.50, None, 10.00,
                                  32.00, None, 64.00, note=_NO_CACHED)),
    PriceRow("gpt-audio-mini", _openai("gpt-audio-mini", 0.60, None, 2.40,
                                       None, None, None, note=_AUDIO_UNPUBLISHED)),
    PriceRow("gpt-4o-audio-preview", _openai("gpt-4o-audio-preview", 2.50, None, 10.00,
                                             40.00, None, 80.00,
                                             note=f"{_NO_CACHED}; {_SNAPSHOTS}"),
             versions=_BOTH),
    PriceRow("gpt-4o-mini-audio-preview", _openai("gpt-4o-mini-audio-preview", 0.15, None, 0.60,
                                                  10.00, None, 20.00,
                                                  note=f"{_NO_CACHED} (retired)")),
    PriceRow("gpt-realtime-2", _openai("gpt-realtime-2", 4.00, 0.40, 24.00,
                                       32.00, 0.40, 64.00)),
    PriceRow("gpt-realtime-1.5", _openai("gpt-realtime-1.5", 4.00, 0.40, 16.00,
                                         32.00, 0.40, 64.00)),
    PriceRow("gpt-realtime", _openai("gpt-realtime", None, None, None,
                                     None, None, None, note=_UNPUBLISHED)),
    PriceRow("gpt-realtime-mini", _openai("gpt-realtime-mini", None, None, None,
                                          None, None, None, note=_UNPUBLISHED)),
    PriceRow("gpt-4o-realtime-preview", _openai("gpt-4o-realtime-preview", 5.00, 2.50, 20.00,
                                                40.00, 2.50, 80.00, note=_SNAPSHOTS),
             versions=_BOTH),
    PriceRow("gpt-4o-mini-realtime-preview", _openai("gpt-4o-mini-realtime-preview",
                                                     0.60, 0.30, 2.40, 10.00, 0.30, 20.00,
                                                     note="retired")),
)
# fmt: on
"""Every model the package knows, with its list price (or why it has none)."""

Prices = Mapping[str, Price]
"""Your own prices by model name (`"gpt-audio-1.5"`) or name and version
(`"gpt-audio-1.5-2026-02-23"`); they take precedence over the list prices."""


def find_price(model: str | None, prices: Prices | None = None) -> Price | None:
    """The price of `model` (a name, with or without its version): yours first (the
    versioned key, then the name), then the list price; `None` for a model not in either."""
    if not model:
        return None
    name, version = split_model_name(model)
    if prices:
        yours = {key.strip().lower(): price for key, price in prices.items()}
        for key in ((f"{name}-{version}",) if version else ()) + (name,):
            if key in yours:
                return yours[key]
    for row in LIST_PRICES:
        if row.model == name and (version is None or row.versions is None
                                  or version in row.versions):  # fmt: skip
            return row.price
    return None
