"""Crashes at the exact writes of an audiobook, then a resume: the book is byte-identical.

Each crash runs in a child process (tests/crash_driver.py) that dies with
`os._exit` at the chosen point, like SIGKILL: no clean-up runs and the bytes
written so far stay on disk. The writes are the audiobook's checkpoint (the
segment's `.pcm` and its `.json` record) and the stitched book.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import pytest

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.audiobook import (
    SegmentJob,
    arender_segment,
    narrate_book,
    plan,
    split_book,
)
from tests import crash_driver
from tests.cassette_tools import REPO
from tests.conftest import make_llm

SEGMENTS = 3


def run(output: Path, workdir: Path, spec: dict[str, Any] | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "tests.crash_driver", str(output), str(workdir)]
    if spec is not None:
        args.append(json.dumps(spec))
    return subprocess.Popen(args, cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def narrate(output: Path, workdir: Path) -> dict[str, Any]:
    """An uninterrupted run or a resume, in this process."""
    with strict_vcr().use_cassette(str(crash_driver.CASSETTE), allow_playback_repeats=True):
        report = narrate_book(crash_driver.book_text(), output, llm=make_llm(), workdir=workdir,
                              **crash_driver.SETTINGS)  # fmt: skip
    return report.model_dump()


def crash(output: Path, workdir: Path, spec: dict[str, Any]) -> None:
    code, _, err = finish(run(output, workdir, spec))
    assert code == crash_driver.CRASHED, f"the crash point was never reached: {err[-2000:]}"


def jobs() -> list[SegmentJob]:
    return plan(split_book(crash_driver.book_text()), make_llm())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The book from an uninterrupted run."""
    folder = tmp_path_factory.mktemp("reference")
    report = narrate(folder / "book.wav", folder / "work")
    assert report["requested"] == report["segments"] == SEGMENTS
    with wave.open(str(folder / "book.wav")) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24_000, 1, 2)
        assert wav.getnframes() * 2 > 30_000  # the stitching crashes below fall inside it
    return (folder / "book.wav").read_bytes()


def resume_and_compare(tmp_path: Path, reference: bytes, *, requested: int) -> None:
    report = narrate(tmp_path / "book.wav", tmp_path / "work")
    assert report["requested"] == requested
    assert (tmp_path / "book.wav").read_bytes() == reference


# ------------------------------------------------------------- a segment's checkpoint


@pytest.mark.parametrize("part", ["pcm", "json"])
@pytest.mark.parametrize("point", ["mid-write", "before-rename"])
def test_crash_while_checkpointing_then_resume(
    tmp_path: Path, reference: bytes, part: str, point: str
) -> None:
    """Killed while the 2nd segment's audio or record is written: the resume
    narrates it again (nothing half-written is trusted) and the book is identical."""
    second = jobs()[1]
    spec = {"crash": point, "file": f"{second.key}.{part}"}
    crash(tmp_path / "book.wav", tmp_path / "work", spec)
    _, record = second.paths(tmp_path / "work")
    assert not record.exists()  # no record, whole or half, of an unfinished segment
    assert not (tmp_path / "book.wav").exists()
    resume_and_compare(tmp_path, reference, requested=SEGMENTS - 1)


def test_a_record_without_its_audio_is_not_trusted(tmp_path: Path, reference: bytes) -> None:
    """A segment whose audio file went missing (cleaned up, lost) is narrated again."""
    narrate(tmp_path / "first.wav", tmp_path / "work")
    pcm, record = jobs()[1].paths(tmp_path / "work")
    pcm.unlink()
    assert record.exists()
    resume_and_compare(tmp_path, reference, requested=1)


def test_second_run_crashing_mid_write_does_not_tear_a_finished_segment(
    tmp_path: Path, reference: bytes
) -> None:
    """Two runs on one work folder (the command started twice, a retried worker):
    run B looks for segment 1's checkpoint, finds none, and narrates it; meanwhile
    run A finishes segment 1. B then dies while writing its copy. The finished
    audio must stay whole: the next resume trusts A's checkpoint and stitches it."""
    work = tmp_path / "work"
    gate = tmp_path / "gate"
    gate.mkdir()
    first = jobs()[0]
    spec = {"crash": "mid-write", "file": f"{first.key}.pcm", "pause_after_check": str(gate)}
    run_b = run(tmp_path / "book.wav", work, spec)
    deadline = time.monotonic() + 60
    while not (gate / "ready").exists() and run_b.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (gate / "ready").exists(), finish(run_b)[2]
    with strict_vcr().use_cassette(str(crash_driver.CASSETTE), allow_playback_repeats=True):
        done = render_now(first, work)  # run A
    assert done.matched
    (gate / "go").touch()
    code, _, err = finish(run_b)
    assert code == crash_driver.CRASHED, err
    resume_and_compare(tmp_path, reference, requested=SEGMENTS - 1)


def render_now(job: SegmentJob, workdir: Path) -> Any:
    import asyncio

    return asyncio.run(arender_segment(job, workdir, make_llm()))


def test_ctrl_c_leaves_a_resumable_state(tmp_path: Path, reference: bytes) -> None:
    """Ctrl-C (SIGINT) while the third request is in flight: the run stops with
    KeyboardInterrupt, the two finished segments stay checkpointed, nothing half-written
    is left, and the resume narrates only the third. The request is held by the driver
    until the signal is sent, so the moment is the test's, not the machine's."""
    work, gate = tmp_path / "work", tmp_path / "gate"
    gate.mkdir()
    victim = run(tmp_path / "book.wav", work, {"hold_request": 3, "gate": str(gate)})
    deadline = time.monotonic() + 120
    while not (gate / "held").exists() and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert (gate / "held").exists(), f"the third request never started: {finish(victim)[2]}"
    victim.send_signal(signal.SIGINT)
    code, _, err = finish(victim)
    assert code != 0, "the run finished although it was interrupted"
    assert "KeyboardInterrupt" in err
    assert len(list(work.glob("segments/*.json"))) == 2
    assert [p.name for p in work.rglob("*.part")] == []
    assert not (tmp_path / "book.wav").exists()
    resume_and_compare(tmp_path, reference, requested=1)


# ------------------------------------------------------------------- stitching


def test_crash_during_stitching_leaves_no_book_then_resume(
    tmp_path: Path, reference: bytes
) -> None:
    crash(tmp_path / "book.wav", tmp_path / "work",
          {"crash": "mid-write", "file": "book.wav", "after": 30_000})  # fmt: skip
    assert not (tmp_path / "book.wav").exists()  # no half book where the book should be
    resume_and_compare(tmp_path, reference, requested=0)


def test_crash_while_restitching_keeps_the_previous_book(tmp_path: Path, reference: bytes) -> None:
    narrate(tmp_path / "book.wav", tmp_path / "work")
    crash(tmp_path / "book.wav", tmp_path / "work",
          {"crash": "mid-write", "file": "book.wav", "after": 30_000})  # fmt: skip
    assert (tmp_path / "book.wav").read_bytes() == reference  # the old book, whole and playable
    with wave.open(str(tmp_path / "book.wav")) as wav:
        assert wav.getnframes() > 0
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert len(leftovers) == 1  # the killed run's temporary file (a kill cleans nothing up)
    resume_and_compare(tmp_path, reference, requested=0)


def test_crash_before_the_book_is_renamed_into_place(tmp_path: Path, reference: bytes) -> None:
    crash(tmp_path / "book.wav", tmp_path / "work", {"crash": "before-rename", "file": "book.wav"})
    assert not (tmp_path / "book.wav").exists()
    resume_and_compare(tmp_path, reference, requested=0)
