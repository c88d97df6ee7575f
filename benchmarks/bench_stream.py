"""Streaming benchmark: ~60 s of speech streamed from a local server, three clients.

    python benchmarks/bench_stream.py [--seconds 60] [--processes 3] [--repeats 10]

Clients, each in its own processes, against the same server in the same run:
  raw      the `openai` SDK (`AzureOpenAI`), iterating the stream and decoding
           every audio delta, as a hand-written voice app would;
  ours     `AzureChatOpenAIAudio.stream()` through `iter_pcm` (playback path);
  lc-openai  langchain-openai's `AzureChatOpenAI` configured for audio
           (skipped when langchain-openai is not installed).
Reported: time to first audio byte, total time, peak traced memory while
streaming, and the share of audio bytes delivered; medians and ratios to raw.
Results go to benchmarks/results/stream.json.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _clients, _harness, _memory
from benchmarks._server import PCM_BYTES_PER_SECOND, CannedServer, long_stream, small_answer

NAME: Final = "stream"
PROMPT: Final = "Tell me a long story."
TIME_LIMIT: Final = 1.1

Stream = Callable[[], tuple[float | None, int]]  # one stream: (time to first byte, PCM bytes)


# ------------------------------------------------------------------- clients


def _raw(endpoint: str) -> Stream:
    client = _clients.raw_sync(endpoint)

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        stream = client.chat.completions.create(
            model=_clients.DEPLOYMENT,
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
            **_clients.audio_params("pcm16"),
        )
        for chunk in stream:
            choices = getattr(chunk, "choices", None)  # most real chunks have none
            if not choices:
                continue
            data = getattr(getattr(choices[0].delta, "audio", None), "data", None)
            if data:
                total += len(base64.b64decode(data))
                if first is None:
                    first = time.perf_counter() - start
        return first, total

    return once


def _ours(endpoint: str) -> Stream:
    from langchain_azure_audio import iter_pcm

    llm = _clients.ours(endpoint)

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        for pcm in iter_pcm(llm.stream(PROMPT)):
            total += len(pcm)
            if first is None:
                first = time.perf_counter() - start
        return first, total

    return once


def _lc_openai(endpoint: str) -> Stream:
    llm = _clients.lc_openai(endpoint, audio_format="pcm16")

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        for chunk in llm.stream(PROMPT):
            data = (chunk.additional_kwargs.get("audio") or {}).get("data")
            if data:
                total += len(base64.b64decode(data))
                if first is None:
                    first = time.perf_counter() - start
        return first, total

    return once


STREAMS: Final[dict[str, Callable[[str], Stream]]] = {
    "raw": _raw,
    "ours": _ours,
    "lc-openai": _lc_openai,
}


def run_child(config: dict[str, Any]) -> Any:
    once = STREAMS[config["client"]](config["endpoint"])
    once()  # warm up: connection, lazy imports
    if config["mode"] == "memory":
        result: dict[str, int] = {}

        def measured() -> None:
            result["bytes"] = once()[1]

        return {"peak_bytes": _memory.traced_peak(measured), **result}
    runs = []
    for _ in range(config["repeats"]):
        start = time.perf_counter()
        first, total = once()
        runs.append({"ttfb": first, "total": time.perf_counter() - start, "bytes": total})
    return runs


# -------------------------------------------------------------------- driver


def run(seconds: float = 60.0, processes: int = 3, repeats: int = 10) -> dict[str, Any]:
    stream_body, pcm_bytes, source = long_stream(seconds)
    json_body, _ = small_answer()
    clients = _clients.available()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
    memory: dict[str, int] = {}
    budget = (processes * (repeats + 1) + 2) * len(clients)
    with CannedServer(json_body=json_body, stream_body=stream_body, max_requests=budget) as server:
        base = {"endpoint": server.endpoint, "repeats": repeats}
        for _ in range(processes):  # interleaved, to spread the machine's noise
            for name in clients:
                runs[name] += _harness.spawn(__file__, {**base, "client": name, "mode": "time"})
        for name in clients:
            config = {**base, "client": name, "mode": "memory"}
            memory[name] = _harness.spawn(__file__, config)["peak_bytes"]

    def median(name: str, key: str) -> float | None:
        return _harness.median(r[key] for r in runs[name])

    report: dict[str, Any] = {
        "source": source,
        "audio_seconds": pcm_bytes / PCM_BYTES_PER_SECOND,
        "audio_bytes": pcm_bytes,
        "stream_body_bytes": len(stream_body),
        "runs_per_client": len(runs["raw"]),
        "clients": {},
    }
    raw_ttfb, raw_total = median("raw", "ttfb"), median("raw", "total")
    for name in clients:
        ttfb, total = median(name, "ttfb"), median(name, "total")
        report["clients"][name] = {
            "ttfb_s": ttfb,
            "total_s": total,
            "ttfb_ratio": _harness.ratio(ttfb, raw_ttfb),
            "total_ratio": _harness.ratio(total, raw_total),
            "peak_traced_bytes": memory[name],
            "memory_ratio": _harness.ratio(memory[name], memory["raw"]),
            "audio_delivered": statistics.median(r["bytes"] for r in runs[name]) / pcm_bytes,
            "runs": runs[name],
        }
    ours = report["clients"]["ours"]
    targets = [
        _harness.Target.at_most(NAME, "ours TTFB / raw", ours["ttfb_ratio"], TIME_LIMIT),
        _harness.Target.at_most(NAME, "ours total / raw", ours["total_ratio"], TIME_LIMIT),
        _harness.Target(NAME, "ours audio delivered", ours["audio_delivered"], 1.0,
                        ours["audio_delivered"] == 1.0),
    ]  # fmt: skip
    report["targets"] = _harness.targets_json(targets)
    return report


def render(report: dict[str, Any]) -> str:
    rows = [
        [
            name,
            _harness.ms(row["ttfb_s"]),
            _harness.times(row["ttfb_ratio"]),
            _harness.ms(row["total_s"]),
            _harness.times(row["total_ratio"]),
            _harness.mib(row["peak_traced_bytes"]),
            _harness.times(row["memory_ratio"]),
            f"{row['audio_delivered']:.0%}",
        ]
        for name, row in report["clients"].items()
    ]
    title = (
        f"Streaming: {report['audio_seconds']:.1f} s of audio ({report['audio_bytes']} PCM "
        f"bytes, {report['stream_body_bytes'] / 1e6:.1f} MB of events), "
        f"{report['runs_per_client']} streams per client"
    )
    header = ["client", "TTFB", "ratio", "total", "ratio", "traced peak", "ratio", "audio"]
    return _harness.table(title, header, rows)


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    report = run(args.seconds, args.processes, args.repeats)
    _harness.publish(NAME, report, render(report))


if __name__ == "__main__":
    main()
