"""Audiobook benchmark: 200 segments through a local server, and stitching an hour.

    python benchmarks/bench_audiobook.py

1. Throughput: a book of 200 segments narrated against a local server on
   127.0.0.1 that answers after 50 ms, with max_concurrency 20. The ideal is
   200 / 20 x 50 ms = 0.5 s; target <= 1.2x. The server's canned answer reads
   exactly each segment's text, so the faithfulness check accepts every
   reading at the first attempt (one request per segment).
2. Memory: stitching 10 minutes and 60 minutes of segment audio, each in a
   fresh process; peak RSS above the process's baseline. Target: flat in
   book length (the join streams block by block).
Results: benchmarks/results/audiobook.json.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._server import CannedServer

RESULTS = Path(__file__).parent / "results" / "audiobook.json"
SEGMENTS, CONCURRENCY, LATENCY = 200, 20, 0.05
TEXT = "The keeper lit the lamp and watched the beam cross the water."


def canned_answer() -> bytes:
    pcm = bytes(4800)  # 0.1 s of silence: the server's work is not what is measured
    import base64

    return json.dumps({
        "id": "chatcmpl-bench", "object": "chat.completion", "model": "bench",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": None, "audio": {
                "id": "audio_bench", "data": base64.b64encode(pcm).decode(),
                "expires_at": 4102444800, "transcript": TEXT}}}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 12, "total_tokens": 42},
    }).encode()  # fmt: skip


async def raw_sdk_batch(endpoint: str) -> float:
    """The floor on this machine: the same 200 requests from the raw `openai` SDK."""
    import asyncio

    import openai

    client = openai.AsyncAzureOpenAI(azure_endpoint=endpoint, api_key="bench",
                                     api_version="2025-01-01-preview", max_retries=0)  # fmt: skip
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one() -> None:
        async with gate:
            await client.chat.completions.create(
                model="bench", messages=[{"role": "user", "content": TEXT}],
                modalities=["text", "audio"], audio={"voice": "alloy", "format": "pcm16"},
            )  # fmt: skip

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(SEGMENTS)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def throughput(runs: int = 3) -> dict[str, Any]:
    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio.audiobook import narrate_book

    book = "\n\n".join([TEXT] * SEGMENTS)
    import asyncio

    walls, raw = [], []
    with CannedServer(json_body=canned_answer(), stream_body=b"", latency=LATENCY) as server:
        for _ in range(runs + 1):
            raw.append(asyncio.run(raw_sdk_batch(server.endpoint)))
        llm = AzureChatOpenAIAudio(
            azure_endpoint=server.endpoint, azure_deployment="bench", api_key="bench",  # type: ignore[arg-type]
            max_retries=0,
        )  # fmt: skip
        for _ in range(runs + 1):  # the first run warms up connections and imports
            with tempfile.TemporaryDirectory() as scratch:
                started = time.perf_counter()
                report = narrate_book(book, Path(scratch) / "book.wav", llm=llm,
                                      workdir=Path(scratch) / "work", max_chars=len(TEXT) + 1,
                                      max_concurrency=CONCURRENCY)  # fmt: skip
                walls.append(time.perf_counter() - started)
                assert report.requested == SEGMENTS
                assert report.attempts == SEGMENTS
    wall, raw_wall = statistics.median(walls[1:]), statistics.median(raw[1:])
    ideal = SEGMENTS / CONCURRENCY * LATENCY
    return {"segments": SEGMENTS, "concurrency": CONCURRENCY, "latency_s": LATENCY,
            "wall_s": wall, "ideal_s": ideal, "ratio_to_ideal": wall / ideal,
            "raw_sdk_s": raw_wall, "raw_sdk_ratio_to_ideal": raw_wall / ideal,
            "ratio_to_raw_sdk": wall / raw_wall, "runs": walls[1:]}  # fmt: skip


def stitch_child(folder: str, output: str) -> None:
    """In a fresh process: stitch every segment in `folder`, print peak RSS growth."""
    from langchain_azure_audio.audiobook import stitch

    parts = sorted(Path(folder).glob("*.pcm"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stitch(parts, output, pause_ms=400)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_growth_kib": after - before, "baseline_kib": before}))


def stitching_memory() -> dict[str, Any]:
    out: dict[str, Any] = {}
    segment = bytes(48_000 * 20)  # 20 s of audio per segment
    for minutes in (10, 60):
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "segments"
            folder.mkdir()
            for n in range(minutes * 3):
                (folder / f"{n:05d}.pcm").write_bytes(segment)
            done = subprocess.run(
                [sys.executable, __file__, "--stitch", str(folder), str(Path(scratch) / "b.wav")],
                check=True, capture_output=True, text=True,
            )  # fmt: skip
            out[f"{minutes}_min"] = json.loads(done.stdout.strip().splitlines()[-1])
    small, large = out["10_min"]["peak_growth_kib"], out["60_min"]["peak_growth_kib"]
    out["growth_ratio_60_vs_10"] = (large + 1) / (small + 1)
    return out


NAME = "audiobook"


def run() -> dict[str, Any]:
    from benchmarks._harness import Target, targets_json

    report: dict[str, Any] = {"throughput": throughput(), "stitching": stitching_memory()}
    report["targets"] = targets_json([
        Target.at_most(NAME, "wall time / ideal 0.5 s",
                       report["throughput"]["ratio_to_ideal"], 1.2),
        Target.at_most(NAME, "stitch memory, 60 min / 10 min",
                       report["stitching"]["growth_ratio_60_vs_10"], 1.1),
    ])  # fmt: skip
    return report


def render(report: dict[str, Any]) -> str:
    t, m = report["throughput"], report["stitching"]
    return "\n".join([
        f"Audiobook: {t['segments']} segments, {t['latency_s'] * 1000:.0f} ms latency, "
        f"concurrency {t['concurrency']}: {t['wall_s']:.3f} s = {t['ratio_to_ideal']:.2f}x the "
        f"ideal {t['ideal_s']:.2f} s (target <= 1.2x)",
        f"  raw SDK, same 200 requests: {t['raw_sdk_s']:.3f} s = "
        f"{t['raw_sdk_ratio_to_ideal']:.2f}x the ideal; audiobook / raw SDK = "
        f"{t['ratio_to_raw_sdk']:.2f}x",
        f"  stitching peak RSS growth: 10 min {m['10_min']['peak_growth_kib'] / 1024:.1f} MiB, "
        f"60 min {m['60_min']['peak_growth_kib'] / 1024:.1f} MiB "
        f"({m['growth_ratio_60_vs_10']:.2f}x: flat in book length)",
    ])  # fmt: skip


def main() -> None:
    if sys.argv[1:2] == ["--stitch"]:
        stitch_child(sys.argv[2], sys.argv[3])
        return
    report = run()
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(render(report))
    print(f"saved {RESULTS}")
    from benchmarks import _docs  # the page's tables follow the results files

    _docs.write_page()


if __name__ == "__main__":
    main()
