"""Faults survived, each against a local fault-injecting server on 127.0.0.1.

The server is tests/fault_server.py: bounded in requests and time, loopback only.
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

import pytest

from langchain_azure_audio import (
    ApiVersionTooOldError,
    AzureAudioAuthenticationError,
    AzureAudioRateLimitError,
    AzureAudioServiceError,
    AzureChatOpenAIAudio,
    ContentFilterError,
    DeploymentNotFoundError,
    StreamInterruptedError,
    save_stream,
)
from tests.cassette_tools import CASSETTES
from tests.fault_server import ANSWER, Fault, FaultServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

KEY = "fault-test-key-0000"


def llm(server: FaultServer, **kwargs: Any) -> AzureChatOpenAIAudio:
    params: dict[str, Any] = {
        "azure_endpoint": server.endpoint,
        "azure_deployment": "gpt-4o-mini-audio-preview",
        "api_key": KEY,
        "max_retries": 2,
    }
    params.update(kwargs)
    return AzureChatOpenAIAudio(**params)


def error_body(code: str | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def stream_events() -> list[str]:
    body = json.loads((CASSETTES / "streams.json").read_text())["interactions"][0]
    return [e + "\n\n" for e in body["response"]["body"]["string"].split("\n\n") if e]


# ----------------------------------------------------------------- retries


def test_429_waits_for_retry_after_then_raises_a_rate_limit_error() -> None:
    busy = Fault(429, error_body("429", "Rate limit is exceeded."), {"retry-after-ms": "300"})
    with FaultServer(busy) as server:
        started = time.monotonic()
        with pytest.raises(AzureAudioRateLimitError) as caught:
            llm(server, max_retries=2).invoke("Hello")
        waited = time.monotonic() - started
    assert len(server.requests) == 3  # the first try and 2 retries
    assert waited >= 0.6  # it honoured Retry-After twice
    assert caught.value.retry_after == pytest.approx(0.3)
    assert "Rate limited" in str(caught.value)


def test_429_then_success_returns_the_answer() -> None:
    busy = Fault(429, error_body("429", "Rate limit is exceeded."), {"retry-after-ms": "10"})
    with FaultServer(busy, Fault()) as server:
        answer = llm(server).invoke("Hello")
    assert answer.content == "All good."
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_retried_per_max_retries(status: int) -> None:
    failing = Fault(status, error_body("InternalServerError", "The server had an error."),
                    {"retry-after-ms": "1"})  # fmt: skip
    with FaultServer(failing) as server, pytest.raises(AzureAudioServiceError) as caught:
        llm(server, max_retries=3).invoke("Hello")
    assert len(server.requests) == 4
    assert caught.value.status_code == status


def test_transient_503_is_survived() -> None:
    flaky = Fault(503, error_body(None, "Service unavailable"), {"retry-after-ms": "1"})
    with FaultServer(flaky, Fault()) as server:
        assert llm(server).invoke("Hello").content == "All good."


def test_timeout_is_retried_then_reported() -> None:
    slow = Fault(delay=1.0)
    with FaultServer(slow) as server, pytest.raises(AzureAudioServiceError, match="timed out"):
        llm(server, timeout=0.2, max_retries=1).invoke("Hello")
    assert len(server.requests) == 2


# ---------------------------------------------------------- broken transport


def test_connection_reset_before_the_answer() -> None:
    reset = Fault(reset_before=True)
    with FaultServer(reset) as server, pytest.raises(AzureAudioServiceError, match="Could not"):
        llm(server, max_retries=1).invoke("Hello")
    assert len(server.requests) == 2


def test_connection_reset_mid_stream_keeps_what_arrived(tmp_path: Any) -> None:
    events = stream_events()
    cut = Fault(stream_events=events, reset_after_events=len(events) // 2)
    with FaultServer(cut) as server, pytest.raises(StreamInterruptedError) as caught:
        save_stream(llm(server).stream("Say hello to the listeners."), tmp_path / "a.wav")
    partial = caught.value.partial
    assert str(partial.content).startswith("Hello")
    assert partial.additional_kwargs["audio"]["data"]
    assert partial.response_metadata["incomplete"] is True
    assert not partial.usage_metadata
    assert list(tmp_path.iterdir()) == []  # no half-written file


async def test_connection_reset_mid_astream() -> None:
    events = stream_events()
    cut = Fault(stream_events=events, reset_after_events=len(events) // 3)
    with FaultServer(cut) as server, pytest.raises(StreamInterruptedError) as caught:
        [c async for c in llm(server).astream("Say hello to the listeners.")]
    assert caught.value.partial.content


def test_truncated_json_is_a_clear_error() -> None:
    cut = Fault(raw=json.dumps(ANSWER).encode()[:80])
    with FaultServer(cut) as server, pytest.raises(AzureAudioServiceError, match="not valid JSON"):
        llm(server).invoke("Hello")


def test_200_with_an_error_body() -> None:
    broken = Fault(200, error_body("server_error", "Something went wrong."))
    with FaultServer(broken) as server, pytest.raises(AzureAudioServiceError) as caught:
        llm(server).invoke("Hello")
    assert caught.value.service_message == "Something went wrong."


# ------------------------------------------------------------- service says no


def test_content_filter_400_is_typed_with_categories() -> None:
    results = {"violence": {"filtered": True, "severity": "medium"},
               "hate": {"filtered": False, "severity": "safe"}}  # fmt: skip
    refused = Fault(400, error_body("content_filter", "The response was filtered.",
                                    innererror={"content_filter_result": results}))  # fmt: skip
    with FaultServer(refused) as server, pytest.raises(ContentFilterError) as caught:
        llm(server).invoke("Hello")
    assert caught.value.categories == ["violence"]
    assert len(server.requests) == 1  # a 400 is not retried


def test_content_filter_finish_reason_on_200_is_reported_in_metadata() -> None:
    answer = json.loads(json.dumps(ANSWER))
    answer["choices"][0]["finish_reason"] = "content_filter"
    answer["choices"][0]["content_filter_results"] = {"sexual": {"filtered": True}}
    with FaultServer(Fault(body=answer)) as server:
        message = llm(server).invoke("Hello")
    assert message.response_metadata["finish_reason"] == "content_filter"
    assert message.response_metadata["content_filter_results"]["sexual"]["filtered"] is True


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_name_the_path_not_the_secret(status: int) -> None:
    denied = Fault(
        status, error_body(str(status), "Access denied due to invalid subscription key.")
    )
    with FaultServer(denied) as server, pytest.raises(AzureAudioAuthenticationError) as caught:
        llm(server).invoke("Hello")
    assert "API key" in str(caught.value)
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value.body)


def test_bearer_token_path_is_named_and_token_hidden() -> None:
    denied = Fault(401, error_body("401", "Invalid token."))
    with FaultServer(denied) as server, pytest.raises(AzureAudioAuthenticationError) as caught:
        llm(server, api_key=None, azure_ad_token_provider=lambda: "tok-canary").invoke("Hello")
    assert "azure_ad_token_provider" in str(caught.value)
    assert "tok-canary" not in str(caught.value)
    headers = {k.lower(): v for k, v in server.requests[0]["headers"].items()}
    assert headers["authorization"] == "Bearer tok-canary"


def test_404_names_deployment_and_endpoint() -> None:
    missing = Fault(404, error_body("DeploymentNotFound", "The API deployment does not exist."))
    with FaultServer(missing) as server, pytest.raises(DeploymentNotFoundError) as caught:
        llm(server, azure_deployment="nope").invoke("Hello")
    assert "'nope'" in str(caught.value)
    assert server.endpoint in str(caught.value)


def test_api_version_too_old_says_which_works() -> None:
    old = Fault(400, error_body(None, "Unrecognized request argument supplied: modalities"))
    with FaultServer(old) as server, pytest.raises(ApiVersionTooOldError) as caught:
        llm(server, api_version="2024-06-01").invoke("Hello")
    assert "2025-01-01-preview" in str(caught.value)
    assert "2024-06-01" in str(caught.value)


def test_async_calls_across_event_loops() -> None:
    """Each asyncio.run has its own loop: the model must not reuse a client whose
    connection pool belonged to a closed one ("Event loop is closed")."""
    import asyncio

    with FaultServer(Fault()) as server:
        model = llm(server)
        answers = [asyncio.run(model.ainvoke("Hello")).content for _ in range(3)]
    assert answers == ["All good."] * 3


async def test_aclose_releases_connections_and_the_model_stays_usable() -> None:
    with FaultServer(Fault()) as server:
        model = llm(server)
        first = await model.ainvoke("Hello")
        client = model._async_client
        await model.aclose()
        assert client is not None
        assert client.is_closed()
        second = await model.ainvoke("Hello")
        await model.aclose()
    assert first.content == second.content == "All good."


# ------------------------------------------------------- big bodies on retry


def big_question() -> list[Any]:
    from langchain_core.messages import HumanMessage

    from langchain_azure_audio import audio_block
    from langchain_azure_audio.audio import pcm16_to_wav

    wav = pcm16_to_wav(bytes(2_000_000))  # ~42 s of silence: base64 well over the slice size
    return [HumanMessage(content=[{"type": "text", "text": "Describe it."}, audio_block(wav)])]


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
async def test_a_retried_request_resends_the_whole_audio(asynchronous: bool) -> None:
    """The body is streamed from the caller's base64; a 500 makes the SDK rewind and
    send it again, whole, with a Content-Length (no chunked encoding)."""
    messages = big_question()
    failing = Fault(500, error_body("InternalServerError", "Try again."))
    with FaultServer(failing, Fault()) as server:
        model = llm(server, max_retries=1)
        answer = await model.ainvoke(messages) if asynchronous else model.invoke(messages)
    assert answer.content
    first, second = server.requests
    assert first["body"] == second["body"]
    headers = {name.lower(): value for name, value in first["headers"].items()}
    assert int(headers["content-length"]) == len(first["body"])
    assert "transfer-encoding" not in headers
    sent = json.loads(first["body"])["messages"][0]["content"][1]["input_audio"]["data"]
    assert sent == messages[0].content[1]["base64"]


# ------------------------------------- audiobook segments: retry what may pass


async def test_a_segment_retries_a_dropped_connection(tmp_path: Any) -> None:
    from langchain_azure_audio.audiobook import SegmentJob, arender_segment

    answer = copy.deepcopy(ANSWER)
    answer["choices"][0]["message"]["audio"]["transcript"] = "Hello there."
    with FaultServer(Fault(reset_before=True), Fault(body=answer)) as server:
        job = SegmentJob(chapter=0, index=0, text="Hello there.", max_attempts=1)
        result = await arender_segment(job, tmp_path, llm(server, max_retries=1))
    assert result.matched
    assert len(server.requests) == 2  # the drop was retried (by the batch layer, SDK's off)


async def test_a_segment_does_not_retry_an_endpoint_that_refuses_connections(
    tmp_path: Any,
) -> None:
    import socket

    from langchain_azure_audio.audiobook import SegmentJob, arender_segment

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = AzureChatOpenAIAudio(azure_endpoint=f"http://127.0.0.1:{port}", api_key=KEY,
                                  azure_deployment="d", max_retries=0)  # fmt: skip
    started = time.monotonic()
    with pytest.raises(AzureAudioServiceError, match="Could not reach"):
        await arender_segment(SegmentJob(chapter=0, index=0, text="Hi."), tmp_path, closed)
    assert time.monotonic() - started < 0.4  # no backoff: 0.5 s would be the first wait
