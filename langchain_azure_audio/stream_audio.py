"""Consume streamed speech as it arrives: raw PCM for playback, or a WAV file.

`AzureChatOpenAIAudio.stream()` yields `AIMessageChunk`s whose
`additional_kwargs["audio"]["data"]` holds base64 pieces of 24 kHz, mono,
16-bit little-endian PCM (the only format the service streams). These helpers
decode them chunk by chunk, re-cut on whole samples so every piece can go
straight to an audio device.

Example:
    ```python
    from langchain_azure_audio import AzureChatOpenAIAudio, iter_pcm, save_stream

    llm = AzureChatOpenAIAudio()
    for pcm in iter_pcm(llm.stream("Tell me a short story.")):
        player.write(pcm)  # e.g. a sounddevice.RawOutputStream(24000, channels=1, dtype="int16")

    answer = save_stream(llm.stream("Say hello."), "hello.wav")  # written as it arrives
    ```
"""

from __future__ import annotations

import binascii
import os
import uuid
import wave
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessageChunk, BaseMessageChunk

from langchain_azure_audio._translate.streaming import merge_chunks
from langchain_azure_audio.audio import PCM16_CHANNELS, PCM16_SAMPLE_RATE, PCM16_SAMPLE_WIDTH

__all__ = ["aiter_pcm", "asave_stream", "chunk_pcm", "iter_pcm", "save_stream"]


def chunk_pcm(chunk: BaseMessageChunk) -> bytes:
    """The audio bytes carried by one streamed chunk (`b""` when it has none)."""
    audio = chunk.additional_kwargs.get("audio")
    data = audio.get("data") if isinstance(audio, dict) else None
    return binascii.a2b_base64(data) if data else b""


class _SampleAligner:
    """Holds back a trailing odd byte so every piece is whole 16-bit samples."""

    def __init__(self) -> None:
        self._odd = b""

    def push(self, data: bytes) -> bytes:
        if not data:
            return b""
        data = self._odd + data
        cut = len(data) - len(data) % PCM16_SAMPLE_WIDTH
        self._odd = data[cut:]
        return data[:cut]


def iter_pcm(chunks: Iterable[BaseMessageChunk]) -> Iterator[bytes]:
    """Raw PCM (24 kHz, mono, int16 LE) from a stream, piece by piece, as it arrives."""
    aligner = _SampleAligner()
    for chunk in chunks:
        pcm = aligner.push(chunk_pcm(chunk))
        if pcm:
            yield pcm


async def aiter_pcm(chunks: AsyncIterable[BaseMessageChunk]) -> AsyncIterator[bytes]:
    """Async `iter_pcm`, for `astream()`."""
    aligner = _SampleAligner()
    async for chunk in chunks:
        pcm = aligner.push(chunk_pcm(chunk))
        if pcm:
            yield pcm


class _WavWriter:
    """A WAV file written as PCM arrives, renamed into place only when complete."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.part")
        self._wav: Any = wave.open(str(self._tmp), "wb")  # noqa: SIM115 (closed in finish/abort)
        self._wav.setnchannels(PCM16_CHANNELS)
        self._wav.setsampwidth(PCM16_SAMPLE_WIDTH)
        self._wav.setframerate(PCM16_SAMPLE_RATE)
        self._aligner = _SampleAligner()
        self._parts: list[AIMessageChunk] = []

    def add(self, chunk: BaseMessageChunk) -> None:
        pcm = self._aligner.push(chunk_pcm(chunk))
        if pcm:
            self._wav.writeframesraw(pcm)
        if isinstance(chunk, AIMessageChunk):
            self._parts.append(chunk)

    def finish(self) -> AIMessageChunk:
        self._wav.close()  # patches the header with the final sizes
        os.replace(self._tmp, self.path)
        return merge_chunks(self._parts)

    def abort(self) -> None:
        self._wav.close()
        self._tmp.unlink(missing_ok=True)


def save_stream(chunks: Iterable[BaseMessageChunk], path: str | os.PathLike[str]) -> AIMessageChunk:
    """Write a streamed answer to a WAV file as it arrives; return the whole message.

    The file appears at `path` only once the stream completed: an interrupted
    stream leaves no partial file (the error still carries what arrived).
    """
    writer = _WavWriter(path)
    try:
        for chunk in chunks:
            writer.add(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


async def asave_stream(
    chunks: AsyncIterable[BaseMessageChunk], path: str | os.PathLike[str]
) -> AIMessageChunk:
    """Async `save_stream`, for `astream()`."""
    writer = _WavWriter(path)
    try:
        async for chunk in chunks:
            writer.add(chunk)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()
