"""Live voice: what the package adds to the Realtime API, measured.

    python benchmarks/bench_realtime.py            # measure, write the results and the page
    python benchmarks/bench_realtime.py --quick    # a smoke run (marked as such)
    python benchmarks/bench_realtime.py --docs-only

The scripted loopback realtime server (`tests/realtime_server.py`) runs in this
process; every client runs in a process of its own (`_harness.spawn`), so its
CPU time and memory are its own. Measured:

* **first audio**: from the moment the `openai` SDK's connection hands over the
  bytes of a response's first audio event (`recv_bytes` returns) to the moment
  the app's `async for` gets the `audio` event: the package's own added latency
  (target p95 ≤ 5 ms); also from the server's send to the app, beside a bare SDK
  loop's, for scale.
* **send_audio**: from `await live.send_audio(pcm)` to the frame being handed to
  the WebSocket (`websockets`' `send`), 20 ms chunks (target p95 ≤ 2 ms).
* **memory**: a 30-minute conversation simulated faster than real time (180
  turns of 5 s of speech in, 5 s answers out, server VAD, the service's session
  limit every 60 turns so the session reconnects twice): resident memory at the
  end against just after warm-up (10% of the turns) (target ≤ 1.10×).
* **CPU per audio-second**: process CPU time to receive a 60-second answer, per
  second of audio, against a bare SDK loop doing the same (`async for event in
  connection`, each audio delta base64-decoded; the loop of Microsoft's
  quickstart) (target ≤ 1.2×); and, for reference, against the leanest loop
  possible (`recv_bytes`, `json.loads`, decode).

Prices for the cost-per-minute table are the package's list prices
(`_model.prices.LIST_PRICES`, each with its source and the date it was read); the
page's minute costs are computed from them here.

Writes benchmarks/results/realtime.json and the generated block of docs/live-voice.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Final

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _docs, _harness  # noqa: E402
from benchmarks._memory import RSS_ENV, current_rss  # noqa: E402
from langchain_azure_audio._model.prices import find_price  # noqa: E402

NAME: Final = "realtime"
PAGE: Final = ROOT / "docs" / "live-voice.md"
RESULTS: Final = _harness.RESULTS_DIR / "realtime.json"
_BLOCK: Final = "realtime"
SCRIPT: Final = Path(__file__)
CPU_AUDIO_S: Final = 60
TURN_SPEECH_MS: Final = 5_000
TURNS: Final = 180  # 180 x (5 s in + 5 s out) = 30 minutes
SESSION_LIMIT_TURNS: Final = 60
LIMITS: Final = {"first audio": 5.0, "send_audio": 2.0, "memory": 1.10, "cpu": 1.2}

PRICED: Final = ("gpt-realtime-1.5", "gpt-realtime-2", "gpt-audio-1.5")
"""The models whose minute of audio the page prices: their list prices are the package's
(`_model.prices.LIST_PRICES`, each with its source and the date it was read)."""
TOKENS_PER_MINUTE: Final = {"in": 600, "out": 1200}
"""OpenAI's realtime cost guide (developers.openai.com/api/docs/guides/realtime-costs):
user audio is 1 token per 100 ms, assistant audio 1 token per 50 ms."""


# ------------------------------------------------------------------ the server


def brain_factory() -> Any:
    """What the bench's server answers: by the user's words (a number of seconds of
    speech to say), or 5 s to a spoken turn."""
    from tests.realtime_server import Speak, tone

    cache: dict[int, bytes] = {}

    def speech(ms: int) -> bytes:
        if ms not in cache:
            cache[ms] = tone(ms, hz=220)
        return cache[ms]

    def brain(conn: Any, request: Any) -> Any:
        said = ""
        for item in reversed(conn.items):
            if item.get("role") == "user":
                said = " ".join(p.get("text", "") for p in item.get("content") or [])
                break
        seconds = int(m[1]) if (m := re.search(r"say (\d+) seconds", said)) else 5
        words = " ".join(["word"] * max(1, seconds * 2))
        return Speak(words, pcm=speech(seconds * 1000))

    return brain


# ------------------------------------------------------------------- children


def _model(endpoint: str) -> Any:
    from langchain_azure_audio import AzureChatOpenAIRealtime

    return AzureChatOpenAIRealtime(azure_endpoint=endpoint, azure_deployment="gpt-realtime",
                                   api_key="bench-key", timeout=30)  # fmt: skip


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


async def child_first_audio(endpoint: str, responses: int) -> dict[str, Any]:
    """Per response: SDK hands over the first audio event → the app gets it."""
    from openai.resources.realtime.realtime import AsyncRealtimeConnection

    arrived: list[int | None] = [None]
    sent_at: list[int | None] = [None]
    original = AsyncRealtimeConnection.recv_bytes

    async def stamped(self: Any) -> bytes:
        data = await original(self)
        if arrived[0] is None and b"output_audio.delta" in data:
            arrived[0] = time.monotonic_ns()
            sent_at[0] = json.loads(data).get("t_ns")
        return data

    AsyncRealtimeConnection.recv_bytes = stamped  # type: ignore[method-assign]
    added, total = [], []
    async with _model(endpoint).connect(turn_detection=None, transcription=None) as live:
        for _ in range(responses):
            arrived[0] = sent_at[0] = None
            await live.say("say 1 seconds")
            first = True
            async for event in live:
                if event.type == "audio" and first:
                    now = time.monotonic_ns()
                    assert arrived[0] is not None
                    assert sent_at[0] is not None
                    added.append((now - arrived[0]) / 1e6)
                    total.append((now - sent_at[0]) / 1e6)
                    first = False
                elif event.type == "done":
                    break
    return {"added_ms": added, "total_ms": total}


async def child_bare_first_audio(endpoint: str, responses: int) -> dict[str, Any]:
    """The same first-audio timing for a bare SDK loop (server send → the loop's event)."""
    total = []
    async with _bare_manager(endpoint) as connection:
        await _bare_session(connection)
        for _ in range(responses):
            await _bare_ask(connection, "say 1 seconds")
            first = True
            async for event in connection:
                if event.type == "response.output_audio.delta" and first:
                    total.append((time.monotonic_ns() - event.t_ns) / 1e6)  # type: ignore[attr-defined]
                    first = False
                elif event.type == "response.done":
                    break
    return {"total_ms": total}


async def child_send_audio(endpoint: str, chunks: int) -> dict[str, Any]:
    """`send_audio` called → the frame handed to the WebSocket."""
    from websockets.asyncio.connection import Connection

    handed: list[int] = []
    original = Connection.send

    async def stamped(self: Any, message: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(message, str) and message.startswith('{"type":"input_audio_buffer.append"'):
            handed.append(time.monotonic_ns())
        await original(self, message, *args, **kwargs)

    Connection.send = stamped  # type: ignore[method-assign]
    pcm = bytes(960)  # 20 ms of silence
    latencies = []
    async with _model(endpoint).connect(turn_detection=None, transcription=None) as live:
        for _ in range(chunks):
            start = time.monotonic_ns()
            await live.send_audio(pcm)
            latencies.append((handed[-1] - start) / 1e6)
    return {"ms": latencies}


async def child_memory(endpoint: str, turns: int) -> dict[str, Any]:
    """A long conversation by voice: RSS after warm-up and at the end."""
    from tests.realtime_server import silence, tone

    speech = [tone(50, hz=300)] * (TURN_SPEECH_MS // 50)
    quiet = [silence(50)] * 8  # 400 ms: the server's VAD ends the turn after 300 ms
    samples: list[tuple[int, int]] = []
    audio_bytes = reconnections = 0
    async with _model(endpoint).connect() as live:
        for turn in range(1, turns + 1):
            for chunk in speech + quiet:
                await live.send_audio(chunk)
            async for event in live:
                if event.type == "audio":
                    audio_bytes += len(event.pcm)
                elif event.type == "reconnected":
                    reconnections += 1
                elif event.type == "done":
                    break
            if turn == max(1, turns // 10) or turn == turns:
                gc.collect()
                samples.append((turn, current_rss()))
        messages = len(live.messages)
    return {"rss": samples, "answer_audio_s": audio_bytes / 48_000, "messages": messages,
            "reconnections": reconnections}  # fmt: skip


async def child_cpu_ours(endpoint: str, repeats: int) -> dict[str, Any]:
    seconds = []
    async with _model(endpoint).connect(turn_detection=None, transcription=None) as live:
        for _ in range(repeats):
            received = 0
            started = time.process_time()
            await live.say(f"say {CPU_AUDIO_S} seconds")
            async for event in live:
                if event.type == "audio":
                    received += len(event.pcm)
                elif event.type == "done":
                    break
            seconds.append((time.process_time() - started) / (received / 48_000))
    return {"cpu_s_per_audio_s": seconds}


def _bare_manager(endpoint: str) -> Any:
    """A bare SDK connection (the `api-key` header, as the package sends it)."""
    import openai

    client = openai.AsyncOpenAI(api_key="unused", websocket_base_url=endpoint.replace(
        "http", "ws", 1) + "/openai/v1")  # fmt: skip
    return client.realtime.connect(
        model="gpt-realtime", extra_headers={"api-key": "bench-key", "Authorization": openai.Omit()}
    )


async def _bare_session(connection: Any) -> None:
    await connection.send(
        {
            "type": "session.update",
            "session": {
                "type": "realtime",
                "output_modalities": ["audio"],
                "audio": {
                    "input": {
                        "format": {"type": "audio/pcm", "rate": 24000},
                        "turn_detection": None,
                    },
                    "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "alloy"},
                },
            },
        }
    )


async def _bare_ask(connection: Any, text: str) -> None:
    await connection.send(
        {
            "type": "conversation.item.create",
            "item": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text}],
            },
        }
    )
    await connection.send({"type": "response.create"})  # fmt: skip


async def child_cpu_bare(endpoint: str, repeats: int, lean: bool) -> dict[str, Any]:
    seconds = []
    async with _bare_manager(endpoint) as connection:
        await _bare_session(connection)
        for _ in range(repeats):
            received = 0
            started = time.process_time()
            await _bare_ask(connection, f"say {CPU_AUDIO_S} seconds")
            while True:
                if lean:  # the leanest loop: bytes, json, base64
                    event: Any = json.loads(await connection.recv_bytes())
                    kind = event["type"]
                    if kind == "response.output_audio.delta":
                        received += len(base64.b64decode(event["delta"]))
                else:  # the SDK's typed events, as Microsoft's quickstart reads them
                    event = await connection.recv()
                    kind = event.type
                    if kind == "response.output_audio.delta":
                        received += len(base64.b64decode(event.delta))
                if kind == "response.done":
                    break
            seconds.append((time.process_time() - started) / (received / 48_000))
    return {"cpu_s_per_audio_s": seconds}


def run_child(config: dict[str, Any]) -> Any:
    kind, endpoint, n = config["kind"], config["endpoint"], config["n"]
    runs = {
        "first_audio": lambda: child_first_audio(endpoint, n),
        "bare_first_audio": lambda: child_bare_first_audio(endpoint, n),
        "send_audio": lambda: child_send_audio(endpoint, n),
        "memory": lambda: child_memory(endpoint, n),
        "cpu_ours": lambda: child_cpu_ours(endpoint, n),
        "cpu_bare": lambda: child_cpu_bare(endpoint, n, lean=False),
        "cpu_lean": lambda: child_cpu_bare(endpoint, n, lean=True),
    }
    return asyncio.run(runs[kind]())


# ------------------------------------------------------------------- the run


def measure(quick: bool) -> dict[str, Any]:
    from tests.realtime_server import RealtimeServer

    processes = 1 if quick else 3
    responses, chunks = (20, 100) if quick else (100, 500)
    turns, repeats = (30, 1) if quick else (TURNS, 3)

    def spawn(kind: str, n: int, env: dict[str, str] | None = None) -> Any:
        return _harness.spawn(SCRIPT, {"kind": kind, "endpoint": endpoint, "n": n,
                                       "client": kind}, env)  # fmt: skip

    report: dict[str, Any] = {"quick": quick}
    with RealtimeServer(brain_factory(), stamp=True) as server:
        endpoint = server.endpoint
        added, total, bare_total, sends, cpu = [], [], [], [], {"ours": [], "bare": [], "lean": []}
        for _ in range(processes):  # interleaved, so the machine's noise spreads alike
            first = spawn("first_audio", responses)
            added += first["added_ms"]
            total += first["total_ms"]
            bare_total += spawn("bare_first_audio", responses)["total_ms"]
            sends += spawn("send_audio", chunks)["ms"]
            for name in ("ours", "bare", "lean"):
                cpu[name] += spawn(f"cpu_{name}", repeats)["cpu_s_per_audio_s"]
    with RealtimeServer(brain_factory(), expire_after=SESSION_LIMIT_TURNS) as server:
        endpoint = server.endpoint
        memory = spawn("memory", turns, RSS_ENV)
    per_audio_s = {name: statistics.median(values) for name, values in cpu.items()}
    (_, warm), (_, end) = memory["rss"][0], memory["rss"][-1]
    report.update(
        first_audio={"responses": len(added), "added_p50_ms": statistics.median(added),
                     "added_p95_ms": _p95(added), "total_p50_ms": statistics.median(total),
                     "total_p95_ms": _p95(total),
                     "bare_total_p50_ms": statistics.median(bare_total),
                     "bare_total_p95_ms": _p95(bare_total)},
        send_audio={"chunks": len(sends), "p50_ms": statistics.median(sends),
                    "p95_ms": _p95(sends)},
        memory={**memory, "turns": turns, "simulated_minutes": turns * 10 / 60,
                "warm_rss_bytes": warm, "end_rss_bytes": end},
        cpu={"audio_s": CPU_AUDIO_S, "repeats": len(cpu["ours"]), "per_audio_s": per_audio_s},
    )  # fmt: skip
    report["targets"] = _harness.targets_json(targets(report))
    return report


def targets(report: dict[str, Any]) -> list[_harness.Target]:
    memory, cpu = report["memory"], report["cpu"]["per_audio_s"]
    first = round(report["first_audio"]["added_p95_ms"], 3)
    return [
        _harness.Target.at_most(NAME, "first audio: added latency p95 (ms)", first,
                                LIMITS["first audio"]),
        _harness.Target.at_most(NAME, "send_audio to the socket p95 (ms)",
                                round(report["send_audio"]["p95_ms"], 3), LIMITS["send_audio"]),
        _harness.Target.at_most(NAME, "memory after 30 minutes / after warm-up",
                                round(memory["end_rss_bytes"] / memory["warm_rss_bytes"], 3),
                                LIMITS["memory"]),
        _harness.Target.at_most(NAME, "CPU per audio-second / bare SDK loop",
                                round(cpu["ours"] / cpu["bare"], 3), LIMITS["cpu"]),
    ]  # fmt: skip


# ---------------------------------------------------------------- the page


def cost_rows() -> list[list[str]]:
    """A minute of speech each way, per model, from the list prices and `TOKENS_PER_MINUTE`."""
    rows = []
    for model in PRICED:
        price = find_price(model)
        assert price is not None
        assert price.audio_in is not None
        assert price.audio_out is not None
        minute_in = TOKENS_PER_MINUTE["in"] * price.audio_in / 1e6
        minute_out = TOKENS_PER_MINUTE["out"] * price.audio_out / 1e6
        cached = price.cached_audio_in
        cached_text = "-" if cached is None else f"${TOKENS_PER_MINUTE['in'] * cached / 1e6:.4f}"
        rows.append([f"`{model}`", f"${price.audio_in:g} / ${price.audio_out:g}",
                     f"${minute_in:.4f}", cached_text, f"${minute_out:.4f}"])  # fmt: skip
    return rows


def render(report: dict[str, Any]) -> str:
    first, send, memory = report["first_audio"], report["send_audio"], report["memory"]
    cpu = report["cpu"]["per_audio_s"]
    smoke = " **(a `--quick` smoke run: not for comparison)**" if report.get("quick") else ""
    verdicts = {t["what"]: (t, "met" if _harness.met(t) else "missed") for t in report["targets"]}
    rows = []
    for what, (target, verdict) in verdicts.items():
        value = target["value"]
        shown = f"{value:.2f}×" if "/" in what else f"{value:.3f} ms"
        limit = f"{target['limit']:g}×" if "/" in what else f"{target['limit']:g} ms"
        rows.append([what, f"{_harness.SYMBOLS[target['compare']]} {limit}", shown, verdict])
    table = _docs.md_table(["measured", "target", "value", "met?"], rows)
    costs = _docs.md_table(
        [
            "model",
            "audio $ / 1M tokens in / out",
            "a minute heard",
            "... cached",
            "a minute spoken",
        ],
        cost_rows(),
    )
    return (
        f"Measured by `python benchmarks/bench_realtime.py`{smoke} against the scripted "
        "loopback server, every client in a process of its own:\n\n"
        f"{table}\n"
        f"First audio: {first['responses']} responses; the package adds "
        f"{first['added_p50_ms']:.3f} ms at the median between the SDK handing over the "
        f"bytes and the app's `audio` event. From the server's send to the app: "
        f"{first['total_p50_ms']:.2f} ms median, {first['total_p95_ms']:.2f} ms p95 (a bare SDK "
        f"loop: {first['bare_total_p50_ms']:.2f} ms, {first['bare_total_p95_ms']:.2f} ms). "
        f"`send_audio`: {send['chunks']} chunks of 20 ms, {send['p50_ms']:.3f} ms median.\n\n"
        f"Memory: {memory['turns']} turns ({memory['simulated_minutes']:.0f} simulated "
        f"minutes, {memory['answer_audio_s']:.0f} s of answers, {memory['reconnections']} "
        f"reconnections at the session limit, {memory['messages']} messages kept): "
        f"{_harness.mib(memory['warm_rss_bytes'])} after warm-up, "
        f"{_harness.mib(memory['end_rss_bytes'])} at the end.\n\n"
        f"CPU per second of answer audio ({report['cpu']['audio_s']} s answers, median of "
        f"{report['cpu']['repeats']}): ours {cpu['ours'] * 1000:.2f} ms, the bare SDK loop "
        f"{cpu['bare'] * 1000:.2f} ms, the leanest loop (`recv_bytes`, `json.loads`, base64) "
        f"{cpu['lean'] * 1000:.2f} ms ({cpu['ours'] / cpu['lean']:.2f}× that).\n\n"
        f"Cost of a minute of audio, from the list prices ([Cost](cost.md): OpenAI's model "
        f"pages, read {find_price(PRICED[0]).as_of}) at {TOKENS_PER_MINUTE['in']} tokens a "  # type: ignore[union-attr]
        "minute heard and "
        f"{TOKENS_PER_MINUTE['out']} a minute spoken (OpenAI's realtime cost guide); text "
        "tokens, and the conversation sent again with every response, come on top:\n\n"
        f"{costs}"
    )


def write_page(report: dict[str, Any], page: Path = PAGE) -> bool:
    return _docs.write_block(page, _BLOCK, render(report))


def main() -> None:
    if _harness.child_main(sys.argv, run_child):
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--docs-only", action="store_true")
    args = parser.parse_args()
    if not args.docs_only:
        started = time.monotonic()
        report = measure(args.quick)
        report["seconds"] = round(time.monotonic() - started, 1)
        RESULTS.write_text(json.dumps(report, indent=1) + "\n")
        print(json.dumps({k: v for k, v in report.items() if k != "targets"}, indent=1))
        print("\n".join(_harness.target_lines(_harness.Target(**t) for t in report["targets"])))
    write_page(json.loads(RESULTS.read_text()))


if __name__ == "__main__":
    main()
