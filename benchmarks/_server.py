"""A local stand-in for the Azure audio endpoint, on 127.0.0.1 only.

It answers `POST /openai/deployments/<name>/chat/completions` with a canned
JSON body, or a canned server-sent-event stream when the request says
`"stream": true`, after an optional latency. It is bounded: it serves at
most `max_requests` requests and shuts itself down after `max_seconds`.

The canned bodies come from the real recordings in `../shared/recordings`,
read at run time (never copied into the repo), or from the project's own
synthetic cassettes when `../shared` is absent.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RECORDINGS = ROOT.parent / "shared" / "recordings"
CASSETTES = ROOT / "cassettes"
PCM_BYTES_PER_SECOND = 48_000


class CannedServer:
    """A bounded local server replaying one JSON answer and one stream."""

    def __init__(
        self,
        *,
        json_body: bytes,
        stream_body: bytes,
        latency: float = 0.0,
        max_requests: int = 20_000,
        max_seconds: float = 900.0,
    ) -> None:
        self.json_body, self.stream_body, self.latency = json_body, stream_body, latency
        self.requests = 0
        self.body_sizes: list[int] = []  # of every request received, to check what was sent
        self.lock = threading.Lock()
        self.in_flight = self.max_in_flight = 0  # requests being answered, and the most at once
        self.max_requests = max_requests
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the real service

            def setup(self) -> None:
                super().setup()
                # As real HTTP servers do: without it, Nagle's algorithm holds a small
                # body back until the client's delayed ACK of the headers (~40 ms).
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.requests += 1
                    outer.body_sizes.append(len(body))
                    over_budget = outer.requests > outer.max_requests
                    outer.in_flight += 1
                    outer.max_in_flight = max(outer.max_in_flight, outer.in_flight)
                try:
                    self._answer(body, over_budget)
                finally:
                    with outer.lock:
                        outer.in_flight -= 1

            def _answer(self, body: bytes, over_budget: bool) -> None:
                if over_budget:
                    self.send_error(503, "benchmark server request budget used up")
                    return
                if outer.latency:
                    time.sleep(outer.latency)
                streaming = b'"stream":true' in body or b'"stream": true' in body  # no copy
                payload = outer.stream_body if streaming else outer.json_body
                kind = "text/event-stream; charset=utf-8" if streaming else "application/json"
                self.send_response(200)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                if streaming:  # event by event, as a real stream arrives
                    for event in payload.split(b"\n\n"):
                        if event:
                            self.wfile.write(event + b"\n\n")
                    self.wfile.flush()
                else:
                    self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._deadline = threading.Timer(max_seconds, self._server.shutdown)
        self._deadline.daemon = True

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CannedServer:
        self._thread.start()
        self._deadline.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._deadline.cancel()
        self._server.shutdown()
        self._server.server_close()


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog (5) drops SYNs under 20+ concurrent clients


# ------------------------------------------------------------- canned bodies


def _recorded_stream_events() -> tuple[list[dict[str, Any]], str]:
    """Chunks of a real streamed answer (or a synthetic one) and where they came from."""
    real = RECORDINGS / "chat_audio_in_audio_out_multiturn.gpt-4o-audio-preview-2025-06-03.json"
    if real.is_file():
        lines = json.loads(real.read_text())["Entries"][1]["ResponseBody"]
        source = f"real recording {real.name} (read from ../shared at run time)"
    else:
        interaction = json.loads((CASSETTES / "streams.json").read_text())["interactions"][0]
        lines = [e + "\n\n" for e in interaction["response"]["body"]["string"].split("\n\n")]
        source = "synthetic cassette cassettes/streams.json (../shared absent)"
    chunks = [json.loads(line[6:]) for line in lines if line.startswith("data: {")]
    return chunks, source


def long_stream(seconds: float = 60.0) -> tuple[bytes, int, str]:
    """An SSE body of about `seconds` of audio, made by repeating a real answer's chunks.

    Returns the body, the number of PCM bytes it carries, and its source. The
    audio id is sent once (and repeated on the first data chunk, as the real
    service does); usage comes before the final `expires_at` chunk.
    """
    chunks, source = _recorded_stream_events()

    def audio(chunk: dict[str, Any]) -> dict[str, Any]:
        choices = chunk.get("choices") or [{}]
        return (choices[0].get("delta") or {}).get("audio") or {}

    data_chunks = [c for c in chunks if audio(c).get("data")]
    text_chunks = [c for c in chunks if audio(c).get("transcript")]
    head = [c for c in chunks if c.get("choices") and not audio(c)][:1]
    usage = [c for c in chunks if c.get("usage")]
    tail = [c for c in chunks if audio(c).get("expires_at")]
    per_round = sum(len(base64.b64decode(audio(c)["data"])) for c in data_chunks)
    rounds = max(1, round(seconds * PCM_BYTES_PER_SECOND / per_round))
    body: list[dict[str, Any]] = list(head)
    first = True
    for _ in range(rounds):
        for i in range(max(len(data_chunks), len(text_chunks))):
            if i < len(text_chunks):
                chunk = json.loads(json.dumps(text_chunks[i]))
                if not first:
                    audio(chunk).pop("id", None)
                body.append(chunk)
            if i < len(data_chunks):
                chunk = json.loads(json.dumps(data_chunks[i]))
                if not first:
                    audio(chunk).pop("id", None)
                body.append(chunk)
            first = False
            body.append({"id": chunks[0]["id"], "object": "chat.completion.chunk", "usage": None})
    body += usage + tail
    text = "".join(f"data: {json.dumps(c)}\n\n" for c in body) + "data: [DONE]\n\n"
    return text.encode(), rounds * per_round, source


def small_answer() -> tuple[bytes, str]:
    """A small non-streamed audio answer (JSON), real when ../shared is there."""
    real = RECORDINGS / "chat_audio_in_audio_out_multiturn.gpt-4o-audio-preview-2025-06-03.json"
    if real.is_file():
        body = json.loads(real.read_text())["Entries"][0]["ResponseBody"]
        return json.dumps(body).encode(), f"real recording {real.name}"
    interaction = json.loads((CASSETTES / "modalities.json").read_text())["interactions"][0]
    return interaction["response"]["body"]["string"].encode(), "synthetic cassette"


def short_answer(seconds: float = 0.1) -> tuple[bytes, str]:
    """A small answer: the small answer above with its audio cut to its first `seconds`.

    For the many-small-requests benchmarks, where the fixed per-request costs
    should show rather than the parsing of a few hundred kB of audio.
    """
    body, source = small_answer()
    answer = json.loads(body)
    audio = answer["choices"][0]["message"]["audio"]
    keep = int(seconds * PCM_BYTES_PER_SECOND) // 3 * 4  # whole base64 quanta
    audio["data"] = audio["data"][:keep]
    return json.dumps(answer).encode(), f"{source}, audio cut to {seconds:g} s"
