"""Big input: one request carrying a WAV just under the 20 MiB limit, three clients.

    python benchmarks/bench_big_input.py [--processes 5] [--repeats 3] [--memory-processes 2]

The WAV (seeded noise, 24 kHz mono 16-bit) is written to a temporary folder
at run time and deleted afterwards. Each child process reads it and
base64-encodes it once, as a user's own input preparation, so every client
gets the same pre-encoded string:
  raw        `client.chat.completions.create(...)` with an `input_audio` part;
  ours       `llm.invoke([HumanMessage([text, {"type": "audio", "base64": ...,
             "mime_type": "audio/wav"}])])`;
  lc-openai  `AzureChatOpenAI.invoke` with the same message.
The local server answers with a recorded (or synthetic) audio answer.

Measured, each client in its own processes, after imports, input preparation
and two warm-up requests (a small one, then a big one): wall time of each
request (timing processes, default allocator), and the increase of peak RSS
over the RSS just before the request plus the tracemalloc peak (memory
processes; see `_memory.py`). Medians and ratios to raw; results in
benchmarks/results/big_input.json.
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import tempfile
import time
import wave
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _clients, _docs, _harness, _memory
from benchmarks._server import CannedServer, small_answer

NAME: Final = "big_input"
WAV_BYTES: Final = 20 * 1024 * 1024 - 4096  # the package refuses more than 20 MiB
PROMPT: Final = "Transcribe this recording."
TIME_LIMIT: Final = 1.1
MEMORY_LIMIT: Final = 1.0
MOONSHOT: Final = 5.0
"""Peak RSS above the process baseline (library loaded), in multiples of the input."""


def write_wav(path: Path, size: int = WAV_BYTES, seed: int = 6) -> int:
    """Write a 24 kHz mono 16-bit WAV of exactly `size` bytes (seeded noise), 1 MiB at a time."""
    frames = (size - 44) // 2
    rng = random.Random(seed)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        left = frames * 2
        while left:
            block = min(left, 2**20)
            wav.writeframes(rng.randbytes(block))
            left -= block
    return path.stat().st_size


# ------------------------------------------------------------------- clients


def _requests(client: str, endpoint: str, b64: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(the big request, a small warm-up request) for one client, inputs prebuilt."""
    if client == "raw":
        sdk = _clients.raw_sync(endpoint)
        big = [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": PROMPT},
                    {"type": "input_audio", "input_audio": {"data": b64, "format": "wav"}},
                ],
            }
        ]
        small = [{"role": "user", "content": "Hello"}]

        def send(messages: list[dict[str, Any]]) -> Any:
            completion = sdk.chat.completions.create(
                model=_clients.DEPLOYMENT,
                messages=messages,
                **_clients.audio_params("wav"),
            )
            return completion.choices[0].message.audio.transcript

        return (lambda: send(big)), (lambda: send(small))

    from langchain_core.messages import HumanMessage

    llm = _clients.ours(endpoint) if client == "ours" else _clients.lc_openai(endpoint)
    block = {"type": "audio", "base64": b64, "mime_type": "audio/wav"}
    big_msgs = [HumanMessage(content=[{"type": "text", "text": PROMPT}, block])]
    small_msgs = [HumanMessage(content="Hello")]
    return (
        lambda: _clients.transcript(llm.invoke(big_msgs)),
        lambda: _clients.transcript(llm.invoke(small_msgs)),
    )


def run_child(config: dict[str, Any]) -> dict[str, Any]:
    _, small = _requests(config["client"], config["endpoint"], "")
    small()  # imports, connection, first-use caches: part of the process baseline
    baseline = _memory.current_rss()
    wav = Path(config["wav"]).read_bytes()
    b64 = base64.b64encode(wav).decode("ascii")  # the user's input preparation
    del wav
    big, small = _requests(config["client"], config["endpoint"], b64)
    big()  # warm up: the first growth of the heap and socket buffers to this size
    if config["mode"] == "time":
        runs = []
        for _ in range(config["repeats"]):
            start = time.perf_counter()
            big()
            runs.append(time.perf_counter() - start)
        return {"seconds": runs}
    rss = [_memory.rss_peak(big) for _ in range(config["repeats"])]
    process_peak = _memory.max_rss_bytes()  # the whole process, during the last request
    return {
        "rss_bytes": rss,
        "traced_bytes": _memory.traced_peak(big),
        "process_peak_bytes": process_peak,
        "baseline_bytes": baseline,
    }


# -------------------------------------------------------------------- driver


