"""The `langchain-azure-audio` command line (also `python -m langchain_azure_audio`).

Subcommands: `speak`, `transcribe`, `ask`, `chat`, `audiobook`, `demo`, `serve`.

Only `demo` runs offline (it replays the package's bundled synthetic session
when no Azure settings are found, or with `--offline`). The others talk to
Azure OpenAI: they need AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME,
plus AZURE_OPENAI_API_KEY or keyless Entra ID (`az login`); OPENAI_API_VERSION
is optional. Every argument, input file and output path is checked before any
request. Results go to stdout, status to stderr. Exit codes: 0 ok; 1 a
settings, service or input error (one `Error:` line, no traceback); 2 a usage
error (bad option or argument, file not found); 3 incomplete (`transcribe`,
`ask`, `audiobook`): a part was not produced because the service kept failing
it; the rest is written, and the same command run again asks only for what is
missing.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

import click

from langchain_azure_audio._model.profiles import ALL_VOICES as DOCUMENTED_VOICES
from langchain_azure_audio.audio import OUTPUT_FORMATS, save_audio
from langchain_azure_audio.cli import checks
from langchain_azure_audio.errors import (
    AzureAudioError,
    AzureAudioInputError,
    ContentFilterError,
)

if TYPE_CHECKING:  # LangChain, the openai SDK and the chat model load inside the commands
    from langchain_core.messages import BaseMessage, HumanMessage  # (`--help` stays fast)

    from langchain_azure_audio.chat_models import AzureChatOpenAIAudio

F = TypeVar("F", bound=Callable[..., Any])
DEBUG: Final = "langchain_azure_audio.debug"
LIVE_ONLY: Final = (
    "Needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME (plus "
    "AZURE_OPENAI_API_KEY, or `az login`); only `demo` runs offline."
)


def build_model(**settings: Any) -> AzureChatOpenAIAudio:
    """The model every subcommand uses, configured from the environment."""
    from langchain_azure_audio.chat_models import AzureChatOpenAIAudio

    return AzureChatOpenAIAudio(**{k: v for k, v in settings.items() if v is not None})


def status(message: str) -> None:
    click.echo(message, err=True)


class _Cli(click.Group):
    """Every failure becomes one `Error:` line on stderr: exit 1, or 2 for usage errors."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except AzureAudioError as exc:
            raise click.ClickException(checks.one_line(str(exc))) from exc
        except OSError as exc:  # a file the user pointed at: unreadable, unwritable, gone
            raise click.ClickException(checks.one_line(_os_error(exc))) from exc
        except Exception as exc:
            if ctx.meta.get(DEBUG):
                raise
            raise click.ClickException(
                f"unexpected {type(exc).__name__}: {checks.one_line(str(exc))} (a bug: run "
                "again with --debug for the traceback, and please report it)"
            ) from exc


def _os_error(exc: OSError) -> str:
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def _retirement_warnings_as_status() -> Callable[[], None]:
    """Show a model's retirement warning as one stderr line (`warning: ...`), not Python's
    two-line form; the previous `warnings.showwarning` is put back when the command ends."""
    import warnings

    from langchain_azure_audio.errors import ModelRetirementWarning

    previous = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, ModelRetirementWarning):
            status(f"warning: {message}")
        else:
            previous(message, category, *args, **kwargs)

    warnings.showwarning = show

    def restore() -> None:
        warnings.showwarning = previous

    return restore


def voice_options(command: F) -> F:
    command = click.option(
        "--allow-unknown-voice",
        is_flag=True,
        help="Accept a --voice that is not documented (to try a new one).",
    )(command)
    return click.option(
        "--voice", metavar="VOICE",
        help=f"Output voice: {', '.join(DOCUMENTED_VOICES)} (default alloy).",
    )(command)  # fmt: skip


def live_only(command: F) -> F:
    """`--live/--offline`, kept (hidden) so that `--offline` says why it cannot work."""
    return click.option("--live/--offline", default=None, hidden=True)(command)


