"""The soak's service: answers every request on 127.0.0.1, injecting faults at random.

    python -m benchmarks._soak_server SEED FAULT_RATE MAX_REQUESTS MAX_SECONDS

Prints its port on the first line of stdout, then serves until it has
answered MAX_REQUESTS requests or MAX_SECONDS have passed (whichever is
first), and prints one line of JSON on exit: `tally` (HTTP requests, and how
many of each fault) and `attempts`, which maps each prompt number to what it
did to every HTTP request carrying that prompt, in order (`"none"` for a clean
answer): the client judges each request by it. Runs in a process of its own
so that the client's file descriptors, threads and memory are the client's.

Each answer is derived from the request's prompt (`soak <n>`): the transcript
`Answer <n>.` and audio bytes made from a hash of `n`, so the client can tell a
correct answer from a wrong or mixed-up one. Faults (`FAULT_RATE` of all
requests, chosen with a seeded RNG): 429 with Retry-After, 500, a connection
reset before answering, a reset mid-body (mid-stream for streams), a body cut
short (truncated JSON / a stream without its end), and a slow body (sent in
pieces; still a correct answer).
"""

from __future__ import annotations

import hashlib
import json
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("429", "500", "reset-before", "reset-mid-body", "truncated", "slow-body")


def answer_for(n: str) -> tuple[str, bytes]:
    """The transcript and the audio bytes of prompt `soak <n>` (1,200 or 1,201 bytes)."""
    digest = hashlib.sha256(n.encode()).digest()
    audio = (digest * 38)[: 1200 + int(n) % 2]  # odd lengths exercise the base64 carry
    return f"Answer {n}.", audio


def json_body(n: str) -> bytes:
    transcript, audio = answer_for(n)
    import base64

    return json.dumps({
        "id": f"chatcmpl-{n}", "object": "chat.completion", "model": "gpt-4o-mini-audio-preview",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": None, "audio": {
                "id": f"audio_{n}", "data": base64.b64encode(audio).decode(),
                "expires_at": 4102444800, "transcript": transcript}}}],
        "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
    }).encode()  # fmt: skip


def stream_events(n: str) -> list[bytes]:
    import base64

    transcript, audio = answer_for(n)
    base = {"id": f"chatcmpl-{n}", "object": "chat.completion.chunk"}

    def event(chunk: dict[str, Any]) -> bytes:
        return f"data: {json.dumps({**base, **chunk})}\n\n".encode()

    first = {"role": "assistant", "audio": {"id": f"audio_{n}", "transcript": transcript}}
    events = [event({"choices": [{"index": 0, "delta": first}]})]
    for start in range(0, len(audio), 301):  # 301-byte deltas: never a multiple of 3
        data = base64.b64encode(audio[start : start + 301]).decode()
        events.append(event({"choices": [{"index": 0, "delta": {"audio": {"data": data}}}]}))
    events.append(event({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 9,
                                                   "total_tokens": 14}}))  # fmt: skip
    events.append(event({"choices": [{"index": 0, "delta": {"audio": {
        "expires_at": 4102444800}}}]}))  # fmt: skip
    events.append(b"data: [DONE]\n\n")
    return events


class SoakServer:
    def __init__(self, seed: int, fault_rate: float, max_requests: int) -> None:
        self.rng = random.Random(seed)
        self.fault_rate, self.max_requests = fault_rate, max_requests
        self.lock = threading.Lock()
        self.tally: Counter[str] = Counter()
        self.attempts: defaultdict[str, list[str]] = defaultdict(list)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers["content-length"])))
                n = request["messages"][-1]["content"].removeprefix("soak ")
                with outer.lock:
                    outer.tally["requests"] += 1
                    if outer.tally["requests"] > outer.max_requests:
                        fault = "over-budget"
                    elif outer.rng.random() < outer.fault_rate:
                        fault = outer.rng.choice(FAULTS)
                    else:
                        fault = "none"
                    outer.tally[f"fault:{fault}"] += 1
                    outer.attempts[n].append(fault)
                outer.serve(self, n, bool(request.get("stream")), fault)

            def log_message(self, *args: Any) -> None:
                pass

            def handle_error(self, *args: Any) -> None:  # a client hanging up is expected
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.http.handle_error = lambda *args: None  # type: ignore[method-assign]

    def serve(self, h: BaseHTTPRequestHandler, n: str, stream: bool, fault: str) -> None:
        if fault in ("over-budget", "429", "500"):
            status = {"over-budget": 503, "429": 429, "500": 500}[fault]
            body = json.dumps({"error": {"code": str(status), "message": "injected"}}).encode()
            h.send_response(status)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(body)))
            if fault == "429":
                h.send_header("retry-after-ms", "30")
                h.send_header("retry-after", "1")
            h.end_headers()
            h.wfile.write(body)
            return
        if fault == "reset-before":
            reset(h)
            return
        parts = stream_events(n) if stream else [json_body(n)]
        payload = b"".join(parts)
        h.send_response(200)
        h.send_header("content-type", "text/event-stream" if stream else "application/json")
        if fault == "truncated" and not stream:  # a JSON body cut short, announced as such
            payload = payload[: len(payload) // 2]
        if fault == "truncated" and stream:  # a stream that ends before its usage chunk
            payload = b"".join(parts[: len(parts) // 2])
        h.send_header("content-length", str(len(payload)))
        h.end_headers()
        if fault == "reset-mid-body":
            h.wfile.write(payload[: len(payload) // 2])
            h.wfile.flush()
            reset(h)
            return
        if fault == "slow-body":
            step = len(payload) // 5 + 1
            for start in range(0, len(payload), step):
                h.wfile.write(payload[start : start + step])
                h.wfile.flush()
                time.sleep(0.01)
            return
        h.wfile.write(payload)


def reset(h: BaseHTTPRequestHandler) -> None:
    h.close_connection = True
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.rfile.close()
    h.wfile.close()
    h.connection.close()


def main(seed: int, fault_rate: float, max_requests: int, max_seconds: float) -> None:
    server = SoakServer(seed, fault_rate, max_requests)
    print(server.http.server_address[1], flush=True)
    timer = threading.Timer(max_seconds, server.http.shutdown)
    timer.daemon = True
    timer.start()
    stopper = threading.Thread(target=_stop_on_stdin_close, args=(server,), daemon=True)
    stopper.start()
    server.http.serve_forever(poll_interval=0.1)
    with server.lock:
        report = {"tally": dict(server.tally), "attempts": dict(server.attempts)}
    print(json.dumps(report), flush=True)


def _stop_on_stdin_close(server: SoakServer) -> None:
    sys.stdin.read()  # the parent closes our stdin (or dies): stop
    server.http.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
