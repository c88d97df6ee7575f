"""Request bodies as JSON bytes sent in slices, so big audio inputs are never copied whole.

The `openai` SDK serialises a request dict with `json.dumps(...).encode()`:
for a 20 MiB WAV that is a 28 MB `str` and a 28 MB `bytes` on top of the
caller's base64, all at once. `JsonBody` writes the same JSON (the SDK's
settings: compact separators, UTF-8), but each long string that needs no JSON
escaping (base64 audio) is streamed straight from the caller's string in
1 MiB slices. It is seekable, the way the SDK recognises a body it may send
again on a retry, and httpx reads its length from it (`Content-Length`, no
chunked encoding).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any, Final

INLINE_LIMIT: Final = 256 * 1024
"""Strings shorter than this are serialised with the rest of the body."""
SLICE: Final = 1 << 20


class JsonBody:
    """A request dict as JSON bytes, read in slices; seekable, so the SDK can retry it.

    Iterate it (sync clients) or pass `body.aiter()` (async clients). httpx reads
    its length from `seek`/`tell` and sends `Content-Length`.
    """

    def __init__(self, request: Mapping[str, Any]) -> None:
        token = uuid.uuid4().hex
        big: list[str] = []

        def swap(value: Any) -> Any:
            if isinstance(value, str):
                if len(value) >= INLINE_LIMIT and _needs_no_escaping(value):
                    big.append(value)
                    return f"{token}:{len(big) - 1}"
                return value
            if isinstance(value, Mapping):
                return {key: swap(item) for key, item in value.items()}
            if isinstance(value, (list, tuple)):
                return [swap(item) for item in value]
            return value

        text = json.dumps(swap(request), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        self._parts: list[bytes | str] = []  # str parts are ASCII: one byte a character
        for index, value in enumerate(big):
            head, text = text.split(f'"{token}:{index}"', 1)
            self._parts += [head.encode() + b'"', value, b'"']
        self._parts.append(text.encode())
        self.length = sum(len(part) for part in self._parts)
        self._position = 0

    @property
    def headers(self) -> dict[str, str]:
        """Sent with the body; an explicit length keeps httpx from chunking an async body."""
        return {"Content-Type": "application/json", "Content-Length": str(self.length)}

    # The file-like surface the SDK checks before it retries a body, and httpx uses
    # to learn its length.
    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.length}[whence]
        self._position = min(max(0, base + offset), self.length)
        return self._position

    def read(self, size: int = -1) -> bytes:
        stop = self.length if size < 0 else min(self.length, self._position + size)
        data = b"".join(self._slices(self._position, stop))
        self._position = stop
        return data

    def __iter__(self) -> Iterator[bytes]:
        for piece in self._slices(self._position, self.length):
            self._position += len(piece)
            yield piece

    def aiter(self) -> AsyncJsonBody:
        """The same body for an async HTTP client."""
        return AsyncJsonBody(self)

    def _slices(self, start: int, stop: int) -> Iterator[bytes]:
        offset = 0
        for part in self._parts:
            begin, end = max(start, offset), min(stop, offset + len(part))
            for at in range(begin, end, SLICE):
                piece = part[at - offset : min(end, at + SLICE) - offset]
                yield piece if isinstance(piece, bytes) else piece.encode("ascii")
            offset += len(part)


class AsyncJsonBody:
    """`JsonBody` for async clients: async-iterable (and, for the SDK, seekable)."""

    def __init__(self, body: JsonBody) -> None:
        self._body = body
        self.seekable, self.tell = body.seekable, body.tell
        self.seek, self.read = body.seek, body.read

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._body:
            yield piece


def _needs_no_escaping(value: str) -> bool:
    """ASCII with no quote, backslash or control character: JSON as it is (base64 is)."""
    return value.isascii() and value.isprintable() and '"' not in value and "\\" not in value
