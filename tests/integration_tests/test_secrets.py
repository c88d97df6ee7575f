"""Secrets never leak: a canary key and a canary bearer token, and everything scanned.

Scanned: repr/str/dumps of the model, DEBUG logs of every library on the
path, exceptions and their tracebacks, LangChain tracing runs and callback
payloads, and a cassette recorded with the repo's recorder.
"""

from __future__ import annotations

import json
import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd
from langchain_core.tracers.context import collect_runs

from langchain_azure_audio import AzureAudioAuthenticationError, AzureChatOpenAIAudio
from langchain_azure_audio._azure.replay import scrubbers, strict_vcr
from tests.fault_server import Fault, FaultServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CANARY_KEY = "canary0key0d41d8cd98f00b204e9800998ecf8427e"
CANARY_TOKEN = "eyJcanaryToken.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlY2FuYXJ5"


class Everything(BaseCallbackHandler):
    """Keeps every callback payload, as a tracer would see it."""

    def __init__(self) -> None:
        self.payloads: list[Any] = []

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        self.payloads.append({"serialized": serialized, "kwargs": kwargs})

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self.payloads.append({"response": response, "kwargs": kwargs})

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        self.payloads.append({"error": repr(error), "kwargs": kwargs})


def scan(texts: list[str], *secrets: str) -> None:
    for number, text in enumerate(texts):
        for secret in secrets:
            assert secret not in text, f"secret found in output #{number}: {text[:200]!r}"


@pytest.mark.parametrize("auth", ["api_key", "token_provider"])
def test_no_secret_in_anything_produced(
    auth: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: openai, httpx2, httpcore2, langchain, azure
    credentials: dict[str, Any] = (
        {"api_key": CANARY_KEY}
        if auth == "api_key"
        else {"api_key": None, "azure_ad_token_provider": lambda: CANARY_TOKEN}
    )
    handler = Everything()
    outputs: list[str] = []
    with FaultServer(Fault(), Fault(401, {"error": {"code": "401", "message": "denied"}})) as srv:
        llm = AzureChatOpenAIAudio(
            azure_endpoint=srv.endpoint,
            azure_deployment="gpt-4o-mini-audio-preview",
            max_retries=0,
            **credentials,
        )
        outputs += [repr(llm), str(llm), llm.model_dump_json(), json.dumps(dumpd(llm))]
        outputs += [str(llm._identifying_params), str(llm._get_ls_params())]
        outputs.append(str(llm._get_invocation_params()))
        with collect_runs() as runs:
            answer = llm.invoke("Hello", config={"callbacks": [handler]})
            with pytest.raises(AzureAudioAuthenticationError) as caught:
                llm.invoke("Hello again", config={"callbacks": [handler]})
        outputs += [repr(answer), answer.model_dump_json()]
        outputs += [str(caught.value), repr(caught.value), repr(caught.value.body)]
        outputs.append("".join(traceback.format_exception(caught.value)))
        outputs += [run.model_dump_json() for run in runs.traced_runs]
        outputs += [repr(payload) for payload in handler.payloads]
        sent = srv.requests[0]["headers"]
    outputs.append(caplog.text)
    outputs += [repr(record.__dict__) for record in caplog.records]
    # The credential did reach the wire (so the scan is meaningful) ...
    assert CANARY_KEY in str(sent) or CANARY_TOKEN in str(sent)
    assert runs.traced_runs
    assert handler.payloads
    assert {"openai", "httpcore2"} <= {r.name.split(".")[0] for r in caplog.records}
    # ... and nowhere else.
    scan(outputs, CANARY_KEY, CANARY_TOKEN)


def test_a_recorded_cassette_holds_no_secret(tmp_path: Path) -> None:
    cassette = tmp_path / "recorded.json"
    with FaultServer(Fault()) as srv:
        llm = AzureChatOpenAIAudio(
            azure_endpoint=srv.endpoint,
            azure_deployment="gpt-4o-mini-audio-preview",
            api_key=CANARY_KEY,  # type: ignore[arg-type]
            max_retries=0,
        )
        recorder = strict_vcr(record_mode="all")
        hooks = scrubbers(srv.endpoint, "gpt-4o-mini-audio-preview")
        with recorder.use_cassette(str(cassette), **hooks):
            llm.invoke("Hello")
    assert json.loads(cassette.read_text())["interactions"]
    scan([cassette.read_text()], CANARY_KEY, "127.0.0.1")
