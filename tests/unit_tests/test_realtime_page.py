"""docs/live-voice.md's measurements are benchmarks/results/realtime.json, rendered."""

from __future__ import annotations

import copy
import json

from benchmarks import bench_realtime as bench
from tests.page_blocks import generated_block


def test_the_page_shows_the_results_file() -> None:
    report = json.loads(bench.RESULTS.read_text())
    assert bench.render(report) in generated_block(bench.PAGE.read_text(), "realtime"), (
        "docs/live-voice.md disagrees with benchmarks/results/realtime.json: run "
        "`python benchmarks/bench_realtime.py --docs-only`"
    )


def test_every_measured_number_reaches_the_page() -> None:
    report = json.loads(bench.RESULTS.read_text())
    changed = copy.deepcopy(report)
    changed["first_audio"]["added_p50_ms"] = 0.987
    changed["memory"]["end_rss_bytes"] = 321 * 2**20
    changed["cpu"]["per_audio_s"]["lean"] = 0.000777
    rendered = bench.render(changed)
    assert "0.987 ms at the median" in rendered
    assert "321.0 MiB at the end" in rendered
    assert "0.78 ms" in rendered
    assert rendered != bench.render(report)


def test_met_or_missed_is_decided_from_the_value_not_a_stored_verdict() -> None:
    report = json.loads(bench.RESULTS.read_text())
    changed = copy.deepcopy(report)
    first = next(t for t in changed["targets"] if t["what"].startswith("first audio"))
    first.update(value=5.5, limit=5.0, compare="<=", met=True)  # a typed-in verdict is ignored
    assert "| first audio: added latency p95 (ms) | ≤ 5 ms | 5.500 ms | missed |" in (
        bench.render(changed)
    )


def test_the_results_file_targets_are_its_own_measurements() -> None:
    report = json.loads(bench.RESULTS.read_text())
    assert report["targets"] == bench._harness.targets_json(bench.targets(report))


def test_a_minute_of_speech_costs_what_the_quoted_prices_say() -> None:
    # 600 tokens a minute heard, 1,200 spoken (OpenAI's realtime cost guide), at $32 and
    # $64 per million audio tokens (OpenAI's gpt-realtime-1.5 page): worked by hand.
    row = next(r for r in bench.cost_rows() if r[0] == "`gpt-realtime-1.5`")
    assert row[2:] == ["$0.0192", "$0.0002", "$0.0768"]
