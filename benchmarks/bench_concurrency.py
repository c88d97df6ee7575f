"""Concurrency: 200 small requests, 50 ms server latency, at most 20 in flight.

    python benchmarks/bench_concurrency.py [--processes 3] [--repeats 3]

Every client sends the same 200 one-line prompts through its async API:
  raw        `AsyncAzureOpenAI`: `asyncio.Semaphore(20)` + `asyncio.gather`;
  ours       `await llm.abatch(inputs, config={"max_concurrency": 20})`;
  lc-openai  `AzureChatOpenAI.abatch`, likewise.
The local server (threaded, one thread per connection) waits 50 ms before each
answer, so the ideal batch time is 200 / 20 × 50 ms = 0.5 s. Each process
first sends one warm-up batch of 20 (connections, lazy imports), then times
`--repeats` batches. Results in benchmarks/results/concurrency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _clients, _docs, _harness
from benchmarks._server import CannedServer, short_answer

NAME: Final = "concurrency"
REQUESTS: Final = 200
MAX_CONCURRENCY: Final = 20
LATENCY: Final = 0.05
IDEAL: Final = REQUESTS / MAX_CONCURRENCY * LATENCY
IDEAL_LIMIT: Final = 1.2
FLOOR: Final = "httpx2 only"

Batch = Callable[[list[str]], Awaitable[list[Any]]]


def _batch(client: str, endpoint: str) -> Batch:
    """One client's way to send a batch of prompts, at most 20 at a time."""
    if client == FLOOR:
        return _transport_batch(endpoint)
    if client == "raw":
        sdk = _clients.raw_async(endpoint)

        async def raw_batch(prompts: list[str]) -> list[Any]:
            semaphore = asyncio.Semaphore(MAX_CONCURRENCY)

            async def one(prompt: str) -> Any:
                async with semaphore:
                    completion = await sdk.chat.completions.create(
                        model=_clients.DEPLOYMENT,
                        messages=[{"role": "user", "content": prompt}],
                        **_clients.audio_params("wav"),
                    )
                return completion.choices[0].message.audio.transcript

            return await asyncio.gather(*(one(p) for p in prompts))

        return raw_batch

    llm = _clients.ours(endpoint) if client == "ours" else _clients.lc_openai(endpoint)

    async def lc_batch(prompts: list[str]) -> list[Any]:
        answers = await llm.abatch(prompts, config={"max_concurrency": MAX_CONCURRENCY})
        return [_clients.transcript(answer) for answer in answers]

    return lc_batch


def _transport_batch(endpoint: str) -> Batch:
    """The floor: the SDK's transport alone (`httpx2`) posting the same JSON, no SDK."""
    import httpx2

    http = httpx2.AsyncClient()
    url = f"{endpoint}/openai/deployments/{_clients.DEPLOYMENT}/chat/completions"
    params = {"api-version": _clients.API_VERSION}
    headers = {"api-key": _clients.API_KEY}

    async def transport_batch(prompts: list[str]) -> list[Any]:
        semaphore = asyncio.Semaphore(MAX_CONCURRENCY)

        async def one(prompt: str) -> Any:
            body = {
                "model": _clients.DEPLOYMENT,
                "messages": [{"role": "user", "content": prompt}],
                **_clients.audio_params("wav"),
            }
            async with semaphore:
                response = await http.post(url, params=params, headers=headers, json=body)
            return json.loads(response.content)["choices"][0]["message"]["audio"]["transcript"]

        return await asyncio.gather(*(one(p) for p in prompts))

    return transport_batch


async def _child(config: dict[str, Any]) -> dict[str, list[float]]:
    batch = _batch(config["client"], config["endpoint"])
    prompts = [f"Say the number {i}." for i in range(REQUESTS)]
    await batch(prompts[:MAX_CONCURRENCY])  # warm up: 20 connections, lazy imports
    runs: dict[str, list[float]] = {"seconds": [], "cpu_seconds": []}
    for _ in range(config["repeats"]):
        start, cpu = time.perf_counter(), time.process_time()
        answers = await batch(prompts)
        runs["seconds"].append(time.perf_counter() - start)
        runs["cpu_seconds"].append(time.process_time() - cpu)
        if len(answers) != REQUESTS or not all(answers):
            raise RuntimeError(f"{config['client']}: {len(answers)} answers, some empty")
    return runs


def run_child(config: dict[str, Any]) -> dict[str, list[float]]:
    return asyncio.run(_child(config))


def run(processes: int = 3, repeats: int = 3) -> dict[str, Any]:
    clients = [*_clients.available(), FLOOR]
    answer, source = short_answer()
    runs: dict[str, dict[str, list[float]]] = {
        name: {"seconds": [], "cpu_seconds": []} for name in clients
    }
    in_flight: dict[str, int] = {}  # the most requests the server saw at once, per client
    budget = processes * (repeats * REQUESTS + MAX_CONCURRENCY) * len(clients)
    with CannedServer(
        json_body=answer, stream_body=b"", latency=LATENCY, max_requests=budget
    ) as server:
        base = {"endpoint": server.endpoint, "repeats": repeats}
        for _ in range(processes):  # interleaved, to spread the machine's noise
            for name in clients:
                server.max_in_flight = 0
                out = _harness.spawn(__file__, {**base, "client": name})
                for key, values in out.items():
                    runs[name][key] += values
                in_flight[name] = max(in_flight.get(name, 0), server.max_in_flight)
    report: dict[str, Any] = {
        "requests": REQUESTS,
        "max_concurrency": MAX_CONCURRENCY,
        "latency_s": LATENCY,
        "ideal_s": IDEAL,
        "answer_source": source,
        "answer_bytes": len(answer),
        "batches_per_client": processes * repeats,
        "clients": {},
    }
    raw = _harness.median(runs["raw"]["seconds"])
    for name in clients:
        s = _harness.median(runs[name]["seconds"])
        cpu = _harness.median(runs[name]["cpu_seconds"])
        report["clients"][name] = {
            "seconds": s,
            "ideal_ratio": _harness.ratio(s, IDEAL),
            "raw_ratio": _harness.ratio(s, raw),
            "cpu_per_request_s": cpu / REQUESTS if cpu is not None else None,
            "max_in_flight": in_flight[name],
            "runs": runs[name],
        }
    ours = report["clients"]["ours"]
    targets = [
        _harness.Target.at_most(NAME, "ours / ideal", ours["ideal_ratio"], IDEAL_LIMIT),
        _harness.Target.at_most(NAME, "ours max in flight", ours["max_in_flight"], MAX_CONCURRENCY),
    ]
    report["targets"] = _harness.targets_json(targets)
    return report


def render(report: dict[str, Any]) -> str:
    rows = [
        [
            name + (" (floor)" if name == FLOOR else ""),
            _harness.ms(row["seconds"]),
            _harness.times(row["ideal_ratio"]),
            _harness.times(row["raw_ratio"]),
            _harness.us(row["cpu_per_request_s"]),
            str(row["max_in_flight"]),
        ]
        for name, row in report["clients"].items()
    ]
    title = (
        f"Concurrency: {report['requests']} requests, {report['latency_s'] * 1000:.0f} ms "
        f"latency, max {report['max_concurrency']} in flight (ideal "
        f"{report['ideal_s']:.2f} s), {report['batches_per_client']} batches per client"
    )
    header = ["client", "batch", "/ ideal", "/ raw", "client CPU per request", "max in flight"]
    return _harness.table(title, header, rows)


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    report = run(args.processes, args.repeats)
    _docs.publish(NAME, report, render(report))


if __name__ == "__main__":
    main()