format_option = click.option(
    "--format", "audio_format", type=click.Choice(OUTPUT_FORMATS),
    help="Output audio format (default: from the suffix of -o).",
)  # fmt: skip


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="langchain-azure-audio")
@click.option("--debug", is_flag=True, help="Log at DEBUG level on stderr; show tracebacks.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Speak, listen and chat with Azure OpenAI audio models (gpt-audio-1.5,
    gpt-audio-mini, gpt-audio; the retired previews still work).

    `demo` runs offline; the other commands need AZURE_OPENAI_ENDPOINT and
    AZURE_OPENAI_DEPLOYMENT_NAME (plus AZURE_OPENAI_API_KEY, or `az login`).
    """
    if debug:
        ctx.meta[DEBUG] = True
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    ctx.call_on_close(_retirement_warnings_as_status())


@main.command(epilog=LIVE_ONLY)
@click.argument("text")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=Path("speech.wav"),
    show_default=True, help="Where to save the speech (.wav, .aac, .mp3, .flac, .opus/.ogg, .pcm).",
)  # fmt: skip
@voice_options
@format_option
@live_only
def speak(
    text: str,
    output: Path,
    voice: str | None,
    allow_unknown_voice: bool,
    audio_format: str | None,
    live: bool | None,
) -> None:
    """Say TEXT aloud, word for word, and save the speech."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from langchain_azure_audio.tools import VERBATIM_INSTRUCTION

    checks.refuse_offline("speak", live)
    checks.check_text(text, param_hint="'TEXT'", limit=checks.MAX_SPEAK_CHARS)
    voice = checks.check_voice(voice, allow_unknown_voice)
    audio_format = checks.output_format(output, audio_format, param_hint="'-o'")
    checks.check_output_file(output, param_hint="'-o'")
    checks.require_settings("speak")
    llm = build_model(voice=voice, allow_unknown_voice=allow_unknown_voice or None,
                      audio_format=audio_format)  # fmt: skip
    status("Speaking...")
    answer = llm.invoke([SystemMessage(VERBATIM_INSTRUCTION), HumanMessage(text)])
    path = save_audio(answer, output)
    status(f"Saved {path}")
    click.echo(answer.text)


def long_options(command: F) -> F:
    """Options of the commands that take a recording of any length."""
    for option in reversed((
        click.option("--segment-seconds", type=click.FloatRange(5, 436), default=300,
                     show_default=True, help="Longest piece sent in one request (seconds)."),
        click.option("--concurrency", type=click.IntRange(min=1), default=4,
                     show_default=True, help="Pieces sent at once."),
        click.option("--rpm", type=click.FloatRange(min=0, min_open=True),
                     help="At most this many requests per minute."),
        click.option("--workdir", type=click.Path(file_okay=False, path_type=Path),
                     help="Where finished pieces are kept, to resume after an interruption "
                          "(default: OUTPUT.work, or .FILE.work in the current folder)."),
    )):  # fmt: skip
        command = option(command)
    return command


DEFAULT_CONFIRM_ABOVE: Final = 1.0
"""US dollars: above this list-price estimate, a long job asks before it starts."""


def cost_options(command: F) -> F:
    """`--estimate`, `--yes`, `--confirm-above` and `--prices` (transcribe, ask, audiobook)."""
    for option in reversed((
        click.option("--estimate", "only_estimate", is_flag=True,
                     help="Print the expected requests, audio tokens and list-price cost; "
                          "send nothing."),
        click.option("-y", "--yes", is_flag=True,
                     help="Start without asking, whatever the estimate."),
        click.option("--confirm-above", type=click.FloatRange(min=0), metavar="USD",
                     default=DEFAULT_CONFIRM_ABOVE, show_default=True,
                     help="Ask before starting when the estimate is above this many US "
                          "dollars."),
        click.option("--prices", "prices_file", type=click.Path(exists=True, dir_okay=False,
                     path_type=Path),
                     help='Your prices instead of the list prices: JSON {"MODEL": '
                          '{"audio_in": 32, ...}}, US dollars per 1M tokens.'),
    )):  # fmt: skip
        command = option(command)
    return command


@main.command(epilog=LIVE_ONLY)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Also write the transcript here: .txt, .json, .srt or .vtt.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: text, segments with their times, token usage.")  # fmt: skip
@click.option("--translate-to", metavar="LANG",
              help="Translate into LANG (e.g. pt-BR): -o and the printed text are the "
                   "translation, timed like the speech.")  # fmt: skip
@click.option("--language", metavar="LANG", help="The spoken language (a hint, e.g. en).")
@click.option("--both", is_flag=True,
              help="With --translate-to: also write the source beside -o (meeting.pt-BR.srt "
                   "and meeting.srt).")  # fmt: skip
