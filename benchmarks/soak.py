"""Soak: 2,000 requests with 20% injected faults on one model; nothing lost, nothing leaked.

    python benchmarks/soak.py                 # run and check (what CI does): exit 1 on failure
    python benchmarks/soak.py --write-docs    # ... and save benchmarks/results/soak.json and
                                              # rewrite the figures in docs/testing.md

One `AzureChatOpenAIAudio` instance is shared by 8 threads (sync `invoke` /
`stream`) and 32 asyncio tasks (`ainvoke` / `astream`) at the same time,
half invoke, half stream, against a local server (benchmarks/_soak_server.py,
127.0.0.1 only, in its own process) that injects a fault into 20% of the
requests: 429 with Retry-After, 500, a reset before the answer, a reset
mid-body or mid-stream, a body cut short (truncated JSON, a stream without its
end) and a slow body. The model retries as configured (`max_retries=2`).

Checked, for every request: it ends with the exact answer for its prompt
(transcript and every audio byte) or with one of the package's typed errors
(`AzureAudioError`); no answer is reported complete that was not, and a
`StreamInterruptedError.partial` holds only bytes of its own answer. After a
warm-up of 200 requests (same mix), open file descriptors, threads and RSS
are taken; after the 2,000 none may have grown by more than 5% (a drop is fine).

Bounded: 2,000 + 200 requests, the server stops after 22,000 requests or
150 s, the run fails if it takes longer than 120 s, and a watchdog ends the
process at 150 s whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._soak_server import answer_for
from langchain_azure_audio import AzureChatOpenAIAudio, StreamInterruptedError
from langchain_azure_audio._streaming import merge_chunks
from langchain_azure_audio.errors import AzureAudioError

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
DOCS = ROOT / "docs" / "testing.md"
SEED, FAULT_RATE = 16, 0.2
THREADS, TASKS = 8, 32
REQUESTS, WARM_UP = 2_000, 200
TIME_LIMIT = 120.0
TOLERANCE = 0.05


def fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def snapshot() -> dict[str, int]:
    gc.collect()
    return {"fds": fds(), "threads": threading.active_count(), "rss_kib": rss_kib()}


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outcomes: Counter[str] = Counter()
        self.failures: list[str] = []

    def add(self, outcome: str, failure: str | None = None) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            if failure and len(self.failures) < 20:
                self.failures.append(failure)


def judge(n: int, kind: str, tally: Tally, answer: Any = None, error: BaseException | None = None
          ) -> None:  # fmt: skip
    """Correct answer, typed error, or a failure of the package (wrong/untyped)."""
    transcript, audio = answer_for(str(n))
    if error is None:
        got_audio = base64.b64decode(answer.additional_kwargs["audio"]["data"])
        if answer.text == transcript and got_audio == audio:
            tally.add(f"{kind}: correct")
        else:
            tally.add("WRONG answer reported complete", f"{kind} {n}: {answer.text!r}")
        return
    if not isinstance(error, AzureAudioError):
        tally.add("UNTYPED error", f"{kind} {n}: {type(error).__name__}: {error}")
        return
    if isinstance(error, StreamInterruptedError):
        partial = error.partial
        data = partial.additional_kwargs.get("audio", {}).get("data", "")
        got = base64.b64decode(data) if data else b""
        if not audio.startswith(got) or not transcript.startswith(partial.text):
            tally.add("WRONG partial", f"{kind} {n}: partial is not a prefix of its answer")
            return
    tally.add(f"{kind}: {type(error).__name__}")


def streams(n: int) -> bool:
    """Requests 0, 1 invoke, 2, 3 stream, ...: both styles on both sides (sync: even n)."""
    return n // 2 % 2 == 1


def sync_request(llm: AzureChatOpenAIAudio, n: int, tally: Tally) -> None:
    kind = "sync stream" if streams(n) else "sync invoke"
    try:
        if streams(n):
            answer: Any = merge_chunks(list(llm.stream(f"soak {n}")))
        else:
            answer = llm.invoke(f"soak {n}")
    except Exception as exc:
        judge(n, kind, tally, error=exc)
    else:
        judge(n, kind, tally, answer)


async def async_request(llm: AzureChatOpenAIAudio, n: int, tally: Tally) -> None:
    kind = "async stream" if streams(n) else "async invoke"
    try:
        if streams(n):
            answer: Any = merge_chunks([c async for c in llm.astream(f"soak {n}")])
        else:
            answer = await llm.ainvoke(f"soak {n}")
    except Exception as exc:
        judge(n, kind, tally, error=exc)
    else:
        judge(n, kind, tally, answer)


class Loop:
    """An event loop in a thread of its own, alive for the whole run (like an app's)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=TIME_LIMIT)


async def run_async(llm: AzureChatOpenAIAudio, numbers: list[int], tally: Tally) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in numbers:
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            await async_request(llm, queue.get_nowait(), tally)

    await asyncio.gather(*(worker() for _ in range(TASKS)))


def phase(llm: AzureChatOpenAIAudio, pool: ThreadPoolExecutor, loop: Loop, first: int,
          count: int, tally: Tally) -> float:  # fmt: skip
    """`count` requests numbered from `first`: half sync (threads), half async (tasks)."""
    numbers = list(range(first, first + count))
    sync_numbers, async_numbers = numbers[0::2], numbers[1::2]
    started = time.monotonic()
    pending = asyncio.run_coroutine_threadsafe(run_async(llm, async_numbers, tally), loop.loop)
    list(pool.map(lambda n: sync_request(llm, n, tally), sync_numbers))
    pending.result(timeout=TIME_LIMIT)
    return time.monotonic() - started


def start_server(max_requests: int, max_seconds: float) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._soak_server", str(SEED), str(FAULT_RATE),
         str(max_requests), str(max_seconds)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    return server, int(server.stdout.readline())


def soak(requests: int = REQUESTS, warm_up: int = WARM_UP) -> dict[str, Any]:
    started = time.monotonic()
    server, port = start_server(max_requests=10 * (requests + warm_up), max_seconds=150)
    endpoint = f"http://127.0.0.1:{port}"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)  # loopback only
    llm = AzureChatOpenAIAudio(azure_endpoint=endpoint, api_key="soak-test-key",
                               azure_deployment="gpt-4o-mini-audio-preview", max_retries=2,
                               timeout=10)  # fmt: skip
    loop = Loop()
    try:
        with ThreadPoolExecutor(THREADS, thread_name_prefix="soak") as pool:
            warm = Tally()
            warm_seconds = phase(llm, pool, loop, 0, warm_up, warm)
            before = snapshot()
            tally = Tally()
            soak_seconds = phase(llm, pool, loop, warm_up, requests, tally)
            after = snapshot()
    finally:
        loop.run(llm.aclose())
        loop.loop.call_soon_threadsafe(loop.loop.stop)
        assert server.stdin is not None
        assert server.stdout is not None
        server.stdin.close()  # the server stops when its stdin closes
        out = server.stdout.read()
        server.wait(timeout=30)
    served = json.loads(out.strip().splitlines()[-1])
    elapsed = time.monotonic() - started
    outcomes = dict(sorted(tally.outcomes.items()))
    bad = {k: v for k, v in outcomes.items() if k.startswith(("WRONG", "UNTYPED"))}
    growth = {k: (after[k] - before[k]) / before[k] for k in before}
    return {
        "requests": requests,
        "warm_up_requests": warm_up,
        "threads": THREADS,
        "tasks": TASKS,
        "fault_rate": FAULT_RATE,
        "seconds": round(soak_seconds, 1),
        "warm_up_seconds": round(warm_seconds, 1),
        "total_seconds": round(elapsed, 1),
        "ended": sum(outcomes.values()),
        "outcomes": outcomes,
        "failures": tally.failures,
        "server": served,
        "faults_injected": sum(
            v for k, v in served.items() if k.startswith("fault:") and k != "fault:none"
        ),
        "before": before,
        "after": after,
        "growth": {k: round(v, 4) for k, v in growth.items()},
        "ok": (
            not bad
            and sum(outcomes.values()) == requests
            and elapsed <= TIME_LIMIT
            and all(v <= TOLERANCE for v in growth.values())
        ),
    }


