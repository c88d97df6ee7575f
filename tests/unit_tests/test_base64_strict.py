"""Strict base64 on every Python: 3.10 has no `strict_mode` and 3.11/3.12's lets extra
padding through; every version must refuse the same input."""

from __future__ import annotations

import base64
import binascii
import sys
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from langchain_azure_audio._media.strict_base64 import b64decode_strict, b64decode_strict_portable
from langchain_azure_audio.audio import decode_base64_audio
from langchain_azure_audio.errors import InvalidAudioError

BAD = [
    "QQ",  # missing padding
    "QQ=",  # short padding
    "Q===",  # three padding characters
    "====",
    "QQ==QQ==",  # data after padding
    "AAAA=",  # padding after a complete group (3.11/3.12 strict_mode accepts it)
    "AAAA==",
    "QQ=A",  # padding in the middle
    "=QUJD",  # leading padding
    "QU JD",  # a space
    "QUJD\n",  # a newline (the non-strict decoder skips it)
    "QUJ*",  # outside the alphabet
    "QUJD-_==",  # the URL-safe alphabet
]
Decoder = Callable[[str | bytes], bytes]
DECODERS: list[Decoder] = [b64decode_strict, b64decode_strict_portable]


@pytest.mark.parametrize("decode", DECODERS, ids=["running-python", "portable"])
@pytest.mark.parametrize("text", BAD)
def test_non_canonical_base64_is_refused(decode: Decoder, text: str) -> None:
    with pytest.raises(binascii.Error):
        decode(text)
    with pytest.raises(binascii.Error):
        decode(text.encode("ascii"))


@pytest.mark.parametrize("decode", DECODERS, ids=["running-python", "portable"])
def test_non_ascii_text_is_a_value_error(decode: Decoder) -> None:
    with pytest.raises(ValueError, match="ASCII"):
        decode("QUJDé===")


@given(st.binary(max_size=64))
def test_portable_decoder_round_trips(data: bytes) -> None:
    encoded = base64.b64encode(data)
    assert b64decode_strict_portable(encoded.decode("ascii")) == data
    assert b64decode_strict_portable(encoded) == data


_NEAR_BASE64 = st.one_of(
    st.text(alphabet="AQgw+/=\n -_é", max_size=12),
    st.binary(max_size=8).map(lambda b: base64.b64encode(b).decode("ascii")),
    st.binary(max_size=8).map(lambda b: base64.b64encode(b).decode("ascii") + "="),
)


def _outcome(decode: Decoder, data: str | bytes) -> object:
    try:
        return decode(data)
    except binascii.Error:
        return binascii.Error
    except ValueError:
        return ValueError


@given(_NEAR_BASE64)
def test_running_python_refuses_what_the_portable_decoder_refuses(text: str) -> None:
    assert _outcome(b64decode_strict, text) == _outcome(b64decode_strict_portable, text)


@pytest.mark.skipif(sys.version_info < (3, 13), reason="strict_mode is the reference from 3.13 on")
@given(_NEAR_BASE64)
def test_portable_decoder_agrees_with_strict_mode(text: str) -> None:
    def reference(data: str | bytes) -> bytes:
        return binascii.a2b_base64(data, strict_mode=True)  # type: ignore[call-arg,unused-ignore]

    assert _outcome(b64decode_strict_portable, text) == _outcome(reference, text)


def test_audio_data_with_a_stray_character_names_the_field() -> None:
    good = base64.b64encode(b"RIFF" + bytes(40)).decode("ascii")
    with pytest.raises(InvalidAudioError, match=r"messages\[0\]: audio data is not valid base64"):
        decode_base64_audio(good[:8] + "\n" + good[8:], where="messages[0]")
