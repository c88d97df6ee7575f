"""Audiobook runs shared by their tests, the kill-and-resume driver and the
cassette generator (which records them against the synthetic narrator)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_azure_audio import AzureChatOpenAIAudio
from langchain_azure_audio.audiobook import AudiobookReport, narrate_book
from tests.cassette_tools import CASSETTES

FIFTY_PAGES = CASSETTES / "books" / "fifty_pages.md"
SMALL_BOOK = """# The Lighthouse

The keeper climbed the stairs at dusk. The lighthouse lamp was cold and the sea was loud.

He lit the wick and watched the beam reach across the water.
Far away, a small boat turned toward home.

## Morning

At dawn the fog lifted. A letter from Zanzibar waited on the table, sealed with red wax.

He read it twice, smiled, and put the kettle on.
"""
SMALL_SETTINGS: dict[str, Any] = {"max_chars": 120, "max_concurrency": 2, "pause_ms": 300}
FIFTY_SETTINGS: dict[str, Any] = {"max_concurrency": 4, "pause_ms": 400}


def small_book(
    llm: AzureChatOpenAIAudio, out: Path, workdir: Path, **extra: Any
) -> AudiobookReport:
    return narrate_book(SMALL_BOOK, out, llm=llm, workdir=workdir, **{**SMALL_SETTINGS, **extra})


def fifty_pages(
    llm: AzureChatOpenAIAudio, out: Path, workdir: Path, **extra: Any
) -> AudiobookReport:
    text = FIFTY_PAGES.read_text()
    return narrate_book(text, out, llm=llm, workdir=workdir, **{**FIFTY_SETTINGS, **extra})
