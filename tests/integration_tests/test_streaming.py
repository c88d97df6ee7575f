"""Streaming speech: progressive delivery, faithful aggregation, failures that keep what arrived."""

from __future__ import annotations

import base64
import functools
import json
import operator
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import AIMessageChunk, HumanMessage

from langchain_azure_audio import (
    StreamInterruptedError,
    aiter_pcm,
    asave_stream,
    iter_pcm,
    merge_chunks,
    save_stream,
)
from langchain_azure_audio._azure.replay import strict_vcr
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

HELLO = "Say hello to the listeners."
GREETING = "Hello to all our listeners, welcome back."


def cassette() -> Any:
    return strict_vcr().use_cassette(str(CASSETTES / "streams.json"), allow_playback_repeats=True)


def streamed_events(index: int) -> list[str]:
    """The SSE events of one interaction in streams.json, as the server sends them."""
    data = json.loads((CASSETTES / "streams.json").read_text())
    body: str = data["interactions"][index]["response"]["body"]["string"]
    return [event + "\n\n" for event in body.split("\n\n") if event]


def streamed_pcm(index: int) -> bytes:
    return b"".join(
        base64.b64decode(choice["delta"]["audio"]["data"])
        for event in streamed_events(index)
        if event.startswith("data: {")
        for choice in json.loads(event[6:]).get("choices") or []
        if (choice.get("delta") or {}).get("audio", {}).get("data")
    )


# ------------------------------------------------------------ aggregation


def test_aggregate_has_the_shape_of_invoke() -> None:
    with cassette():
        chunks = list(make_llm().stream(HELLO))
    message = merge_chunks(chunks)
    assert message.content == GREETING
    assert set(message.additional_kwargs["audio"]) == {"id", "data", "expires_at", "transcript"}
    audio_block = next(b for b in message.content_blocks if b["type"] == "audio")
    assert audio_block["mime_type"] == "audio/pcm"  # type: ignore[typeddict-item]
    assert audio_block["id"] == "audio_synthetic_0021"
    assert base64.b64decode(audio_block["base64"]) == streamed_pcm(0)  # type: ignore[typeddict-item]
    reduced = functools.reduce(operator.add, chunks)
    assert reduced.additional_kwargs == message.additional_kwargs
    assert reduced.usage_metadata == message.usage_metadata


class FinalMessage(BaseCallbackHandler):
    """Keeps the final message langchain-core hands to callbacks and tracers."""

    def __init__(self) -> None:
        self.message: Any = None

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.message = response.generations[0][0].message


@pytest.mark.parametrize("asynchronous", [False, True], ids=["stream", "astream"])
async def test_callbacks_get_the_complete_final_message(asynchronous: bool) -> None:
    """`stream()` builds the message for on_llm_end (LangSmith, astream_events) from the
    chunks; it must be the whole answer, with the shape `+` gives, serialised as a plain
    AIMessageChunk."""
    from langchain_core.load import dumpd

    handler = FinalMessage()
    config: Any = {"callbacks": [handler]}
    with cassette():
        llm = make_llm()
        chunks = (
            [c async for c in llm.astream(HELLO, config=config)]
            if asynchronous
            else list(llm.stream(HELLO, config=config))
        )
    final = handler.message
    reduced = functools.reduce(operator.add, chunks)
    assert final.content == reduced.content == GREETING
    assert final.additional_kwargs == reduced.additional_kwargs
    assert final.usage_metadata == reduced.usage_metadata
    assert final.response_metadata == reduced.response_metadata
    assert base64.b64decode(final.additional_kwargs["audio"]["data"]) == streamed_pcm(0)
    assert dumpd(final)["id"] == ["langchain", "schema", "messages", "AIMessageChunk"]


async def test_astream_events_end_with_the_whole_answer() -> None:
    with cassette():
        events = [e async for e in make_llm().astream_events(HELLO, version="v2")]
    end = next(e for e in events if e["event"] == "on_chat_model_end")
    output = end["data"]["output"]
    assert output.content == GREETING
    assert base64.b64decode(output.additional_kwargs["audio"]["data"]) == streamed_pcm(0)


def test_multiturn_across_streamed_answers() -> None:
    llm = make_llm()
    with cassette():
        first = merge_chunks(list(llm.stream(HELLO)))
        follow_up = [HumanMessage(HELLO), first, HumanMessage("Now say goodbye.")]
        second = merge_chunks(list(llm.stream(follow_up)))
    assert second.content == "Goodbye, and thanks for listening."


async def test_multiturn_across_streamed_answers_async() -> None:
    llm = make_llm()
    with cassette():
        first = merge_chunks([c async for c in llm.astream(HELLO)])
        follow_up = [HumanMessage(HELLO), first, HumanMessage("Now say goodbye.")]
        second = merge_chunks([c async for c in llm.astream(follow_up)])
    assert second.content == "Goodbye, and thanks for listening."


# ------------------------------------------------------- progressive audio


