"""Narrate the 50-page book from its cassette in a separate process (the kill test).

    python -m tests.audiobook_driver OUTPUT WORKDIR [--slow]

Prints the report as JSON. `--slow` narrates one segment at a time and pauses
after each, so the test can kill the process part-way.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from langchain_azure_audio._azure.replay import strict_vcr
from tests import audiobook_flows as flows
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm


def main(output: str, workdir: str, slow: bool) -> None:
    extra: dict[str, Any] = {}
    if slow:
        extra = {"max_concurrency": 1, "on_progress": lambda *_: time.sleep(0.05)}
    cassette = CASSETTES / "audiobook_fifty_pages.json"
    with strict_vcr().use_cassette(str(cassette), allow_playback_repeats=True):
        report = flows.fifty_pages(make_llm(), Path(output), Path(workdir), **extra)
    print(report.model_dump_json())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], "--slow" in sys.argv[3:])
