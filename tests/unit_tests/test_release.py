"""The version is the same in pyproject.toml, the package and the changelog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import langchain_azure_audio
from tests.cassette_tools import REPO


def test_versions_agree() -> None:
    pyproject = (REPO / "pyproject.toml").read_text()
    project = re.search(r'^version = "([^"]+)"$', pyproject, re.M).group(1)  # type: ignore[union-attr]
    changelog = (REPO / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    assert released, "CHANGELOG.md has no released version heading"
    assert project == langchain_azure_audio.__version__ == released[0]
    assert "## [Unreleased]" in changelog  # Keep a Changelog


def test_the_package_is_typed_for_mypy_in_a_users_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15 item 10: with `py.typed`, mypy in a user's project (not this checkout)
    finds the installed package with its types instead of treating it as `Any`."""
    from mypy.build import default_data_dir
    from mypy.modulefinder import FindModuleCache, compute_search_paths
    from mypy.options import Options

    monkeypatch.chdir(tmp_path)  # a user's project: this checkout is not on the path
    options = Options()
    finder = FindModuleCache(compute_search_paths([], options, default_data_dir()), None, options)
    found = finder.find_module("langchain_azure_audio")
    assert isinstance(found, str), f"mypy sees the package as untyped: {found}"
    assert Path(found).with_name("py.typed").is_file()
