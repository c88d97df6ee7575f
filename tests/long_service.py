"""A scripted "listening" service for long-recording tests (SYNTHETIC, loopback/mock only).

It knows the test recording it will hear (the ground truth written by
`scripts/make_long_recording.py`): for each request it decodes the input
audio, finds where that audio sits in the original recording by matching
energy envelopes (10 ms frames, FFT cross-correlation), and answers with the
recorded utterances that lie there. So it checks our timestamps
independently of our own bookkeeping: `located` holds, for every request, the
offset it found and the duration it heard.

As an httpx2 handler it plugs into `httpx2.MockTransport`; `serve()` puts it
on 127.0.0.1 for subprocess tests (kill and resume, the CLI).
"""

from __future__ import annotations

import base64
import io
import json
import re
import string
import threading
import time
import wave
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
import numpy as np

from langchain_azure_audio._model.instructions import (
    ASK_ANSWER_INSTRUCTION,
    ASK_PART_INSTRUCTION,
    NOTHING_RELEVANT,
    TRANSLATE_INSTRUCTION,
)

RATE = 24_000
FRAME = 240  # 10 ms


def envelope(pcm: np.ndarray) -> np.ndarray:
    """Log energy per 10 ms frame."""
    frames = len(pcm) // FRAME
    x = pcm[: frames * FRAME].astype(np.float64).reshape(frames, FRAME)
    return np.log10((x**2).mean(axis=1) + 1.0)


