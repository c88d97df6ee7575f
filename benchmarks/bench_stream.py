"""Streaming benchmark: ~60 s of speech streamed from a local server, three clients.

    python benchmarks/bench_stream.py [--seconds 60] [--processes 3] [--repeats 5]

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
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._server import CannedServer, long_stream, small_answer

DEPLOYMENT = "gpt-4o-mini-audio-preview"
API_VERSION = "2025-01-01-preview"
PROMPT = [{"role": "user", "content": "Tell me a long story."}]
RESULTS = Path(__file__).parent / "results" / "stream.json"


# ------------------------------------------------------------------- clients


def run_raw(endpoint: str) -> tuple[float | None, int]:
    import openai

    client = openai.AzureOpenAI(
        azure_endpoint=endpoint, api_key="bench", api_version=API_VERSION, max_retries=0
    )

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        stream = client.chat.completions.create(
            model=DEPLOYMENT,
            messages=PROMPT,  # type: ignore[arg-type]
            modalities=["text", "audio"],
            audio={"voice": "alloy", "format": "pcm16"},
            stream=True,
            stream_options={"include_usage": True},
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

    return _measure(once)


def run_ours(endpoint: str) -> tuple[float | None, int]:
    from langchain_azure_audio import AzureChatOpenAIAudio, iter_pcm

    llm = AzureChatOpenAIAudio(
        azure_endpoint=endpoint,
        azure_deployment=DEPLOYMENT,
        api_key="bench",  # type: ignore[arg-type]
        max_retries=0,
    )

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        for pcm in iter_pcm(llm.stream("Tell me a long story.")):
            total += len(pcm)
            if first is None:
                first = time.perf_counter() - start
        return first, total

    return _measure(once)


def run_lc_openai(endpoint: str) -> tuple[float | None, int]:
    from langchain_openai import AzureChatOpenAI

    llm = AzureChatOpenAI(
        azure_endpoint=endpoint,
        azure_deployment=DEPLOYMENT,
        api_version=API_VERSION,
        api_key="bench",  # type: ignore[arg-type]
        max_retries=0,
        model_kwargs={
            "modalities": ["text", "audio"],
            "audio": {"voice": "alloy", "format": "pcm16"},
        },
    )

    def once() -> tuple[float | None, int]:
        start, first, total = time.perf_counter(), None, 0
        for chunk in llm.stream("Tell me a long story."):
            data = (chunk.additional_kwargs.get("audio") or {}).get("data")
            if data:
                total += len(base64.b64decode(data))
                if first is None:
                    first = time.perf_counter() - start
        return first, total

    return _measure(once)


CLIENTS = {"raw": run_raw, "ours": run_ours, "lc-openai": run_lc_openai}
_MODE = {"mode": "time", "repeats": 5}


def _measure(once: Any) -> Any:
    once()  # warm up: connection, lazy imports
    if _MODE["mode"] == "memory":
        tracemalloc.start()
        first, total = once()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"peak_bytes": peak, "bytes": total}
    runs = []
    for _ in range(int(_MODE["repeats"])):
        start = time.perf_counter()
        first, total = once()
        runs.append({"ttfb": first, "total": time.perf_counter() - start, "bytes": total})
    return runs


# ---------------------------------------------------------------------- driver


def child(name: str, endpoint: str, mode: str, repeats: int) -> None:
    _MODE.update(mode=mode, repeats=repeats)
    print(json.dumps(CLIENTS[name](endpoint)))


def spawn(name: str, endpoint: str, mode: str, repeats: int) -> Any:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name, "--endpoint", endpoint, "--mode", mode,
         "--repeats", str(repeats)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def available(name: str) -> bool:
    if name != "lc-openai":
        return True
    try:
        import langchain_openai  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--child")
    parser.add_argument("--endpoint")
    parser.add_argument("--mode", default="time")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.endpoint, args.mode, args.repeats)
        return

    stream_body, pcm_bytes, source = long_stream(args.seconds)
    json_body, _ = small_answer()
    clients = [name for name in CLIENTS if available(name)]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in clients}
    memory: dict[str, int] = {}
    with CannedServer(json_body=json_body, stream_body=stream_body) as server:
        for _ in range(args.processes):  # interleaved, to spread the machine's noise
            for name in clients:
                runs[name] += spawn(name, server.endpoint, "time", args.repeats)
        for name in clients:
            memory[name] = spawn(name, server.endpoint, "memory", 1)["peak_bytes"]

    def median(name: str, key: str) -> float | None:
        values = [r[key] for r in runs[name] if r[key] is not None]
        return statistics.median(values) if values else None

    report: dict[str, Any] = {
        "source": source,
        "audio_seconds": pcm_bytes / 48_000,
        "audio_bytes": pcm_bytes,
        "stream_body_bytes": len(stream_body),
        "runs_per_client": len(runs["raw"]),
        "clients": {},
    }
    raw_ttfb, raw_total = median("raw", "ttfb"), median("raw", "total")
    for name in clients:
        ttfb, total = median(name, "ttfb"), median(name, "total")
        delivered = statistics.median(r["bytes"] for r in runs[name]) / pcm_bytes
        report["clients"][name] = {
            "ttfb_s": ttfb,
            "total_s": total,
            "ttfb_ratio": ttfb / raw_ttfb if ttfb and raw_ttfb else None,
            "total_ratio": total / raw_total if total and raw_total else None,
            "peak_traced_bytes": memory[name],
            "memory_ratio": memory[name] / memory["raw"],
            "audio_delivered": delivered,
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"audio: {report['audio_seconds']:.1f} s ({pcm_bytes} bytes) from {source}")
    print(f"{'client':<10} {'TTFB ms':>8} {'ratio':>6} {'total ms':>9} {'ratio':>6} "
          f"{'peak MiB':>9} {'ratio':>6} {'audio':>6}")  # fmt: skip
    for name, row in report["clients"].items():
        print(
            f"{name:<10} {_ms(row['ttfb_s'])} {_x(row['ttfb_ratio'])} {_ms(row['total_s'], 9)} "
            f"{_x(row['total_ratio'])} {row['peak_traced_bytes'] / 2**20:9.1f} "
            f"{_x(row['memory_ratio'])} {row['audio_delivered']:6.0%}"
        )
    print(f"saved {RESULTS}")


def _ms(seconds: float | None, width: int = 8) -> str:
    return f"{seconds * 1000:{width}.1f}" if seconds is not None else f"{'-':>{width}}"


def _x(ratio: float | None) -> str:
    return f"{ratio:5.2f}x" if ratio is not None else f"{'-':>6}"


if __name__ == "__main__":
    main()
