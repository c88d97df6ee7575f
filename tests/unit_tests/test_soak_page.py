"""Issue 24: the soak's verdict is computed from what happened, request by request.

The soak (benchmarks/soak.py) records, for every request, what the server did
to its HTTP attempts and how the request ended; `problems` and the block it
writes in docs/testing.md decide pass or fail from that record when they run.
These tests feed it hand-made records and check what the page would say.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from benchmarks import soak


def record(rows: list[tuple[str, str, str, int]], **changes: Any) -> dict[str, Any]:
    """A soak record of the given ending rows (as many requests, no warm-up)."""
    base: dict[str, Any] = {
        "requests": sum(r[3] for r in rows), "warm_up_requests": 0, "threads": 2, "tasks": 3,
        "fault_rate": 0.25, "max_retries": 2, "time_limit_s": 60.0, "tolerance": 0.05,
        "seconds": 1.5, "warm_up_seconds": 0.0, "total_seconds": 2.5,
        "endings": [{"server": s, "ending": e, "kind": k, "requests": n} for s, e, k, n in rows],
        "examples": [], "server": {"requests": 7, "fault:none": 5, "fault:500": 2},
        "before": {"fds": 20, "connections": 3, "threads": 10, "rss_kib": 100_000},
        "after": {"fds": 20, "connections": 4, "threads": 10, "rss_kib": 100_000},
    }  # fmt: skip
    base.update(changes)
    return base


CLEAN = [
    ("no fault", "correct", "sync stream", 4),
    ("faults, then the whole answer", "correct", "async invoke", 2),
    ("a fault on its last attempt", "StreamInterruptedError", "async stream", 1),
]


def test_a_clean_record_passes() -> None:
    assert soak.problems(record(CLEAN)) == []
    assert "Result: **pass**" in soak.render(record(CLEAN))


@pytest.mark.parametrize(
    ("attempts", "side"),
    [
        ([], "no fault"),
        (["none"], "no fault"),
        (["slow-body"], "faults, then the whole answer"),
        (["500", "none"], "faults, then the whole answer"),
        (["429", "reset-before", "slow-body"], "faults, then the whole answer"),
        (["truncated"], "a fault on its last attempt"),
        (["reset-mid-body"], "a fault on its last attempt"),
        (["500", "429", "reset-before"], "a fault on its last attempt"),
        (["500"], "a transient fault, not retried"),
        (["none", "429"], "a transient fault, not retried"),
        (["500", "500", "500", "none"], "more attempts than max_retries allows"),
    ],
)
def test_what_the_server_did_to_a_request(attempts: list[str], side: str) -> None:
    assert soak.server_side(attempts) == side


@pytest.mark.parametrize(
    ("side", "ending", "required"),
    [
        ("no fault", "correct", True),
        ("no fault", "StreamInterruptedError", False),
        ("faults, then the whole answer", "correct", True),
        ("faults, then the whole answer", "AzureAudioServiceError", False),
        ("a fault on its last attempt", "correct", True),
        ("a fault on its last attempt", "StreamInterruptedError", True),
        ("a fault on its last attempt", "WRONG answer", False),
        ("a fault on its last attempt", "WRONG partial", False),
        ("a fault on its last attempt", "UNTYPED error", False),
        ("a transient fault, not retried", "AzureAudioRateLimitError", False),
        ("more attempts than max_retries allows", "correct", False),
    ],
)
def test_how_each_request_may_end(side: str, ending: str, required: bool) -> None:
    assert soak.as_required(side, ending) is required


def test_streams_that_never_complete_fail_the_soak_and_say_nothing_streams() -> None:
    broken = record([
        ("no fault", "StreamInterruptedError", "sync stream", 3),
        ("no fault", "StreamInterruptedError", "async stream", 2),
        ("no fault", "correct", "sync invoke", 4),
    ], ok=True)  # a stored verdict is ignored  # fmt: skip
    felt = soak.problems(broken)
    assert len(felt) == 1
    assert felt[0].startswith("nothing streams to its end: 5 of 5 streams the server sent whole")
    page = soak.render(broken)
    assert "| no fault | StreamInterruptedError | 0 | 0 | 3 | 2 | **no** |" in page
    assert "| no fault | correct | 4 | 0 | 0 | 0 | yes |" in page
    assert "Result: **FAIL**: nothing streams to its end" in page


def test_lost_answers_mixups_untyped_errors_and_missing_retries_each_fail() -> None:
    rows = [
        ("faults, then the whole answer", "AzureAudioServiceError", "sync invoke", 1),
        ("a fault on its last attempt", "WRONG answer", "async invoke", 1),
        ("a fault on its last attempt", "UNTYPED error", "sync stream", 1),
        ("a transient fault, not retried", "AzureAudioRateLimitError", "async invoke", 1),
    ]
    felt = soak.problems(record(rows))
    assert [f.split(":")[0] for f in felt] == [
        "answers are lost",
        "a wrong answer is reported as complete (another request's, or corrupted)",
        "errors escape AzureAudioError, so `except AzureAudioError` misses them",
        "a single 429, 500 or reset reaches the user although max_retries=2",
    ]


@pytest.mark.parametrize(
    ("after", "verdict"),
    [
        ({"fds": 21}, "pass"),  # +5.0%: at the limit
        ({"fds": 22}, "FAIL"),  # +10%
        ({"threads": 11}, "FAIL"),  # +10%
        ({"rss_kib": 105_000}, "pass"),
        ({"rss_kib": 105_100}, "FAIL"),
        ({"connections": 5}, "pass"),  # threads + tasks: as many as were ever in flight
        ({"connections": 6}, "FAIL"),
    ],
)
def test_growth_is_judged_against_its_limit_when_the_page_is_written(
    after: dict[str, int], verdict: str
) -> None:
    changed = record(CLEAN)
    changed["after"] = {**changed["after"], **after}
    assert f"Result: **{verdict}**" in soak.render(changed)


def test_a_run_over_its_time_limit_or_short_of_requests_fails() -> None:
    assert soak.problems(record(CLEAN, total_seconds=60.1)) == [
        "requests crawl: the soak took 60.1 s, over its 60 s limit"
    ]
    assert soak.problems(record(CLEAN, requests=8)) == ["requests hang or vanish: 7 of 8 ended"]
    nothing = record(CLEAN, server={"requests": 7, "fault:none": 7})
    assert soak.problems(nothing) == ["the server injected no fault: the soak tested nothing"]


def test_the_testing_page_shows_the_last_soak() -> None:
    results = json.loads(soak.RESULTS.read_text())
    assert soak.page_block(soak.DOCS.read_text()) == soak.render(results), (
        "docs/testing.md disagrees with benchmarks/results/soak.json: run "
        "`python benchmarks/soak.py --write-docs`"
    )
    moved = copy.deepcopy(results)
    moved["after"]["fds"] = moved["before"]["fds"] * 2
    assert "Result: **FAIL**: the process leaks under load" in soak.render(moved)
