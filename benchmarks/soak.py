"""Soak: many requests with injected faults on one model; every one judged, nothing leaked.

    python benchmarks/soak.py                 # run and check (what CI does): exit 1 on failure
    python benchmarks/soak.py --write-docs    # ... and save benchmarks/results/soak.json and
                                              # rewrite the soak's block in docs/testing.md

One `AzureChatOpenAIAudio` instance is shared by `THREADS` threads (sync
`invoke` / `stream`) and `TASKS` asyncio tasks (`ainvoke` / `astream`) at the
same time, half invoke, half stream, against a local server
(benchmarks/_soak_server.py, 127.0.0.1 only, in its own process) that injects
a fault into `FAULT_RATE` of the HTTP requests: 429 with Retry-After, 500, a
reset before the answer, a reset mid-body or mid-stream, a body cut short
(truncated JSON, a stream without its end) and a slow body. The model retries
as configured (`max_retries=MAX_RETRIES`).

At exit the server says what it did to every HTTP request of every prompt
(`attempts`), and each request is judged by it (`verdict`):

- the server sent the whole answer on the request's last attempt (no fault at
  all, a fault then a good retry, or a slow body): the request must end with
  exactly that answer (transcript and every audio byte);
- its last attempt failed: the request may instead end in one of the
  package's typed errors (`AzureAudioError`), and a
  `StreamInterruptedError.partial` must be the start of its own answer;
- a transient failure (429, 500, a reset before any answer) must have been
  retried while retries remained, and no request may be tried more often than
  `max_retries` allows;
- no answer reported complete may be wrong, and no error untyped.

After the warm-up (same mix), open file descriptors, threads and RSS are
taken; after the soak none may have grown by more than `TOLERANCE` (a drop is
fine). `problems` turns a run's record into what a user would feel; CI fails
on any. tests/integration_tests/test_soak.py runs a small soak through the
same code in the test suite.

Bounded: the server stops after 10x the requests or `TIME_LIMIT` + 30 s, the
run fails if it takes longer than `TIME_LIMIT`, and a watchdog ends the
process 30 s after that whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._soak_server import answer_for
from langchain_azure_audio import AzureChatOpenAIAudio, StreamInterruptedError
from langchain_azure_audio._translate.streaming import merge_chunks
from langchain_azure_audio.errors import AzureAudioError

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "soak.json"
DOCS = ROOT / "docs" / "testing.md"
SEED, FAULT_RATE = 16, 0.2
THREADS, TASKS = 8, 32
REQUESTS, WARM_UP = 2_000, 200
MAX_RETRIES = 2
TIME_LIMIT = 120.0
TOLERANCE = 0.05
KINDS = ("sync invoke", "async invoke", "sync stream", "async stream")

# What the server did to a request, over all its HTTP attempts (see `server_side`).
NO_FAULT = "no fault"
THEN_WHOLE = "faults, then the whole answer"
FAULT_LAST = "a fault on its last attempt"
NOT_RETRIED = "a transient fault, not retried"
TOO_MANY = "more attempts than max_retries allows"
SIDES = (NO_FAULT, THEN_WHOLE, FAULT_LAST, NOT_RETRIED, TOO_MANY)
WHOLE = ("none", "slow-body")
"""Attempts on which the server sent the whole answer (a slow body is slow, not short)."""
TRANSIENT = ("429", "500", "reset-before", "over-budget")
"""Attempts that failed before any answer: the SDK retries them while retries remain."""
CORRECT = "correct"
WRONG, WRONG_PARTIAL, UNTYPED = "WRONG answer", "WRONG partial", "UNTYPED error"


def connections(port: int, links: Sequence[str]) -> set[int]:
    """The socket inodes, among the fds `links` point to, connected to 127.0.0.1:`port`."""
    ours = {int(link[8:-1]) for link in links if link.startswith("socket:[")}
    peer = f"0100007F:{port:04X}"  # /proc/net/tcp's little-endian IPv4 address, hex port
    found = set()
    for line in Path("/proc/self/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[2] == peer and int(fields[9]) in ours:
            found.add(int(fields[9]))
    return found


def _fd_links() -> list[str]:
    links = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed since the listing (the listing's own)
            links.append(os.readlink(f"/proc/self/fd/{fd}"))
    return links


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def snapshot(port: int) -> dict[str, int]:
    """Open fds other than connections to the server, those connections, threads, RSS.

    Idle pooled connections come and go with the traffic (a reset one is dropped,
    a new one opened), so they are counted apart and bounded instead: a pool
    never needs more than one per request in flight.
    """
    gc.collect()
    links = _fd_links()
    pooled = len(connections(port, links))
    return {"fds": len(links) - pooled, "connections": pooled,
            "threads": threading.active_count(), "rss_kib": rss_kib()}  # fmt: skip


# ------------------------------------------------------------------ requests


class Endings:
    """How each request ended, by its number: (kind, ending, detail)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_number: dict[int, tuple[str, str, str]] = {}

    def add(self, n: int, kind: str, ending: str, detail: str = "") -> None:
        with self.lock:
            self.by_number[n] = (kind, ending, detail)


