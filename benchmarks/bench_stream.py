"""Streaming benchmark: long answers streamed from a local server, a sweep over lengths.

    python benchmarks/bench_stream.py [--seconds 60,180,360,720] [--processes 2] [--repeats 3]

The server replays a real recorded answer (`../shared/recordings`, else a synthetic one)
with its audio deltas repeated to each length. Clients, each in processes of its own,
against the same server in the same run:
  raw         the `openai` SDK (`AzureOpenAI`), iterating the stream and decoding every
              audio delta, keeping the answer's audio to the end (joined once), as a
              hand-written voice app that plays and saves the answer would (`stream()`
              keeps the whole answer too: it hands it to callbacks and tracing);
  raw-async   the same with `AsyncAzureOpenAI`;
  ours        `AzureChatOpenAIAudio.stream()` through `iter_pcm` (the playback path);
  ours-async  `AzureChatOpenAIAudio.astream()` through `aiter_pcm`;
  lc-openai   langchain-openai's `AzureChatOpenAI` configured for audio (when installed).

Per length and client: time to first audio byte and total time (medians over the timing
processes, the same number of runs at every length, so the lengths compare fairly), the
whole process's peak RSS while streaming (a memory process per client: imports and a small
warm-up request first, then one stream; Linux's `VmHWM`), and the share
of audio bytes delivered. Per audio-second: time and peak RSS above the pre-stream RSS,
which stay flat in length when the cost is linear. Ratios: ours to raw, ours-async to
raw-async. Results go to benchmarks/results/stream.json and the plot to
docs/img/stream_sweep.png.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _clients, _docs, _harness, _memory
from benchmarks._server import PCM_BYTES_PER_SECOND, CannedServer, long_stream, small_answer

NAME: Final = "stream"
PROMPT: Final = "Tell me a long story."
LENGTHS: Final = (60.0, 180.0, 360.0, 720.0)
TARGET_LENGTH: Final = 360.0
TIME_LIMIT: Final = 1.1
RSS_LIMIT: Final = 1.3
FLAT_LIMIT: Final = 1.15
PLOT: Final = _harness.ROOT / "docs" / "img" / "stream_sweep.png"
PAIRS: Final = {"ours": "raw", "ours-async": "raw-async", "lc-openai": "raw"}
"""Each client and the raw SDK client it is compared with."""

Stream = Callable[[], tuple[float | None, int]]  # one stream: (time to first byte, PCM bytes)


# ------------------------------------------------------------------- clients


def _raw_chunk_pcm(chunk: Any) -> bytes:
    choices = getattr(chunk, "choices", None)  # most real chunks have none
    if not choices:
        return b""
    data = getattr(getattr(choices[0].delta, "audio", None), "data", None)
    return base64.b64decode(data) if data else b""


def _raw(endpoint: str) -> tuple[Stream, Callable[[], Any]]:
    client = _clients.raw_sync(endpoint)
    messages = [{"role": "user", "content": PROMPT}]

    def once() -> tuple[float | None, int]:
        start, first = time.perf_counter(), None
        stream = client.chat.completions.create(
            model=_clients.DEPLOYMENT,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            **_clients.audio_params("pcm16"),
        )
        kept = []  # the answer's audio, kept to the end like any app that saves it
        for chunk in stream:
            pcm = _raw_chunk_pcm(chunk)
            if pcm:
                kept.append(pcm)
                if first is None:
                    first = time.perf_counter() - start
        return first, len(b"".join(kept))

    def small() -> Any:
        return client.chat.completions.create(
            model=_clients.DEPLOYMENT, messages=messages, **_clients.audio_params("wav")
        )

    return once, small


def _raw_async(endpoint: str) -> tuple[Stream, Callable[[], Any]]:
    client = _clients.raw_async(endpoint)
    messages = [{"role": "user", "content": PROMPT}]
    loop = asyncio.new_event_loop()

    async def stream_once() -> tuple[float | None, int]:
        start, first = time.perf_counter(), None
        stream = await client.chat.completions.create(
            model=_clients.DEPLOYMENT,
            messages=messages,
            stream=True,
            stream_options={"include_usage": True},
            **_clients.audio_params("pcm16"),
        )
        kept = []
        async for chunk in stream:
            pcm = _raw_chunk_pcm(chunk)
            if pcm:
                kept.append(pcm)
                if first is None:
                    first = time.perf_counter() - start
        return first, len(b"".join(kept))

    async def small() -> Any:
        return await client.chat.completions.create(
            model=_clients.DEPLOYMENT, messages=messages, **_clients.audio_params("wav")
        )

    return (lambda: loop.run_until_complete(stream_once())), (
        lambda: loop.run_until_complete(small())
    )


def _ours(endpoint: str) -> tuple[Stream, Callable[[], Any]]:
    from langchain_azure_audio import iter_pcm

    llm = _clients.ours(endpoint)

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        for pcm in iter_pcm(llm.stream(PROMPT)):
            total += len(pcm)
            if first is None:
                first = time.perf_counter() - start
        return first, total

    return once, lambda: llm.invoke(PROMPT)


def _ours_async(endpoint: str) -> tuple[Stream, Callable[[], Any]]:
    from langchain_azure_audio import aiter_pcm

    llm = _clients.ours(endpoint)
    loop = asyncio.new_event_loop()

    async def stream_once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        async for pcm in aiter_pcm(llm.astream(PROMPT)):
            total += len(pcm)
            if first is None:
                first = time.perf_counter() - start
        return first, total

    return (lambda: loop.run_until_complete(stream_once())), (
        lambda: loop.run_until_complete(llm.ainvoke(PROMPT))
    )


def _lc_openai(endpoint: str) -> tuple[Stream, Callable[[], Any]]:
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

    return once, lambda: llm.invoke(PROMPT)


STREAMS: Final[dict[str, Callable[[str], tuple[Stream, Callable[[], Any]]]]] = {
    "raw": _raw,
    "raw-async": _raw_async,
    "ours": _ours,
    "ours-async": _ours_async,
    "lc-openai": _lc_openai,
}


def clients() -> list[str]:
    return [name for name in STREAMS if name != "lc-openai" or "lc-openai" in _clients.available()]


def run_child(config: dict[str, Any]) -> Any:
    once, small = STREAMS[config["client"]](config["endpoint"])
    if config["mode"] == "memory":
        small()  # imports, connection, first-use caches: all before the baseline
        before = _memory.current_rss()
        _memory.reset_peak_rss()
        started = time.perf_counter()
        _, delivered = once()
        return {
            "peak_rss": _memory.max_rss_bytes(),
            "rss_before": before,
            "seconds": time.perf_counter() - started,
            "bytes": delivered,
        }
    once()  # warm up: connection, lazy imports
    runs = []
    for _ in range(config["repeats"]):
        start = time.perf_counter()
        first, total = once()
        runs.append({"ttfb": first, "total": time.perf_counter() - start, "bytes": total})
    return runs


# -------------------------------------------------------------------- driver


def measure(seconds: float, names: list[str], processes: int, repeats: int) -> dict[str, Any]:
    """One length: every client's timings and whole-process memory."""
    stream_body, pcm_bytes, source = long_stream(seconds)
    json_body, _ = small_answer()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    memory: dict[str, dict[str, Any]] = {}
    budget = (processes * (repeats + 1) + 4) * len(names)
    with CannedServer(json_body=json_body, stream_body=stream_body, max_requests=budget) as server:
        base = {"endpoint": server.endpoint, "repeats": repeats}
        for _ in range(processes):  # interleaved, to spread the machine's noise
            for name in names:
                runs[name] += _harness.spawn(__file__, {**base, "client": name, "mode": "time"})
        for name in names:
            config = {**base, "client": name, "mode": "memory"}
            memory[name] = _harness.spawn(__file__, config, env=_memory.RSS_ENV)
    audio_seconds = pcm_bytes / PCM_BYTES_PER_SECOND
    result: dict[str, Any] = {
        "source": source,
        "audio_seconds": audio_seconds,
        "audio_bytes": pcm_bytes,
        "stream_body_bytes": len(stream_body),
        "runs_per_client": processes * repeats,
        "clients": {},
    }
    for name in names:
        ttfb = _harness.median(r["ttfb"] for r in runs[name])
        total = _harness.median(r["total"] for r in runs[name])
        mem = memory[name]
        above = mem["peak_rss"] - mem["rss_before"]
        result["clients"][name] = {
            "ttfb_s": ttfb,
            "total_s": total,
            "seconds_per_audio_second": total / audio_seconds if total else None,
            "best_seconds_per_audio_second": min(r["total"] for r in runs[name]) / audio_seconds,
            "peak_rss_bytes": mem["peak_rss"],
            "rss_above_start_bytes": above,
            "rss_bytes_per_audio_second": above / audio_seconds,
            "audio_delivered": statistics.median(r["bytes"] for r in runs[name]) / pcm_bytes,
            "runs": runs[name],
        }
    for name, raw in PAIRS.items():
        if name in result["clients"]:
            row, ref = result["clients"][name], result["clients"][raw]
            row["ttfb_ratio"] = _harness.ratio(row["ttfb_s"], ref["ttfb_s"])
            row["total_ratio"] = _harness.ratio(row["total_s"], ref["total_s"])
            row["rss_ratio"] = _harness.ratio(row["peak_rss_bytes"], ref["peak_rss_bytes"])
    return result


