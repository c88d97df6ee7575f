"""A synthetic stand-in for the Azure audio chat-completions service.

Builds response bodies shaped like the real service's (the fields of the real
recordings in ../shared/recordings, their stream quirks, and Azure's
`prompt_filter_results` / `content_filter_results` / error bodies), with
speech synthesised on this machine by espeak-ng + sox (a tone without them).
Used by `generate_cassettes.py` and by `record_cassettes.py --synthetic`
(as an in-process `httpx2` transport: no socket, no network).

Nothing here is recorded from Azure: cassettes made with it are marked
synthetic.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import shutil
import struct
import subprocess
from typing import Any

import httpx2

from langchain_azure_audio.audio import pcm16_to_wav

MODEL = "gpt-4o-mini-audio-preview-2024-12-17"
MODEL_VERSIONS = {
    "gpt-4o-mini-audio-preview": MODEL,
    "gpt-4o-audio-preview": "gpt-4o-audio-preview-2025-06-03",
    "gpt-audio-1.5": "gpt-audio-1.5-2026-02-23",
    "gpt-audio": "gpt-audio-2025-08-28",
    "gpt-audio-mini": "gpt-audio-mini-2025-12-15",
}
CREATED = 1764000000
EXPIRES_AT = 4102444800  # 2100-01-01: fixed and far away so replayed ids stay valid
RATE = 24_000

FILTER_OK = {
    "hate": {"filtered": False, "severity": "safe"},
    "self_harm": {"filtered": False, "severity": "safe"},
    "sexual": {"filtered": False, "severity": "safe"},
    "violence": {"filtered": False, "severity": "safe"},
}
PROMPT_FILTER_RESULTS = [{"prompt_index": 0, "content_filter_results": FILTER_OK}]


# ------------------------------------------------------------------- audio


def speech_pcm16(text: str) -> bytes:
    """24 kHz mono 16-bit PCM of `text` spoken by espeak-ng (or a tone without it)."""
    if shutil.which("espeak-ng") and shutil.which("sox"):
        spoken = subprocess.run(
            ["espeak-ng", "-v", "en-us", "-s", "170", "--stdout", text],
            check=True,
            capture_output=True,
        ).stdout
        return subprocess.run(
            [
                "sox",
                "-D",  # no dither: the output must be reproducible
                "-t",
                "wav",
                "-",
                "-r",
                str(RATE),
                "-c",
                "1",
                "-b",
                "16",
                "-e",
                "signed",
                "-t",
                "raw",
                "-",
            ],
            input=spoken,
            check=True,
            capture_output=True,
        ).stdout
    return tone_pcm16(0.2 + 0.05 * len(text.split()))


def tone_pcm16(seconds: float, hz: float = 220.0) -> bytes:
    frames = int(seconds * RATE)
    return b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / RATE))) for i in range(frames)
    )


def wav_bytes(pcm: bytes, rate: int = RATE) -> bytes:
    return pcm16_to_wav(pcm, sample_rate=rate)


def aac_bytes(pcm: bytes, rate: int = RATE) -> bytes:
    """pcm16 mono encoded as AAC in ADTS frames, the way the service sends `aac`
    (PyAV, which bundles FFmpeg's AAC encoder: `pip install av` to regenerate)."""
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, mode="w", format="adts") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"  # type: ignore[attr-defined]
        samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in [*stream.encode(frame), *stream.encode(None)]:  # type: ignore[attr-defined]
            container.mux(packet)
    return out.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# --------------------------------------------------------------- responses


