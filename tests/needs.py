"""What some tests need from the machine: the shared folder (../shared), espeak-ng, Chromium.

On a developer's machine a missing one skips the test with what to install. Under CI
(`CI` set, as `.ci/run` does) it fails instead: CI provides all of them, so a skip
there would hide a test that never ran.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest


def missing(what: str, fix: str) -> NoReturn:
    """Skip, naming `what` is missing and the `fix`; fail under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must provide it: {fix}", pytrace=False)
    pytest.skip(f"{what} ({fix})")


def shared(path: Path) -> Path:
    """`path`, a file or folder of the shared data beside the checkout, or skip/fail."""
    if not path.exists():
        missing(f"{path} is not there", "the shared folder (../shared) beside the checkout")
    return path
