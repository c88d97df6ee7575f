"""docs/long-recordings.md's measurements are benchmarks/results/long_audio.json, rendered."""

from __future__ import annotations

import copy
import json

from benchmarks import bench_long_audio as bench


def _block(text: str) -> str:
    start = text.index("<!-- generated: long-audio -->")
    return text[start : text.index("<!-- end generated: long-audio -->")]


def test_the_page_shows_the_results_file(tmp_path: object) -> None:
    report = json.loads(bench.RESULTS.read_text())
    page = bench.PAGE.read_text()
    assert bench.render(report) in _block(page), (
        "docs/long-recordings.md disagrees with benchmarks/results/long_audio.json: run "
        "`python benchmarks/bench_long_audio.py --docs-only`"
    )


def test_every_measured_number_reaches_the_page() -> None:
    report = json.loads(bench.RESULTS.read_text())
    changed = copy.deepcopy(report)
    changed["runs"]["60"]["peak_rss_bytes"] = 987 * 2**20
    changed["runs"]["10"]["timestamp_error_s"] = 0.321
    changed["token_rates"]["gpt-audio-1.5"]["input_audio_tokens"] = 34
    rendered = bench.render(changed)
    assert "987.0 MiB" in rendered
    assert "0.321 s" in rendered
    assert "34 for" in rendered
    assert rendered != bench.render(report)


def test_met_or_missed_is_decided_from_the_value_not_a_stored_verdict() -> None:
    report = json.loads(bench.RESULTS.read_text())
    changed = copy.deepcopy(report)
    (target,) = changed["targets"]
    target.update(value=1.19, limit=1.2, compare="<=")
    assert "Peak RSS at 60 minutes is 1.19x that at 10 minutes (target ≤ 1.2x: met)" in (
        bench.render(changed)
    )
    target.update(value=1.21, met=True)  # a verdict typed into the file is ignored
    assert "Peak RSS at 60 minutes is 1.21x that at 10 minutes (target ≤ 1.2x: missed)" in (
        bench.render(changed)
    ), "docs/long-recordings.md claims memory stays flat when it grew"


def test_the_results_file_ratio_is_the_runs_ratio() -> None:
    report = json.loads(bench.RESULTS.read_text())
    (target,) = report["targets"]
    runs = report["runs"]
    assert target["value"] == round(
        runs["60"]["peak_rss_bytes"] / runs["10"]["peak_rss_bytes"], 3
    ), "benchmarks/results/long_audio.json's target disagrees with its own runs"