def completion(
    n: int,
    transcript: str,
    *,
    audio_format: str | None = "wav",
    finish_reason: str = "stop",
    input_audio_tokens: int = 0,
    model: str = MODEL,
) -> dict[str, Any]:
    """A non-streamed answer shaped like the real service's, with Azure's extras."""
    message: dict[str, Any] = {"role": "assistant", "refusal": None, "annotations": []}
    audio_tokens = 0
    if audio_format:
        pcm = speech_pcm16(transcript)
        data = {"wav": wav_bytes, "aac": aac_bytes}.get(audio_format, lambda p: p)(pcm)
        message["content"] = None
        message["audio"] = {
            "id": f"audio_synthetic_{n:04d}",
            "data": b64(data),
            "expires_at": EXPIRES_AT,
            "transcript": transcript,
        }
        audio_tokens = max(1, len(pcm) // 2400)
    else:
        message["content"] = transcript
    text_tokens = len(transcript.split()) + 2
    choice = {
        "index": 0,
        "message": message,
        "finish_reason": finish_reason,
        "content_filter_results": FILTER_OK,
        "logprobs": None,
    }
    tokens = usage(
        12 + input_audio_tokens, input_audio_tokens, text_tokens + audio_tokens, audio_tokens
    )
    return envelope(n, model, choice, tokens)


def envelope(n: int, model: str, choice: dict[str, Any], tokens: dict[str, Any]) -> dict[str, Any]:
    """A non-streamed response around one choice, with Azure's prompt filter results."""
    return {
        "id": f"chatcmpl-synthetic{n:04d}",
        "object": "chat.completion",
        "created": CREATED + n,
        "model": model,
        "prompt_filter_results": PROMPT_FILTER_RESULTS,
        "choices": [choice],
        "usage": tokens,
        "system_fingerprint": "fp_synthetic",
    }


def usage(
    prompt: int, prompt_audio: int, completion_tokens: int, completion_audio: int
) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt + completion_tokens,
        "prompt_tokens_details": {
            "cached_tokens": 0,
            "audio_tokens": prompt_audio,
            "text_tokens": prompt - prompt_audio,
            "image_tokens": 0,
        },
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": completion_audio,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
            "text_tokens": completion_tokens - completion_audio,
        },
    }


def sse_stream(
    n: int, transcript: str, *, audio: bool = True, prompt_audio: int = 0, model: str = MODEL
) -> str:
    """A stream with every quirk of the real ones, and audio deltas of odd byte lengths.

    Chunks without `choices`, the audio id repeated on the first data chunk,
    no `finish_reason`, the usage chunk before the last chunk (which carries
    only `expires_at`), `obfuscation` noise, and data deltas whose byte lengths
    are not multiples of 3 (so each carries base64 padding).
    """
    base = {
        "id": f"chatcmpl-synthetic{n:04d}",
        "object": "chat.completion.chunk",
        "created": CREATED + n,
        "model": model,
        "system_fingerprint": "fp_synthetic",
    }
    chunks: list[dict[str, Any]] = [
        {**base, "choices": [], "prompt_filter_results": PROMPT_FILTER_RESULTS},
        {
            **base,
            "choices": [
                {"index": 0, "delta": {"role": "assistant", "refusal": None}, "finish_reason": None}
            ],
            "usage": None,
            "obfuscation": "x1",
        },
    ]
    words = transcript.split(" ")
    audio_id = f"audio_synthetic_{n:04d}"
    for i, word in enumerate(words):
        piece = word if i == 0 else " " + word
        delta: dict[str, Any] = (
            {"content": None, "audio": {"transcript": piece}} if audio else {"content": piece}
        )
        if audio and i == 0:
            delta["audio"]["id"] = audio_id
        chunks.append(
            {
                **base,
                "choices": [
                    {
                        "index": 0,
                        "delta": delta,
                        "finish_reason": None,
                        "content_filter_results": FILTER_OK,
                    }
                ],
                "usage": None,
                "obfuscation": "ab",
            }
        )
        chunks.append({**base, "usage": None, "obfuscation": "noise"})  # no "choices" at all
    audio_tokens = 0
    if audio:
        pcm = speech_pcm16(transcript)
        audio_tokens = max(1, len(pcm) // 2400)
        sizes = [4801, 4799, 9602, 1, 2, 7000]  # odd sizes: padding in the middle
        offset, k = 0, 0
        while offset < len(pcm):
            size = sizes[k % len(sizes)]
            piece_audio: dict[str, Any] = {"data": b64(pcm[offset : offset + size])}
            if k == 0:
                piece_audio["id"] = audio_id  # the service repeats the id here
            chunks.append(
                {
                    **base,
                    "choices": [
                        {"index": 0, "delta": {"audio": piece_audio}, "finish_reason": None}
                    ],
                    "usage": None,
                    "obfuscation": "cd",
                }
            )
            chunks.append({**base, "usage": None, "obfuscation": "noise"})
            offset += size
            k += 1
    text_tokens = len(words) + 2
    chunks.append(
        {
            **base,
            "choices": [],
            "usage": usage(
                18 + prompt_audio, prompt_audio, text_tokens + audio_tokens, audio_tokens
            ),
            "obfuscation": "u",
        }
    )
    if audio:
        chunks.append(
            {
                **base,
                "choices": [{"index": 0, "delta": {"audio": {"expires_at": EXPIRES_AT}}}],
                "usage": None,
                "obfuscation": "e",
            }
        )
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"


def azure_error(code: str | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "param": None, "type": None, **extra}}


