"""Per-request overhead: 500 sequential small requests, no server latency.

    python benchmarks/bench_overhead.py [--processes 3] [--requests 500] [--answer short]

Each client sends one-line prompts one after the other through its sync API
(`client.chat.completions.create` / `llm.invoke`) to a local server that
answers at once with a short spoken answer (`--answer recorded` for the full
recorded one). Each process warms up with 20 requests, then times each of
`--requests` requests. Reported: the median time per request and the
microseconds each LangChain client adds over the raw SDK (difference of the
medians over all requests of all processes). Results in
benchmarks/results/overhead.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _clients, _docs, _harness
from benchmarks._server import CannedServer, short_answer, small_answer

NAME: Final = "overhead"
WARM_UP: Final = 20


def _request(client: str, endpoint: str) -> Callable[[str], str]:
    """One client's way to send one prompt and get the answer's words."""
    if client == "raw":
        sdk = _clients.raw_sync(endpoint)

        def raw_request(prompt: str) -> str:
            completion = sdk.chat.completions.create(
                model=_clients.DEPLOYMENT,
                messages=[{"role": "user", "content": prompt}],
                **_clients.audio_params("wav"),
            )
            return str(completion.choices[0].message.audio.transcript)

        return raw_request
    llm = _clients.ours(endpoint) if client == "ours" else _clients.lc_openai(endpoint)
    return lambda prompt: _clients.transcript(llm.invoke(prompt))


def run_child(config: dict[str, Any]) -> list[float]:
    request = _request(config["client"], config["endpoint"])
    for i in range(WARM_UP):
        request(f"Say the number {i}.")
    runs = []
    for i in range(config["requests"]):
        prompt = f"Say the number {i}."
        start = time.perf_counter()
        request(prompt)
        runs.append(time.perf_counter() - start)
    return runs


def run(processes: int = 3, requests: int = 500, answer: str = "short") -> dict[str, Any]:
    clients = _clients.available()
    body, source = short_answer() if answer == "short" else small_answer()
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    budget = processes * (requests + WARM_UP) * len(clients)
    with CannedServer(json_body=body, stream_body=b"", max_requests=budget) as server:
        base = {"endpoint": server.endpoint, "requests": requests}
        for _ in range(processes):  # interleaved, to spread the machine's noise
            for name in clients:
                seconds[name] += _harness.spawn(__file__, {**base, "client": name})
    report: dict[str, Any] = {
        "requests_per_process": requests,
        "requests_per_client": processes * requests,
        "answer_source": source,
        "answer_bytes": len(body),
        "clients": {},
    }
    raw = _harness.median(seconds["raw"])
    for name in clients:
        s = _harness.median(seconds[name])
        per_process = [
            _harness.median(seconds[name][i : i + requests])
            for i in range(0, len(seconds[name]), requests)
        ]
        report["clients"][name] = {
            "per_request_s": s,
            "added_s": s - raw if s is not None and raw is not None else None,
            "raw_ratio": _harness.ratio(s, raw),
            "per_process_medians_s": per_process,
        }
    ours, lc = report["clients"]["ours"], report["clients"].get("lc-openai")
    if lc is not None:
        target = _harness.Target.below(NAME, "ours added µs, below lc-openai's",
                                       ours["added_s"] * 1e6, lc["added_s"] * 1e6)  # fmt: skip
        report["targets"] = _harness.targets_json([target])
    else:
        report["targets"] = []
    return report


def render(report: dict[str, Any]) -> str:
    rows = [
        [
            name,
            _harness.us(row["per_request_s"]),
            _harness.times(row["raw_ratio"]),
            f"{row['added_s'] * 1e6:+.0f} µs",
        ]
        for name, row in report["clients"].items()
    ]
    title = (
        f"Per-request overhead: {report['requests_per_client']} sequential requests per "
        f"client, no latency, {report['answer_bytes'] / 1e3:.1f} kB answers"
    )
    return _harness.table(title, ["client", "per request", "ratio", "added"], rows)


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--answer", choices=("short", "recorded"), default="short")
    args = parser.parse_args()
    report = run(args.processes, args.requests, args.answer)
    _docs.publish(NAME, report, render(report))


if __name__ == "__main__":
    main()