def ending(n: int, answer: Any = None, error: BaseException | None = None) -> tuple[str, str]:
    """The request's ending, checked against its own answer: correct, a typed error's
    name, or a failure of the package (a wrong answer or partial, an untyped error)."""
    transcript, audio = answer_for(str(n))
    if error is None:
        got_audio = base64.b64decode(answer.additional_kwargs.get("audio", {}).get("data", ""))
        if answer.text == transcript and got_audio == audio:
            return CORRECT, ""
        return WRONG, f"{answer.text!r}, {len(got_audio)} audio bytes"
    if not isinstance(error, AzureAudioError):
        return UNTYPED, f"{type(error).__name__}: {error}"
    if isinstance(error, StreamInterruptedError):
        partial = error.partial
        data = partial.additional_kwargs.get("audio", {}).get("data", "")
        got = base64.b64decode(data) if data else b""
        if not audio.startswith(got) or not transcript.startswith(partial.text):
            return WRONG_PARTIAL, f"{partial.text!r}, {len(got)} audio bytes"
    return type(error).__name__, str(error)[:120]


def streams(n: int) -> bool:
    """Requests 0, 1 invoke, 2, 3 stream, ...: both styles on both sides (sync: even n)."""
    return n // 2 % 2 == 1


def sync_request(llm: AzureChatOpenAIAudio, n: int, endings: Endings) -> None:
    kind = "sync stream" if streams(n) else "sync invoke"
    try:
        if streams(n):
            answer: Any = merge_chunks(list(llm.stream(f"soak {n}")))
        else:
            answer = llm.invoke(f"soak {n}")
    except Exception as exc:
        endings.add(n, kind, *ending(n, error=exc))
    else:
        endings.add(n, kind, *ending(n, answer))


async def async_request(llm: AzureChatOpenAIAudio, n: int, endings: Endings) -> None:
    kind = "async stream" if streams(n) else "async invoke"
    try:
        if streams(n):
            answer: Any = merge_chunks([c async for c in llm.astream(f"soak {n}")])
        else:
            answer = await llm.ainvoke(f"soak {n}")
    except Exception as exc:
        endings.add(n, kind, *ending(n, error=exc))
    else:
        endings.add(n, kind, *ending(n, answer))


