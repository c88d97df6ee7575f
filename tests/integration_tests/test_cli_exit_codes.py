"""Exit codes that tell the truth: `transcribe`, `ask` and `audiobook` exit 3 when a part
was not produced, say which part and how to resume, and still write what succeeded; the
same command run again asks only for the missing parts and exits 0.

The service is a loopback server (tests/fault_server.py) scripted by request content:
the n-th distinct request it sees always fails with HTTP 500 (every attempt), the others
are answered. Commands run with `--concurrency 1`, so "the n-th distinct request" is the
n-th part of the job.
"""

from __future__ import annotations

import array
import base64
import hashlib
import json
import math
import re
import wave
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from langchain_azure_audio.audio import pcm16_to_wav
from langchain_azure_audio.cli import main
from tests.fault_server import Fault, FaultServer

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

INCOMPLETE = 3
"""docs/cli.md: 3 = a part was not produced; what succeeded is written; rerun to resume."""
DOWN = Fault(500, {"error": {"code": "InternalServerError", "message": "the service is down"}})


class Service:
    """Answers each request from its content; the `failing` distinct requests (1-based, in
    the order first seen) always get a 500. `after` (an earlier run's service) keeps that
    run's numbering, so a resumed part gets the answer it would have got."""

    def __init__(self, failing: tuple[int, ...] = (), after: Service | None = None) -> None:
        self.failing = failing
        self.order: list[str] = list(after.order) if after is not None else []
        self.answered: list[int] = []

    def __call__(self, body: dict[str, Any]) -> Fault:
        key = hashlib.sha256(json.dumps(body["messages"]).encode()).hexdigest()
        if key not in self.order:
            self.order.append(key)
        number = self.order.index(key) + 1
        if number in self.failing:
            return DOWN
        self.answered.append(number)
        return Fault(body=answer(body, number))


def answer(body: dict[str, Any], number: int) -> dict[str, Any]:
    """Text for a transcription or notes; speech otherwise (a narrator reads the text back)."""
    usage = {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}
    if "audio" not in body["modalities"]:
        message: dict[str, Any] = {"role": "assistant", "content": f"Part {number} heard."}
    else:
        narrating = "narrator" in str(body["messages"][0]["content"])
        said = body["messages"][-1]["content"] if narrating else "The answer."
        pcm = bytes(4800)  # 0.1 s
        data = pcm if body["audio"]["format"] == "pcm16" else pcm16_to_wav(pcm)
        message = {"role": "assistant", "content": None, "audio": {
            "id": f"audio_{number}", "data": base64.b64encode(data).decode(),
            "expires_at": 4102444800, "transcript": said}}  # fmt: skip
    return {"id": f"chatcmpl-{number}", "object": "chat.completion", "model": "gpt-audio-1.5",
            "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
            "usage": usage}  # fmt: skip


def cli(service: Service, *args: str) -> tuple[Result, int]:
    """Run the command against `service`; the result and the requests the service saw."""
    with FaultServer(script=service, max_requests=60, max_seconds=120) as server:
        env = {"AZURE_OPENAI_ENDPOINT": server.endpoint, "AZURE_OPENAI_API_KEY": "exit-test",
               "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-audio-1.5"}  # fmt: skip
        result = CliRunner().invoke(main, [*args, "--concurrency", "1"], env=env)
        return result, len(server.requests)


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """13 s of unbroken 'speech' (a tone rising and falling 3 times a second): cut at
    `--segment-seconds 5` into three overlapping pieces."""
    path = tmp_path_factory.mktemp("audio") / "talk.wav"
    samples = array.array("h", (
        int(12_000 * (0.4 + 0.6 * abs(math.sin(math.pi * 3 * t / 24_000)))
            * math.sin(2 * math.pi * 220 * t / 24_000))
        for t in range(13 * 24_000)
    ))  # fmt: skip
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(24_000)
        wav.writeframes(samples.tobytes())
    return path


# ----------------------------------------------------------------- transcribe


def test_transcribe_with_a_failed_piece_exits_3_then_resumes(
    recording: Path, tmp_path: Path
) -> None:
    srt = tmp_path / "talk.srt"
    args = ["transcribe", str(recording), "-o", str(srt), "--segment-seconds", "5"]
    down = Service(failing=(2,))
    result, requests = cli(down, *args)
    assert result.exit_code == INCOMPLETE, result.output
    assert requests == 1 + 3 + 1, "piece 2 tried 3 times, the others once"
    # which part, and how to resume
    assert re.search(r"00:00:0\d-00:00:\d\d not transcribed: .*500", result.stderr)
    assert "1 of 3 segments not transcribed" in result.stderr
    assert "run the same command again" in result.stderr
    # what succeeded is written
    written = srt.read_text()
    assert "Part 1 heard." in written
    assert "Part 3 heard." in written
    assert "not transcribed" in written
    # the same command, the service healthy: only piece 2 is asked for
    again, requests = cli(Service(after=down), *args)
    assert again.exit_code == 0, again.output
    assert requests == 1
    written = srt.read_text()
    assert "not transcribed" not in written
    assert re.findall(r"Part \d heard\.", written) == [
        "Part 1 heard.",
        "Part 2 heard.",
        "Part 3 heard.",
    ], "the finished parts are kept, the missing one is filled in, in order"


