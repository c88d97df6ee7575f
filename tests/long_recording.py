"""The 30-minute test recording with known pauses, built at test time.

`scripts/make_long_recording.py` assembles it from espeak-ng speech and the real
clips in ../shared/audio (read there, never copied in). espeak-ng's renderings are
kept in pytest's cache folder, so after the first run a build takes a few seconds;
the recording itself goes to a temporary folder. Tests get it from the session
fixture `long_recording` (tests/conftest.py).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.cassette_tools import REPO, SHARED_AUDIO, require_shared

SCRIPT = REPO / "scripts" / "make_long_recording.py"


def script() -> ModuleType:
    """scripts/make_long_recording.py as a module (scripts/ is not a package)."""
    module = sys.modules.get("make_long_recording")
    if module is None:
        spec = importlib.util.spec_from_file_location("make_long_recording", SCRIPT)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["make_long_recording"] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return module


def require_espeak() -> None:
    """Skip without espeak-ng on a developer's machine; fail on CI (.ci/run installs it)."""
    if shutil.which("espeak-ng") is None:
        message = "espeak-ng is not installed (Debian package espeak-ng)"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run must install it")
        pytest.skip(message)


def cache_dir(config: pytest.Config) -> Path | None:
    """Where espeak-ng's renderings are kept across runs (pytest's cache folder)."""
    cache_plugin = getattr(config, "cache", None)
    return cache_plugin.mkdir("long_recording") if cache_plugin is not None else None


def build(config: pytest.Config, out_dir: Path, **kwargs: Any) -> Any:
    """Build the recording into `out_dir` (espeak-ng renderings cached across runs)."""
    require_shared()
    require_espeak()
    return script().build_long_recording(
        out_dir, shared=SHARED_AUDIO, cache=cache_dir(config), **kwargs
    )


def truth(recording: Any) -> dict[str, Any]:
    return json.loads(Path(recording.truth).read_text())  # type: ignore[no-any-return]