def flatness(sweep: list[dict[str, Any]], client: str, key: str) -> float | None:
    """Largest over smallest per-audio-second cost across the lengths (1.0 = flat)."""
    values = [s["clients"][client][key] for s in sweep if s["clients"][client].get(key)]
    return max(values) / min(values) if values and min(values) > 0 else None


def run(
    lengths: tuple[float, ...] = LENGTHS, processes: int = 2, repeats: int = 3
) -> dict[str, Any]:
    names = clients()
    sweep = [measure(seconds, names, processes, repeats) for seconds in lengths]
    report: dict[str, Any] = {"lengths": list(lengths), "sweep": sweep, "flatness": {}}
    targets = []
    at = min(sweep, key=lambda s: abs(s["audio_seconds"] - TARGET_LENGTH))
    minutes = f"{at['audio_seconds'] / 60:.0f} min"
    for name in ("ours", "ours-async"):
        row = at["clients"][name]
        targets += [
            _harness.Target.at_most(NAME, f"{name} {minutes} total / raw", row["total_ratio"],
                                    TIME_LIMIT),
            _harness.Target.at_most(NAME, f"{name} {minutes} first byte / raw", row["ttfb_ratio"],
                                    TIME_LIMIT),
            _harness.Target.at_most(NAME, f"{name} {minutes} peak RSS / raw", row["rss_ratio"],
                                    RSS_LIMIT),
            _harness.Target.at_least(  # the least delivered at any length
                NAME, f"{name} audio delivered",
                min(s["clients"][name]["audio_delivered"] for s in sweep), 1.0),
        ]  # fmt: skip
        for key, label in (
            ("seconds_per_audio_second", "time"),
            ("rss_bytes_per_audio_second", "memory"),
        ):
            flat = flatness(sweep, name, key)
            report["flatness"][f"{name} {label}"] = flat
            if len(sweep) > 1:
                targets.append(
                    _harness.Target.at_most(
                        NAME, f"{name} {label} per audio-second, max/min", flat, FLAT_LIMIT
                    )
                )
    report["targets"] = _harness.targets_json(targets)
    report["plot"] = str(PLOT.relative_to(_harness.ROOT))
    plot(report)
    return report


