"""The `langchain-azure-audio` command line (also `python -m langchain_azure_audio`).

Subcommands: `speak`, `transcribe`, `ask`, `chat`, `demo`. Configuration comes
from the same environment variables as the model (AZURE_OPENAI_ENDPOINT,
AZURE_OPENAI_DEPLOYMENT_NAME, AZURE_OPENAI_API_KEY or keyless Entra ID,
OPENAI_API_VERSION). Results go to stdout, status to stderr. Exit codes: 0
ok, 1 a service or input error (one line, no traceback), 2 a usage error.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from langchain_azure_audio.audio import OUTPUT_FORMATS, audio_block, save_audio
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioError
from langchain_azure_audio.tools import TRANSCRIBE_INSTRUCTION, VERBATIM_INSTRUCTION

LIVE_HELP = (
    "Force live (Azure) or offline (replay the package's bundled synthetic session). "
    "Default: live when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are set."
)


def build_model(**settings: Any) -> AzureChatOpenAIAudio:
    """The model every subcommand uses, configured from the environment."""
    return AzureChatOpenAIAudio(**{k: v for k, v in settings.items() if v is not None})


@contextmanager
def connection(live: bool | None) -> Iterator[dict[str, Any]]:
    """Model settings for this run: none live; offline, the bundled synthetic session's."""
    from langchain_azure_audio._demo import (
        OFFLINE_DEPLOYMENT,
        OFFLINE_ENDPOINT,
        bundled_session,
        live_settings_present,
    )
    from langchain_azure_audio._replay import strict_vcr

    if live if live is not None else live_settings_present():
        yield {}
        return
    status(
        "OFFLINE: replaying the package's bundled SYNTHETIC session (no network); only the "
        "demo's requests are in it. Set AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME "
        "to run live."
    )
    with strict_vcr().use_cassette(str(bundled_session()), allow_playback_repeats=True):
        yield {
            "azure_endpoint": OFFLINE_ENDPOINT,
            "azure_deployment": OFFLINE_DEPLOYMENT,
            "api_key": "offline-replay",
        }


def status(message: str) -> None:
    click.echo(message, err=True)