def injected(served: dict[str, int]) -> int:
    return sum(v for k, v in served.items() if k.startswith("fault:") and k != "fault:none")


def render(r: dict[str, Any]) -> str:
    served = r["server"]
    faults = ", ".join(f"{k.removeprefix('fault:')} {v}" for k, v in sorted(served.items())
                       if k.startswith("fault:") and k != "fault:none")  # fmt: skip
    rows = "\n".join(f"| {k} | {v} |" for k, v in r["outcomes"].items())
    b, a, g = r["before"], r["after"], r["growth"]
    return f"""\
Last run: {r["requests"]:,} requests ({r["threads"]} threads + {r["tasks"]} asyncio tasks on
one model, half invoke, half stream) in {r["seconds"]} s, after a warm-up of
{r["warm_up_requests"]}. The server answered {served["requests"]:,} HTTP requests (retries
included) and injected {r["faults_injected"]} faults: {faults}.

| how the request ended | requests |
| --- | --- |
{rows}

| after the warm-up → after the soak | open fds | threads | RSS |
| --- | --- | --- | --- |
| figures | {b["fds"]} → {a["fds"]} | {b["threads"]} → {a["threads"]} | \
{b["rss_kib"] / 1024:.1f} → {a["rss_kib"] / 1024:.1f} MiB |
| change (limit: +5%) | {g["fds"]:+.1%} | {g["threads"]:+.1%} | {g["rss_kib"]:+.1%} |

Result: {"**pass**" if r["ok"] else "**FAIL**"} (written by
`python benchmarks/soak.py --write-docs`)."""


def write_docs(r: dict[str, Any]) -> None:
    text = DOCS.read_text()
    begin, end = "<!-- soak:begin -->", "<!-- soak:end -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    DOCS.write_text(f"{head}{begin}\n{render(r)}\n{end}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-docs", action="store_true", help="update docs/testing.md")
    options = parser.parse_args()
    watchdog = threading.Timer(150, lambda: (print("soak: over 150 s, stopped"), os._exit(1)))
    watchdog.daemon = True
    watchdog.start()
    result = soak()
    print(render(result))
    if result["failures"]:
        print("\n".join(["failures:", *result["failures"]]))
    if options.write_docs:
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
        write_docs(result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
