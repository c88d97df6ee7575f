"""Write docs/cost.md's generated blocks from the package's price data.

    python scripts/write_cost_page.py

The price table is `langchain_azure_audio._model.prices.LIST_PRICES`, rendered:
no price in the page is typed by hand. The hour columns multiply the audio
prices by the measured token rates (`AUDIO_TOKENS_PER_MINUTE_IN` / `_OUT`, written
by benchmarks/bench_long_audio.py from the real recorded traffic).
tests/unit_tests/test_cost_page.py fails when the page and the data disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from langchain_azure_audio._model import prices  # noqa: E402

PAGE: Final = ROOT / "docs" / "cost.md"
_BLOCK = re.compile(
    r"(<!-- generated: (?P<name>[\w-]+) -->\n)(.*?)(<!-- end generated: (?P=name) -->)", re.S
)


def _usd(value: float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.2f}" if value >= 0.1 or value == 0 else f"${value:.3f}"


def _hour(rate_per_minute: int, price: float | None) -> str:
    if price is None:
        return "—"
    return _usd(rate_per_minute * 60 * price / prices.PER_TOKENS)


def render_prices() -> str:
    """The list-price table: one row per model (and the versions it covers)."""
    header = ["model", "text in", "cached text in", "text out", "audio in", "cached audio in",
              "audio out", "an hour of speech heard", "an hour of speech said",
              "source (read on)", "note"]  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in prices.LIST_PRICES:
        p = row.price
        name = f"`{row.model}`" + (f" ({', '.join(row.versions)})" if row.versions else "")
        source = f"[{p.source.removeprefix('https://')}]({p.source}) ({p.as_of})"
        cells = [name, _usd(p.text_in), _usd(p.cached_text_in), _usd(p.text_out),
                 _usd(p.audio_in), _usd(p.cached_audio_in), _usd(p.audio_out),
                 _hour(prices.AUDIO_TOKENS_PER_MINUTE_IN, p.audio_in),
                 _hour(prices.AUDIO_TOKENS_PER_MINUTE_OUT, p.audio_out), source,
                 p.note or ""]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_rates() -> str:
    return (
        f"Rates the hour columns and the estimates use, measured from the real recorded "
        f"traffic: **{prices.AUDIO_TOKENS_PER_MINUTE_IN:,}** input audio tokens per minute of "
        f"speech sent, **{prices.AUDIO_TOKENS_PER_MINUTE_OUT:,}** output audio tokens and "
        f"**{prices.TEXT_TOKENS_PER_MINUTE_OUT:,}** output text tokens per minute of speech "
        f"said, **{prices.CHARACTERS_PER_MINUTE_SPOKEN:,}** characters of text per minute of "
        "speech.\n"
    )


BLOCKS: Final = {"prices": render_prices, "rates": render_rates}


def write_page(page: Path = PAGE) -> bool:
    text = page.read_text()
    missing = [name for name in BLOCKS if f"<!-- generated: {name} -->" not in text]
    if missing:
        raise ValueError(f"{page.name} lacks the generated block(s) {missing}")
    after = _BLOCK.sub(lambda m: m[1] + BLOCKS[m["name"]]() + m[4], text)
    if after != text:
        page.write_text(after)
    return after != text


if __name__ == "__main__":
    print("rewritten" if write_page() else "already current")
