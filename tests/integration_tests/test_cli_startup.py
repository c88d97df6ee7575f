"""The command line answers `--help` and usage errors at once (issue 19).

Importing the chat model (LangChain, the `openai` SDK, pydantic models) takes
seconds; the CLI loads it inside the commands that talk to Azure, so help
and usage mistakes never wait for it. The robust check is what the process
imported; the timings (best of several runs, on a shared machine) back it up.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

HEAVY = (
    "langchain_core",
    "openai",
    "pydantic",
    "azure.identity",
    "httpx2",
    "starlette",
    "av",
    "numpy",
)
RUNS = 5
LIMIT = 0.3  # seconds, the bound

CASES = {
    "--help": (["--help"], 0),
    "speak --help": (["speak", "--help"], 0),
    "serve --help": (["serve", "--help"], 0),
    "a usage error": (["speak"], 2),  # missing TEXT
    "an unknown option": (["transcribe", "--nope", "x.wav"], 2),
}
PROBE = (
    "import sys\n"
    "from langchain_azure_audio.cli import main\n"
    "try:\n"
    "    main(args=sys.argv[1:], prog_name='langchain-azure-audio')\n"
    "except SystemExit as exit:\n"
    f"    heavy = sorted({{m.split('.')[0] for m in sys.modules if m.startswith({HEAVY!r})}})\n"
    "    print('HEAVY=' + ','.join(heavy), file=sys.stderr)\n"
    "    raise\n"
)


@pytest.mark.parametrize("case", CASES)
def test_help_and_usage_errors_do_not_load_langchain_or_the_sdk(case: str) -> None:
    args, code = CASES[case]
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == code, done.stderr
    heavy = done.stderr.rsplit("HEAVY=", 1)[1].strip()
    assert heavy == "", f"{case} imported {heavy}"


def best_of(command: list[str], runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, timeout=60, check=False)
        best = min(best, time.perf_counter() - start)
    return best


def test_help_and_a_usage_error_answer_in_under_0_3_s() -> None:
    """Under 0.3 s (best of 5). On a machine too busy for that, the CLI must still add
    under 0.1 s to the floor it cannot go below: Python starting and importing click."""
    cli = [sys.executable, "-m", "langchain_azure_audio"]
    help_time = best_of([*cli, "--help"])
    usage_time = best_of([*cli, "speak"])
    floor = best_of([sys.executable, "-c", "import click"])
    model_time = best_of([sys.executable, "-c", "import langchain_azure_audio.chat_models"], 2)
    print(f"--help {help_time:.3f} s, usage error {usage_time:.3f} s, python + click "
          f"{floor:.3f} s, importing the chat model {model_time:.3f} s")  # fmt: skip
    for took in (help_time, usage_time):
        assert took < LIMIT or took - floor < 0.1, (took, floor)
    assert max(help_time, usage_time) < model_time / 2  # the chat model is not loaded
