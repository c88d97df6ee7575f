"""Every ```python example in docs/ runs, in order, against the cassette its page names."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio._offline import OFFLINE_DEPLOYMENT, OFFLINE_ENDPOINT, bundled_session
from tests import long_flows
from tests.audiobook_flows import SMALL_BOOK
from tests.cassette_tools import CASSETTES, REPO

DOCS = REPO / "docs"
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
# Which cassette answers each page's examples; a page with examples must be listed.
PAGE_CASSETTES = {
    "quickstart.md": bundled_session(),
    "streaming.md": CASSETTES / "streams.json",
    "agents.md": CASSETTES / "agents.json",
    "transcription.md": CASSETTES / "modalities.json",
    "authentication.md": bundled_session(),  # builds models only: nothing may be sent
    "audiobooks.md": CASSETTES / "audiobook_small.json",
    "long-recordings.md": CASSETTES / "long_audio.json",
    "cost.md": CASSETTES / "long_audio.json",
}
# Pages whose cassette must play each recording once (a regenerated segment resends
# the same request and must get the next reading).
NO_REPEATS = {"audiobooks.md"}
# Text files a page's examples read, written into the working folder.
PAGE_TEXTS = {"audiobooks.md": {"story.md": SMALL_BOOK}}
# Input files a page's examples read from the working folder.
PAGE_INPUTS = {
    "agents.md": [CASSETTES / "audio" / "question.wav", CASSETTES / "audio" / "meeting.wav"],
    "transcription.md": [CASSETTES / "audio" / "meeting.wav"],
}
# Input files a page's examples read, built at test time into the working folder.
PAGE_BUILDERS = {"long-recordings.md": long_flows.write_meeting,
                 "cost.md": long_flows.write_meeting}  # fmt: skip
# Files each page's examples must leave behind (what a reader would check).
PAGE_OUTPUTS = {
    "quickstart.md": ["dog.wav", "analysis.wav"],
    "streaming.md": ["hello.pcm", "hello.wav", "hello-async.wav"],
    "agents.md": ["answer.wav", "speech/welcome.wav"],
    "audiobooks.md": ["story.wav"],
    "long-recordings.md": ["meeting.srt", "answer.wav"],
    "live-voice.md": ["hello.wav", "live.wav"],
}


def examples(page: Path) -> list[str]:
    return PYTHON_BLOCK.findall(page.read_text())


# Pages whose examples run against a scripted loopback server instead of a cassette.
PAGE_SERVERS = {"live-voice.md": "tests.realtime_server"}
SERVER_DEPLOYMENTS = {"live-voice.md": "gpt-realtime"}


def test_every_page_with_examples_has_a_cassette() -> None:
    pages = {p.name for p in DOCS.glob("*.md") if examples(p)}
    answered = set(PAGE_CASSETTES) | set(PAGE_SERVERS)
    assert pages <= answered, pages - answered


@pytest.mark.parametrize("name", sorted(PAGE_CASSETTES))
def test_doc_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", OFFLINE_ENDPOINT)
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", OFFLINE_DEPLOYMENT)
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "docs-example-key")
    page = DOCS / name
    for source in PAGE_INPUTS.get(name, []):
        shutil.copy(source, tmp_path / source.name)
    if name in PAGE_BUILDERS:
        PAGE_BUILDERS[name](tmp_path)
    for filename, text in PAGE_TEXTS.get(name, {}).items():
        (tmp_path / filename).write_text(text)
    repeats = name not in NO_REPEATS
    with strict_vcr().use_cassette(str(PAGE_CASSETTES[name]), allow_playback_repeats=repeats):
        for number, code in enumerate(examples(page), start=1):
            namespace: dict[str, object] = {"__name__": f"docs_example_{number}"}
            exec(compile(code, f"{page.name}#example{number}", "exec"), namespace)
    for output in PAGE_OUTPUTS.get(name, []):
        assert (tmp_path / output).stat().st_size > 44, output


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
@pytest.mark.parametrize("name", sorted(PAGE_SERVERS))
def test_server_page_examples_run(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's examples, in order, against its scripted loopback server."""
    from tests.realtime_server import RealtimeServer

    monkeypatch.chdir(tmp_path)
    with RealtimeServer() as server:
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", server.endpoint)
        monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT_NAME", SERVER_DEPLOYMENTS[name])
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", "docs-example-key")
        page = DOCS / name
        for number, code in enumerate(examples(page), start=1):
            namespace: dict[str, object] = {"__name__": f"docs_example_{number}"}
            exec(compile(code, f"{page.name}#example{number}", "exec"), namespace)
        # the example breaks out on `interrupted`; the truncate it sent may still be in flight
        try:
            server.wait(lambda: bool(server.received("conversation.item.truncate")))
        except AssertionError:
            raise AssertionError("the barge-in example cut nothing") from None
    for output in PAGE_OUTPUTS.get(name, []):
        assert (tmp_path / output).stat().st_size > 44, output
