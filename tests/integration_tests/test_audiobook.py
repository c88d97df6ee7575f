"""Audiobooks through replayed traffic: faithful, concurrent, resumable (killed for real)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import pytest

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.audiobook import RequestPacer, SegmentJob, arender_segment, split_book
from tests import audiobook_flows as flows
from tests.cassette_tools import CASSETTES, REPO
from tests.conftest import make_llm
from tests.fault_server import Fault, FaultServer


def replay(name: str) -> Any:
    # No repeats: a regenerated segment sends the same request again and must get the
    # next recorded reading, as the service would give a new one.
    return strict_vcr().use_cassette(str(CASSETTES / name), allow_playback_repeats=False)


def wav_info(path: Path) -> tuple[int, int, int, float]:
    with wave.open(str(path)) as wav:
        return (wav.getframerate(), wav.getnchannels(), wav.getsampwidth(),
                wav.getnframes() / wav.getframerate())  # fmt: skip


def test_small_book_is_faithful_or_reported(tmp_path: Path) -> None:
    with replay("audiobook_small.json"):
        report = flows.small_book(make_llm(), tmp_path / "book.wav", tmp_path / "work")
    rate, channels, width, seconds = wav_info(tmp_path / "book.wav")
    assert (rate, channels, width) == (24_000, 1, 2)
    assert seconds == pytest.approx(report.seconds_of_audio + 0.3 * (report.segments - 1), abs=0.01)
    chapters = split_book(flows.SMALL_BOOK, max_chars=120)
    text_of = {(c, i): t for c, ch in enumerate(chapters) for i, t in enumerate(ch.segments)}
    assert report.segments == len(text_of)
    records = [json.loads(p.read_text()) for p in (tmp_path / "work/segments").glob("*.json")]
    by_text = {text_of[(r["chapter"], r["index"])]: r for r in records}
    # 'lighthouse lamp' was read with words skipped once, then regenerated faithfully
    lamp = next(r for text, r in by_text.items() if "lighthouse lamp" in text)
    assert (lamp["attempts"], lamp["matched"]) == (2, True)
    assert lamp["similarity"] >= 0.9
    # 'Zanzibar' was never read faithfully: every attempt used, the best kept, reported
    [never] = report.unmatched
    assert "Zanzibar" in text_of[(never.chapter, never.index)]
    assert never.attempts == 3
    assert never.similarity < 0.9
    # every other segment took one request
    assert report.attempts == report.segments + 1 + 2


def test_per_chapter_files(tmp_path: Path) -> None:
    with replay("audiobook_small.json"):
        report = flows.small_book(make_llm(), tmp_path / "chapters", tmp_path / "work",
                                  per_chapter=True)  # fmt: skip
    names = [Path(p).name for p in report.outputs]
    assert names == ["01-the-lighthouse.wav", "02-morning.wav"]
    assert all(wav_info(Path(p))[3] > 0 for p in report.outputs)


def test_fifty_pages_and_a_rerun_requests_nothing(tmp_path: Path) -> None:
    with replay("audiobook_fifty_pages.json"):
        first = flows.fifty_pages(make_llm(), tmp_path / "a.wav", tmp_path / "work")
    assert first.segments == first.requested == 88
    assert first.unmatched == []
    with replay("audiobook_fifty_pages.json"):
        again = flows.fifty_pages(make_llm(), tmp_path / "b.wav", tmp_path / "work")
    assert again.requested == 0
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def run_driver(output: Path, workdir: Path, *, slow: bool = False) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "tests.audiobook_driver", str(output), str(workdir)]
    return subprocess.Popen([*args, "--slow"] if slow else args, cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def test_killed_run_resumes_to_a_byte_identical_book(tmp_path: Path) -> None:
    reference = run_driver(tmp_path / "reference.wav", tmp_path / "ref-work")
    assert reference.wait(timeout=300) == 0, reference.stderr.read() if reference.stderr else ""

    work = tmp_path / "work"
    victim = run_driver(tmp_path / "book.wav", work, slow=True)
    deadline = time.monotonic() + 120
    while len(list((work / "segments").glob("*.json"))) < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(victim.pid, signal.SIGKILL)  # no clean-up, no atexit: a real crash
    victim.wait(timeout=30)
    finished = len(list((work / "segments").glob("*.json")))
    assert 10 <= finished < 88
    assert not (tmp_path / "book.wav").exists()

    resumed = run_driver(tmp_path / "book.wav", work)
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    report = json.loads(out.strip().splitlines()[-1])
    assert report["requested"] == 88 - finished  # nothing finished was requested again
    assert (tmp_path / "book.wav").read_bytes() == (tmp_path / "reference.wav").read_bytes()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_429_waits_for_retry_after_and_recovers(tmp_path: Path) -> None:
    busy = Fault(429, {"error": {"code": "429", "message": "Too many requests"}},
                 {"retry-after-ms": "200"})  # fmt: skip
    answer = json.loads(json.loads((CASSETTES / "audiobook_fifty_pages.json").read_text())
                        ["interactions"][1]["response"]["body"]["string"])  # fmt: skip
    with FaultServer(busy, Fault(body=answer), max_seconds=30) as server:
        llm = make_llm(azure_endpoint=server.endpoint, max_retries=1)
        text = answer["choices"][0]["message"]["audio"]["transcript"]
        started = time.monotonic()
        result = await arender_segment(SegmentJob(chapter=0, index=0, text=text), tmp_path, llm)
    assert time.monotonic() - started >= 0.2
    assert result.matched
    assert len(server.requests) == 2


async def test_request_pacer_never_exceeds_the_rate() -> None:
    pace = RequestPacer(per_minute=600)  # one start every 0.1 s
    started = time.monotonic()
    for _ in range(5):
        await pace()
    assert time.monotonic() - started >= 0.39


def test_cli_audiobook_with_progress_and_resume(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from langchain_azure_audio.cli import main
    from tests import cli_flows

    book = tmp_path / "story.md"
    book.write_text(flows.SMALL_BOOK)
    args = ["audiobook", str(book), "-o", str(tmp_path / "story.wav"), "--max-chars", "120",
            "--concurrency", "2", "--pause-ms", "300"]  # fmt: skip
    with replay("audiobook_small.json"):
        result = CliRunner().invoke(main, args, env=cli_flows.ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "story.wav")
    assert "Narrating" in result.stderr  # the progress bar, on stderr
    assert "never read faithfully" in result.stderr  # the Zanzibar segment
    assert (tmp_path / "story.wav.work" / "segments").is_dir()
    first = re.search(r"(\d+) segments \((\d+) narrated now, 0 resumed\)", result.stderr)
    assert first is not None, result.stderr
    assert first[1] == first[2], result.stderr
    with replay("audiobook_small.json"):
        again = CliRunner().invoke(main, args, env=cli_flows.ENV)
    assert again.exit_code == 0
    assert f"{first[1]} segments (0 narrated now, {first[1]} resumed)" in again.stderr


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_5xx_backs_off_and_recovers_on_the_last_allowed_attempt(tmp_path: Path) -> None:
    down = Fault(503, {"error": {"code": None, "message": "Service unavailable"}})
    answer = json.loads(json.loads((CASSETTES / "audiobook_fifty_pages.json").read_text())
                        ["interactions"][1]["response"]["body"]["string"])  # fmt: skip
    with FaultServer(down, down, Fault(body=answer), max_seconds=30) as server:
        llm = make_llm(azure_endpoint=server.endpoint, max_retries=2)
        text = answer["choices"][0]["message"]["audio"]["transcript"]
        started = time.monotonic()
        result = await arender_segment(SegmentJob(chapter=0, index=0, text=text), tmp_path, llm)
    # backed off about 0.5 s, then about 1 s (up to a quarter less: jitter, as the SDK does)
    assert time.monotonic() - started >= 0.75 * (0.5 + 1.0)
    assert result.matched
    assert len(server.requests) == 3
