"""Issue 15 item 12: docs/performance.md's tables are the results files, not copies of them."""

from __future__ import annotations

import copy
import json

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
    # bench_long_audio.py writes its own page (docs/long-recordings.md, test_long_audio_page)
    scripts = sorted(
        p.name for p in (REPO / "benchmarks").glob("bench_*.py") if p.name != "bench_long_audio.py"
    )
    assert len(scripts) == len(_docs.BENCHMARKS)
    for script in scripts:
        assert script in page
    assert "exp_lazy_audio_check" not in page
    assert not list((REPO / "benchmarks").glob("exp_*"))
    assert not list((REPO / "benchmarks" / "results").glob("exp_*"))
    assert "four benchmarks" not in page
