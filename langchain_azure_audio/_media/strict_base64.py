"""Strict base64 decoding, the same on every supported Python.

Strict means canonical base64 only: the 64-character alphabet, a length that
is a multiple of four, at most two `=` and only at the end. Anything else
raises `binascii.Error` (a `str` with non-ASCII characters: `ValueError`).

* Python 3.13+: `binascii.a2b_base64(data, strict_mode=True)` does exactly this.
* Python 3.11 and 3.12: the same call still accepts `=` after a complete group
  (`"AAAA="`, `"AAAA=="`), so the length and the padding are checked too.
* Python 3.10 has no strict mode (its decoder silently skips characters
  outside the alphabet), so the rules are checked first, at C speed
  (`bytes.rstrip`, `bytes.translate`), and the checked data then decoded.
"""

from __future__ import annotations

import binascii
import sys
from typing import Final

_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def b64decode_strict_portable(data: str | bytes) -> bytes:
    """Decode `data` as strict base64 without `strict_mode` (the Python 3.10 path)."""
    if isinstance(data, str):
        if not data.isascii():
            raise ValueError("string argument should contain only ASCII characters")
        raw = data.encode("ascii")
    else:
        raw = bytes(data)
    body = raw.rstrip(b"=")
    if body.translate(None, _ALPHABET):
        raise binascii.Error("Only base64 data is allowed")
    if len(raw) % 4 or len(raw) - len(body) > 2:
        raise binascii.Error("Incorrect padding")
    return binascii.a2b_base64(raw)


if sys.version_info >= (3, 13):

    def b64decode_strict(data: str | bytes) -> bytes:
        """Decode `data` as strict base64."""
        return binascii.a2b_base64(data, strict_mode=True)

elif sys.version_info >= (3, 11):

    def b64decode_strict(data: str | bytes) -> bytes:
        """Decode `data` as strict base64 (strict mode, plus the padding it lets through)."""
        decoded = binascii.a2b_base64(data, strict_mode=True)
        if len(data) % 4 or data[-3:] in ("===", b"==="):
            raise binascii.Error("Excess data after padding")
        return decoded

else:
    b64decode_strict = b64decode_strict_portable
