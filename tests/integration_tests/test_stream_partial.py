"""A cut-off stream hands back every audio byte that arrived, to the last one.

Audio deltas are re-cut on 3-byte boundaries while streaming, so up to two
bytes are held back at any moment; `StreamInterruptedError.partial` must
still carry them.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator

import httpx2
import pytest

from langchain_azure_audio import StreamInterruptedError
from tests.conftest import make_llm


def event(delta: dict[str, object]) -> bytes:
    chunk = {"id": "chatcmpl-cut", "object": "chat.completion.chunk",
             "choices": [{"index": 0, "delta": delta}]}  # fmt: skip
    return f"data: {json.dumps(chunk)}\n\n".encode()


class CutStream(httpx2.SyncByteStream):
    def __init__(self, events: list[bytes]) -> None:
        self.events = events

    def __iter__(self) -> Iterator[bytes]:
        yield from self.events
        raise httpx2.RemoteProtocolError("peer closed connection mid-body")


@pytest.mark.parametrize("sizes", [[1000, 1001], [1001, 1], [2], [4, 4, 4, 4]])
def test_partial_keeps_every_audio_byte_received(sizes: list[int]) -> None:
    rng = random.Random(sum(sizes))
    pieces = [rng.randbytes(n) for n in sizes]
    events = [event({"role": "assistant", "audio": {"id": "audio_cut", "transcript": "Once"}})]
    events += [event({"audio": {"data": base64.b64encode(p).decode()}}) for p in pieces]
    transport = httpx2.MockTransport(lambda request: httpx2.Response(
        200, headers={"content-type": "text/event-stream"}, stream=CutStream(events)))  # fmt: skip
    llm = make_llm(http_client=httpx2.Client(transport=transport))
    with pytest.raises(StreamInterruptedError) as caught:
        list(llm.stream("Read me a story."))
    partial = caught.value.partial
    received = base64.b64decode(partial.additional_kwargs["audio"]["data"], validate=True)
    assert received == b"".join(pieces)
    assert f"{len(received)} bytes of audio" in str(caught.value)
    assert partial.content == "Once"
