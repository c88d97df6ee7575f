"""The `langchain-azure-audio` command line (also `python -m langchain_azure_audio`).

`commands` holds the click group and its subcommands; `checks` every argument,
file and path check (before any request); `long_jobs` the bodies of
`transcribe`, `ask` and `audiobook`; `serve` the voice page's launcher; `demo`
the quickstart's scenarios. Importing this package loads only click: the
commands load LangChain and the `openai` SDK when they run (`--help` is fast).
"""

from langchain_azure_audio.cli.commands import main

__all__ = ["main"]