@long_options
@cost_options
@live_only
@click.pass_context
def transcribe(
    ctx: click.Context,
    file: Path,
    output: Path | None,
    as_json: bool,
    translate_to: str | None,
    language: str | None,
    both: bool,
    segment_seconds: float,
    concurrency: int,
    rpm: float | None,
    workdir: Path | None,
    only_estimate: bool,
    yes: bool,
    confirm_above: float,
    prices_file: Path | None,
    live: bool | None,
) -> None:
    """Transcribe the speech in FILE, of any length: WAV, MP3, M4A/AAC, OGG/Opus,
    FLAC or WebM.

    A long recording is cut at pauses and its pieces are transcribed at once;
    interrupt it and run the same command again to resume. Subtitles (-o out.srt
    or out.vtt) and --translate-to cut pieces of 60 s instead of 300 s unless
    --segment-seconds is given, and every subtitle rule a cue could not meet is
    noted on stderr.
    """
    from langchain_azure_audio.cli import long_jobs

    checks.refuse_offline("transcribe", live)
    long_jobs.check_transcript_output(output)
    source_output = long_jobs.check_translation_options(output, translate_to, language, both)
    for path in (output, source_output):
        if path is not None:
            checks.check_output_file(path, param_hint="'-o'")
    workdir = workdir or long_jobs.default_workdir(file, output)
    checks.check_writable_folder(workdir, param_hint="'--workdir'")
    costs = _costs(only_estimate, yes, confirm_above, prices_file)
    checks.require_settings("transcribe")
    checks.check_audio_file(file)
    chosen = ctx.get_parameter_source("segment_seconds") != click.core.ParameterSource.DEFAULT
    long_jobs.transcribe(
        build_model(modalities=["text"]), file, output=output, as_json=as_json,
        workdir=workdir, status=status, source_output=source_output, costs=costs,
        segment_seconds=segment_seconds if chosen else None,
        subtitles=output is not None and output.suffix.lower() in (".srt", ".vtt"),
        max_concurrency=concurrency, requests_per_minute=rpm, language=language,
        translate_to=translate_to,
    )  # fmt: skip


@main.command(epilog=LIVE_ONLY)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("prompt", default="Describe in detail the spoken audio input.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=Path("answer.wav"),
    show_default=True,
    help="Where to save the spoken answer (.wav, .aac, .mp3, .flac, .opus/.ogg).",
)  # fmt: skip
@voice_options
@long_options
@cost_options
@live_only
def ask(
    file: Path,
    prompt: str,
    output: Path,
    voice: str | None,
    allow_unknown_voice: bool,
    segment_seconds: float,
    concurrency: int,
    rpm: float | None,
    workdir: Path | None,
    only_estimate: bool,
    yes: bool,
    confirm_above: float,
    prices_file: Path | None,
    live: bool | None,
) -> None:
    """Ask PROMPT about FILE (audio of any length and format); print the answer and
    save it spoken.

    A long recording is cut at pauses; each piece is asked for notes, then one
    spoken answer is made from the notes that bear on PROMPT.
    """
    from langchain_azure_audio.cli import long_jobs

    checks.refuse_offline("ask", live)
    checks.check_text(prompt, param_hint="'PROMPT'")
    voice = checks.check_voice(voice, allow_unknown_voice)
    audio_format = checks.output_format(output, None, param_hint="'-o'")
    checks.check_output_file(output, param_hint="'-o'")
    workdir = workdir or long_jobs.default_workdir(file, output)
    checks.check_writable_folder(workdir, param_hint="'--workdir'")
    costs = _costs(only_estimate, yes, confirm_above, prices_file)
    checks.require_settings("ask")
    checks.check_audio_file(file)
    settings = {"voice": voice, "allow_unknown_voice": allow_unknown_voice or None,
                "audio_format": audio_format}  # fmt: skip
    result = long_jobs.ask(
        build_model(**settings), file, prompt, workdir=workdir, status=status, costs=costs,
        segment_seconds=segment_seconds, max_concurrency=concurrency, requests_per_minute=rpm,
    )  # fmt: skip
    path = save_audio(result.message, output)
    status(f"Saved {path}")
    click.echo(result.answer)
    long_jobs.ask_incomplete(result, workdir, status)


