"""Scripted mutation check: break the reliability code on purpose, one line at a time,
and make sure a test notices.

    python scripts/mutation_check.py            # every mutant, against its tests
    python scripts/mutation_check.py --list     # what each mutant changes
    python scripts/mutation_check.py --only pcm-not-atomic --full   # the whole suite

Each mutant is a single-line change to one module (the line must be found
exactly once, so a mutant that no longer applies fails loudly instead of
silently passing). For each, the repository is copied to a temporary folder
(without `.git`), the change is applied there, and the mutant's tests run
against the copy (the copy's package shadows the installed one: pytest runs
with the copy as its working directory and first import path). A mutant is
*killed* when the tests fail, a *survivor* when they pass. The checkout is
never modified. Exit status: 0 when every mutant is killed, 1 otherwise.

The mutants are the ones a mutation pass found surviving the suite (issue 16),
plus request-shape, cancellation and token-provider guarantees added with
their tests, and the user-visible bugs an audit found the suite let through
(issue 24: streams that never complete, caught by the small soak in the suite;
the published pages' verdicts; book order, subtitle hours, the voice page's
barge-in and turns; the retry layer), and the live session's guarantees (issue 26:
truncation at what was played, tools only from completed responses and one response
after their results, reconnection keeping the conversation and signing in afresh,
no audio after a barge-in), and the voice page's realtime mode (issue 27: truncation at
the page's playback position, frames streamed as captured, tool results shown, no sign-in
per frame, oversize frames refused).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CRASH = "tests/integration_tests/test_crash_safety.py"
SHAPE = "tests/unit_tests/test_request_shape.py"
DECODE = "tests/unit_tests/test_decode.py"
SOAK = "tests/integration_tests/test_soak.py"
PAGES = ("tests/unit_tests/test_performance_page.py", "tests/unit_tests/test_long_audio_page.py")
SERVE = "tests/integration_tests/test_serve_protocol.py"
RETRIES = "tests/integration_tests/test_retry_layers.py"
EXIT_CODES = "tests/integration_tests/test_cli_exit_codes.py"
BOOK_ORDER = "tests/integration_tests/test_audiobook_order.py"
CUES = "tests/unit_tests/test_subtitle_cues.py"
SUBTITLE_TIMING = "tests/integration_tests/test_subtitle_timing.py"
SUBTITLES = ("tests/unit_tests/test_long_text.py", "tests/integration_tests/test_long_subtitles.py")
COST = "tests/unit_tests/test_cost.py"
LIFECYCLE = "tests/unit_tests/test_lifecycle.py"
ESTIMATES = "tests/integration_tests/test_cli_estimates.py"
LIVE = "tests/integration_tests/test_realtime_live.py"
REALTIME_UNIT = "tests/unit_tests/test_realtime_protocol.py"
SERVE_RT = "tests/integration_tests/test_serve_realtime.py"
SERVE_RT_CODE = "langchain_azure_audio/serve/realtime_session.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    line: str
    """The exact original line (stripped of indentation for matching)."""
    mutated: str
    tests: tuple[str, ...]
    effect: str


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "record-not-atomic",
        "langchain_azure_audio/_batch.py",
        "atomic_write_bytes(record, result.model_dump_json(indent=1).encode())",
        "record.write_bytes(result.model_dump_json(indent=1).encode())",
        (CRASH,),
        "a kill mid-write leaves a half record; the resume fails with a ValidationError",
    ),
    Mutant(
        "pcm-not-atomic",
        "langchain_azure_audio/_batch.py",
        "atomic_write_bytes(path, data)",
        "path.parent.mkdir(parents=True, exist_ok=True) or path.write_bytes(data)",
        (CRASH,),
        "a second run dying mid-write tears a finished segment, which is stitched into the book",
    ),
    Mutant(
        "checkpoint-trusts-record-alone",
        "langchain_azure_audio/_batch.py",
        "if record.is_file() and all(p.is_file() for p in payloads):",
        "if record.is_file():",
        (CRASH,),
        "a record whose audio is gone is trusted; the resume fails",
    ),
    Mutant(
        "book-written-in-place",
        "langchain_azure_audio/audiobook/stitch.py",
        'tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")',
        "tmp = target",
        (CRASH,),
        "a kill during stitching leaves a corrupt book.wav at the final path",
    ),
    Mutant(
        "base64-size-estimate",
        "langchain_azure_audio/audio.py",
        "size = len(b64) // 4 * 3 - padding",
        "size = len(b64) // 4 * 2 - padding",
        ("tests/unit_tests/test_input_limit_on_the_wire.py",),
        "a 21 MiB WAV is accepted and sent, to be refused by the service",
    ),
    Mutant(
        "partial-drops-carry",
        "langchain_azure_audio/_translate/streaming.py",
        'base64.b64encode(self._carry).decode("ascii") if self._carry else ""',
        '""',
        ("tests/integration_tests/test_stream_partial.py",),
        "StreamInterruptedError.partial loses the last 1-2 audio bytes",
    ),
    Mutant(
        "assistant-turn-repeats-transcript",
        "langchain_azure_audio/_translate/messages.py",
        "if text == transcript:",
        "if False:",
        (SHAPE,),
        "an earlier spoken answer goes back with its transcript as well as its audio id",
    ),
    Mutant(
        "audio-params-on-text-only",
        "langchain_azure_audio/_translate/messages.py",
        'if "audio" in modalities:',
        "if True:",
        (SHAPE,),
        "a modalities=['text'] request still asks for a voice and format",
    ),
    Mutant(
        "stream-without-usage",
        "langchain_azure_audio/_translate/messages.py",
        'request["stream_options"] = {"include_usage": True}',
        "pass",
        (SHAPE,),
        "streams no longer ask for usage, so a complete stream cannot be told from a cut one",
    ),
    Mutant(
        "sync-stream-not-closed",
        "langchain_azure_audio/chat_models.py",
        "stream.close()  # at once: the server sees the connection end",
        "pass",
        ("tests/integration_tests/test_cancellation.py",),
        "breaking out of stream() leaves the HTTP response open",
    ),
    Mutant(
        "async-stream-not-closed",
        "langchain_azure_audio/chat_models.py",
        "await stream.close()  # at once: the server sees the connection end",
        "pass",
        ("tests/integration_tests/test_cancellation.py",),
        "cancelling astream() leaves the HTTP response open",
    ),
    Mutant(
        "token-provider-error-unwrapped",
        "langchain_azure_audio/_azure/auth.py",
        "raise provider_error(exc) from exc",
        "raise",
        ("tests/integration_tests/test_token_refresh.py",),
        "a raising token provider crashes with its own traceback instead of the auth error",
    ),
    Mutant(
        "decode-ignores-timestamps",
        "langchain_azure_audio/_media/timeline.py",
        "if frame.pts is None or frame.time_base is None:",
        "if True:",
        (DECODE,),
        "decoded frames are laid end to end: a gap in a recording shifts everything after it",
    ),
    Mutant(
        "decode-counts-from-zero",
        "langchain_azure_audio/_media/decode.py",
        "timeline = Timeline(rate, earliest=_others_start(container, stream))",
        "timeline = Timeline(rate, Fraction(0))",
        (DECODE,),
        "an MP3's decoded audio starts 46 ms late (its start time is not time zero)",
    ),
    Mutant(
        "decode-ignores-video-start",
        "langchain_azure_audio/_media/decode.py",
        "timeline = Timeline(rate, earliest=_others_start(container, stream))",
        "timeline = Timeline(rate)",
        (DECODE,),
        "a video's sound that starts 0.5 s in is decoded 0.5 s early",
    ),
    Mutant(
        "transcoding-not-reported",
        "langchain_azure_audio/_translate/messages.py",
        'answer.response_metadata["transcoded_inputs"] = records',
        "pass",
        ("tests/unit_tests/test_audio_formats.py",),
        "an answer to a transcoded M4A does not say it was transcoded",
    ),
    Mutant(
        "streams-never-complete",
        "langchain_azure_audio/_translate/streaming.py",
        "return self._saw_usage",
        "return False",
        (SOAK,),
        "every stream raises StreamInterruptedError at its end: nothing streams",
    ),
    Mutant(
        "pages-trust-a-stored-met",
        "benchmarks/_harness.py",
        'return value is not None and COMPARISONS[target["compare"]](value, target["limit"])',
        'return bool(target.get("met", True))',
        PAGES,
        "docs/performance.md and docs/long-recordings.md claim goals met that were missed",
    ),
    Mutant(
        "soak-accepts-lost-answers",
        "benchmarks/soak.py",
        "return end == CORRECT",
        "return True",
        ("tests/unit_tests/test_soak_page.py",),
        "the soak passes while answers the server sent whole are lost",
    ),
    Mutant(
        "book-stitched-backwards",
        "langchain_azure_audio/audiobook/narrate.py",
        "groups = [(output, results)] if not per_chapter else [",
        "groups = [(output, results[::-1])] if not per_chapter else [",
        (BOOK_ORDER,),
        "the book's segments play backwards (last chapter first)",
    ),
    Mutant(
        "segments-stitched-backwards",
        "langchain_azure_audio/audiobook/narrate.py",
        "done = [r.pcm_path for r in parts if isinstance(r, SegmentResult)]",
        "done = [r.pcm_path for r in reversed(parts) if isinstance(r, SegmentResult)]",
        (BOOK_ORDER,),
        "the book and each chapter file play their segments backwards",
    ),
    Mutant(
        "subtitles-drop-the-hours",
        "langchain_azure_audio/long_audio/subtitles.py",
        "event = pysubs2.SSAEvent(start=round(cue.start * 1000), end=round(cue.end * 1000))",
        "event = pysubs2.SSAEvent(start=round(cue.start % 3600 * 1000), "
        "end=round(cue.end % 3600 * 1000))",
        SUBTITLES,
        "subtitles past the first hour read 00:02:05,500 instead of 01:02:05,500",
    ),
    Mutant(
        "barge-in-detaches-the-answer",
        "langchain_azure_audio/serve/session.py",
        "task.cancel()",
        "task = asyncio.ensure_future(asyncio.sleep(0))  # detached, not cancelled",
        (SERVE,),
        "after Stop, Azure goes on streaming the old answer (and the page goes on receiving it)",
    ),
    Mutant(
        "turn-audio-not-cleared",
        "langchain_azure_audio/serve/session.py",
        "self._pcm, self._overflow = bytearray(), False  # the next turn starts empty",
        "self._overflow = False",
        (SERVE,),
        "every spoken turn re-sends all the earlier speech",
    ),
    Mutant(
        "interrupted-answer-forgotten",
        "langchain_azure_audio/serve/session.py",
        'self.history += [question, AIMessage(f"{partial} [interrupted]".strip())]',
        "pass",
        (SERVE,),
        "after a barge-in the next turn forgets the question and what was said of the answer",
    ),
    Mutant(
        "batch-retries-multiply",
        "langchain_azure_audio/_azure/clients.py",
        'options["max_retries"] = 0',
        "pass",
        (RETRIES,),
        "a failing service gets 9 attempts per piece of a long job, not 3 (retries x retries)",
    ),
    Mutant(
        "incomplete-exits-0",
        "langchain_azure_audio/cli/long_jobs.py",
        "raise click.exceptions.Exit(EXIT_INCOMPLETE)",
        "return  # type: ignore[misc]",
        (EXIT_CODES,),
        "transcribe/ask/audiobook exit 0 with parts missing: a script cannot tell",
    ),
    Mutant(
        "book-with-a-hole-written",
        "langchain_azure_audio/audiobook/narrate.py",
        "if len(done) == len(parts):  # a book or chapter with a hole is not written",
        "if True:",
        (EXIT_CODES,),
        "a book with a missing chapter is written as if whole",
    ),
    Mutant(
        "cue-timing-ignores-islands",
        "langchain_azure_audio/long_audio/timing.py",
        "runs = _assign(weights, durations, pause_cost, rate)",
        "runs = None",
        (
            CUES + "::test_words_land_on_the_islands_of_their_sentences",
            CUES + "::test_a_cough_between_sentences_holds_no_word",
        ),
        "words are spread over the piece's sound as one stretch: a sentence's cue starts "
        "before or after it is said",
    ),
    Mutant(
        "validator-ignores-reading-speed",
        "langchain_azure_audio/long_audio/subtitles.py",
        "if seconds > 0 and chars / seconds > MAX_CPS + 0.05:",
        "if False:",
        (CUES + "::test_the_validator_names_every_rule_a_file_breaks",),
        "a cue too fast to read passes the check, and transcribe does not report it",
    ),
    Mutant(
        "translation-timing-through-pauses",
        "langchain_azure_audio/long_audio/cues.py",
        "total, spoken = sum(weights), sum(w.end - w.start for w in source)",
        "total, spoken = sum(weights), source[-1].end - source[0].start",
        (CUES + "::test_a_translation_takes_the_time_of_its_source_sentence",),
        "a translation's words are shown through the source's pauses, off its speech",
    ),
    Mutant(
        "translation-paired-with-the-wrong-sentence",
        "langchain_azure_audio/long_audio/translate.py",
        "for sentence, line in zip(per_segment, lines, strict=True):",
        "for sentence, line in zip(per_segment[1:] + per_segment[:1], lines, strict=True):",
        (SUBTITLE_TIMING + "::test_each_translated_sentence_keeps_its_source_timing",),
        "each translated sentence is shown at another sentence's time",
    ),
    # issue 29: what it costs and how long it lives
    Mutant(
        "cached-input-priced-as-uncached",
        "langchain_azure_audio/cost.py",
        "rate = getattr(price, kind) if price is not None else None",
        'rate = getattr(price, kind.removeprefix("cached_")) if price is not None else None',
        (COST,),
        "a realtime answer read from the prompt cache costs ten times what it did",
    ),
    Mutant(
        "audio-priced-as-text",
        "langchain_azure_audio/cost.py",
        'audio_in = int(details_in.get("audio") or 0)',
        "audio_in = 0",
        (COST,),
        "an hour of speech heard is priced at the text rate: the cost is under by a factor of 13",
    ),
    Mutant(
        "retirement-warned-every-request",
        "langchain_azure_audio/_model/lifecycle.py",
        "if (model.name, model.version) in self._seen:",
        "if False:",
        (LIFECYCLE,),
        "every model built and every answer repeats the retirement warning",
    ),
    Mutant(
        "request-refused-for-a-date",
        "langchain_azure_audio/_model/lifecycle.py",
        "warnings.warn(warning, stacklevel=3)",
        "raise warning",
        (LIFECYCLE,),
        "a model past its published date can no longer be called, though Azure still serves it",
    ),
    Mutant(
        "false-alarm-for-a-bare-name",
        "langchain_azure_audio/_model/lifecycle.py",
        "if not versions or any(notice(m, today) is None for m in versions):",
        "if not versions or all(notice(m, today) is None for m in versions):",
        (LIFECYCLE,),
        "a deployment of the newer gpt-audio-mini is warned about the older version's date",
    ),
    Mutant(
        "estimate-counts-silence",
        "langchain_azure_audio/cli/estimates.py",
        "seconds = sum(p.end - p.start for p in todo)",
        "seconds = manifest.duration",
        (ESTIMATES,),
        "the estimate counts the silence that is never sent: nearly twice what the run uses",
    ),
    Mutant(
        "expensive-job-starts-unasked",
        "langchain_azure_audio/cli/estimates.py",
        "if yes or plan.cost.usd <= confirm_above or not plan.requests:",
        "if True:",
        (ESTIMATES,),
        "a job above --confirm-above starts without asking, even with no one to ask",
    ),
    Mutant(
        "truncate-ignores-played",
        "langchain_azure_audio/_realtime/turns.py",
        "if played_ms is not None:",
        "if False:",
        (f"{REALTIME_UNIT}::test_heard_ms",
         f"{LIVE}::test_speech_during_an_answer_truncates_it_at_what_was_played"),
        "a barge-in truncates the answer by the clock, not at what the app reported playing",
    ),
    Mutant(
        "tool-from-unfinished-response",
        "langchain_azure_audio/_realtime/session.py",
        'calls = parse_calls(proto.function_calls(response)) if status == "completed" else []',
        "calls = parse_calls(proto.function_calls(response))",
        (f"{LIVE}::test_no_tool_runs_from_a_response_that_did_not_complete",),
        "a tool runs from a cancelled or incomplete response (the model never finished asking)",
    ),
    Mutant(
        "response-per-tool-result",
        "langchain_azure_audio/_realtime/session.py",
        "await self._send(proto.item_create(output))",
        "await self._send(proto.item_create(output)); await self._create_response()",
        (f"{LIVE}::test_tools_run_concurrently_then_one_response",),
        "after two tool results the model is asked for an answer after each one",
    ),
    Mutant(
        "reconnect-forgets-conversation",
        "langchain_azure_audio/_realtime/session.py",
        "said = [m for m in self.messages if not (isinstance(m, HumanMessage) and not m.text)]",
        "said: list[BaseMessage] = []",
        (f"{LIVE}::test_session_limit_reconnects_with_a_fresh_token_and_the_conversation",
         f"{LIVE}::test_a_dropped_socket_is_reconnected_the_same_way"),
        "after the 30-minute limit or a drop the model no longer knows what was said",
    ),
    Mutant(
        "reconnect-reuses-the-token",
        "langchain_azure_audio/_azure/realtime.py",
        "token = provider()",
        'token = creds.__dict__.setdefault("_first_token", provider())',
        (f"{LIVE}::test_session_limit_reconnects_with_a_fresh_token_and_the_conversation",
         "tests/integration_tests/test_realtime.py::"
         "test_token_provider_is_asked_for_a_fresh_token_per_connection"),
        "a reconnection signs in with the first connection's (by then expired) token",
    ),
    Mutant(
        "audio-after-barge-in",
        "langchain_azure_audio/_realtime/session.py",
        "if event.item_id in self._cut_items:",
        "if False:",
        (f"{LIVE}::test_audio_already_received_is_not_delivered_after_a_barge_in",),
        "the interrupted answer keeps playing: its late audio still reaches the app",
    ),
    Mutant(
        "page-socket-waits-for-acks",
        "langchain_azure_audio/serve/app.py",
        "sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)",
        "sock = socket.socket(family, socket.SOCK_STREAM)",
        (f"{SERVE}::test_the_page_connection_sends_each_message_at_once",),
        "every message that follows another reaches the page about 40 ms late (Nagle's "
        "algorithm waiting for the page's delayed ACK)",
    ),
    Mutant(
        "page-truncates-by-clock",
        SERVE_RT_CODE,
        "live.played(samples / SAMPLES_PER_MS)",
        "pass",
        (f"{SERVE_RT}::test_speech_over_an_answer_truncates_it_at_the_samples_the_page_played",
         f"{SERVE_RT}::test_stop_cuts_the_answer_at_the_final_count_the_page_sends"),
        "a barge-in on the page truncates the answer without the page's playback position: "
        "the model remembers what the user never heard",
    ),
    Mutant(
        "page-report-of-another-answer",
        SERVE_RT_CODE,
        "if live is not None and answer is not None and item == answer.item_id:",
        "if live is not None:",
        (f"{SERVE_RT}::test_speech_over_an_answer_truncates_it_at_the_samples_the_page_played",),
        "a late playback report of an earlier answer moves the cut of the current one",
    ),
    Mutant(
        "page-frames-held-back",
        SERVE_RT_CODE,
        "await live.send_audio(data)  # at once: Azure hears the turn as it is spoken",
        'self.__dict__["held"] = self.__dict__.get("held", b"") + data',
        (f"{SERVE_RT}::test_each_frame_reaches_azure_as_it_is_sent",),
        "the microphone's frames are held back instead of streamed: Azure's voice detection "
        "cannot hear the turn while it is spoken",
    ),
    Mutant(
        "page-tool-result-hidden",
        SERVE_RT_CODE,
        'elif event.type == "tool_result":',
        'elif event.type == "tool_result (hidden)":',
        (f"{SERVE_RT}::test_a_tool_call_and_its_result_are_shown_then_the_answer",),
        "the page shows the tool call but never its result",
    ),
    Mutant(
        "page-signs-in-per-frame",
        SERVE_RT_CODE,
        "if self._live is not None or self._broken is not None:",
        "if self._live is not None:",
        (f"{SERVE_RT}::test_a_refused_sign_in_is_one_line_and_the_next_ask_connects_again",),
        "after a refused sign-in every 20 ms frame signs in again (and shows the error again)",
    ),
    Mutant(
        "page-oversize-frame-passed-on",
        SERVE_RT_CODE,
        "if len(data) > MAX_FRAME:",
        "if False:",
        (f"{SERVE_RT}::test_refusals_in_realtime_mode_keep_the_conversation_going",),
        "a 1 MiB message goes to Azure as one audio event instead of being refused",
    ),
)  # fmt: skip


def locate(mutant: Mutant, root: Path) -> tuple[list[str], int]:
    """The file's lines and the index of the mutant's line (which must appear once)."""
    lines = (root / mutant.path).read_text().splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.strip() == mutant.line]
    if len(hits) != 1:
        raise SystemExit(
            f"mutant {mutant.name}: expected the line once in {mutant.path}, found it "
            f"{len(hits)} times; update scripts/mutation_check.py:\n    {mutant.line}"
        )
    return lines, hits[0]


def apply(mutant: Mutant, root: Path) -> None:
    lines, index = locate(mutant, root)
    original = lines[index]
    indent = original[: len(original) - len(original.lstrip())]
    lines[index] = f"{indent}{mutant.mutated}\n"
    (root / mutant.path).write_text("".join(lines))


def copy_repo(target: Path) -> None:
    ignore = shutil.ignore_patterns(".git", "__pycache__", ".mypy_cache", ".ruff_cache",
                                    ".pytest_cache", "site", ".hypothesis", ".nox", ".venv",
                                    ".bench-cache")  # fmt: skip
    shutil.copytree(ROOT, target, ignore=ignore, symlinks=True)


def run_tests(root: Path, tests: tuple[str, ...], full: bool) -> tuple[bool, float, str]:
    """Whether the tests passed against the copy at `root`."""
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    args = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    args += [] if full else list(tests)
    started = time.monotonic()
    done = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, check=False)
    tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-3:])
    return done.returncode == 0, time.monotonic() - started, tail


def check_shadowing(root: Path) -> None:
    """The copy's package must be the one imported, or every mutant would 'survive'."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    where = subprocess.run(
        [sys.executable, "-c", "import langchain_azure_audio as p; print(p.__file__)"],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not Path(where).resolve().is_relative_to(root.resolve()):
        raise SystemExit(f"the copy's package is not the one imported ({where}); aborting")


