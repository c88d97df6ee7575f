"""Issue 15 item 12: docs/performance.md's tables are the results files, not copies of them."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from benchmarks import _docs
from tests.cassette_tools import REPO


def test_the_page_agrees_with_the_results_files() -> None:
    page = _docs.PAGE.read_text()
    expected = _docs.render(page, _docs.load_results())
    assert _docs.page_blocks(page) == _docs.page_blocks(expected), (
        "docs/performance.md disagrees with benchmarks/results/*.json: run "
        "`python benchmarks/run_all.py --docs-only`"
    )


def test_every_results_file_has_a_block_and_every_number_changes_the_page() -> None:
    page = _docs.PAGE.read_text()
    assert set(_docs.page_blocks(page)) == set(_docs.BLOCKS)
    results = _docs.load_results()
    changed = copy.deepcopy(results)
    changed["audiobook"]["throughput"]["wall_s"] = 9.876
    changed["stream"]["sweep"][0]["clients"]["ours"]["total_s"] = 0.5555
    rendered = _docs.page_blocks(_docs.render(page, changed))
    assert "9.876 s" in rendered["audiobook"]
    assert "555.5 ms" in rendered["stream"]
    assert rendered != _docs.page_blocks(page)


def test_a_hand_edited_number_is_caught() -> None:
    page = _docs.PAGE.read_text()
    ours = json.loads((REPO / "benchmarks" / "results" / "overhead.json").read_text())
    shown = f"{ours['clients']['ours']['added_s'] * 1e6:+.0f} µs"
    assert shown in _docs.page_blocks(page)["overhead"]
    edited = page.replace(shown, "-999 µs")
    assert _docs.page_blocks(edited) != _docs.page_blocks(
        _docs.render(edited, _docs.load_results())
    )


def test_the_page_lists_every_benchmark_script_and_no_removed_experiment() -> None:
    page = _docs.PAGE.read_text()
    # bench_long_audio.py, bench_subtitles.py and bench_realtime.py write their own pages
    # blocks (docs/long-recordings.md, docs/live-voice.md; test_long_audio_page,
    # test_realtime_page)
    own_page = ("bench_long_audio.py", "bench_subtitles.py", "bench_realtime.py")
    scripts = sorted(
        p.name for p in (REPO / "benchmarks").glob("bench_*.py") if p.name not in own_page
    )
    assert len(scripts) == len(_docs.BENCHMARKS)
    for script in scripts:
        assert script in page
    assert "exp_lazy_audio_check" not in page
    assert not list((REPO / "benchmarks").glob("exp_*"))
    assert not list((REPO / "benchmarks" / "results").glob("exp_*"))
    assert "four benchmarks" not in page


# Issue 24: "met?" is decided from value, limit and direction when the page is written;
# a verdict stored in a results file (or edited into one) is never what the page says.


def _summary_row(results: _docs.Results, label: str) -> str:
    page = _docs.PAGE.read_text()
    summary = _docs.page_blocks(_docs.render(page, results))["summary"]
    return next(line for line in summary.splitlines() if line.startswith(f"| {label} |"))


def _met_count(results: _docs.Results) -> int:
    summary = _docs.page_blocks(_docs.render(_docs.PAGE.read_text(), results))["summary"]
    found = re.search(r"(\d+) of \d+ targets met|All (\d+) targets met", summary)
    assert found, "the summary no longer says how many targets were met"
    return int(found[1] or found[2])


def _target(results: dict[str, Any], bench: str, fragment: str) -> dict[str, Any]:
    return next(t for t in results[bench]["targets"] if fragment in t["what"])


def test_a_value_moved_across_its_limit_turns_met_into_missed() -> None:
    results = _docs.load_results()
    time = _target(results, "big_input", "time")
    time.update(limit=1.1, compare="<=", value=1.05)
    assert _summary_row(results, "big input: time") == (
        "| big input: time | ≤ 1.1× raw | 1.05× | yes |"
    )
    met_before = _met_count(results)
    time["value"] = 1.1  # on the limit: "at most" is met
    assert _summary_row(results, "big input: time").endswith("| 1.10× | yes |")
    time["value"] = 1.15
    assert _summary_row(results, "big input: time") == (
        "| big input: time | ≤ 1.1× raw | 1.15× | **no** |"
    )
    assert _met_count(results) == met_before - 1
    summary = _docs.page_blocks(_docs.render(_docs.PAGE.read_text(), results))["summary"]
    assert "missed: big input: time" in summary or "; big input: time" in summary


def test_a_missed_target_with_met_true_typed_into_its_file_still_says_no() -> None:
    results = _docs.load_results()
    ideal = _target(results, "concurrency", "ideal")
    ideal.update(value=1.6, limit=1.2, compare="<=", met=True)  # the hand edit
    label = (f"concurrency: {results['concurrency']['requests']} requests, "
             f"max {results['concurrency']['max_concurrency']} in flight")  # fmt: skip
    assert _summary_row(results, label).endswith("| **no** |"), (
        "a missed goal is claimed as met on docs/performance.md"
    )
    ideal.update(value=1.19, met=False)
    assert _summary_row(results, label).endswith("| yes |")


def test_each_direction_of_comparison() -> None:
    results = _docs.load_results()
    overhead = _target(results, "overhead", "added")
    overhead.update(value=-100.0, limit=900.0, compare="<")
    label = "per-request overhead (added over raw)"
    assert _summary_row(results, label) == (
        f"| {label} | below langchain-openai's +900 µs | -100 µs | yes |"
    )
    overhead["value"] = 900.0  # "below" is strict: equal is not below
    assert _summary_row(results, label).endswith("| +900 µs | **no** |")
    page = _docs.render(_docs.PAGE.read_text(), results)
    assert "(+900 µs against +900 µs): missed." in _docs.page_blocks(page)["overhead"]

    delivered = _target(results, "stream", "ours audio delivered")
    delivered.update(value=0.99, limit=1.0, compare=">=", met=True)
    row = _summary_row(results, "streaming: ours audio delivered, every length")
    assert row.startswith("| streaming: ours audio delivered, every length | ≥ 100% | 99%")
    assert row.endswith("| **no** |"), "a stream that lost audio is claimed complete"
    delivered["value"] = 1.0
    assert _summary_row(results, "streaming: ours audio delivered, every length").endswith(
        "| yes |"
    )


def test_the_sentences_under_the_tables_follow_the_values() -> None:
    results = _docs.load_results()
    for name, ratio in (("raw", 1.1), ("ours", 1.3)):
        results["concurrency"]["clients"][name]["ideal_ratio"] = ratio
    _target(results, "concurrency", "ideal").update(limit=1.2, compare="<=")
    wall = _target(results, "audiobook", "ideal")
    wall.update(value=1.15, limit=1.2, compare="<=", met=False)
    stitch = _target(results, "audiobook", "stitch")
    stitch.update(value=1.3, limit=1.1, compare="<=", met=True)
    blocks = _docs.page_blocks(_docs.render(_docs.PAGE.read_text(), results))
    assert "raw `openai` SDK 1.10×: met" in blocks["concurrency"]
    assert "**langchain-azure-audio** 1.30×: missed" in blocks["concurrency"]
    assert "Wall time / ideal 1.15× (target ≤ 1.2×: met)" in blocks["audiobook"]
    assert "60 min / 10 min: 1.30×; target ≤ 1.1×: missed" in blocks["audiobook"]


def test_no_prose_on_the_page_counts_the_misses_or_times_the_run_by_hand() -> None:
    outside = page = _docs.PAGE.read_text()
    for body in _docs.page_blocks(page).values():
        outside = outside.replace(body, "")
    for phrase in ("two misses", "the misses", "minutes here", "2½", "missed", "**missed**"):
        assert phrase not in outside, f"docs/performance.md states {phrase!r} by hand"