@main.command(epilog=LIVE_ONLY)
@click.option(
    "--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("chat"),
    show_default=True, help="Where each spoken answer is saved.",
)  # fmt: skip
@voice_options
@live_only
@click.pass_context
def chat(
    ctx: click.Context,
    out_dir: Path,
    voice: str | None,
    allow_unknown_voice: bool,
    live: bool | None,
) -> None:
    """A multi-turn conversation on stdin: type a line, or @FILE to send audio.

    Earlier spoken answers go back by audio id, or by transcript once the id has
    expired. Each answer is saved as OUT_DIR/turn-N.wav. End with /quit or EOF.
    A line that cannot be sent (a missing or invalid @FILE, say) is reported and
    skipped; the conversation goes on, and the exit code is then 1.
    """
    checks.refuse_offline("chat", live)
    voice = checks.check_voice(voice, allow_unknown_voice)
    checks.check_writable_folder(out_dir, param_hint="'--out-dir'")
    checks.require_settings("chat")
    llm = build_model(voice=voice, allow_unknown_voice=allow_unknown_voice or None,
                      audio_format="wav")  # fmt: skip
    history: list[BaseMessage] = []
    skipped = 0
    for line in _lines():
        if line is None:
            status("Error: that line is not UTF-8 text (line skipped)")
            skipped += 1
            continue
        try:
            message = _chat_message(line)
            status("Thinking...")
            answer = llm.invoke([*history, message])
        except (AzureAudioInputError, ContentFilterError, OSError, click.ClickException) as exc:
            text = exc.format_message() if isinstance(exc, click.ClickException) else (
                _os_error(exc) if isinstance(exc, OSError) else str(exc))  # fmt: skip
            status(f"Error: {checks.one_line(text)} (line skipped)")
            skipped += 1
            continue
        history += [message, answer]
        path = save_audio(answer, out_dir / f"turn-{len(history) // 2}.wav")
        click.echo(f"assistant: {answer.text}")
        status(f"(spoken answer saved to {path})")
    if skipped:
        ctx.exit(1)


@main.command(epilog=LIVE_ONLY)
@click.argument("book", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), default=Path("book.wav"),
    show_default=True, help="The WAV file, or a folder with --per-chapter.",
)  # fmt: skip
@click.option("--per-chapter", is_flag=True, help="One WAV per chapter (Markdown headings).")
@click.option(
    "--workdir", type=click.Path(file_okay=False, path_type=Path),
    help="Checkpoints, to resume an interrupted run. Default: OUTPUT.work",
)  # fmt: skip
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True,
              help="Segments narrated at once.")  # fmt: skip
@click.option("--rpm", type=click.FloatRange(min=0, min_open=True),
              help="At most this many requests per minute.")  # fmt: skip
@click.option("--pause-ms", type=click.IntRange(min=0, max=60_000), default=400,
              show_default=True, help="Silence between segments.")  # fmt: skip
@click.option("--threshold", type=click.FloatRange(min=0, max=1, min_open=True), default=0.9,
              show_default=True, help="Transcript similarity to accept.")  # fmt: skip
@click.option("--max-attempts", type=click.IntRange(min=1), default=3, show_default=True,
              help="Readings per segment.")  # fmt: skip
@click.option("--max-chars", type=click.IntRange(min=40), default=1500, show_default=True,
              help="Segment size budget.")  # fmt: skip
@voice_options
@cost_options
@live_only
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
    allow_unknown_voice: bool,
    only_estimate: bool,
    yes: bool,
    confirm_above: float,
    prices_file: Path | None,
    live: bool | None,
) -> None:
    """Narrate BOOK (plain text or Markdown) into one WAV, or one per chapter.

    Interrupt it at any time and run the same command again: finished segments
    are kept in --workdir and not requested twice.
    """
    from langchain_azure_audio.audiobook import split_book
    from langchain_azure_audio.cli import long_jobs

    checks.refuse_offline("audiobook", live)
    voice = checks.check_voice(voice, allow_unknown_voice)
    _check_book_output(output, per_chapter)
    workdir = workdir or output.with_name(output.name + ".work")
    checks.check_writable_folder(workdir, param_hint="'--workdir'")
    costs = _costs(only_estimate, yes, confirm_above, prices_file)
    checks.require_settings("audiobook")
    text = checks.read_book(book)
    total = sum(len(c.segments) for c in split_book(text, max_chars=max_chars))
    long_jobs.audiobook(
        text, output, total=total, workdir=workdir, status=status, costs=costs,
        llm=build_model(voice=voice, allow_unknown_voice=allow_unknown_voice or None),
        per_chapter=per_chapter, max_concurrency=concurrency, requests_per_minute=rpm,
        pause_ms=pause_ms, threshold=threshold, max_attempts=max_attempts, max_chars=max_chars,
    )  # fmt: skip