def try_mutant(mutant: Mutant, scratch: Path, full: bool) -> tuple[bool, float]:
    """Apply `mutant` to a fresh copy and run its tests; True when they still pass."""
    root = scratch / mutant.name
    copy_repo(root)
    apply(mutant, root)
    passed, seconds, _ = run_tests(root, mutant.tests, full)
    shutil.rmtree(root)
    return passed, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="run only this mutant (repeatable)")
    parser.add_argument("--full", action="store_true", help="run the whole suite per mutant")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tried at once (default 1)")
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="skip running the unmutated tests first (CI: the suite just passed)",
    )
    options = parser.parse_args()
    chosen = [m for m in MUTANTS if not options.only or m.name in options.only]
    if options.list or not chosen:
        for m in MUTANTS:
            print(f"{m.name:34} {m.path}: {m.effect}")
        return 0 if options.list else 2
    with tempfile.TemporaryDirectory(prefix="lcaa-mutants-") as folder:
        scratch = Path(folder)
        shared = ROOT.parent / "shared"
        if shared.is_dir():  # tests read real speech from ../shared, beside each copy too
            (scratch / "shared").symlink_to(shared)
        baseline = scratch / "baseline"
        copy_repo(baseline)
        check_shadowing(baseline)
        for m in chosen:  # every mutant must still apply to the current code
            locate(m, baseline)
        if not options.no_baseline:
            tests = tuple(sorted({t for m in chosen for t in m.tests}))
            passed, seconds, tail = run_tests(baseline, tests, options.full)
            if not passed:
                print(f"the unmutated tests fail; fix them first:\n{tail}")
                return 1
            print(f"unmutated: the tests pass ({seconds:.0f} s)")
        survivors = []
        with ThreadPoolExecutor(max(1, options.jobs)) as pool:
            runs = {m: pool.submit(try_mutant, m, scratch, options.full) for m in chosen}
            for m, run in runs.items():
                passed, seconds = run.result()
                print(f"{'SURVIVED' if passed else 'killed':8} {m.name:34} {seconds:5.0f} s  "
                      f"{m.effect}", flush=True)  # fmt: skip
                if passed:
                    survivors.append(m.name)
    print(f"\n{len(chosen) - len(survivors)} of {len(chosen)} mutants killed"
          + (f"; survivors: {', '.join(survivors)}" if survivors else ""))  # fmt: skip
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
