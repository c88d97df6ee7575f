"""Run every benchmark, side by side, in one go: raw `openai` SDK vs ours vs langchain-openai.

    python benchmarks/run_all.py [--quick]

  1. big input     one request with a WAV just under 20 MiB: time, peak memory;
  2. streaming     answers of 1, 3, 6 and 12 minutes: first byte, total, peak RSS,
                   cost per audio-second, audio delivered (and a plot);
  3. concurrency   200 requests, 50 ms latency, max 20 in flight, async batch;
  4. overhead      500 sequential small requests: microseconds added per request;
  5. audiobook     200 segments at 50 ms latency, concurrency 20; stitching memory.

Each benchmark starts its own bounded server on 127.0.0.1 and runs every
client in processes of its own. Prints the tables and the targets, saves
benchmarks/results/<benchmark>.json plus summary.json (versions, targets), and
rewrites the generated tables of docs/performance.md from those files.
`--quick` runs one process per client with fewer repeats: a smoke test only
(its results are marked as such on the page). `--docs-only` runs nothing: it
rewrites the page's tables from the results files already there.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import (
    _docs,
    _harness,
    bench_audiobook,
    bench_big_input,
    bench_concurrency,
    bench_overhead,
    bench_stream,
)

Suite = list[tuple[str, Callable[[], dict[str, Any]], Callable[[dict[str, Any]], str]]]


def suite(quick: bool) -> Suite:
    p = 1 if quick else 3
    return [
        (
            bench_big_input.NAME,
            lambda: bench_big_input.run(processes=1 if quick else 5, repeats=3,
                                        memory_processes=1 if quick else 2),
            bench_big_input.render,
        ),
        (
            bench_stream.NAME,
            lambda: bench_stream.run(
                (60.0, 180.0) if quick else bench_stream.LENGTHS,
                processes=1 if quick else 2,
                repeats=1 if quick else 3,
            ),
            bench_stream.render,
        ),
        (
            bench_concurrency.NAME,
            lambda: bench_concurrency.run(processes=p, repeats=2 if quick else 3),
            bench_concurrency.render,
        ),
        (
            bench_overhead.NAME,
            lambda: bench_overhead.run(processes=p, requests=200 if quick else 500),
            bench_overhead.render,
        ),
        (bench_audiobook.NAME, bench_audiobook.run, bench_audiobook.render),
    ]  # fmt: skip


def environment() -> dict[str, Any]:
    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    packages = ["openai", "httpx2", "langchain-core", "langchain-openai", "langchain-azure-audio"]
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "packages": {name: version(name) for name in packages},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 process per client")
    parser.add_argument(
        "--docs-only",
        action="store_true",
        help="rewrite docs/performance.md's tables from the results files",
    )
    args = parser.parse_args()
    if args.docs_only:
        changed = _docs.write_page()
        print(f"{_docs.PAGE} {'rewritten' if changed else 'already agrees with the results'}")
        return
    started = time.perf_counter()
    targets: list[_harness.Target] = []
    durations: dict[str, float] = {}
    for name, run, render in suite(args.quick):
        began = time.perf_counter()
        print(f"running {name} ...", flush=True)
        report = run()
        durations[name] = time.perf_counter() - began
        report["quick"] = args.quick
        _harness.save(name, report)
        targets += [_harness.Target(**t) for t in report["targets"]]
        print(render(report), end="\n\n", flush=True)
    print("Targets (ours vs the raw SDK / ideal, medians):")
    print("\n".join(_harness.target_lines(targets)))
    summary = {
        **environment(),
        "quick": args.quick,
        "seconds": {"total": time.perf_counter() - started, **durations},
        "targets": _harness.targets_json(targets),
    }
    path = _harness.save("summary", summary)
    print(f"results in {path.parent} ({summary['seconds']['total']:.0f} s)")
    _docs.write_page()
    print(f"tables rewritten in {_docs.PAGE}")


if __name__ == "__main__":
    main()
