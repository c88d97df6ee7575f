"""The CLI's long jobs: the `transcribe`, `ask` and `audiobook` bodies.

`transcribe` and `ask` run through `long_audio` (`transcribe_long` /
`ask_long`), which sends a short WAV or MP3 unchanged in one request and cuts
anything longer at pauses; `audiobook` through `audiobook.anarrate_book`. A
progress bar on stderr counts segments; finished segments are kept in the work
folder, so running the same command again after a kill resumes. When a part
could not be produced (the service kept failing it), what was produced is
still written, the parts missing are listed, and the exit code is
`EXIT_INCOMPLETE` (3): run the same command again to ask only for those.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, NoReturn

import click

from langchain_azure_audio._batch import error_line, worth_retrying
from langchain_azure_audio._model.prices import Prices
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.cli import estimates
from langchain_azure_audio.cost import Estimate, get_audio_cost_callback
from langchain_azure_audio.errors import AudiobookIncompleteError, AzureAudioServiceError
from langchain_azure_audio.long_audio import (
    TRANSCRIPT_SUFFIXES,
    LongAnswer,
    LongTranscript,
    aask_long,
    atranscribe_long,
    render,
)
from langchain_azure_audio.long_audio.pieces import PieceResult, clock

Status = Callable[[str], None]
MAX_REPORTED: Final = 20
"""Subtitle rule notes printed at most (the rest are counted)."""
EXIT_INCOMPLETE: Final = 3
"""A part was not produced (the service kept failing it); the rest is written and kept."""


@dataclass(frozen=True)
class Costs:
    """The cost options of a long job (`--estimate`, `--yes`, `--confirm-above`, `--prices`)."""

    only_estimate: bool = False
    yes: bool = False
    confirm_above: float = 1.0
    prices: Prices | None = None


@contextmanager
def accounted(costs: Costs, plan: Callable[[Path], Estimate], workdir: Path,
              status: Status) -> Iterator[None]:  # fmt: skip
    """Estimate (`plan(folder)`), print it and decide before the first request; around the
    run, count what it uses and print it at the end (also when it stops early)."""
    with estimates.plan_folder(workdir, costs.only_estimate) as folder:
        estimate = plan(folder)
    estimates.decide(estimate, yes=costs.yes, only_estimate=costs.only_estimate,
                     confirm_above=costs.confirm_above, status=status)  # fmt: skip
    with get_audio_cost_callback(costs.prices) as spent:
        try:
            yield
        finally:
            if spent.requests or estimate.requests:
                status(estimates.used(spent))


def stop_incomplete(status: Status, what: str, workdir: Path) -> NoReturn:
    """Say what is missing and how to get it, then exit with `EXIT_INCOMPLETE`."""
    status(
        f"Incomplete: {what}. What was produced is written, and finished parts are kept in "
        f"{workdir}: run the same command again to request only what is missing."
    )
    raise click.exceptions.Exit(EXIT_INCOMPLETE)


def default_workdir(file: Path, output: Path | None) -> Path:
    """`OUTPUT.work` beside the output, else `.FILE.work` in the current folder."""
    if output is not None:
        return output.with_name(output.name + ".work")
    return Path(f".{file.name}.work")


def check_transcript_output(output: Path | None) -> None:
    if output is not None and output.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise click.BadParameter(
            f"{str(output)!r}: a transcript is written as {', '.join(TRANSCRIPT_SUFFIXES)}; "
            "give -o one of those suffixes.",
            param_hint="'-o'",
        )


def check_translation_options(
    output: Path | None, translate_to: str | None, language: str | None, both: bool
) -> Path | None:
    """Where `--both` writes the source (None without it); usage errors before any work."""
    if both and translate_to is None:
        raise click.UsageError("--both writes the source beside the translation: give "
                               "--translate-to LANG too.")  # fmt: skip
    if not both:
        return None
    if output is None:
        raise click.UsageError("--both needs -o: the translation goes there, the source "
                               "beside it.")  # fmt: skip
    return source_path(output, str(translate_to), language)


def source_path(output: Path, translate_to: str, language: str | None) -> Path:
    """`meeting.pt-BR.srt` → `meeting.srt` (`meeting.en.srt` with `--language en`);
    `meeting.srt` → `meeting.source.srt`."""
    stem = output.stem
    tagged = stem.lower().endswith("." + translate_to.lower())
    base = stem[: -len(translate_to) - 1] if tagged else stem
    label = f".{language}" if language else "" if tagged else ".source"
    return output.with_name(f"{base}{label}{output.suffix}")


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int, PieceResult], None]]:
    """An `on_progress` callback drawing a bar on stderr once the segment count is known."""
    bar: Any = None

    def update(done: int, total: int, result: PieceResult) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                    show_eta=True, show_pos=True)  # fmt: skip
            bar.__enter__()
        bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def report_gaps(segments: list[PieceResult], status: Status, missing: str = "transcribed") -> None:
    for gap in segments:
        if gap.status == "failed":
            status(f"warning: {clock(gap.start)}-{clock(gap.end)} not {missing}: {gap.error}")
        elif gap.status == "too_short":
            status(f"note: {clock(gap.start)}-{clock(gap.end)} too short to send")


def transcribe(
    llm: AzureChatOpenAIAudio,
    file: Path,
    *,
    output: Path | None,
    as_json: bool,
    workdir: Path,
    status: Status,
    source_output: Path | None = None,
    costs: Costs | None = None,
    **options: Any,
) -> LongTranscript:
    async def run() -> LongTranscript:
        try:
            with _progress("Transcribing") as progress:
                return await atranscribe_long(
                    llm, file, workdir=workdir, on_progress=progress, **options
                )
        finally:
            await llm.aclose()

    costs = costs or Costs()
    plan = lambda folder: estimates.for_recording(  # noqa: E731
        llm, file, folder, segment_seconds=options.get("segment_seconds"),
        subtitles=options.get("subtitles", False), language=options.get("language"),
        translate_to=options.get("translate_to"), prices=costs.prices)  # fmt: skip
    with accounted(costs, plan, workdir, status):
        status("Transcribing...")
        transcript = asyncio.run(run())
    translated = options.get("translate_to") is not None
    for path, as_translation in ((output, translated), (source_output, False)):
        if path is not None:
            write_output(transcript, path, as_translation, status)
    if as_json:
        data = json.loads(render(transcript, ".json"))
        data = {"file": str(file), "usage": transcript.usage, **data}
        click.echo(json.dumps(data, ensure_ascii=False))
    else:  # the translation, when one was asked for (-o gets it too)
        translation = transcript.translation
        click.echo(translation.text if translation is not None else transcript.text)
    report_gaps(transcript.segments, status)
    if len(transcript.segments) > 1:
        status(f"{len(transcript.segments)} segments, {transcript.requested} requested now "
               f"(the rest silent or resumed from {workdir}).")  # fmt: skip
    missing = []
    failed = [s for s in transcript.segments if s.status == "failed"]
    if failed:
        missing.append(f"{_count(failed, transcript.segments)} not transcribed")
    if transcript.translation is not None:
        untranslated = [s for s in transcript.translation.segments if s.status == "failed"]
        report_gaps(untranslated, status, missing="translated")
        if untranslated:
            missing.append(f"{_count(untranslated, transcript.translation.segments)} not "
                           "translated")  # fmt: skip
    if missing:
        stop_incomplete(status, f"{' and '.join(missing)} (listed above)", workdir)
    return transcript


def write_output(transcript: LongTranscript, path: Path, translated: bool, status: Status) -> None:
    """Write one output; for subtitles, report every rule a cue could not meet."""
    from langchain_azure_audio.long_audio import validate_subtitles, write_transcript

    status(f"Saved {write_transcript(transcript, path, translated=translated)}")
    if path.suffix.lower() not in (".srt", ".vtt"):
        return
    problems = validate_subtitles(path)
    for problem in problems[:MAX_REPORTED]:
        status(f"note: {path.name}: {problem}")
    if len(problems) > MAX_REPORTED:
        status(f"note: {path.name}: {len(problems) - MAX_REPORTED} more cues break a rule "
               "(langchain_azure_audio.long_audio.validate_subtitles lists them all)")  # fmt: skip


def _count(failed: list[Any], of: list[Any]) -> str:
    return f"{len(failed)} of {len(of)} segment{'s' if len(of) != 1 else ''}"


def ask(
    llm: AzureChatOpenAIAudio,
    file: Path,
    question: str,
    *,
    workdir: Path,
    status: Status,
    costs: Costs | None = None,
    **options: Any,
) -> LongAnswer:
    """Ask `question` about `file`; for a long recording, say which segments the answer
    draws on (the caller speaks the answer)."""

    async def run() -> LongAnswer:
        try:
            with _progress("Reading") as progress:
                return await aask_long(
                    llm, file, question, workdir=workdir, on_progress=progress, **options
                )
        finally:
            await llm.aclose()

    costs = costs or Costs()
    plan = lambda folder: estimates.for_recording(  # noqa: E731
        llm, file, folder, segment_seconds=options.get("segment_seconds", 300.0),
        question=question, prices=costs.prices)  # fmt: skip
    try:
        with accounted(costs, plan, workdir, status):
            status("Asking...")
            result = asyncio.run(run())
    except AzureAudioServiceError as exc:
        if not worth_retrying(exc):  # a sign-in, deployment or request problem: exit 1
            raise
        status(f"warning: the answer was not produced: {error_line(exc)}")
        stop_incomplete(status, "no answer", workdir)
    if len(result.notes) > 1:
        spans = ", ".join(
            f"{s.index + 1} ({clock(s.start)}-{clock(s.end)})" for s in result.drawn_from
        )
        status(f"Drawn from segment(s): {spans or 'none'}")
        report_gaps(result.notes, status)
    return result


def ask_incomplete(result: LongAnswer, workdir: Path, status: Status) -> None:
    """After the answer is saved: exit `EXIT_INCOMPLETE` if some segments were not heard."""
    failed = [n for n in result.notes if n.status == "failed"]
    if failed:
        stop_incomplete(status, f"the answer leaves out {_count(failed, result.notes)} "
                        "(not heard: listed above)", workdir)  # fmt: skip


def audiobook(text: str, output: Path, *, total: int, workdir: Path, status: Status,
              costs: Costs | None = None, **options: Any) -> Any:  # fmt: skip
    """Narrate `text` into `output` with a progress bar; the report, or exit
    `EXIT_INCOMPLETE` after naming the segments the service kept failing."""
    from langchain_azure_audio.audiobook import AudiobookReport, anarrate_book

    llm: AzureChatOpenAIAudio = options["llm"]

    async def run() -> AudiobookReport:
        try:
            return await anarrate_book(text, output, workdir=workdir, **options)
        finally:
            await llm.aclose()

    costs = costs or Costs()
    plan = lambda folder: estimates.for_book(  # noqa: E731
        text, llm, folder, max_chars=options.get("max_chars", 1500),
        threshold=options.get("threshold", 0.9), max_attempts=options.get("max_attempts", 3),
        prices=costs.prices)  # fmt: skip
    with (
        accounted(costs, plan, workdir, status),
        click.progressbar(
            length=total, label="Narrating", file=sys.stderr, show_eta=True, show_pos=True
        ) as bar,
    ):
        options["on_progress"] = lambda done, total, result: bar.update(1)
        try:
            report = asyncio.run(run())
        except AudiobookIncompleteError as exc:
            report = exc.report
    for path in report.outputs:
        click.echo(path)
    resumed = report.segments - report.requested - len(report.failed)
    status(f"{report.segments} segments ({report.requested} narrated now, {resumed} resumed), "
           f"{report.seconds_of_audio / 60:.1f} min of audio.")  # fmt: skip
    for miss in report.unmatched:
        status(
            f"warning: chapter {miss.chapter + 1} segment {miss.index + 1} never read "
            f"faithfully (similarity {miss.similarity:.2f} after {miss.attempts} tries)"
        )
    for failure in report.failed:
        status(f"warning: chapter {failure.chapter + 1} segment {failure.index + 1} not "
               f"narrated: {failure.error}")  # fmt: skip
    if report.failed:
        what = f"{len(report.failed)} of {report.segments} segments not narrated"
        unwritten = "" if report.outputs else f"; {output} is written once all are"
        stop_incomplete(status, what + unwritten, workdir)
    return report
