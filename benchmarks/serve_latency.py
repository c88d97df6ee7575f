"""docs/serve.md's latency table: the voice page's two modes, with the same fake microphone.

The browser tests speak the same three-turn conversation (`tests/serve_harness.py`,
`CONVERSATION`) into headless Chromium, one in each mode, against the scripted
services on 127.0.0.1 (`tests/fault_server.py` for chat completions,
`tests/realtime_server.py` for the Realtime API), and time every turn from the
page's clock and the services' own:

- end of speech (the page's last loud microphone frame) to the first answer sample
  the page played (the playback worklet's first sample of the answer, on the audio
  output's clock);
- of it: waiting for the turn to end (chat: the page's 0.8 s of quiet; realtime: the
  service's voice detection), the turn's end to the service's first answer audio,
  and the package's own share, from the service sending that audio to the first
  sample played (delivered to the page, then played).

Each test calls `record(mode, turns)`: its mode goes into
benchmarks/results/serve_latency.json and the generated block of docs/serve.md is
rewritten from the file. `python benchmarks/serve_latency.py` rewrites the block
from the file alone; tests/unit_tests/test_serve_latency_page.py fails when the page
and the file disagree. Targets are `_harness.Target`s: "met" is decided when the
page is rendered, never stored.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _docs, _harness

NAME = "serve_latency"
RESULTS = _harness.RESULTS_DIR / f"{NAME}.json"
PAGE = _harness.ROOT / "docs" / "serve.md"
_BLOCK = "serve-latency"
MODES = {
    "chat": "chat completions",
    "realtime": "realtime",
}
FIELDS = ("heard_ms", "turn_wait_ms", "service_ms", "delivery_ms", "playback_ms")
LIMITS = {"realtime": 100.0, "chat": 150.0}
"""The package's share (the service's first answer audio to the first sample played), median
over the turns, at most this many ms. Chat completions: its answers drip at real time in turn
2, so the page's 100 ms prebuffer waits for them; realtime answers arrive faster."""


def package_ms(turn: Mapping[str, Any]) -> float:
    return float(turn["delivery_ms"] + turn["playback_ms"])


def record(mode: str, turns: Sequence[Mapping[str, Any]], notes: Mapping[str, str]) -> None:
    """Store one mode's turns (and what is particular to them) and rewrite the page."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    report: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    report[mode] = {
        "turns": [{k: (round(v, 1) if isinstance(v, float) else v) for k, v in t.items()}
                  for t in turns],
        "notes": dict(notes),
    }  # fmt: skip
    report["targets"] = _harness.targets_json(targets(report))
    _harness.save(NAME, report)
    write_page(report)


def targets(report: Mapping[str, Any]) -> list[_harness.Target]:
    return [
        _harness.Target.at_most(
            NAME,
            f"{MODES[mode]}: the package's share, median (ms)",
            round(statistics.median(package_ms(t) for t in report[mode]["turns"]), 1),
            LIMITS[mode],
        )
        for mode in MODES
        if mode in report
    ]


def render(report: Mapping[str, Any]) -> str:
    rows = []
    for mode, label in MODES.items():
        for number, turn in enumerate(report.get(mode, {}).get("turns", [])):
            note = report[mode]["notes"].get(str(turn["turn"]), "")
            rows.append([
                "" if number else label,
                f"{turn['turn']}{f' ({note})' if note else ''}",
                f"{turn['heard_ms']:.0f}", f"{turn['turn_wait_ms']:.0f}",
                f"{turn['service_ms']:.0f}",
                f"**{package_ms(turn):.0f}** ({turn['delivery_ms']:.0f} + "
                f"{turn['playback_ms']:.0f})",
            ])  # fmt: skip
    table = _docs.md_table(
        ["mode", "turn", "end of speech → first sample played", "waiting for the turn to end",
         "turn end → the service's first audio (chat: with sending the turn)",
         "the package: that audio → played (to the page + played)"],
        rows,
    )  # fmt: skip
    verdicts = _docs.md_table(
        ["target", "value", "met?"],
        [[f"{t['what']} {_harness.SYMBOLS[t['compare']]} {t['limit']:g}", f"{t['value']:.1f}",
          "met" if _harness.met(t) else "missed"] for t in report.get("targets", [])],
    )  # fmt: skip
    notes = " ".join(report[m]["notes"].get("about", "") for m in MODES if m in report)
    return (
        "Measured by the browser tests (`python -m pytest -m browser`: headless Chromium, the "
        "fake microphone speaking the same three turns in both modes, the scripted services "
        "on 127.0.0.1 answering at once), in milliseconds:\n\n"
        f"{table}\n{verdicts}\n{notes}\n"
    )


def write_page(report: Mapping[str, Any], page: Path = PAGE) -> bool:
    return _docs.write_block(page, _BLOCK, render(report))


if __name__ == "__main__":
    write_page(json.loads(RESULTS.read_text()))
