"""Peak-memory probes for one call: resident set size and traced Python allocations.

`rss_peak(call)`: the process's resident high-water mark (`VmHWM`) after the
call, minus the same figure just before it. The high-water mark is first
reset to the current RSS (Linux: write `5` to `/proc/self/clear_refs`), so
setup work done earlier (imports, building the inputs, a warm-up request)
cannot hide the call's own peak; without the reset only a process's first
call could be measured.

Run RSS probes with `MALLOC_MMAP_THRESHOLD_` set (see `RSS_ENV`): glibc then
serves every large buffer with its own `mmap` and returns it on `free`, so the
RSS follows the live buffers. With glibc's default, adaptive threshold a freed
20 MB buffer can stay resident and be reused, and later calls look free.

`traced_peak(call)`: `tracemalloc`'s peak of memory allocated by the call
through Python's allocators (every `bytes`/`str`/dict...), measured from the
call's start. It ignores allocator slack and native buffers, and is the
steadier of the two.
"""

from __future__ import annotations

import resource
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

RSS_ENV: Final = {"MALLOC_MMAP_THRESHOLD_": "131072"}
_CLEAR_REFS: Final = Path("/proc/self/clear_refs")
_STATUS: Final = Path("/proc/self/status")


def max_rss_bytes() -> int:
    """The process's resident high-water mark (since start, or the last reset).

    Linux: `VmHWM` of /proc/self/status, which belongs to this process alone.
    (`ru_maxrss` is not: it survives `execve`, so a child started by a big parent
    reports the parent's peak.) Elsewhere `ru_maxrss`.
    """
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def current_rss() -> int:
    """The process's resident set size now (Linux: /proc/self/statm)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize()


def reset_peak_rss() -> bool:
    """Reset the resident high-water mark to the current RSS; False if unsupported."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def rss_peak(call: Callable[[], Any]) -> int | None:
    """Bytes the call added to the peak RSS, or None where the peak cannot be reset."""
    if not reset_peak_rss():
        return None
    before = max_rss_bytes()
    call()
    return max_rss_bytes() - before


def traced_peak(call: Callable[[], Any]) -> int:
    """Peak bytes the call had allocated through Python's allocators at any moment."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
