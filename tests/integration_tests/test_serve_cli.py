"""`langchain-azure-audio serve` from the command line (no browser: see test_serve_browser.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="`serve` needs the serve extra")

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "langchain_azure_audio", *args],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, **(env or {})})  # fmt: skip


def test_half_configured_settings_stop_at_once_naming_the_missing_one() -> None:
    done = cli("serve", "--port", "0", env={"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com"})
    assert done.returncode == 1
    assert done.stderr.startswith("Error: AZURE_OPENAI_ENDPOINT is set but "
                                  "AZURE_OPENAI_DEPLOYMENT_NAME is not set")  # fmt: skip
    assert len(done.stderr.strip().splitlines()) == 1


def test_live_without_settings_names_them() -> None:
    done = cli("serve", "--live", "--port", "0")
    assert done.returncode == 1
    assert "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are not set" in done.stderr


def test_serve_prints_its_url_binds_loopback_and_serves_the_page(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_azure_audio", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Serving OFFLINE (bundled SYNTHETIC demo answer only) on "
                               "http://127.0.0.1:")  # fmt: skip
        url = line.split(" on ", 1)[1].split()[0]
        for _ in range(100):  # uvicorn starts right after the line is printed
            try:
                with urllib.request.urlopen(url, timeout=5) as page:
                    html = page.read().decode()
                    csp = page.headers["Content-Security-Policy"]
                break
            except OSError:
                if process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert "Talk to it" in html
        assert "connect-src 'self'" in csp
    finally:
        process.terminate()
        process.wait(10)


def test_a_bad_voice_is_a_usage_error_before_anything_starts() -> None:
    done = cli("serve", "--voice", "robot", "--port", "0")
    assert done.returncode == 2
    assert "'robot' is not one of the documented voices" in done.stderr


# ------------------------------------------------------ realtime mode and --tools

REALTIME_ENV = {"AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com",
                "AZURE_OPENAI_API_KEY": "cli-test-key"}  # fmt: skip


@pytest.mark.parametrize(
    ("deployments", "forced", "realtime"),
    [
        (("gpt-realtime",), False, True),
        (("gpt-realtime-mini-2025-12-15",), False, True),
        (("gpt-realtime-1.5", "gpt-realtime-mini"), False, True),
        (("gpt-audio-1.5",), False, False),
        (("my-voice-bot",), False, False),
        (("my-voice-bot",), True, True),
    ],
)
def test_the_mode_follows_the_deployments_profile_or_realtime(
    deployments: tuple[str, ...], forced: bool, realtime: bool
) -> None:
    from langchain_azure_audio.cli.serve import choose_realtime

    assert choose_realtime(deployments, forced) is realtime


@pytest.mark.parametrize(
    ("deployments", "forced", "error"),
    [
        (("gpt-realtime", "gpt-audio-1.5"), False,
         "gpt-realtime is a realtime model but gpt-audio-1.5 is not known as one"),
        (("gpt-audio-1.5",), True, "gpt-audio-1.5 is a chat-completions audio model"),
    ],
)  # fmt: skip
def test_a_mode_that_cannot_work_is_a_usage_error(
    deployments: tuple[str, ...], forced: bool, error: str
) -> None:
    import click

    from langchain_azure_audio.cli.serve import choose_realtime

    with pytest.raises(click.BadParameter, match=error):
        choose_realtime(deployments, forced)


EXAMPLE = "langchain_azure_audio.serve.example_tools"


def test_tools_load_from_module_and_attribute() -> None:
    from langchain_azure_audio.cli.serve import load_tools

    assert [t.name for t in load_tools([f"{EXAMPLE}:TOOLS"])] == ["current_time",
                                                                  "convert_units"]  # fmt: skip
    assert [t.name for t in load_tools([f"{EXAMPLE}:current_time"])] == ["current_time"]
    assert load_tools([]) == ()


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        ("example_tools", "expected MODULE:ATTR"),
        (f"{EXAMPLE}:", "expected MODULE:ATTR"),
        ("no_such_module_q7:TOOLS", "there is no module 'no_such_module_q7'"),
        (f"{EXAMPLE}:NOPE", "has no attribute 'NOPE'"),
        ("json:dumps", "is a function; give a non-empty list of LangChain tools"),
        (f"{EXAMPLE}:LENGTH_M", "is a dict; give a non-empty list"),
        (f"{EXAMPLE}:TEMPERATURES", "holds str 'C', not a LangChain tool"),
        ("tools_that_explode_q7:TOOLS", "importing tools_that_explode_q7 failed: RuntimeError: "
                                        "no network here"),
    ],
)  # fmt: skip
def test_a_bad_tools_spec_is_one_clear_line(
    spec: str, error: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import click

    from langchain_azure_audio.cli.serve import load_tools

    (tmp_path / "tools_that_explode_q7.py").write_text('raise RuntimeError("no network\\nhere")\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(click.BadParameter) as refused:
        load_tools([spec])
    assert error in refused.value.message
    assert "\n" not in refused.value.message


def test_two_tools_of_one_name_are_refused() -> None:
    import click

    from langchain_azure_audio.cli.serve import load_tools

    with pytest.raises(click.BadParameter, match="a second tool is named 'current_time'"):
        load_tools([f"{EXAMPLE}:TOOLS", f"{EXAMPLE}:current_time"])


def test_bad_tools_stop_serve_with_one_error_line_before_it_listens() -> None:
    done = cli("serve", "--port", "0", "--tools", "no_such_module_q7:TOOLS",
               env={**REALTIME_ENV, "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime"})  # fmt: skip
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [
        "Error: Invalid value for '--tools': 'no_such_module_q7:TOOLS': there is "
        "no module 'no_such_module_q7' (is it installed, or on PYTHONPATH?)."
    ]
    assert done.stdout == ""  # it never started serving


def test_serve_picks_realtime_for_a_realtime_deployment_and_names_its_tools(
    tmp_path: Path,
) -> None:
    env = {**os.environ, **REALTIME_ENV, "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-realtime"}
    process = subprocess.Popen(
        [sys.executable, "-m", "langchain_azure_audio", "serve", "--port", "0",
         "--tools", f"{EXAMPLE}:TOOLS"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Serving live, realtime on http://127.0.0.1:")
        assert process.stdout.readline() == (
            "Tools the model may call: current_time, convert_units\n"
        )
    finally:
        process.terminate()
        process.wait(10)
