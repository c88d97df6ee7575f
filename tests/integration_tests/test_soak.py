"""A small soak in the suite: the same code as `python benchmarks/soak.py`, fewer requests.

Threads and asyncio tasks share one model against the soak's fault-injecting
server (its own process, 127.0.0.1 only). The server reports what it did to
every HTTP attempt of every prompt, and each request is judged by that: one
the server answered in full must end with exactly its answer; one whose last
attempt failed may end in a typed error instead. A package that breaks every
stream, loses answers, mixes them up, stops retrying or leaks fails here, in a
few seconds, and so under scripts/mutation_check.py too.
"""

from __future__ import annotations

import pytest

from benchmarks import soak

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

REQUESTS, WARM_UP = 300, 100


def test_every_request_ends_as_a_user_needs_under_injected_faults() -> None:
    record = soak.soak(requests=REQUESTS, warm_up=WARM_UP)

    felt = soak.problems(record)
    assert not felt, "what a user would feel:\n- " + "\n- ".join(
        [*felt, "examples:", *record["examples"]]
    )

    # Not vacuous: faults were injected, and every kind of call had clean answers to get right.
    assert soak.injected(record) > 0
    clean = {
        row["kind"]: row["requests"]
        for row in record["endings"]
        if row["server"] == soak.NO_FAULT and row["ending"] == soak.CORRECT
    }
    assert set(clean) == {"sync invoke", "async invoke", "sync stream", "async stream"}
    assert sum(row["requests"] for row in record["endings"]) == REQUESTS + WARM_UP