class Loop:
    """An event loop in a thread of its own, alive for the whole run (like an app's)."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=TIME_LIMIT)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=TIME_LIMIT)
        self.loop.close()


async def run_async(llm: AzureChatOpenAIAudio, numbers: list[int], endings: Endings) -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in numbers:
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            await async_request(llm, queue.get_nowait(), endings)

    await asyncio.gather(*(worker() for _ in range(TASKS)))


def phase(llm: AzureChatOpenAIAudio, pool: ThreadPoolExecutor, loop: Loop, first: int,
          count: int, endings: Endings) -> float:  # fmt: skip
    """`count` requests numbered from `first`: half sync (threads), half async (tasks)."""
    numbers = list(range(first, first + count))
    sync_numbers, async_numbers = numbers[0::2], numbers[1::2]
    started = time.monotonic()
    pending = asyncio.run_coroutine_threadsafe(run_async(llm, async_numbers, endings), loop.loop)
    list(pool.map(lambda n: sync_request(llm, n, endings), sync_numbers))
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


# ------------------------------------------------------------------- judging


def server_side(attempts: Sequence[str]) -> str:
    """What the server did to one request, from what it did to each of its HTTP attempts."""
    if len(attempts) > 1 + MAX_RETRIES:
        return TOO_MANY
    if all(a == "none" for a in attempts):
        return NO_FAULT
    if attempts[-1] in WHOLE:
        return THEN_WHOLE
    if attempts[-1] in TRANSIENT and len(attempts) < 1 + MAX_RETRIES:
        return NOT_RETRIED
    return FAULT_LAST


def as_required(side: str, end: str) -> bool:
    """Whether a request the server treated so may end so (see the module's docstring)."""
    if end in (WRONG, WRONG_PARTIAL, UNTYPED) or side in (NOT_RETRIED, TOO_MANY):
        return False
    if side in (NO_FAULT, THEN_WHOLE):
        return end == CORRECT
    return True  # its last attempt failed: correct, or a typed error


def judge(endings: Mapping[int, tuple[str, str, str]], attempts: Mapping[str, list[str]]
          ) -> tuple[list[dict[str, Any]], list[str]]:  # fmt: skip
    """Every request against what the server did to it: counted rows, and examples."""
    rows: Counter[tuple[str, str, str]] = Counter()
    examples: list[str] = []
    for n, (kind, end, detail) in sorted(endings.items()):
        tried = attempts.get(str(n), [])
        side = server_side(tried)
        rows[side, end, kind] += 1
        if not as_required(side, end) and len(examples) < 20:
            examples.append(f"{kind} {n}: the server: {', '.join(tried) or 'never reached'}; "
                            f"ended: {end} {detail}".rstrip())  # fmt: skip
    table = [{"server": side, "ending": end, "kind": kind, "requests": count}
             for (side, end, kind), count in sorted(rows.items())]  # fmt: skip
    return table, examples


def soak(requests: int = REQUESTS, warm_up: int = WARM_UP) -> dict[str, Any]:
    """Run a soak and return its record (what `problems` and `render` read)."""
    started = time.monotonic()
    total = requests + warm_up
    server, port = start_server(max_requests=10 * total, max_seconds=TIME_LIMIT + 30)
    endpoint = f"http://127.0.0.1:{port}"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", endpoint)  # loopback only
    llm = AzureChatOpenAIAudio(azure_endpoint=endpoint, api_key="soak-test-key",
                               azure_deployment="gpt-4o-mini-audio-preview",
                               max_retries=MAX_RETRIES, timeout=10)  # fmt: skip
    loop = Loop()
    endings = Endings()
    try:
        with ThreadPoolExecutor(THREADS, thread_name_prefix="soak") as pool:
            warm_seconds = phase(llm, pool, loop, 0, warm_up, endings)
            before = snapshot(port)
            soak_seconds = phase(llm, pool, loop, warm_up, requests, endings)
            after = snapshot(port)
    finally:
        loop.run(llm.aclose())
        loop.close()
        assert server.stdin is not None
        assert server.stdout is not None
        server.stdin.close()  # the server stops when its stdin closes
        out = server.stdout.read()
        server.wait(timeout=30)
    served = json.loads(out.strip().splitlines()[-1])
    table, examples = judge(endings.by_number, served["attempts"])
    return {
        "requests": requests,
        "warm_up_requests": warm_up,
        "threads": THREADS,
        "tasks": TASKS,
        "fault_rate": FAULT_RATE,
        "max_retries": MAX_RETRIES,
        "time_limit_s": TIME_LIMIT,
        "tolerance": TOLERANCE,
        "seconds": round(soak_seconds, 1),
        "warm_up_seconds": round(warm_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "endings": table,
        "examples": examples,
        "server": served["tally"],
        "before": before,
        "after": after,
    }


# ---------------------------------------------------- the verdict, from a record

RESOURCES = {"fds": "open file descriptors", "threads": "threads", "rss_kib": "RSS (memory)"}


def growth(r: Mapping[str, Any]) -> dict[str, float]:
    return {k: (r["after"][k] - r["before"][k]) / r["before"][k] for k in RESOURCES}


def in_flight(r: Mapping[str, Any]) -> int:
    """The most requests in flight at once: no pool needs more connections."""
    return int(r["threads"] + r["tasks"])


def injected(r: Mapping[str, Any]) -> int:
    return sum(v for k, v in r["server"].items() if k.startswith("fault:") and k != "fault:none")


def _count(rows: Sequence[Mapping[str, Any]]) -> int:
    return sum(row["requests"] for row in rows)


def _kinds(rows: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(sorted({f"{row['kind']}: {row['ending']}" for row in rows}))


def problems(r: Mapping[str, Any], *, resources: bool = True) -> list[str]:
    """What a user would feel, decided from a soak's record; empty when it passed."""
    found = []
    rows = r["endings"]
    whole = [row for row in rows if row["server"] in (NO_FAULT, THEN_WHOLE)]
    failures = (WRONG, WRONG_PARTIAL, UNTYPED)  # the package's own, reported below
    lost = [row for row in whole if row["ending"] not in (CORRECT, *failures)]
    lost_streams = [row for row in lost if "stream" in row["kind"]]
    lost_answers = [row for row in lost if "invoke" in row["kind"]]
    if lost_streams:
        streamed = _count([row for row in whole if "stream" in row["kind"]])
        found.append(
            f"nothing streams to its end: {_count(lost_streams)} of {streamed} streams the "
            f"server sent whole did not end with their answer ({_kinds(lost_streams)})"
        )
    if lost_answers:
        asked = _count([row for row in whole if "invoke" in row["kind"]])
        found.append(
            f"answers are lost: {_count(lost_answers)} of {asked} invoke/ainvoke calls the "
            f"server answered in full did not return their answer ({_kinds(lost_answers)})"
        )
    for end, feel in (
        (WRONG, "a wrong answer is reported as complete (another request's, or corrupted)"),
        (WRONG_PARTIAL, "StreamInterruptedError.partial holds what is not the start of "
                        "its own answer"),
        (UNTYPED, "errors escape AzureAudioError, so `except AzureAudioError` misses them"),
    ):  # fmt: skip
        bad = [row for row in rows if row["ending"] == end]
        if bad:
            found.append(f"{feel}: {_count(bad)} requests ({_kinds(bad)})")
    for side, feel in (
        (NOT_RETRIED, f"a single 429, 500 or reset reaches the user although "
                      f"max_retries={r['max_retries']}"),
        (TOO_MANY, f"requests are sent more often than max_retries={r['max_retries']} allows"),
    ):  # fmt: skip
        bad = [row for row in rows if row["server"] == side]
        if bad:
            found.append(f"{feel}: {_count(bad)} requests")
    expected = r["requests"] + r["warm_up_requests"]
    if _count(rows) != expected:
        found.append(f"requests hang or vanish: {_count(rows)} of {expected} ended")
    if r["total_seconds"] > r["time_limit_s"]:
        found.append(f"requests crawl: the soak took {r['total_seconds']} s, over its "
                     f"{r['time_limit_s']:g} s limit")  # fmt: skip
    if not injected(r):
        found.append("the server injected no fault: the soak tested nothing")
    if resources:
        for k, change in growth(r).items():
            if change > r["tolerance"]:
                found.append(f"the process leaks under load: {RESOURCES[k]} grew by "
                             f"{change:+.1%} (limit +{r['tolerance']:.0%})")  # fmt: skip
        if r["after"]["connections"] > in_flight(r):
            found.append(f"connections leak: {r['after']['connections']} stay open to the "
                         f"server, more than the {in_flight(r)} requests ever in flight"
                         )  # fmt: skip
    return found


def render(r: Mapping[str, Any]) -> str:
    """docs/testing.md's soak block, every figure and verdict from the record `r`."""
    served = r["server"]
    faults = ", ".join(f"{k.removeprefix('fault:')} {v}" for k, v in sorted(served.items())
                       if k.startswith("fault:") and k != "fault:none")  # fmt: skip
    cells: dict[tuple[str, str], dict[str, int]] = {}
    for row in r["endings"]:
        cells.setdefault((row["server"], row["ending"]), {})[row["kind"]] = row["requests"]
    lines = [
        f"| {side} | {end} | " + " | ".join(str(by_kind.get(k, 0)) for k in KINDS)
        + f" | {'yes' if as_required(side, end) else '**no**'} |"
        for (side, end), by_kind in sorted(cells.items(), key=lambda c: (SIDES.index(c[0][0]),
                                                                         c[0][1] != CORRECT))
    ]  # fmt: skip
    b, a, g, limit = r["before"], r["after"], growth(r), r["tolerance"]
    within = " | ".join("yes" if g[k] <= limit else "**no**" for k in RESOURCES)
    bounded = "yes" if a["connections"] <= in_flight(r) else "**no**"
    found = problems(r)
    result = "**pass**" if not found else "**FAIL**: " + "; ".join(found)
    return f"""\
`python benchmarks/soak.py` sends {r["requests"]:,} requests, after a warm-up of
{r["warm_up_requests"]:,}, from {r["threads"]} threads and {r["tasks"]} asyncio tasks through one
model (`max_retries={r["max_retries"]}`); the server injects a fault into {r["fault_rate"]:.0%} of
the HTTP requests. The run must end within {r["time_limit_s"]:g} s; open fds, threads and RSS may
grow by at most {limit:.0%} over their level after the warm-up, and at most {in_flight(r)}
connections to the server (the requests in flight at once) may stay open.

Last run: {r["seconds"]} s for the {r["requests"]:,} requests ({r["total_seconds"]} s in all).
The server answered {served["requests"]:,} HTTP requests (retries included) and injected
{injected(r)} faults: {faults}. Every request, the warm-up's included:

| what the server did (all attempts) | how the request ended | \
{" | ".join(KINDS)} | as required? |
| --- | --- |{" --- |" * len(KINDS)} --- |
{chr(10).join(lines)}

| after the warm-up → after the soak | open fds (other than connections) | threads | RSS | \
connections to the server |
| --- | --- | --- | --- | --- |
| figures | {b["fds"]} → {a["fds"]} | {b["threads"]} → {a["threads"]} | \
{b["rss_kib"] / 1024:.1f} → {a["rss_kib"] / 1024:.1f} MiB | \
{b["connections"]} → {a["connections"]} |
| change | {g["fds"]:+.1%} | {g["threads"]:+.1%} | {g["rss_kib"]:+.1%} | |
| within the limit? | {within} | {bounded} (at most {in_flight(r)}) |

Result: {result} (written by `python benchmarks/soak.py --write-docs`)."""


BEGIN, END = "<!-- soak:begin -->", "<!-- soak:end -->"


def page_block(text: str) -> str:
    """The soak's block in docs/testing.md (between the markers)."""
    return text.split(BEGIN)[1].split(END)[0].strip("\n")


def write_docs(r: Mapping[str, Any]) -> None:
    text = DOCS.read_text()
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    DOCS.write_text(f"{head}{BEGIN}\n{render(r)}\n{END}{tail}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-docs", action="store_true", help="update docs/testing.md")
    options = parser.parse_args()
    watchdog = threading.Timer(
        TIME_LIMIT + 30, lambda: (print("soak: over its time limit, stopped"), os._exit(1))
    )
    watchdog.daemon = True
    watchdog.start()
    result = soak()
    print(render(result))
    if result["examples"]:
        print("\n".join(["requests not as required:", *result["examples"]]))
    if options.write_docs:
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
        write_docs(result)
    return 1 if problems(result) else 0


if __name__ == "__main__":
    sys.exit(main())
