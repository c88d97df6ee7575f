"""The troubleshooting page documents every error the package exports."""

from __future__ import annotations

import inspect

import langchain_azure_audio
from tests.cassette_tools import REPO


def test_every_exported_error_is_in_the_troubleshooting_page() -> None:
    page = (REPO / "docs" / "troubleshooting.md").read_text()
    errors = [
        name
        for name in langchain_azure_audio.__all__
        if inspect.isclass(obj := getattr(langchain_azure_audio, name))
        and issubclass(obj, Exception)
    ]
    assert len(errors) >= 12
    missing = [name for name in errors if f"`{name}`" not in page]
    assert not missing, f"undocumented errors: {missing}"
