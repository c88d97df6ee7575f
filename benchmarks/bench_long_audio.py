"""Long recordings: the CLI transcribes 10- and 60-minute m4a files into subtitles.

    python benchmarks/bench_long_audio.py            # 10 and 60 minutes
    python benchmarks/bench_long_audio.py --docs-only

The recordings are built by `scripts/make_long_recording.py` (espeak-ng speech
and the real clips in ../shared/audio; 60 minutes, and its first 10 minutes)
and encoded to AAC in m4a as a phone would. `langchain-azure-audio transcribe
FILE -o FILE.srt` runs in a process of its own against the loopback listening
service (`tests/long_service.py`), which finds where each request's audio sits
in the original. Reported: the CLI process's peak RSS (its own `VmHWM`, read at
exit), wall time, requests per audio-hour, audio tokens per minute as the
service counted them, and the largest distance between where we say a segment
starts and where the service found its audio (the timestamp error).

Writes benchmarks/results/long_audio.json, the generated block of
docs/long-recordings.md, and the token rates the package's cost estimates use
(the generated block of langchain_azure_audio/_model/prices.py). `--rates-only`
measures only the rates (from ../shared/recordings, in seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path
from typing import Any, Final

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _docs, _harness  # noqa: E402
from benchmarks._memory import RSS_ENV  # noqa: E402
from tests.long_recording import encode, script  # noqa: E402
from tests.long_service import SyntheticListener, read_wav_pcm, serve  # noqa: E402

PAGE: Final = ROOT / "docs" / "long-recordings.md"
RESULTS: Final = _harness.RESULTS_DIR / "long_audio.json"
MINUTES: Final = (10, 60)
_BLOCK: Final = "long-audio"
RSS_WHAT: Final = "CLI peak RSS, 60 min / 10 min"
RSS_LIMIT: Final = 1.2
# The CLI, run so that it writes its own peak RSS (VmHWM) to $LCAA_VMHWM_FILE at exit.
_CHILD: Final = """
import atexit, os, runpy, sys
def report():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            open(os.environ['LCAA_VMHWM_FILE'], 'w').write(str(int(line.split()[1]) * 1024))
atexit.register(report)
sys.argv = ['langchain-azure-audio', *sys.argv[1:]]
runpy.run_module('langchain_azure_audio', run_name='__main__')
"""


def _cut(wav: Path, target: Path, minutes: float) -> Path:
    with wave.open(str(wav)) as src, wave.open(str(target), "wb") as out:
        out.setparams(src.getparams())
        left = int(minutes * 60 * src.getframerate())
        while left > 0 and (block := src.readframes(min(left, 240_000))):
            out.writeframes(block)
            left -= len(block) // 2
    return target


def run_cli(m4a: Path, listener: SyntheticListener, endpoint: str, work: Path) -> dict[str, Any]:
    listener.located.clear()
    srt, hwm = work / f"{m4a.stem}.srt", work / f"{m4a.stem}.vmhwm"
    env = {**os.environ, **RSS_ENV,
           "AZURE_OPENAI_ENDPOINT": endpoint, "AZURE_OPENAI_DEPLOYMENT_NAME": "gpt-audio-1.5",
           "AZURE_OPENAI_API_KEY": "bench-key", "LCAA_VMHWM_FILE": str(hwm)}  # fmt: skip
    started = time.perf_counter()

    def transcribe(output: Path) -> None:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, "transcribe", str(m4a), "-o", str(output),
             "--workdir", str(work / f"{m4a.stem}.work")],
            env=env, check=False, capture_output=True, text=True, timeout=1800,
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"the CLI failed on {m4a.name}: {done.stderr[-2000:]}")

    transcribe(srt)  # the measured run: every segment requested
    wall = time.perf_counter() - started
    peak = int(hwm.read_text())
    requests = len(listener.located)
    transcribe(srt.with_suffix(".json"))  # from the checkpoints: no request
    assert len(listener.located) == requests, "the second run asked again"
    segments = json.loads(srt.with_suffix(".json").read_text())["segments"]
    heard = [h.offset for h in listener.located]
    # where we say each sent segment starts vs where the service found its audio
    error = max(min(abs(s["start"] - h) for h in heard) for s in segments if s["status"] == "ok")
    cues = len(re.findall(r"^\d\d:\d\d:\d\d,\d\d\d --> ", srt.read_text(), re.M))
    seconds = _duration(m4a)
    return {
        "audio_s": round(seconds, 2),
        "peak_rss_bytes": peak,
        "wall_s": round(wall, 2),
        "requests": requests,
        "cues": cues,
        "requests_per_audio_hour": round(requests / (seconds / 3600), 2),
        "timestamp_error_s": round(error, 3),
        "audio_seconds_sent": round(sum(h.duration for h in listener.located), 2),
    }


def token_rates(recordings: Path = ROOT.parent / "shared" / "recordings") -> dict[str, Any]:
    """Audio tokens per second of speech, in and out, as Azure billed them in the real
    recorded traffic (read from ../shared at benchmark time): first turns only, where
    the request's one input audio and the answer's audio are both whole."""
    import base64

    from langchain_azure_audio._media.decode import probe

    rates: dict[str, Any] = {}
    for path in sorted(recordings.glob("*.json")):
        entry = json.loads(path.read_text())["Entries"][0]
        body, answer = entry["RequestBody"], entry["ResponseBody"]
        parts = [p for m in body["messages"] if isinstance(m.get("content"), list)
                 for p in m["content"] if p.get("type") == "input_audio"]  # fmt: skip
        if len(parts) != 1 or not isinstance(answer, dict):
            continue
        model = path.name.split(".", 1)[1].removesuffix(".json")
        seconds_in = probe(base64.b64decode(parts[0]["input_audio"]["data"])).duration
        audio = answer["choices"][0]["message"]["audio"]
        seconds_out = len(base64.b64decode(audio["data"])) / 48_000  # pcm16, 24 kHz mono
        usage = answer["usage"]
        rates[model] = {
            "input_audio_s": round(seconds_in or 0.0, 3),
            "input_audio_tokens": usage["prompt_tokens_details"]["audio_tokens"],
            "output_audio_s": round(seconds_out, 3),
            "output_audio_tokens": usage["completion_tokens_details"]["audio_tokens"],
            "output_text_tokens": usage["completion_tokens_details"]["text_tokens"],
            "output_transcript_chars": len(audio["transcript"]),
        }
    return rates


PRICES_MODULE: Final = ROOT / "langchain_azure_audio" / "_model" / "prices.py"
_RATES_BLOCK = re.compile(
    r"(# <generated: token-rates>[^\n]*\n)(.*?)(# <end generated: token-rates>)", re.S
)
_RATE_DOCS: Final = {
    "AUDIO_TOKENS_PER_MINUTE_IN": "Input audio tokens Azure billed per minute of speech sent "
    "(real recorded traffic).",
    "AUDIO_TOKENS_PER_MINUTE_OUT": "Output audio tokens Azure billed per minute of speech the "
    "model said.",
    "TEXT_TOKENS_PER_MINUTE_OUT": "Output text tokens (the words of the speech) per minute of "
    "speech the model said.",
    "CHARACTERS_PER_MINUTE_SPOKEN": "Characters of transcript per minute of the model's speech.",
}


def rates(report: dict[str, Any]) -> dict[str, int]:
    """The package's estimate rates: every recorded model's first turn pooled (tokens over
    seconds), per minute."""
    r = report["token_rates"].values()
    seconds_in = sum(x["input_audio_s"] for x in r)
    seconds_out = sum(x["output_audio_s"] for x in r)
    return {
        "AUDIO_TOKENS_PER_MINUTE_IN": round(60 * sum(x["input_audio_tokens"] for x in r)
                                            / seconds_in),
        "AUDIO_TOKENS_PER_MINUTE_OUT": round(60 * sum(x["output_audio_tokens"] for x in r)
                                             / seconds_out),
        "TEXT_TOKENS_PER_MINUTE_OUT": round(60 * sum(x["output_text_tokens"] for x in r)
                                            / seconds_out),
        "CHARACTERS_PER_MINUTE_SPOKEN": round(60 * sum(x["output_transcript_chars"] for x in r)
                                              / seconds_out),
    }  # fmt: skip


def render_rates(report: dict[str, Any]) -> str:
    """The generated block of `_model/prices.py`."""
    return "".join(f"{name}: Final = {value}\n\"\"\"{_RATE_DOCS[name]}\"\"\"\n"
                   for name, value in rates(report).items())  # fmt: skip


def write_rates(report: dict[str, Any], module: Path = PRICES_MODULE) -> bool:
    text = module.read_text()
    if not _RATES_BLOCK.search(text):
        raise ValueError(f"{module.name} lacks the generated block 'token-rates'")
    after = _RATES_BLOCK.sub(lambda m: m[1] + render_rates(report) + m[3], text)
    if after != text:
        module.write_text(after)
    return after != text


def _duration(path: Path) -> float:
    from langchain_azure_audio._media.decode import probe

    return probe(path).duration or 0.0


def measure(cache: Path) -> dict[str, Any]:
    cache.mkdir(parents=True, exist_ok=True)
    recording = script().build_long_recording(cache / "60", minutes=60, cache=cache / "espeak")
    files = {}
    for minutes in MINUTES:
        wav = recording.wav if minutes == 60 else _cut(recording.wav, cache / "10.wav", minutes)
        files[minutes] = encode(wav, cache / f"meeting-{minutes}min.m4a")
    truth = json.loads(Path(recording.truth).read_text())
    listener = SyntheticListener(read_wav_pcm(recording.wav.read_bytes()), truth["utterances"])
    runs = {}
    with serve(listener) as endpoint, tempfile.TemporaryDirectory() as work:
        for minutes in MINUTES:
            runs[str(minutes)] = run_cli(files[minutes], listener, endpoint, Path(work))
    return {
        "runs": runs,
        "token_rates": token_rates(),
        "targets": _harness.targets_json([rss_target(runs)]),
        "segment_seconds": 300,
        "concurrency": 4,
    }


def rss_target(runs: dict[str, Any]) -> _harness.Target:
    """Memory flat in the recording's length: the 60-minute peak RSS over the 10-minute one."""
    ratio = runs["60"]["peak_rss_bytes"] / runs["10"]["peak_rss_bytes"]
    return _harness.Target.at_most("long_audio", RSS_WHAT, round(ratio, 3), RSS_LIMIT)


