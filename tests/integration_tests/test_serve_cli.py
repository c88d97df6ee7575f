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
