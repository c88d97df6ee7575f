"""Issue 15 item 11: the docs say what the code does (no stale facts)."""

from __future__ import annotations

import re

from langchain_azure_audio.cli import commands as cli
from tests.cassette_tools import REPO
from tests.unit_tests import test_cassette_hygiene

DOCS = REPO / "docs"


def test_every_subcommand_is_in_the_index_the_cli_page_and_the_cli_docstring() -> None:
    commands = sorted(cli.main.commands)
    index_row = next(
        line for line in (DOCS / "index.md").read_text().splitlines() if "(cli.md)" in line
    )
    cli_page = (DOCS / "cli.md").read_text()
    for name in commands:
        assert f"`{name}`" in index_row, f"docs/index.md omits {name}"
        assert f"| `{name}" in cli_page, f"docs/cli.md's table omits {name}"
        assert f"`{name}`" in (cli.__doc__ or ""), f"the CLI docstring omits {name}"


def test_sizes_are_mib_like_the_code() -> None:
    pages = [*DOCS.glob("*.md"), REPO / "README.md"]
    sources = list((REPO / "langchain_azure_audio").rglob("*.py"))
    for path in pages + sources:
        text = path.read_text()
        assert not re.search(r"\b20 MB\b", text), f"{path.name} says 20 MB; the limit is 20 MiB"


def test_the_testing_page_states_the_hygiene_limits_and_no_hand_typed_size() -> None:
    page = (DOCS / "testing.md").read_text()
    each = test_cassette_hygiene.MAX_CASSETTE_BYTES // 2**20
    total = test_cassette_hygiene.MAX_TOTAL_BYTES // 2**20
    assert f"each under {each} MiB and all under {total} MiB" in page
    assert "today)" not in page  # a measured size typed by hand goes stale


def test_the_cli_page_names_every_option_of_transcribe() -> None:
    """Issue 28: the subtitle and translation flags are on the CLI page's table."""
    row = next(line for line in (DOCS / "cli.md").read_text().splitlines()
               if line.startswith("| `transcribe "))  # fmt: skip
    global_flags = {"--live", "--offline", "--output", "--help"}  # -o is named by its short form
    options = {o for p in cli.main.commands["transcribe"].params
               for o in (*p.opts, *p.secondary_opts) if o.startswith("--")}  # fmt: skip
    assert {"--translate-to", "--language", "--both"} <= options
    missing = sorted(o for o in options - global_flags if f"{o} " not in row and f"{o}]" not in row)
    assert not missing, f"docs/cli.md's transcribe row omits {missing}"
    assert "60 s" in row, "the row must say subtitle mode cuts 60 s pieces"