@main.command()
@click.option("--live/--offline", default=None, help=(
    "Force live (Azure) or offline (replay the package's bundled SYNTHETIC session, no "
    "network). Default: live when AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME "
    "are set, offline when neither is."))  # fmt: skip
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="Where dog.wav and analysis.wav are written.")  # fmt: skip
def demo(live: bool | None, out_dir: Path) -> None:
    """Run the quickstart's three scenarios: text->audio, audio->text+audio, multi-turn.

    Runs offline without Azure settings: it then replays the package's bundled
    synthetic session, and says so.
    """
    from langchain_azure_audio.cli.demo import run_demo

    checks.check_writable_folder(out_dir, param_hint="'--out-dir'")
    run_demo(out_dir, live=live, say=click.echo, status=status)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (only this machine by default).")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port to listen on (0: any free port).")  # fmt: skip
@click.option("--deployment", "deployments", multiple=True, metavar="NAME",
              help="A deployment the page may pick (repeat it; default "
                   "AZURE_OPENAI_DEPLOYMENT_NAME).")  # fmt: skip
@voice_options
@click.option("--live/--offline", default=None, help=(
    "Force live (Azure) or offline (the demo question answered from the bundled SYNTHETIC "
    "session). Default: live when the Azure settings are set, offline when none is."))  # fmt: skip
@click.option("--realtime", is_flag=True, help="Talk through the Realtime API (streamed, "
              "Azure's voice detection); the default for deployments named like a realtime "
              "model (gpt-realtime...).")  # fmt: skip
@click.option("--tools", "tool_specs", multiple=True, metavar="MODULE:ATTR",
              help="A list of LangChain tools the model may call (realtime mode; repeatable), "
                   "e.g. langchain_azure_audio.serve.example_tools:TOOLS.")  # fmt: skip
def serve(
    host: str,
    port: int,
    deployments: tuple[str, ...],
    voice: str | None,
    allow_unknown_voice: bool,
    live: bool | None,
    realtime: bool,
    tool_specs: tuple[str, ...],
) -> None:
    """Talk to the model in your browser: a local page with microphone, streamed spoken
    answers, hands-free turns and barge-in; realtime deployments stream both ways and can
    call tools. Needs the `serve` extra.

    The key or token stays in this process; the page only sees deployment names and voices.
    """
    from langchain_azure_audio.cli.serve import run_serve

    run_serve(host=host, port=port, deployments=deployments, live=live, echo=click.echo,
              voice=checks.check_voice(voice, allow_unknown_voice) or "alloy",
              realtime=realtime, tool_specs=tool_specs)  # fmt: skip


def _costs(only_estimate: bool, yes: bool, confirm_above: float,
           prices_file: Path | None) -> Any:  # fmt: skip
    """The cost options, your `--prices` read (a bad file is a usage error, before any work)."""
    from langchain_azure_audio.cli import estimates, long_jobs

    return long_jobs.Costs(only_estimate=only_estimate, yes=yes, confirm_above=confirm_above,
                           prices=estimates.read_prices(prices_file))  # fmt: skip


def _check_book_output(output: Path, per_chapter: bool) -> None:
    if per_chapter:
        if output.exists() and not output.is_dir():
            raise click.BadParameter(
                f"{str(output)!r} is a file; --per-chapter writes one WAV per chapter into a "
                "folder.",
                param_hint="'-o'",
            )
        checks.check_writable_folder(output, param_hint="'-o'")
        return
    if output.is_dir():
        raise click.BadParameter(
            f"{str(output)!r} is a folder; give a .wav file, or add --per-chapter to write one "
            "WAV per chapter into it.",
            param_hint="'-o'",
        )
    if output.suffix.lower() not in ("", ".wav", ".wave"):
        raise click.BadParameter(
            f"{str(output)!r}: an audiobook is written as WAV; use a .wav path.",
            param_hint="'-o'",
        )
    checks.check_output_file(output, param_hint="'-o'")


def _chat_message(line: str) -> HumanMessage:
    from langchain_core.messages import HumanMessage

    if not line.startswith("@"):
        return HumanMessage(line)
    name = line[1:].strip()
    if not name:
        raise click.ClickException("`@` needs a file name: @path/to/audio.wav")
    return HumanMessage(content=[checks.audio_block_for(Path(name).expanduser())])


def _lines() -> Iterator[str | None]:
    """Non-empty lines of stdin until EOF or /quit; `None` for a line that is not UTF-8."""
    stdin = sys.stdin.buffer
    prompt = sys.stdin.isatty()
    while True:
        if prompt:
            click.echo("you: ", nl=False, err=True)
        raw = stdin.readline()
        if not raw:
            return
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield None
            continue
        if line == "/quit":
            return
        if line:
            yield line
