"""docs/long-recordings.md's measurements are benchmarks/results/long_audio.json and
subtitles.json, rendered."""

from __future__ import annotations

import copy
import json

from benchmarks import bench_long_audio as bench
from benchmarks import bench_subtitles
from tests.page_blocks import generated_block


def test_the_page_shows_the_results_file(tmp_path: object) -> None:
    report = json.loads(bench.RESULTS.read_text())
    page = bench.PAGE.read_text()
    assert bench.render(report) in generated_block(page, "long-audio"), (
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


# Issue 28: the subtitles' timing errors, rule violations, cost and .srt excerpts.


def test_the_page_shows_the_subtitles_results_file() -> None:
    report = json.loads(bench_subtitles.RESULTS.read_text())
    assert bench_subtitles.render(report) in generated_block(
        bench_subtitles.PAGE.read_text(), "subtitles"
    ), (
        "docs/long-recordings.md disagrees with benchmarks/results/subtitles.json: run "
        "`python benchmarks/bench_subtitles.py --docs-only`"
    )


def test_every_subtitle_measurement_reaches_the_page() -> None:
    report = json.loads(bench_subtitles.RESULTS.read_text())
    changed = copy.deepcopy(report)
    subtitles = changed["recordings"]["30"]["runs"]["subtitles"]
    subtitles["errors"] = {"median": 0.111, "p95": 0.987, "worst": 3.21}
    subtitles["problems"] = ["cue 7 at 00:00:31: a line of 50 characters (at most 42): 'x'"]
    changed["recordings"]["65"]["runs"]["plain"]["requests"] = 4321  # in 3,900 s of audio
    changed["recordings"]["30"]["runs"]["translated"]["translation_excerpt"] = "1\nodnum olá"
    rendered = bench_subtitles.render(changed)
    assert (
        "| 30 min | subtitles | 60 s | 0.111 s | 0.987 s | 3.21 s "
        "| **no**: p95 0.987 s > 0.75 s | 1 |" in rendered
    )
    found = next(line for line in rendered.splitlines() if "Rule violations found:" in line)
    assert "a line of 50 characters (at most 42)" in found
    assert "| plain | 3989 |" in rendered  # requests per audio-hour
    assert "1\nodnum olá" in rendered


def test_the_subtitle_bounds_are_decided_from_the_errors() -> None:
    """A median moved across 0.25 s, or a 95th percentile across 0.75 s, changes the verdict
    on the page (nothing stored says "met")."""
    report = json.loads(bench_subtitles.RESULTS.read_text())
    run = report["recordings"]["65"]["runs"]["subtitles"]
    for median, p95, verdict in [
        (0.20, 0.70, "| yes |"),
        (0.26, 0.70, "| **no**: median 0.260 s > 0.25 s |"),
        (0.20, 0.76, "| **no**: p95 0.760 s > 0.75 s |"),
    ]:
        run["errors"] = {"median": median, "p95": p95, "worst": 1.0}
        row = next(line for line in bench_subtitles.render(report).splitlines()
                   if line.startswith("| 65 min | subtitles |"))  # fmt: skip
        assert verdict in row, row