def test_transcribe_with_every_piece_failed_exits_3(recording: Path, tmp_path: Path) -> None:
    result, requests = cli(Service(failing=(1,)), "transcribe", str(recording),
                           "--workdir", str(tmp_path / "w"))  # fmt: skip
    assert result.exit_code == INCOMPLETE, result.output
    assert requests == 3
    assert "1 of 1 segment not transcribed" in result.stderr
    assert "not transcribed" in result.stdout  # the transcript says so too


def test_transcribe_whose_translation_fails_exits_3_and_says_so(
    recording: Path, tmp_path: Path
) -> None:
    """The service transcribes but answers the translation requests with text that is not
    the numbered translation asked for: the translation is missing, and the user is told."""
    result, _ = cli(Service(), "transcribe", str(recording), "--translate-to", "pt-BR",
                    "-o", str(tmp_path / "talk.pt-BR.srt"))  # fmt: skip
    assert result.exit_code == INCOMPLETE, result.output
    assert re.search(r"00:00:\d\d-00:00:\d\d not translated: ", result.stderr)
    assert "not translated (listed above)" in result.stderr
    assert "not transcribed" not in result.stderr


# ------------------------------------------------------------------------ ask


def test_ask_with_a_part_not_heard_exits_3_then_resumes(recording: Path, tmp_path: Path) -> None:
    answer_wav = tmp_path / "answer.wav"
    args = ["ask", str(recording), "What is said?", "-o", str(answer_wav),
            "--segment-seconds", "5"]  # fmt: skip
    result, requests = cli(Service(failing=(2,)), *args)
    assert result.exit_code == INCOMPLETE, result.output
    assert requests == 1 + 3 + 1 + 1, "notes: piece 2 three times; then the answer"
    assert answer_wav.is_file(), "the answer that could be made is saved"
    assert result.stdout.strip() == "The answer."
    assert "the answer leaves out 1 of 3 segments" in result.stderr
    assert "run the same command again" in result.stderr
    again, requests = cli(Service(), *args)
    assert again.exit_code == 0, again.output
    assert requests == 2, "piece 2's notes, then the answer"


def test_ask_whose_answer_fails_exits_3(recording: Path, tmp_path: Path) -> None:
    result, requests = cli(Service(failing=(1,)), "ask", str(recording), "What?",
                           "-o", str(tmp_path / "a.wav"))  # fmt: skip
    assert result.exit_code == INCOMPLETE, result.output
    assert requests == 3
    assert "the answer was not produced" in result.stderr
    assert not (tmp_path / "a.wav").exists()


# ------------------------------------------------------------------ audiobook

BOOK = "# One\n\nThe first chapter is short.\n\n# Two\n\nThe second chapter is short too.\n"


def test_audiobook_with_a_failed_chapter_writes_the_whole_one_then_resumes(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book.md"
    book.write_text(BOOK)
    out = tmp_path / "chapters"
    args = ["audiobook", str(book), "-o", str(out), "--per-chapter"]
    result, requests = cli(Service(failing=(2,)), *args)
    assert result.exit_code == INCOMPLETE, result.output
    assert requests == 1 + 3
    assert sorted(p.name for p in out.glob("*.wav")) == ["01-one.wav"]
    assert "chapter 2 segment 1 not narrated" in result.stderr
    assert "run the same command again" in result.stderr
    again, requests = cli(Service(), *args)
    assert again.exit_code == 0, again.output
    assert requests == 1
    assert sorted(p.name for p in out.glob("*.wav")) == ["01-one.wav", "02-two.wav"]


def test_audiobook_with_a_hole_writes_no_book(tmp_path: Path) -> None:
    book = tmp_path / "book.md"
    book.write_text(BOOK)
    result, _ = cli(Service(failing=(1,)), "audiobook", str(book), "-o", str(tmp_path / "b.wav"))
    assert result.exit_code == INCOMPLETE, result.output
    assert not (tmp_path / "b.wav").exists(), "a book with a missing chapter is not written"
    assert "b.wav is written once all are" in result.stderr
