"""Before a long job: how many requests, how many audio tokens, what at list price.

`transcribe`, `ask` and `audiobook` print an estimate before their first request
(stderr), ask for confirmation when it is above `--confirm-above` (`--yes` skips
the question; without a terminal to ask on, the command stops and says how to
go on), print only the estimate with `--estimate`, and print what was actually
used at the end. The rates are the package's measured ones (`cost.estimate`):
599 input audio tokens per minute of speech sent, 1,200 output audio tokens per
minute of speech said, from the real recorded traffic.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from langchain_azure_audio._model.prices import Price, Prices
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.cost import (
    AudioCostCallbackHandler,
    Estimate,
    estimate,
    format_usd,
    price_from_dict,
    spoken_seconds,
)

Status = Callable[[str], None]


def read_prices(path: Path | None) -> Prices | None:
    """Your prices from `--prices FILE`; a bad file is a usage error naming the fix."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError('expected {"MODEL": {"text_in": ..., "audio_in": ...}, ...}')
        return {str(m): price_from_dict(v, source=str(path)) for m, v in data.items()}
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{str(path)!r}: {exc}", param_hint="'--prices'") from exc


@contextmanager
def plan_folder(workdir: Path, only_estimate: bool) -> Iterator[Path]:
    """Where the recording is cut for the estimate: the work folder (the run reuses the
    cut), or a temporary one for `--estimate` when the work folder does not exist yet."""
    if only_estimate and not workdir.exists():
        with tempfile.TemporaryDirectory(prefix="lcaa-estimate-") as scratch:
            yield Path(scratch)
    else:
        yield workdir


def for_recording(llm: AzureChatOpenAIAudio, file: Path, workdir: Path, *,
                  segment_seconds: float | None, question: str | None = None,
                  subtitles: bool = False, language: str | None = None,
                  translate_to: str | None = None,
                  prices: Prices | None = None) -> Estimate:  # fmt: skip
    """`transcribe` (no `question`) or `ask`: the pieces still to send, from the cut, in
    every pass over them (a translation sends each piece again)."""
    from langchain_azure_audio._model.instructions import (
        ASK_PART_INSTRUCTION,
        TRANSCRIBE_INSTRUCTION,
        TRANSCRIBE_LANGUAGE_HINT,
    )
    from langchain_azure_audio.long_audio.pieces import (
        MIN_SPEECH_SECONDS,
        job_key,
        pieces_to_send,
    )
    from langchain_azure_audio.long_audio.prepare import prepare
    from langchain_azure_audio.long_audio.transcribe import piece_seconds, result_keys

    seconds_cap = piece_seconds(segment_seconds, subtitles=subtitles, translate_to=translate_to)
    if question is None:
        instruction = TRANSCRIBE_INSTRUCTION
        if language is not None:
            instruction += TRANSCRIBE_LANGUAGE_HINT.format(language=language)
        keys = result_keys(instruction, seconds_cap, translate_to)
    else:
        keys = ["ask-" + job_key(ASK_PART_INSTRUCTION, question)]
    manifest = prepare(file, workdir, max_seconds=seconds_cap)
    model = llm.audio_model_name
    if question is not None and len(manifest.pieces) == 1 and not manifest.pieces[0].silent:
        return estimate(model, requests=1, seconds_in=manifest.duration, prices=prices)
    todo = [p for key in keys for p in pieces_to_send(manifest, workdir, key)
            if p.end - p.start - p.overlap >= MIN_SPEECH_SECONDS]  # fmt: skip
    seconds = sum(p.end - p.start for p in todo)
    if question is None:
        return estimate(model, requests=len(todo), seconds_in=seconds,
                        transcribed_seconds=seconds, prices=prices)  # fmt: skip
    return estimate(model, requests=len(todo) + 1, seconds_in=seconds, prices=prices)


