"""Narrate a three-segment book from the 50-page cassette, optionally crashing on purpose.

    python -m tests.crash_driver OUTPUT WORKDIR [SPEC_JSON]

SPEC_JSON injects a crash at an exact write, in this process only (the
package's code is not touched):

- `{"crash": "mid-write", "file": NAME, "after": N}`: the first time a file whose
  name contains NAME is written (its temporary `.part` or the file itself), let
  N bytes through (0: half of the first write), then die with `os._exit`, like
  SIGKILL: no `finally`, no clean-up, the bytes written so far stay on disk.
- `{"crash": "before-rename", "file": NAME}`: die just before the `os.replace`
  that would put NAME in place (the data is written, not yet renamed).
- `{"requests_per_minute": R}`: pace the requests.
- `{"hold_request": N, "gate": DIR}`: the N-th request (1-based) creates `DIR/held` and
  then waits, never answered, so a test can press Ctrl-C at a moment it controls: with
  `max_concurrency` 1, after exactly N - 1 segments were checkpointed.
- `"pause_after_check": DIR` (with any of them): after the checkpoint lookup for the
  first segment finds nothing, create `DIR/ready` and wait for `DIR/go`, so a
  test can finish the same segment from another process first (two runs on one
  work folder).

Exits with CRASHED when the crash fired; prints the report as JSON otherwise.
"""

from __future__ import annotations

import asyncio
import builtins
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.audiobook import SegmentJob, narrate_book, segments, split_book
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

CRASHED = 77
CASSETTE = CASSETTES / "audiobook_fifty_pages.json"
SETTINGS: dict[str, Any] = {"max_concurrency": 1, "pause_ms": 400}


def book_text() -> str:
    """Three segments of the 50-page book (each in its cassette), as plain text."""
    fifty = (CASSETTES / "books" / "fifty_pages.md").read_text()
    return "\n\n".join(split_book(fifty)[1].segments[1:4])


def _die() -> None:
    sys.stdout.flush()
    os._exit(CRASHED)


class _CrashingFile:
    """A writable file that dies part-way through its data."""

    def __init__(self, handle: Any, after: int) -> None:
        self._handle, self._left = handle, after

    def write(self, data: bytes) -> int:
        if self._left == 0:  # "half of the first write"
            self._left = max(1, len(data) // 2)
        if len(data) >= self._left:
            self._handle.write(data[: self._left])
            self._handle.flush()
            os.fsync(self._handle.fileno())
            _die()
        self._left -= len(data)
        return int(self._handle.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _CrashingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def install(spec: dict[str, Any]) -> None:
    name = spec.get("file", "")

    def matches(path: Any) -> bool:
        return isinstance(path, (str, os.PathLike)) and name in os.path.basename(path)

    if spec.get("crash") == "mid-write":
        real_open = io.open

        def crashing_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            handle = real_open(file, mode, *args, **kwargs)
            if any(flag in mode for flag in "wxa") and matches(file):
                return _CrashingFile(handle, int(spec.get("after", 0)))
            return handle

        builtins.open = io.open = crashing_open  # type: ignore[assignment]
    elif spec.get("crash") == "before-rename":
        real_replace = os.replace

        def crashing_replace(src: Any, dst: Any, **kwargs: Any) -> None:
            if matches(dst):
                _die()
            real_replace(src, dst, **kwargs)

        os.replace = crashing_replace
    if spec.get("pause_after_check"):
        gate = Path(spec["pause_after_check"])
        real_load = segments.load_checkpoint

        def paused_load(job: SegmentJob, workdir: Path) -> Any:
            found = real_load(job, workdir)
            if found is None and not (gate / "ready").exists():
                (gate / "ready").touch()
                deadline = time.monotonic() + 60
                while not (gate / "go").exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
            return found

        segments.load_checkpoint = paused_load  # type: ignore[assignment]
    if spec.get("hold_request"):
        hold_request(int(spec["hold_request"]), Path(spec["gate"]))


def hold_request(number: int, gate: Path) -> None:
    real_call = segments.ainvoke_with_waits
    calls = 0

    async def held_call(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == number:
            (gate / "held").touch()
            await asyncio.sleep(600)  # until the test's Ctrl-C (bounded: the test's timeout)
        return await real_call(*args, **kwargs)

    segments.ainvoke_with_waits = held_call  # type: ignore[assignment]


def main(output: str, workdir: str, spec: dict[str, Any] | None) -> None:
    settings = dict(SETTINGS)
    if spec:
        install(spec)
        settings["requests_per_minute"] = spec.get("requests_per_minute")
    with strict_vcr().use_cassette(str(CASSETTE), allow_playback_repeats=True):
        report = narrate_book(
            book_text(), Path(output), llm=make_llm(), workdir=Path(workdir), **settings
        )
    print(report.model_dump_json())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else None)