def _big_bodies(server: CannedServer, wav_bytes: int) -> int:
    """Requests received so far whose body could hold the whole base64 audio."""
    return sum(size > wav_bytes * 4 // 3 for size in server.body_sizes)


def run(
    processes: int = 5,
    repeats: int = 3,
    memory_processes: int = 2,
    variants: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """Measure every client (or `variants`: label -> child config, for experiments)."""
    variants = variants or {name: {"client": name} for name in _clients.available()}
    clients = list(variants)
    answer, source = small_answer()
    seconds: dict[str, list[float]] = {name: [] for name in clients}
    rss: dict[str, list[int | None]] = {name: [] for name in clients}
    traced: dict[str, list[int]] = {name: [] for name in clients}
    process: dict[str, list[tuple[int, int]]] = {name: [] for name in clients}
    with tempfile.TemporaryDirectory(prefix="bench-big-input-") as tmp:
        wav = Path(tmp) / "big.wav"
        wav_bytes = write_wav(wav)
        n_requests = (processes + memory_processes) * (repeats + 3) * len(clients)
        with CannedServer(json_body=answer, stream_body=b"", max_requests=n_requests * 2) as server:
            base = {"endpoint": server.endpoint, "wav": str(wav), "repeats": repeats}

            def spawn(name: str, mode: str, big_requests: int) -> Any:
                sent = _big_bodies(server, wav_bytes)
                env = _memory.RSS_ENV if mode == "memory" else None
                out = _harness.spawn(__file__, {**base, **variants[name], "mode": mode}, env)
                if _big_bodies(server, wav_bytes) - sent != big_requests:
                    raise RuntimeError(f"{name} did not send the whole audio in every request")
                return out

            for _ in range(processes):  # interleaved, to spread the machine's noise
                for name in clients:
                    seconds[name] += spawn(name, "time", repeats + 1)["seconds"]
            for _ in range(memory_processes):
                for name in clients:
                    out = spawn(name, "memory", repeats + 2)
                    rss[name] += out["rss_bytes"]
                    traced[name].append(out["traced_bytes"])
                    process[name].append((out["process_peak_bytes"], out["baseline_bytes"]))

    report: dict[str, Any] = {
        "wav_bytes": wav_bytes,
        "base64_chars": 4 * ((wav_bytes + 2) // 3),
        "answer_source": source,
        "requests_per_client": {"time": processes * repeats, "rss": memory_processes * repeats},
        "clients": {},
    }
    raw_s, raw_rss, raw_traced = (
        _harness.median(seconds["raw"]),
        _harness.median(rss["raw"]),
        _harness.median(traced["raw"]),
    )
    raw_peak = _harness.median(peak for peak, _ in process["raw"])
    for name in clients:
        s, r = _harness.median(seconds[name]), _harness.median(rss[name])
        t = _harness.median(traced[name])
        peak = _harness.median(p for p, _ in process[name])
        above = _harness.median(p - b for p, b in process[name])
        report["clients"][name] = {
            "seconds": s,
            "time_ratio": _harness.ratio(s, raw_s),
            "peak_rss_delta_bytes": r,
            "rss_ratio": _harness.ratio(r, raw_rss),
            "peak_traced_bytes": t,
            "traced_ratio": _harness.ratio(t, raw_traced),
            "process_peak_bytes": peak,
            "process_peak_ratio": _harness.ratio(peak, raw_peak),
            "above_baseline_bytes": above,
            "above_baseline_per_input": above / wav_bytes if above is not None else None,
            "runs": {"seconds": seconds[name], "rss_bytes": rss[name], "traced": traced[name]},
        }
    ours = report["clients"]["ours"]
    targets = [
        _harness.Target.at_most(NAME, "ours time / raw", ours["time_ratio"], TIME_LIMIT),
        _harness.Target.at_most(
            NAME, "ours whole-process peak RSS / raw", ours["process_peak_ratio"], MEMORY_LIMIT
        ),
        _harness.Target.at_most(
            NAME,
            "ours peak RSS above baseline / input",
            ours["above_baseline_per_input"],
            MOONSHOT,
        ),
    ]
    report["targets"] = _harness.targets_json(targets)
    return report


def render(report: dict[str, Any]) -> str:
    rows = [
        [
            name,
            _harness.ms(row["seconds"]),
            _harness.times(row["time_ratio"]),
            _harness.mib(row["peak_rss_delta_bytes"]),
            _harness.times(row["rss_ratio"]),
            _harness.mib(row["process_peak_bytes"]),
            _harness.times(row["process_peak_ratio"]),
            f"{row['above_baseline_per_input']:.1f}×",
            _harness.mib(row["peak_traced_bytes"]),
            _harness.times(row["traced_ratio"]),
        ]
        for name, row in report["clients"].items()
    ]
    title = (
        f"Big input: one {report['wav_bytes'] / 2**20:.2f} MiB WAV "
        f"({report['base64_chars'] / 1e6:.1f} M base64 chars)"
    )
    header = ["client", "time", "ratio", "peak RSS +", "ratio", "process peak", "ratio",
              "above baseline / input", "traced peak", "ratio"]  # fmt: skip
    return _harness.table(title, header, rows)


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-processes", type=int, default=2)
    args = parser.parse_args()
    report = run(args.processes, args.repeats, args.memory_processes)
    _docs.publish(NAME, report, render(report))


if __name__ == "__main__":
    main()