class _Cli(click.Group):
    """Expected errors become one line on stderr and exit code 1: no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AzureAudioError as exc:
            raise click.ClickException(str(exc)) from exc
        except Exception as exc:
            if type(exc).__name__ == "CannotOverwriteExistingCassetteException":
                raise click.ClickException(
                    "offline mode only replays the bundled demo session and this request is "
                    "not in it; set the Azure settings (or pass --live) to run it for real."
                ) from exc
            raise


live_option = click.option("--live/--offline", default=None, help=LIVE_HELP)
voice_option = click.option("--voice", help="Output voice (alloy, echo, shimmer).")
format_option = click.option(
    "--format", "audio_format", type=click.Choice(OUTPUT_FORMATS), help="Output audio format."
)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="langchain-azure-audio")
def main() -> None:
    """Speak, listen and chat with Azure OpenAI audio models."""


@main.command()
@click.argument("text")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("speech.wav"),
    show_default=True,
    help="Where to save the speech (.wav, .mp3, .flac or .opus).",
)
@voice_option
@format_option
@live_option
def speak(
    text: str, output: Path, voice: str | None, audio_format: str | None, live: bool | None
) -> None:
    """Say TEXT aloud, word for word, and save the speech."""
    with connection(live) as offline:
        llm = build_model(**offline, voice=voice, audio_format=audio_format or _format_for(output))
        messages = [SystemMessage(VERBATIM_INSTRUCTION), HumanMessage(text)]
        status("Speaking...")
        answer = llm.invoke(messages)
        path = save_audio(answer, output)
    status(f"Saved {path}")
    click.echo(answer.text)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON: text and token usage.")
@live_option
def transcribe(file: Path, as_json: bool, live: bool | None) -> None:
    """Transcribe the speech in FILE (WAV or MP3) to text."""
    with connection(live) as offline:
        llm = build_model(**offline, modalities=["text"])
        messages = [SystemMessage(TRANSCRIBE_INSTRUCTION), HumanMessage([audio_block(file)])]
        status("Transcribing...")
        answer = llm.invoke(messages)
    if as_json:
        click.echo(json.dumps({"file": str(file), "text": answer.text,
                               "usage": answer.usage_metadata}, ensure_ascii=False))  # fmt: skip
    else:
        click.echo(answer.text)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("prompt", default="Describe in detail the spoken audio input.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("answer.wav"),
    show_default=True,
    help="Where to save the spoken answer.",
)
@voice_option
@live_option
def ask(file: Path, prompt: str, output: Path, voice: str | None, live: bool | None) -> None:
    """Send FILE (audio) with PROMPT; print the answer and save it spoken."""
    with connection(live) as offline:
        llm = build_model(**offline, voice=voice, audio_format=_format_for(output))
        message = HumanMessage(content=[{"type": "text", "text": prompt}, audio_block(file)])
        status("Asking...")
        answer = llm.invoke([message])
        path = save_audio(answer, output)
    status(f"Saved {path}")
    click.echo(answer.text)


@main.command()
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("chat"),
    show_default=True,
    help="Where each spoken answer is saved.",
)
@voice_option
@live_option
def chat(out_dir: Path, voice: str | None, live: bool | None) -> None:
    """A multi-turn conversation on stdin: type a line, or @FILE to send audio.

    Earlier spoken answers go back by audio id, or by transcript once the id has
    expired. Each answer is saved as OUT_DIR/turn-N.wav. End with /quit or EOF.
    """
    history: list[BaseMessage] = []
    with connection(live) as offline:
        llm = build_model(**offline, voice=voice, audio_format="wav")
        for turn, line in enumerate(_lines(), start=1):
            if line.startswith("@"):
                history.append(HumanMessage(content=[audio_block(line[1:].strip())]))
            else:
                history.append(HumanMessage(line))
            status("Thinking...")
            answer = llm.invoke(history)
            history.append(answer)
            path = save_audio(answer, out_dir / f"turn-{turn}.wav")
            click.echo(f"assistant: {answer.text}")
            status(f"(spoken answer saved to {path})")


@main.command()
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=Path("book.wav"),
    show_default=True,
    help="The WAV file, or a folder with --per-chapter.",
)
@click.option("--per-chapter", is_flag=True, help="One WAV per chapter (Markdown headings).")
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Checkpoints, to resume an interrupted run. Default: OUTPUT.work",
)
@click.option("--concurrency", default=4, show_default=True, help="Segments narrated at once.")
@click.option("--rpm", type=float, help="At most this many requests per minute.")
@click.option("--pause-ms", default=400, show_default=True, help="Silence between segments.")
@click.option(
    "--threshold", default=0.9, show_default=True, help="Transcript similarity to accept."
)
@click.option("--max-attempts", default=3, show_default=True, help="Readings per segment.")
@click.option("--max-chars", default=1500, show_default=True, help="Segment size budget.")
@voice_option
@live_option
def audiobook(
    book: Path,
    output: Path,
    per_chapter: bool,
    workdir: Path | None,
    concurrency: int,
    rpm: float | None,
    pause_ms: int,
    threshold: float,
    max_attempts: int,
    max_chars: int,
    voice: str | None,
    live: bool | None,
) -> None:
    """Narrate BOOK (plain text or Markdown) into one WAV, or one per chapter.

    Interrupt it at any time and run the same command again: finished segments
    are kept in --workdir and not requested twice.
    """
    from langchain_azure_audio.audiobook import split_book

    text = book.read_text(encoding="utf-8")
    total = sum(len(c.segments) for c in split_book(text, max_chars=max_chars))
    workdir = workdir or output.with_name(output.name + ".work")
    with connection(live) as offline:
        llm = build_model(**offline, voice=voice)
        with click.progressbar(length=total, label="Narrating", file=sys.stderr,
                               show_eta=True, show_pos=True) as bar:  # fmt: skip
            report = asyncio.run(
                _narrate_and_close(
                    text, output, llm=llm, workdir=workdir,
                    per_chapter=per_chapter, max_concurrency=concurrency,
                    requests_per_minute=rpm, pause_ms=pause_ms, threshold=threshold,
                    max_attempts=max_attempts, max_chars=max_chars,
                    on_progress=lambda done, total, result: bar.update(1),
                )
            )  # fmt: skip
    for path in report.outputs:
        click.echo(path)
    status(f"{report.segments} segments ({report.requested} narrated now, the rest resumed), "
           f"{report.seconds_of_audio / 60:.1f} min of audio.")  # fmt: skip
    for miss in report.unmatched:
        status(
            f"warning: chapter {miss.chapter + 1} segment {miss.index + 1} never read "
            f"faithfully (similarity {miss.similarity:.2f} after {miss.attempts} tries)"
        )


@main.command()
@live_option
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where dog.wav and analysis.wav are written.")  # fmt: skip
def demo(live: bool | None, out_dir: Path) -> None:
    """Run the quickstart's three scenarios: text->audio, audio->text+audio, multi-turn."""
    from langchain_azure_audio._demo import run_demo

    run_demo(out_dir, live=live, say=click.echo)


async def _narrate_and_close(text: str, output: Path, **kwargs: Any) -> Any:
    from langchain_azure_audio.audiobook import anarrate_book

    try:
        return await anarrate_book(text, output, **kwargs)
    finally:
        await kwargs["llm"].aclose()


def _lines() -> Iterator[str]:
    prompt = sys.stdin.isatty()
    while True:
        if prompt:
            click.echo("you: ", nl=False, err=True)
        line = sys.stdin.readline()
        if not line or line.strip() == "/quit":
            return
        if line.strip():
            yield line.strip()


def _format_for(path: Path) -> str:
    """The audio format a file name asks for (WAV unless the suffix says otherwise)."""
    suffix = path.suffix.lower().lstrip(".")
    return suffix if suffix in ("mp3", "flac", "opus") else "wav"