def read_wav_pcm(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == RATE
        assert w.getnchannels() == 1
        assert w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def decode_any(data: bytes) -> np.ndarray:
    """Mono pcm16 at 24 kHz from WAV bytes (or anything PyAV reads)."""
    if data[:4] == b"RIFF":
        return read_wav_pcm(data)
    import av

    out = bytearray()
    with av.open(io.BytesIO(data)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        for frame in container.decode(audio=0):
            for piece in resampler.resample(frame):
                out += bytes(piece.planes[0])[: piece.samples * 2]
        for piece in resampler.resample(None):
            out += bytes(piece.planes[0])[: piece.samples * 2]
    return np.frombuffer(bytes(out), dtype="<i2")


@dataclass
class Heard:
    offset: float
    """Seconds: where the heard audio starts in the original recording (found by matching)."""
    duration: float
    text: str
    instruction: str


@dataclass
class SyntheticListener:
    """Answers transcription and question requests about one known recording."""

    original: np.ndarray
    utterances: list[dict[str, Any]]
    fail: Callable[[Heard], int | None] = lambda heard: None
    """Return an HTTP status to fail a request for this audio (e.g. 500), or None."""
    delay: float = 0.0
    """Seconds each audio request takes (served on loopback: slows a run down to kill it)."""
    located: list[Heard] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._env = envelope(self.original)

    @classmethod
    def from_files(cls, wav: Path, truth: Path, **kwargs: Any) -> SyntheticListener:
        data = json.loads(truth.read_text())
        return cls(read_wav_pcm(wav.read_bytes()), data["utterances"], **kwargs)

    def locate(self, pcm: np.ndarray) -> float:
        """Seconds into the original where `pcm` matches best (normalised correlation)."""
        probe = envelope(pcm)
        n, m = len(self._env), len(probe)
        if m == 0 or m > n:
            return 0.0
        p = probe - probe.mean()
        size = 1 << (n + m).bit_length()
        corr = np.fft.irfft(np.fft.rfft(self._env, size) * np.conj(np.fft.rfft(p, size)), size)
        corr = corr[: n - m + 1]
        # normalise by the local energy of the original window (sliding sums)
        c1 = np.concatenate(([0.0], np.cumsum(self._env)))
        c2 = np.concatenate(([0.0], np.cumsum(self._env**2)))
        sums = c1[m:] - c1[:-m]
        sq = c2[m:] - c2[:-m]
        var = np.maximum(sq - sums**2 / m, 1e-9)
        score = corr / np.sqrt(var)
        return float(np.argmax(score)) * FRAME / RATE

    def said_between(self, start: float, end: float) -> list[dict[str, Any]]:
        return [u for u in self.utterances if start <= (u["start"] + u["end"]) / 2 < end]

    def words_heard(self, start: float, end: float) -> str:
        """The words said in `[start, end)`, as a transcriber writes them: each sentence
        ends with a full stop. A sentence cut by the audio's edge gives the words whose
        middle is inside (placed by their letters along the utterance: the truth has no
        word timings, and a real service hears only the audio it is sent)."""
        out: list[str] = []
        for u in self.utterances:
            if u["end"] <= start or u["start"] >= end:
                continue
            words = transcribed(u).split()
            sizes = [len(w) + 1 for w in words]
            total, before = sum(sizes), 0
            for i, (word, size) in enumerate(zip(words, sizes, strict=True)):
                middle = u["start"] + (u["end"] - u["start"]) * (before + size / 2) / total
                before += size
                if start <= middle < end:
                    last = i == len(words) - 1 and not word.endswith((".", "?", "!"))
                    out.append(word + ("." if last else ""))
        return " ".join(out)

    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        messages = body["messages"]
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = messages[-1]["content"]
        parts = user if isinstance(user, list) else [{"type": "text", "text": user}]
        audio = next((p for p in parts if p.get("type") == "input_audio"), None)
        question = " ".join(p.get("text", "") for p in parts if p.get("type") == "text")
        if audio is None:  # the final answer, from notes: spoken (text in, audio out)
            return 200, spoken_completion(self._final_answer(system, question), body["audio"])
        if self.delay:
            time.sleep(self.delay)
        pcm = decode_any(base64.b64decode(audio["input_audio"]["data"]))
        offset = self.locate(pcm)
        duration = len(pcm) / RATE
        said = self.said_between(offset, offset + duration)
        text = self.words_heard(offset, offset + duration)
        heard = Heard(offset, duration, text, system)
        with self.lock:
            self.located.append(heard)
        status = self.fail(heard)
        if status is not None:
            return status, {"error": {"code": "InternalServerError", "message": "synthetic"}}
        if system.startswith(TRANSLATE_INSTRUCTION.split("{")[0]):
            return 200, completion(translate_numbered(question))
        if system == ASK_PART_INSTRUCTION:
            words = _keywords(question)
            hits = [spoken(u) for u in said if words & _keywords(spoken(u))]
            return 200, completion(" ".join(hits) if hits else NOTHING_RELEVANT)
        return 200, completion(text)

    def _final_answer(self, system: str, prompt: str) -> str:
        assert system == ASK_ANSWER_INSTRUCTION
        notes = [line.split("] ", 1)[1] for line in prompt.splitlines() if line.startswith("[")]
        return f"From the recording: {' '.join(notes)}" if notes else "It is not discussed."

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        status, body = self.answer(json.loads(request.content))
        return httpx2.Response(status, json=body)


def spoken(utterance: dict[str, Any]) -> str:
    """What an utterance says: its text, or (a real clip with no known text) its source."""
    return utterance["text"] or f"[{Path(utterance['source']).stem}]"


def transcribed(utterance: dict[str, Any]) -> str:
    """What a transcriber writes for an utterance: its text; for a real clip whose words
    are not known, stand-in words (`hello-a hello-b`, from the file's name), about 15
    letters a second of it, as a transcript of that much speech holds."""
    if utterance["text"]:
        return str(utterance["text"])
    label = re.sub(r"[^a-z]", "", Path(utterance["source"]).stem.split(":")[-1])[:5]
    count = max(1, round((utterance["end"] - utterance["start"]) * 15 / (len(label) + 2)))
    return " ".join(f"{label}-{string.ascii_lowercase[i % 26]}" for i in range(count))


def fake_translation(sentence: str) -> str:
    """The scripted service's "translation": every word's letters reversed, numbers and
    the closing full stop kept (`Sentence 17 the kettle.` → `ecnetneS 17 eht elttek.`), so
    a test can tell each translated sentence, and its source, apart."""
    stop = "." if sentence.endswith(".") else ""
    words = sentence.removesuffix(".").split()
    return " ".join(w if w.isdigit() else w[::-1] for w in words) + stop


def translate_numbered(prompt: str) -> str:
    """Numbered sentences in, numbered translations out (what the request asks)."""
    out = []
    for line in prompt.splitlines():
        number, _, sentence = line.partition(". ")
        out.append(f"{number}. {fake_translation(sentence)}")
    return "\n".join(out)


def _keywords(text: str) -> set[str]:
    return {w.strip(".,;:!?").casefold() for w in text.split() if len(w.strip(".,;:!?")) > 4}


def completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-synthetic-listener",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "gpt-audio-1.5-2026-02-23",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": text}}],
        "usage": {"prompt_tokens": 3000, "completion_tokens": 50, "total_tokens": 3050,
                  "prompt_tokens_details": {"audio_tokens": 3000, "cached_tokens": 0},
                  "completion_tokens_details": {"audio_tokens": 0, "text_tokens": 50}},
    }  # fmt: skip


def spoken_completion(text: str, audio: dict[str, Any]) -> dict[str, Any]:
    """A text-and-audio answer: a short tone as the speech, in the format asked for."""
    t = np.arange(RATE // 2) / RATE
    pcm = (3000 * np.sin(2 * np.pi * 330 * t)).astype("<i2").tobytes()
    if audio["format"] == "wav":
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(RATE), w.writeframes(pcm)
        pcm = buffer.getvalue()
    answer = completion(text)
    answer["choices"][0]["message"] = {"role": "assistant", "content": None, "audio": {
        "id": "audio_long_answer", "data": base64.b64encode(pcm).decode(),
        "expires_at": 4102444800, "transcript": text}}  # fmt: skip
    return answer


@contextmanager
def serve(listener: SyntheticListener) -> Iterator[str]:
    """The listener on 127.0.0.1 (an ephemeral port); yields its endpoint URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            status, body = listener.answer(json.loads(self.rfile.read(length)))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
