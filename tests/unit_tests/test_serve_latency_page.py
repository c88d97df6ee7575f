"""docs/serve.md's latency table is benchmarks/results/serve_latency.json, rendered (the
browser tests write both; see benchmarks/serve_latency.py)."""

from __future__ import annotations

import copy
import json

from benchmarks import serve_latency as latency
from tests.page_blocks import generated_block


def test_the_page_shows_the_results_file() -> None:
    report = json.loads(latency.RESULTS.read_text())
    assert latency.render(report) in generated_block(latency.PAGE.read_text(), "serve-latency"), (
        "docs/serve.md disagrees with benchmarks/results/serve_latency.json: run the browser "
        "tests (`python -m pytest -m browser`), or `python benchmarks/serve_latency.py`"
    )


def test_both_modes_were_measured_with_three_turns() -> None:
    report = json.loads(latency.RESULTS.read_text())
    assert [[t["turn"] for t in report[mode]["turns"]] for mode in ("chat", "realtime")] == [
        [1, 2, 3], [1, 2, 3]]  # fmt: skip


def test_every_measured_number_reaches_the_page() -> None:
    report = json.loads(latency.RESULTS.read_text())
    changed = copy.deepcopy(report)
    changed["realtime"]["turns"][2].update(heard_ms=987.0, delivery_ms=31.0, playback_ms=12.0)
    changed["chat"]["turns"][0]["turn_wait_ms"] = 765.0
    rendered = latency.render(changed)
    assert "| 3 | 987 |" in rendered
    assert "**43** (31 + 12)" in rendered
    assert "| 765 |" in rendered


def test_met_or_missed_is_decided_from_the_value_not_a_stored_verdict() -> None:
    report = json.loads(latency.RESULTS.read_text())
    changed = copy.deepcopy(report)
    for turn in changed["realtime"]["turns"]:
        turn.update(delivery_ms=100.0, playback_ms=20.0)  # 120 ms, over the 100 ms limit
    changed["targets"] = latency._harness.targets_json(latency.targets(changed))
    for target in changed["targets"]:
        target["met"] = True  # a typed-in verdict is ignored
    assert "| realtime: the package's share, median (ms) ≤ 100 | 120.0 | missed |" in (
        latency.render(changed)
    )


def test_the_results_file_targets_are_its_own_measurements() -> None:
    report = json.loads(latency.RESULTS.read_text())
    assert report["targets"] == latency._harness.targets_json(latency.targets(report))
