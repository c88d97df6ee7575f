"""Every ```python example in docs/ runs, in order, against the synthetic demo session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from langchain_azure_audio._demo import OFFLINE_DEPLOYMENT, OFFLINE_ENDPOINT, bundled_session
from langchain_azure_audio._replay import strict_vcr
from tests.cassette_tools import REPO

DOC_PAGES = sorted((REPO / "docs").glob("*.md"))
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples(page: Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text())


@pytest.mark.parametrize("page", [p for p in DOC_PAGES if examples(p)], ids=lambda p: p.name)
def test_doc_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", OFFLINE_ENDPOINT)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", OFFLINE_DEPLOYMENT)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "docs-example-key")
    with strict_vcr().use_cassette(str(bundled_session()), allow_playback_repeats=True):
        for number, code in enumerate(examples(page), start=1):
            namespace: dict[str, object] = {"__name__": f"docs_example_{number}"}
            exec(compile(code, f"{page.name}#example{number}", "exec"), namespace)
    assert (tmp_path / "dog.wav").stat().st_size > 44
    assert (tmp_path / "analysis.wav").stat().st_size > 44
