"""Before a long job: the estimate, the question, the refusal; after it, what was used.

The test recording is the long-recordings session's meeting (tests/long_flows.py: about
100 s of SYNTHETIC speech with known words and times, 25 s of silence in the middle).
The service is a loopback server that bills each request the way OpenAI documents it,
independently of the package's measured rates: 1 input audio token per 100 ms of the audio
it received (decoded here with PyAV), and the words it heard in that audio (the
recording's ground truth) as text at 4 characters a token.
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from langchain_azure_audio.cli import estimates, main
from tests import long_flows
from tests.fault_server import Fault, FaultServer
from tests.long_service import RATE, SyntheticListener, decode_any, read_wav_pcm

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


class Billing:
    """Answers a transcription request with the words said in its audio, and bills it."""

    def __init__(self, folder: Path, model: str = "gpt-audio-1.5-2026-02-23") -> None:
        self.model = model
        truth = long_flows.write_meeting(folder)
        self.listener = SyntheticListener(read_wav_pcm((folder / "meeting.wav").read_bytes()),
                                          truth["utterances"])  # fmt: skip
        self.audio_tokens: list[int] = []

    def __call__(self, body: dict[str, Any]) -> Fault:
        part = next(p for m in body["messages"] if isinstance(m["content"], list)
                    for p in m["content"] if p["type"] == "input_audio")  # fmt: skip
        pcm = decode_any(base64.b64decode(part["input_audio"]["data"]))
        seconds = len(pcm) / RATE
        at = self.listener.locate(pcm)
        words = " ".join(u["text"] for u in self.listener.said_between(at, at + seconds))
        audio = round(seconds * 10)  # 1 token per 100 ms of user audio
        text_out = math.ceil(len(words) / 4)
        self.audio_tokens.append(audio)
        usage = {"prompt_tokens": audio + 40, "completion_tokens": text_out,
                 "total_tokens": audio + 40 + text_out,
                 "prompt_tokens_details": {"audio_tokens": audio, "cached_tokens": 0},
                 "completion_tokens_details": {"audio_tokens": 0}}  # fmt: skip
        return Fault(body={
            "id": f"chatcmpl-{len(self.audio_tokens)}", "object": "chat.completion",
            "model": self.model, "usage": usage,
            "choices": [{"index": 0, "finish_reason": "stop", "message": {
                "role": "assistant", "content": words or "..."}}]})  # fmt: skip


def run(service: Any, *args: str, stdin: str | None = None,
        deployment: str = "gpt-audio-1.5") -> tuple[Result, int]:  # fmt: skip
    with FaultServer(script=service, max_requests=20, max_seconds=120) as server:
        env = {"AZURE_OPENAI_ENDPOINT": server.endpoint, "AZURE_OPENAI_API_KEY": "cost-test",
               "AZURE_OPENAI_DEPLOYMENT_NAME": deployment}  # fmt: skip
        result = CliRunner().invoke(main, list(args), env=env, input=stdin)
        return result, len(server.requests)


def money(line: str) -> float:
    return float(re.search(r"\$(\d[\d,]*(?:\.\d+)?)", line)[1].replace(",", ""))  # type: ignore[index]


def line(result: Result, starts: str) -> str:
    return next(x for x in result.stderr.splitlines() if x.strip().startswith(starts))


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("meeting")
    long_flows.write_meeting(folder)
    return folder


def test_the_estimate_is_within_15_percent_of_what_the_run_used(
    meeting: Path, tmp_path: Path
) -> None:
    service = Billing(tmp_path)
    result, requests = run(service, "transcribe", str(meeting / "meeting.wav"),
                           "--segment-seconds", "30", "--workdir", str(tmp_path / "w"))  # fmt: skip
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert err.index("Estimate:") < err.index("Transcribing...")  # before the first request
    estimated = line(result, "Estimate:")
    assert f"Estimate: {requests} requests" in estimated  # silence is not sent, nor counted
    tokens_in = int(re.search(r"about ([\d,]+) audio tokens in", estimated)[1].replace(",", ""))  # type: ignore[index]
    billed = sum(service.audio_tokens)
    assert abs(tokens_in - billed) <= 0.15 * billed, (tokens_in, billed)
    used = line(result, "Used:")
    assert f"Used: {requests} requests" in used
    assert f"audio in {billed:,}" in used
    cost, spent = money(line(result, "Cost:")), money(used)
    assert abs(cost - spent) <= 0.15 * spent, (cost, spent)


def test_estimate_only_sends_nothing_and_leaves_no_work_folder(
    meeting: Path, tmp_path: Path
) -> None:
    result, requests = run(Billing(tmp_path), "transcribe", str(meeting / "meeting.wav"),
                           "--segment-seconds", "30", "--workdir", str(tmp_path / "w"),
                           "--estimate")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert requests == 0
    assert "Estimate: 2 requests" in result.stderr
    assert "gpt-audio-1.5's price (https://developers.openai.com/" in result.stderr
    assert not (tmp_path / "w").exists()
    assert result.stdout == ""


def test_above_the_threshold_without_a_terminal_it_refuses_clearly(
    meeting: Path, tmp_path: Path
) -> None:
    args = ["transcribe", str(meeting / "meeting.wav"), "--segment-seconds", "30",
            "--workdir", str(tmp_path / "w"), "--confirm-above", "0"]  # fmt: skip
    refused, requests = run(Billing(tmp_path), *args)
    assert refused.exit_code == 1
    assert requests == 0
    assert "is above --confirm-above $0" in refused.stderr
    assert "Run again with --yes" in refused.stderr
    started, requests = run(Billing(tmp_path), *args, "--yes")
    assert started.exit_code == 0, started.output
    assert requests == 2


def test_at_a_terminal_it_asks_first(
    meeting: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(estimates, "interactive", lambda: True)
    args = ["transcribe", str(meeting / "meeting.wav"), "--segment-seconds", "30",
            "--workdir", str(tmp_path / "w"), "--confirm-above", "0"]  # fmt: skip
    declined, requests = run(Billing(tmp_path), *args, stdin="n\n")
    assert (declined.exit_code, requests) == (0, 0)
    assert "Start? [y/N]" in declined.stderr
    assert "Not started." in declined.stderr
    accepted, requests = run(Billing(tmp_path), *args, stdin="y\n")
    assert (accepted.exit_code, requests) == (0, 2), accepted.output


def test_your_prices_file_prices_the_estimate(meeting: Path, tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"gpt-audio-1.5": {"audio_in": 0, "text_in": 0,
                                                    "text_out": 0, "audio_out": 0}}))  # fmt: skip
    result, _ = run(Billing(tmp_path), "transcribe", str(meeting / "meeting.wav"),
                    "--segment-seconds", "30", "--estimate", "--prices", str(prices))  # fmt: skip
    assert "Cost: about $0 at gpt-audio-1.5's price" in result.stderr
    assert str(prices) in result.stderr
    prices.write_text('{"gpt-audio-1.5": {"audio_inn": 3}}')
    bad, requests = run(Billing(tmp_path), "transcribe", str(meeting / "meeting.wav"),
                        "--estimate", "--prices", str(prices))  # fmt: skip
    assert (bad.exit_code, requests) == (2, 0)
    assert "unknown price field(s) ['audio_inn']" in bad.stderr


def test_an_audiobook_is_estimated_from_its_text(tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text("# One\n\n" + "Word " * 400 + "\n\n# Two\n\n" + "Word " * 400)
    result, requests = run(Billing(tmp_path), "audiobook", str(book), "-o",
                           str(tmp_path / "book.wav"), "--estimate")  # fmt: skip
    assert (result.exit_code, requests) == (0, 0), result.output
    # each chapter is read as its title ("One.", 4 characters) and its 400 words (1,999
    # characters) in two segments of 1,499 and 499 (the space at the cut dropped): 6 requests,
    # 2 x (4 + 1,499 + 499) = 4,004 characters; at 1,017 a minute that is 3.94 min said,
    # and 4,004 x 1,200 / 1,017 = 4,724.5 audio tokens out
    estimated = line(result, "Estimate:")
    assert "Estimate: 6 requests, about 3.9 min of speech to say (4,724 audio tokens out)" in (
        estimated)  # fmt: skip


def test_a_retiring_model_is_one_stderr_line_and_the_job_runs(
    meeting: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import date

    from langchain_azure_audio import chat_models
    from langchain_azure_audio._model.lifecycle import Notices

    monkeypatch.setattr(chat_models, "NOTICES", Notices(clock=lambda: date(2030, 1, 1)))
    service = Billing(tmp_path, model="gpt-4o-audio-preview-2024-12-17")
    result, requests = run(service, "transcribe", str(meeting / "meeting.wav"),
                           "--segment-seconds", "30", "--workdir", str(tmp_path / "w"),
                           deployment="gpt-4o-audio-preview")  # fmt: skip
    assert (result.exit_code, requests) == (0, 2), result.output
    warned = [x for x in result.stderr.splitlines() if x.startswith("warning: ")]
    assert warned == [
        "warning: gpt-4o-audio-preview 2024-12-17 was due to retire 2026-02-02 (as published by "
        "Microsoft on 2025-12-16); move to gpt-audio (Microsoft's replacement). Requests are "
        "still sent: check https://learn.microsoft.com/azure/ai-foundry/openai/concepts/"
        "model-retirements for the current date."
    ]
    assert "ModelRetirementWarning" not in result.stderr  # not Python's two-line form


def test_subtitles_and_translations_are_estimated_as_they_will_run(
    meeting: Path, tmp_path: Path
) -> None:
    """Subtitle mode cuts 60 s pieces (as `--segment-seconds 60` would), and a translation
    sends every piece a second time: twice the requests and the audio in."""

    def estimate(*args: str) -> tuple[int, int]:
        result, sent = run(Billing(tmp_path), "transcribe", str(meeting / "meeting.wav"),
                           "--estimate", *args)  # fmt: skip
        assert (result.exit_code, sent) == (0, 0), result.output
        head = line(result, "Estimate:")
        requests = int(re.search(r"Estimate: (\d+) request", head)[1])  # type: ignore[index]
        tokens = int(re.search(r"about ([\d,]+) audio tokens in", head)[1].replace(",", ""))  # type: ignore[index]
        return requests, tokens

    plain_60 = estimate("-o", str(tmp_path / "a.txt"), "--segment-seconds", "60")
    subtitles = estimate("-o", str(tmp_path / "b.srt"))
    translated = estimate("-o", str(tmp_path / "c.pt-BR.srt"), "--translate-to", "pt-BR")
    assert subtitles == plain_60
    assert translated[0] == 2 * subtitles[0]
    assert abs(translated[1] - 2 * subtitles[1]) <= 1  # tokens are rounded once, not twice
