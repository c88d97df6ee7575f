"""The version is the same in pyproject.toml, the package and the changelog."""

from __future__ import annotations

import re

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
