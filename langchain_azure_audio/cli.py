"""The `langchain-azure-audio` command line (also `python -m langchain_azure_audio`)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from langchain_azure_audio.errors import AzureAudioError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="langchain-azure-audio")
def main() -> None:
    """Speak, listen and chat with Azure OpenAI audio models."""


@main.command()
@click.option(
    "--live/--offline",
    default=None,
    help="Force live (Azure) or offline (bundled synthetic replay). "
    "Default: live when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are set.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where dog.wav and analysis.wav are written.",
)
def demo(live: bool | None, out_dir: Path) -> None:
    """Run the three quickstart scenarios: text->audio, audio->text+audio, multi-turn."""
    from langchain_azure_audio._demo import run_demo

    try:
        run_demo(out_dir, live=live, say=click.echo)
    except AzureAudioError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