# ------------------------------------------------------------ the responder


def answer_text(body: dict[str, Any]) -> str:
    """A short, deterministic answer: a tool's result when one just came back, else
    what it heard (text, or audio)."""
    last = body["messages"][-1]
    if last.get("role") == "tool":
        return str(last.get("content"))
    last = next((m for m in reversed(body["messages"]) if m.get("role") == "user"), {})
    content = last.get("content")
    if isinstance(content, list):
        heard_audio = any(p.get("type") == "input_audio" for p in content)
        texts = [p.get("text", "") for p in content if p.get("type") == "text"]
        content = "audio" if heard_audio else " ".join(texts)
    words = str(content or "").split()[:3]
    return f"You said {' '.join(words)}." if words else "Hello."


def tool_to_call(body: dict[str, Any]) -> dict[str, Any] | None:
    """The function the synthetic model calls, if any: the forced one, else the first
    tool, unless a tool result just came back or tool_choice is "none"."""
    tools = body.get("tools") or []
    choice = body.get("tool_choice", "auto")
    if tools and choice == "required" and body["messages"][-1].get("role") == "tool":
        # Made to call a tool again after a result: one it has not called yet (how a
        # real model ends an agent's loop with the structured-output tool).
        called = {
            call["function"]["name"]
            for message in body["messages"]
            for call in message.get("tool_calls") or []
        }
        fresh = [t["function"] for t in tools if t["function"]["name"] not in called]
        return fresh[-1] if fresh else None
    if not tools or choice == "none" or body["messages"][-1].get("role") == "tool":
        return None
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        return next(t["function"] for t in tools if t["function"]["name"] == name)
    return tools[0]["function"]  # type: ignore[no-any-return]


def example_arguments(schema: dict[str, Any], said: str = "") -> dict[str, Any]:
    """Plausible arguments for a JSON schema, taken from what the user said where it can:
    numbers in order for integer/number fields, a quoted phrase for the first string."""
    numbers = [int(n) for n in re.findall(r"\b\d+\b", said)]
    quoted = re.findall(r"'([^']+)'", said)
    properties = schema.get("properties") or {}
    out: dict[str, Any] = {}
    for name in schema.get("required", list(properties)):
        spec = properties.get(name, {})
        kind = spec.get("type", "string")
        if "enum" in spec:
            out[name] = spec["enum"][0]
        elif kind == "object":
            out[name] = example_arguments(spec, said)
        elif kind == "array":
            out[name] = []
        elif kind in ("integer", "number"):
            out[name] = numbers.pop(0) if numbers else 2
        elif kind == "boolean":
            out[name] = True
        elif name in ("city", "location"):
            out[name] = "Paris"
        else:
            out[name] = quoted.pop(0) if quoted else f"example {name}"
    return out


def last_user_text(body: dict[str, Any]) -> str:
    last = next((m for m in reversed(body["messages"]) if m.get("role") == "user"), {})
    content = last.get("content")
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if p.get("type") == "text")
    return str(content or "")


def tool_call_completion(
    n: int, function: dict[str, Any], model: str, said: str = ""
) -> dict[str, Any]:
    arguments = json.dumps(example_arguments(function.get("parameters") or {}, said))
    choice = {
        "index": 0,
        "finish_reason": "tool_calls",
        "content_filter_results": {},
        "message": {"role": "assistant", "content": None, "refusal": None, "tool_calls": [
            {"id": f"call_synthetic{n:04d}", "type": "function",
             "function": {"name": function["name"], "arguments": arguments}},
        ]},
    }  # fmt: skip
    return envelope(n, model, choice, usage(40, 0, 12, 0))