def for_book(
    text: str, llm: AzureChatOpenAIAudio, workdir: Path, *, max_chars: int, threshold: float,
    max_attempts: int, prices: Prices | None = None,
) -> Estimate:  # fmt: skip
    """`audiobook`: the segments not yet narrated, each read once."""
    from langchain_azure_audio.audiobook import plan, split_book
    from langchain_azure_audio.audiobook.segments import load_checkpoint

    jobs = plan(split_book(text, max_chars=max_chars), llm, threshold=threshold,
                max_attempts=max_attempts)  # fmt: skip
    todo = [job for job in jobs if load_checkpoint(job, workdir) is None]
    seconds = spoken_seconds(sum(len(job.text) for job in todo))
    return estimate(llm.audio_model_name, requests=len(todo), seconds_out=seconds,
                    prices=prices)  # fmt: skip


def describe(plan: Estimate) -> list[str]:
    """The estimate as status lines."""
    tokens = plan.tokens
    speech = []
    if plan.seconds_in:
        speech.append(f"{plan.seconds_in / 60:.1f} min of speech to send "
                      f"(about {tokens.audio_in:,} audio tokens in)")  # fmt: skip
    if plan.seconds_out:
        speech.append(f"about {plan.seconds_out / 60:.1f} min of speech to say "
                      f"({tokens.audio_out:,} audio tokens out)")  # fmt: skip
    head = (f"Estimate: {plan.requests} request{'s' if plan.requests != 1 else ''}"
            + (f", {'; '.join(speech)}" if speech else ""))  # fmt: skip
    return [head + ".", "  " + _price_line(plan)]


def _price_line(plan: Estimate) -> str:
    cost, model = plan.cost, plan.model
    if model is None:
        return (
            "Cost: unknown: the deployment's name is not a known model; name the model "
            "behind it (a deployment named like gpt-audio-1.5) to see list prices."
        )
    price: Price | None = cost.price
    if price is None:
        return f"Cost: unknown: {model} has no list price here; give yours with --prices FILE."
    where = f"{price.source}, {price.as_of}" if price.as_of else price.source
    text = f"Cost: about {format_usd(cost.usd)} at {model}'s price ({where})"
    if not cost.complete:
        text += f"; not counted: {', '.join(k.replace('_', ' ') for k in cost.unpriced)} "
        text += f"({price.note or 'no published price'}; --prices FILE gives yours)"
    return text + ". Prompt text is not counted."


def decide(plan: Estimate, *, yes: bool, only_estimate: bool, confirm_above: float,
           status: Status) -> None:  # fmt: skip
    """Print the estimate; stop after it (`--estimate`), ask, or refuse to start."""
    for line in describe(plan):
        status(line)
    if only_estimate:
        raise click.exceptions.Exit(0)
    if yes or plan.cost.usd <= confirm_above or not plan.requests:
        return
    question = (f"The estimate, {format_usd(plan.cost.usd)}, is above --confirm-above "
                f"{format_usd(confirm_above)}.")  # fmt: skip
    if not interactive():
        raise click.ClickException(
            f"{question} Not started: there is no terminal to ask on. Run again with --yes to "
            "start anyway, or raise --confirm-above."
        )
    if not click.confirm(f"{question} Start?", default=False, err=True):
        status("Not started.")
        raise click.exceptions.Exit(0)


def interactive() -> bool:
    """Whether a person can answer on stdin (a terminal)."""
    return sys.stdin is not None and sys.stdin.isatty()


def used(spent: AudioCostCallbackHandler) -> str:
    """What the run used, as one status line."""
    costs = spent.costs
    priced = format_usd(spent.total_cost)
    unknown = [m for m, c in costs.items() if not c.complete]
    extra = f" (not counted: tokens of {', '.join(unknown)} without a price)" if unknown else ""
    requests = spent.requests
    return (f"Used: {requests} request{'s' if requests != 1 else ''}, "
            f"{spent.tokens.describe()} tokens: {priced}{extra}.")  # fmt: skip
