"""Plumbing shared by the benchmarks: child processes, medians, tables, results.

Every measurement runs in a child process of its own (one client per
process), started with `python <bench script> --child '<json config>'`; the
child prints its measurements as one JSON line. The parent interleaves the
clients' processes, so the machine's noise spreads over all of them alike.
"""

from __future__ import annotations

import contextlib
import json
import operator
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
PROFILE_DIR_ENV = "BENCH_PROFILE_DIR"
"""Set to a folder to get a pyinstrument report of every child process there."""


# ---------------------------------------------------------------- processes


def spawn(script: str | Path, config: dict[str, Any], env: dict[str, str] | None = None) -> Any:
    """Run `script --child <config>` in a fresh interpreter; return its JSON answer."""
    out = subprocess.run(
        [sys.executable, str(script), "--child", json.dumps(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {config.get('client')} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def child_main(argv: Sequence[str], run_child: Callable[[dict[str, Any]], Any]) -> bool:
    """If this process is a child (`--child <json>`), run it, print the answer, return True."""
    if len(argv) == 3 and argv[1] == "--child":
        config = json.loads(argv[2])
        profile = config.get("profile")
        if not profile and os.environ.get(PROFILE_DIR_ENV):
            name = f"{Path(argv[0]).stem}-{config.get('client')}-{os.getpid()}.txt"
            profile = str(Path(os.environ[PROFILE_DIR_ENV]) / name)
        with profiled(profile):
            answer = run_child(config)
        print(json.dumps(answer))
        return True
    return False


@contextlib.contextmanager
def profiled(path: str | None) -> Iterator[None]:
    """Profile the block with pyinstrument into `path` (a text report), when asked."""
    if not path:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        Path(path).write_text(profiler.output_text(show_all=False, short_mode=False))


# -------------------------------------------------------------------- numbers


def median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def ratio(value: float | None, reference: float | None) -> float | None:
    return value / reference if value is not None and reference else None


COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
}
"""The directions a target's value may be compared with its limit in."""
SYMBOLS = {"<=": "≤", "<": "<", ">=": "≥"}


@dataclass(frozen=True)
class Target:
    """One acceptance target: the measured value, the limit and the direction of the test.

    Whether it was met is never recorded: `met` decides it from these three,
    at the moment a table or a page is rendered.
    """

    benchmark: str
    what: str
    value: float | None
    limit: float
    compare: str

    @classmethod
    def at_most(cls, benchmark: str, what: str, value: float | None, limit: float) -> Target:
        return cls(benchmark, what, value, limit, "<=")

    @classmethod
    def below(cls, benchmark: str, what: str, value: float | None, limit: float) -> Target:
        return cls(benchmark, what, value, limit, "<")

    @classmethod
    def at_least(cls, benchmark: str, what: str, value: float | None, limit: float) -> Target:
        return cls(benchmark, what, value, limit, ">=")

    @property
    def met(self) -> bool:
        return met(asdict(self))


def met(target: Mapping[str, Any]) -> bool:
    """Whether a recorded target is met: its value against its limit, in its direction.

    Any verdict stored beside them (older results files had a `met` field) is ignored.
    """
    value = target["value"]
    return value is not None and COMPARISONS[target["compare"]](value, target["limit"])


def targets_json(targets: Iterable[Target]) -> list[dict[str, Any]]:
    return [asdict(t) for t in targets]


# --------------------------------------------------------------------- output


def save(name: str, report: dict[str, Any]) -> Path:
    """Write `benchmarks/results/<name>.json` and return its path."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    lines = [list(header), *map(list, rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        rest = zip(line[1:], widths[1:], strict=True)
        return "  ".join([line[0].ljust(widths[0]), *(c.rjust(w) for c, w in rest)])

    return "\n".join([title, fmt(lines[0]), *(fmt(line) for line in lines[1:])])


def ms(seconds: float | None) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds is not None else "-"


def us(seconds: float | None) -> str:
    return f"{seconds * 1e6:.0f} µs" if seconds is not None else "-"


def mib(n_bytes: float | None) -> str:
    return f"{n_bytes / 2**20:.1f} MiB" if n_bytes is not None else "-"


def times(value: float | None) -> str:
    return f"{value:.2f}×" if value is not None else "-"


def target_lines(targets: Iterable[Target]) -> list[str]:
    return [
        f"  [{'met' if t.met else 'MISSED'}] {t.benchmark}: {t.what} = "
        f"{'-' if t.value is None else f'{t.value:.3g}'} (limit {SYMBOLS[t.compare]} {t.limit:g})"
        for t in targets
    ]