def tool_call_stream(n: int, function: dict[str, Any], model: str, said: str = "") -> str:
    """A streamed tool call: name first, then the arguments in pieces, as the service does."""
    arguments = json.dumps(example_arguments(function.get("parameters") or {}, said))
    base = {
        "id": f"chatcmpl-synthetic{n:04d}",
        "object": "chat.completion.chunk",
        "created": CREATED + n,
        "model": model,
        "system_fingerprint": "fp_synthetic",
    }
    first = {
        "index": 0,
        "id": f"call_synthetic{n:04d}",
        "type": "function",
        "function": {"name": function["name"], "arguments": ""},
    }
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": None, "tool_calls": [first]}]
    deltas += [
        {"tool_calls": [{"index": 0, "function": {"arguments": arguments[i : i + 7]}}]}
        for i in range(0, len(arguments), 7)
    ]
    chunks = [{**base, "choices": [], "prompt_filter_results": PROMPT_FILTER_RESULTS}]
    chunks += [
        {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]})
    chunks.append({**base, "choices": [], "usage": usage(40, 0, 12, 0)})
    return "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"


class SyntheticAzure:
    """An `httpx2` transport handler answering like the Azure audio service.

    Every answer is numbered, so ids are distinct and reproducible. With tools
    bound it calls one (arguments made up from its schema), then answers with
    the tool's result once that comes back.
    """

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.count += 1
        modalities = body.get("modalities") or ["text"]
        audio_format = (body.get("audio") or {}).get("format") if "audio" in modalities else None
        transcript = answer_text(body)
        model = MODEL_VERSIONS.get(body.get("model", ""), MODEL)
        has_audio = any(
            part.get("type") == "input_audio"
            for message in body["messages"]
            if isinstance(message.get("content"), list)
            for part in message["content"]
        )
        prompt_audio = 20 if has_audio else 0
        headers = {"apim-request-id": f"00000000-0000-4000-8000-{self.count:012d}",
                   "x-ms-region": "Sweden Central"}  # fmt: skip
        function = tool_to_call(body)
        if body.get("stream"):
            text = (
                tool_call_stream(self.count, function, model, last_user_text(body)) if function
                else sse_stream(self.count, transcript, audio=bool(audio_format),
                                prompt_audio=prompt_audio, model=model)
            )  # fmt: skip
            headers["content-type"] = "text/event-stream; charset=utf-8"
            return httpx2.Response(200, headers=headers, content=text.encode())
        answer = (
            tool_call_completion(self.count, function, model, last_user_text(body)) if function
            else completion(self.count, transcript, audio_format=audio_format,
                            input_audio_tokens=prompt_audio, model=model)
        )  # fmt: skip
        return httpx2.Response(200, headers=headers, json=answer)


class SyntheticNarrator(SyntheticAzure):
    """The synthetic service as an audiobook narrator, with controllable faithfulness.

    It reads the user's text back as the transcript (pcm16 audio), except for
    texts containing a key of `skips`: their first N readings drop the second
    half of the words (a model skipping text), and a key of `never` is never
    read faithfully. `speech=False` answers with a short tone instead of
    espeak speech, to keep a long book's cassette small.
    """

    def __init__(
        self, *, speech: bool = True, skips: dict[str, int] | None = None,
        never: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        super().__init__()
        self.speech, self.skips, self.never = speech, dict(skips or {}), never
        self.readings: dict[str, int] = {}

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content)
        self.count += 1
        text = str(body["messages"][-1]["content"])
        self.readings[text] = self.readings.get(text, 0) + 1
        spoken = text
        unfaithful = any(key in text for key in self.never) or any(
            key in text and self.readings[text] <= times for key, times in self.skips.items()
        )
        if unfaithful:
            words = text.split()
            spoken = " ".join(words[: max(1, len(words) // 2)])
        pcm = speech_pcm16(spoken) if self.speech else tone_pcm16(0.1, hz=330.0)
        answer = completion(self.count, spoken, audio_format="pcm16")
        answer["choices"][0]["message"]["audio"]["data"] = b64(pcm)
        return httpx2.Response(200, json=answer, headers={"x-ms-region": "Sweden Central"})
