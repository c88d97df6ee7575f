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