def render(report: dict[str, Any]) -> str:
    rows = []
    for minutes, run in report["runs"].items():
        rows.append([
            f"{minutes} min m4a", _harness.mib(run["peak_rss_bytes"]), f"{run['wall_s']:.1f} s",
            str(run["requests"]), f"{run['requests_per_audio_hour']:.1f}",
            f"{run['timestamp_error_s']:.3f} s",
        ])  # fmt: skip
    table = _docs.md_table(
        ["recording", "CLI peak RSS", "wall time", "requests", "requests / audio-hour",
         "largest timestamp error"], rows)  # fmt: skip
    target = next(t for t in report["targets"] if t["what"] == RSS_WHAT)
    verdict = "met" if _harness.met(target) else "missed"  # decided here, never stored
    rates = []
    for model, r in report["token_rates"].items():
        per_min_in = 60 * r["input_audio_tokens"] / r["input_audio_s"]
        per_min_out = 60 * r["output_audio_tokens"] / r["output_audio_s"]
        rates.append([f"`{model}`", f"{r['input_audio_tokens']} for {r['input_audio_s']:.2f} s",
                      f"**{per_min_in:,.0f}**", f"{r['output_audio_tokens']} for "
                      f"{r['output_audio_s']:.2f} s", f"**{per_min_out:,.0f}**"])  # fmt: skip
    rate_table = _docs.md_table(
        ["model (real recorded traffic)", "input audio tokens", "per minute in",
         "output audio tokens", "per minute out"], rates)  # fmt: skip
    return (
        f"{table}\nPeak RSS at 60 minutes is {target['value']:.2f}x that at 10 minutes "
        f"(target {_harness.SYMBOLS[target['compare']]} {target['limit']:g}x: {verdict}). "
        "Segments of at most "
        f"{report['segment_seconds']} s, {report['concurrency']} at a time, against the "
        "loopback listening service; the timestamp error is measured by that service, "
        "which finds each request's audio in the original recording.\n\n"
        "Audio tokens as Azure counted them in the real recorded traffic:\n\n"
        f"{rate_table}"
    )


def write_page(report: dict[str, Any], page: Path = PAGE) -> bool:
    return _docs.write_block(page, _BLOCK, render(report))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs-only", action="store_true")
    parser.add_argument(
        "--rates-only",
        action="store_true",
        help="measure only the token rates (the recordings in ../shared)",
    )
    parser.add_argument("--cache", type=Path, default=ROOT / ".bench-cache" / "long_audio")
    args = parser.parse_args()
    if args.rates_only:
        report = {**json.loads(RESULTS.read_text()), "token_rates": token_rates()}
        RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    elif not args.docs_only:
        report = measure(args.cache)
        RESULTS.write_text(json.dumps(report, indent=1) + "\n")
        print(json.dumps(report, indent=1))
    write_page(json.loads(RESULTS.read_text()))
    write_rates(json.loads(RESULTS.read_text()))


if __name__ == "__main__":
    main()
