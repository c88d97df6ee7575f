"""A WAV over Azure's 20 MiB limit is refused before sending, however it is passed.

Large base64 inputs are checked from their decoded head and their length
(no second full copy); the length arithmetic must still catch a file just
over the limit, or it goes out and the service refuses it after the upload.
"""

from __future__ import annotations

import base64

import httpx2
import pytest
from langchain_core.messages import HumanMessage

from langchain_azure_audio import InvalidAudioError
from langchain_azure_audio.audio import MAX_INPUT_AUDIO_BYTES, pcm16_to_wav
from tests.conftest import make_llm

MIB = 1024 * 1024


def never_called(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError("the request was sent")


@pytest.mark.parametrize("mib", [21, 20.5])
def test_a_wav_just_over_20_mb_as_base64_is_refused_before_sending(mib: float) -> None:
    wav = pcm16_to_wav(bytes(int(mib * MIB) // 2 * 2))  # a real WAV with a valid header
    assert len(wav) > MAX_INPUT_AUDIO_BYTES
    block = {"type": "audio", "base64": base64.b64encode(wav).decode(), "mime_type": "audio/wav"}
    llm = make_llm(http_client=httpx2.Client(transport=httpx2.MockTransport(never_called)))
    with pytest.raises(InvalidAudioError, match=r"Azure accepts at most 20 MiB") as caught:
        llm.invoke([HumanMessage(content=[{"type": "text", "text": "Transcribe."}, block])])
    assert f"the audio is {len(wav):,} bytes" in str(caught.value)


def test_a_wav_of_exactly_20_mb_as_base64_is_sent() -> None:
    wav = pcm16_to_wav(bytes(MAX_INPUT_AUDIO_BYTES - 44))
    assert len(wav) == MAX_INPUT_AUDIO_BYTES
    sent: list[int] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        sent.append(len(request.content))
        return httpx2.Response(200, json={"choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Silence."}}]})  # fmt: skip

    block = {"type": "audio", "base64": base64.b64encode(wav).decode(), "mime_type": "audio/wav"}
    llm = make_llm(modalities=["text"],
                   http_client=httpx2.Client(transport=httpx2.MockTransport(answer)))  # fmt: skip
    assert llm.invoke([HumanMessage(content=[block])]).content == "Silence."
    assert len(sent) == 1
    assert sent[0] > MAX_INPUT_AUDIO_BYTES * 4 // 3