def plot(report: dict[str, Any]) -> None:
    """Time and peak RSS per audio-second against length, one line per client (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minutes = [s["audio_seconds"] / 60 for s in report["sweep"]]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for name in report["sweep"][0]["clients"]:
        rows = [s["clients"][name] for s in report["sweep"]]
        left.plot(minutes, [r["seconds_per_audio_second"] * 1000 for r in rows], "o-", label=name)
        right.plot(minutes, [r["peak_rss_bytes"] / 2**20 for r in rows], "o-", label=name)
    left.set(xlabel="answer length (minutes of audio)", ylabel="ms per audio-second",
             title="Streaming time per audio-second")  # fmt: skip
    right.set(xlabel="answer length (minutes of audio)", ylabel="MiB",
              title="Whole-process peak RSS")  # fmt: skip
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.set_ylim(bottom=0)
    left.legend()
    figure.tight_layout()
    PLOT.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(PLOT, dpi=100)
    plt.close(figure)


def render(report: dict[str, Any]) -> str:
    rows = []
    for s in report["sweep"]:
        for name, row in s["clients"].items():
            rows.append(
                [
                    f"{s['audio_seconds'] / 60:.1f} min {name}",
                    _harness.ms(row["ttfb_s"]),
                    _harness.times(row.get("ttfb_ratio")),
                    _harness.ms(row["total_s"]),
                    _harness.times(row.get("total_ratio")),
                    _harness.ms(row["seconds_per_audio_second"]),
                    _harness.mib(row["peak_rss_bytes"]),
                    _harness.times(row.get("rss_ratio")),
                    _harness.mib(row["rss_bytes_per_audio_second"]),
                    f"{row['audio_delivered']:.0%}",
                ]
            )
    title = "Streaming sweep (ratios: ours to raw, ours-async to raw-async, lc-openai to raw)"
    header = ["length / client", "TTFB", "ratio", "total", "ratio", "per audio-s",
              "peak RSS", "ratio", "RSS per audio-s", "audio"]  # fmt: skip
    return _harness.table(title, header, rows)


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", default=",".join(f"{s:g}" for s in LENGTHS))
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    lengths = tuple(float(s) for s in args.seconds.split(","))
    report = run(lengths, args.processes, args.repeats)
    _docs.publish(NAME, report, render(report))


if __name__ == "__main__":
    main()
