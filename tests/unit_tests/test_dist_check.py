"""scripts/check_dist.py (CI's `nox -s package`) refuses a wheel that ships the wrong files."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from tests.cassette_tools import REPO


def _check_dist() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_dist", REPO / "scripts" / "check_dist.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_dist = _check_dist()
PKG, INFO = "langchain_azure_audio", "langchain_azure_audio-0.1.0.dist-info"
GOOD_WHEEL = [
    f"{PKG}/__init__.py",
    f"{PKG}/chat_models.py",
    f"{PKG}/py.typed",
    f"{PKG}/audiobook/__init__.py",
    f"{PKG}/_bundled/demo/session.json",
    *(f"{PKG}/serve/static/{name}" for name in check_dist.SERVE_FILES),  # the voice page
    f"{INFO}/METADATA",
    f"{INFO}/licenses/LICENSE",
    f"{INFO}/RECORD",
]


def test_the_expected_wheel_passes() -> None:
    assert check_dist.wheel_problems(GOOD_WHEEL) == []


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ("tests/unit_tests/test_audio.py", "outside the package"),
        (f"{PKG}/tests/test_audio.py", "a test file"),
        (f"{PKG}/test_audio.py", "a test file"),
        ("cassettes/modalities.json", "a cassette other than"),
        (f"{PKG}/_bundled/modalities.json", "bundled data other than the demo"),
        (f"{PKG}/cassettes/streams.json", "a cassette other than"),
        ("benchmarks/run_all.py", "outside the package"),
    ],
)
def test_a_stray_file_is_named(extra: str, complaint: str) -> None:
    problems = check_dist.wheel_problems([*GOOD_WHEEL, extra])
    assert any(extra in p and complaint in p for p in problems), problems


@pytest.mark.parametrize(
    ("dropped", "complaint"),
    [
        (f"{PKG}/py.typed", "missing: langchain_azure_audio/py.typed"),
        (f"{INFO}/licenses/LICENSE", "missing: the licence"),
        (f"{PKG}/_bundled/demo/session.json", "missing: langchain_azure_audio/_bundled/demo"),
        (f"{PKG}/serve/static/playback-worklet.js", "missing: langchain_azure_audio/serve/static"),
    ],
)
def test_a_missing_file_is_named(dropped: str, complaint: str) -> None:
    problems = check_dist.wheel_problems([n for n in GOOD_WHEEL if n != dropped])
    assert any(p.startswith(complaint) for p in problems), problems


def test_an_sdist_without_the_licence_is_refused() -> None:
    root = "langchain_azure_audio-0.1.0"
    names = [f"{root}/{n}" for n in ("README.md", "pyproject.toml", f"{PKG}/__init__.py")]
    names.append(f"{root}/{PKG}/py.typed")
    assert check_dist.sdist_problems(names) == ["missing from the sdist: LICENSE"]
    assert check_dist.sdist_problems([*names, f"{root}/LICENSE"]) == []


def test_the_repository_carries_the_licence_pyproject_declares() -> None:
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text()
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    assert (REPO / PKG / "py.typed").is_file()