def test_iter_pcm_delivers_every_byte_in_whole_samples() -> None:
    with cassette():
        pieces = list(iter_pcm(make_llm().stream(HELLO)))
    assert len(pieces) > 3
    assert all(len(piece) % 2 == 0 for piece in pieces)
    assert b"".join(pieces) == streamed_pcm(0)


async def test_aiter_pcm_delivers_every_byte() -> None:
    with cassette():
        pieces = [p async for p in aiter_pcm(make_llm().astream(HELLO))]
    assert b"".join(pieces) == streamed_pcm(0)


def test_save_stream_writes_a_playable_wav(tmp_path: Path) -> None:
    with cassette():
        message = save_stream(make_llm().stream(HELLO), tmp_path / "hello.wav")
    with wave.open(str(tmp_path / "hello.wav")) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        assert wav.readframes(wav.getnframes()) == streamed_pcm(0)
    assert message.content == GREETING


async def test_asave_stream(tmp_path: Path) -> None:
    with cassette():
        message = await asave_stream(make_llm().astream(HELLO), tmp_path / "hello.wav")
    assert message.additional_kwargs["audio"]["id"] == "audio_synthetic_0021"
    with wave.open(str(tmp_path / "hello.wav")) as wav:
        assert wav.readframes(wav.getnframes()) == streamed_pcm(0)


def test_transcript_reaches_token_callbacks_and_events() -> None:
    class Tokens(BaseCallbackHandler):
        def __init__(self) -> None:
            self.tokens: list[str] = []

        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            self.tokens.append(token)

    handler = Tokens()
    with cassette():
        list(make_llm().stream(HELLO, config={"callbacks": [handler]}))
    assert "".join(handler.tokens) == GREETING


async def test_astream_events_see_words() -> None:
    with cassette():
        events = [
            event["data"]["chunk"].content
            async for event in make_llm().astream_events(HELLO, version="v2")
            if event["event"] == "on_chat_model_stream"
        ]
    assert "".join(events) == GREETING


class DripStream(httpx2.SyncByteStream):
    """Serves SSE events one by one and counts how many have left the server."""

    def __init__(self, events: list[str], fail_after: int | None = None) -> None:
        self.events, self.sent, self.fail_after = events, 0, fail_after

    def __iter__(self) -> Iterator[bytes]:
        for event in self.events:
            if self.fail_after is not None and self.sent == self.fail_after:
                raise httpx2.RemoteProtocolError("peer closed connection mid-body")
            self.sent += 1
            yield event.encode()


def drip_llm(stream: DripStream) -> Any:
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(
            200, headers={"content-type": "text/event-stream"}, stream=stream
        )
    )
    return make_llm(http_client=httpx2.Client(transport=transport))


def test_chunks_are_yielded_as_they_arrive_not_after_the_whole_answer() -> None:
    drip = DripStream(streamed_events(0))
    first_audio_at = None
    for chunk in drip_llm(drip).stream(HELLO):
        if chunk.additional_kwargs.get("audio", {}).get("data"):
            first_audio_at = drip.sent
            break
    assert first_audio_at is not None
    assert first_audio_at < len(drip.events) / 2


# ----------------------------------------------------------------- failures


def test_body_cut_off_half_way_raises_with_what_arrived(tmp_path: Path) -> None:
    received: list[AIMessageChunk] = []
    with cassette(), pytest.raises(StreamInterruptedError) as caught:
        received.extend(make_llm().stream("Read me a story."))
    partial = caught.value.partial
    assert "cut off" in str(caught.value)
    assert str(partial.content).startswith("Once upon a time")
    assert partial.response_metadata["incomplete"] is True
    data = base64.b64decode(partial.additional_kwargs["audio"]["data"], validate=True)
    assert len(data) > 0
    assert partial.content == "".join(str(c.content) for c in received)


def test_error_event_mid_stream_is_typed_and_keeps_the_partial() -> None:
    with cassette(), pytest.raises(StreamInterruptedError) as caught:
        list(make_llm().stream("Read me another story."))
    assert caught.value.code == "server_error"
    assert "The server had an error" in str(caught.value)
    assert caught.value.partial.content


async def test_error_event_mid_astream() -> None:
    with cassette(), pytest.raises(StreamInterruptedError, match="server_error"):
        [c async for c in make_llm().astream("Read me another story.")]


def test_connection_dropped_mid_stream_keeps_the_partial() -> None:
    events = streamed_events(0)
    drip = DripStream(events, fail_after=len(events) // 2)
    with pytest.raises(StreamInterruptedError, match="RemoteProtocolError") as caught:
        list(drip_llm(drip).stream(HELLO))
    assert caught.value.partial.content
    assert not caught.value.partial.usage_metadata  # the usage chunk never came


def test_save_stream_leaves_no_file_when_the_stream_fails(tmp_path: Path) -> None:
    with cassette(), pytest.raises(StreamInterruptedError):
        save_stream(make_llm().stream("Read me a story."), tmp_path / "story.wav")
    assert list(tmp_path.iterdir()) == []
