"""Request bodies: the SDK's JSON, byte for byte, with big audio streamed in slices."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from openai._utils._json import openapi_dumps

from langchain_azure_audio._azure.body import INLINE_LIMIT, SLICE, AsyncJsonBody, JsonBody

BIG = base64.b64encode(os.urandom(3 * SLICE)).decode()  # 4 MiB of base64, over the limit


def request(audio: str, text: str = "Describe this.") -> dict[str, Any]:
    return {
        "model": "gpt-audio-1.5",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": text},
                    {"type": "input_audio", "input_audio": {"data": audio, "format": "wav"}},
                ],
            }
        ],
        "modalities": ["text", "audio"],
        "audio": {"voice": "marin", "format": "wav"},
    }


def test_big_audio_body_is_exactly_the_sdks_json() -> None:
    body = JsonBody(request(BIG))
    sent = b"".join(body)
    assert sent == openapi_dumps(request(BIG))
    assert body.length == len(sent)


def test_big_audio_goes_in_slices_of_at_most_one_mib() -> None:
    pieces = list(JsonBody(request(BIG)))
    assert max(len(p) for p in pieces) <= SLICE
    assert len(pieces) >= len(BIG) // SLICE


def test_seek_and_read_replay_the_same_bytes() -> None:
    """The SDK rewinds a seekable body to resend it on a retry; httpx reads it in blocks."""
    body = JsonBody(request(BIG))
    expected = openapi_dumps(request(BIG))
    first = body.read(65_536)
    assert body.tell() == 65_536
    rest = b"".join(iter(lambda: body.read(65_536), b""))
    assert first + rest == expected
    assert body.seek(0) == 0
    assert b"".join(body) == expected
    assert body.seek(0, os.SEEK_END) == len(expected)


async def test_async_body_sends_the_same_bytes_and_rewinds() -> None:
    body = JsonBody(request(BIG)).aiter()
    assert isinstance(body, AsyncJsonBody)
    assert not hasattr(body, "__iter__")  # httpx must take it as an async stream
    once = b"".join([piece async for piece in body])
    body.seek(0)
    again = b"".join([piece async for piece in body])
    assert once == again == openapi_dumps(request(BIG))


def test_long_text_that_needs_escaping_is_escaped() -> None:
    text = 'a "quoted" line\n\\ ' * (INLINE_LIMIT // 8)
    body = JsonBody(request(BIG, text=text))
    assert json.loads(b"".join(body)) == request(BIG, text=text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_any_request_serialises_like_the_sdk(value: Any) -> None:
    payload = {"model": "m", "extra": value, "audio": BIG[: INLINE_LIMIT + 4]}
    assert b"".join(JsonBody(payload)) == openapi_dumps(payload)
