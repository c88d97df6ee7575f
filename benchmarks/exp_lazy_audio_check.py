"""Experiment: check big input audio without decoding all of its base64 (not run by run_all).

    python benchmarks/exp_lazy_audio_check.py [--processes 5] [--repeats 3]

Profiling the big-input benchmark shows `AzureChatOpenAIAudio` spending most
of its extra time in `langchain_azure_audio._messages.audio_block_to_part`,
which decodes the whole base64 string (`binascii.a2b_base64`, ~28 M chars for
a 20 MiB WAV) only to check its size, its container and its WAV header.

The proposed package change, tried here by monkeypatching the package inside
the benchmark's child processes only (the package files are not touched):
check the size from the string's length, decode only its first 64 KiB of
characters (container sniffing and the WAV header), and fall back to the full
decode whenever that quick check fails, so every error message stays exactly
as today. Two variants:
  head           only the head is decoded; a bad character further in is left
                 to the service (it answers 400, mapped to a typed error);
  head+alphabet  also checks every character against the base64 alphabet
                 (`bytes.translate`, about 4× cheaper than decoding).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Final

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import _harness, bench_big_input

HEAD_CHARS: Final = 64 * 1024  # a multiple of 4: 48 KiB decoded, enough for any WAV header
_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
VARIANTS: Final = ("head", "head+alphabet")


def check_audio_base64(b64: Any, declared: Any, *, where: str, alphabet: bool) -> Any:
    """The proposed `audio.check_audio_base64`: `check_audio_bytes(decode(b64))`, lazily."""
    from langchain_azure_audio import audio
    from langchain_azure_audio.errors import InvalidAudioError

    def full_check() -> Any:  # today's path: exact errors for anything unusual
        return audio.check_audio_bytes(
            audio.decode_base64_audio(b64, where=where), declared, where=where
        )

    if not isinstance(b64, str) or len(b64) % 4 or not b64.isascii() or len(b64) <= HEAD_CHARS:
        return full_check()
    size = len(b64) // 4 * 3 - (len(b64) - len(b64.rstrip("=")))
    if size > audio.MAX_INPUT_AUDIO_BYTES:
        raise InvalidAudioError(
            f"{where}: the audio is {size / 1_048_576:.1f} MB; Azure accepts at most "
            "20 MB per audio input. Split it into shorter clips or compress it to MP3."
        )
    if alphabet and b64.encode("ascii").translate(None, _ALPHABET):
        return full_check()  # raises the precise "not valid base64" error
    try:
        head = audio.decode_base64_audio(b64[:HEAD_CHARS], where=where)
        return audio.check_audio_bytes(head, declared, where=where)
    except InvalidAudioError:
        return full_check()


def apply(variant: str) -> None:
    """Route the package's input-audio check through `check_audio_base64` (this process only)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {VARIANTS}")
    from langchain_azure_audio import _messages

    def check(b64: Any, declared: Any, *, where: str) -> Any:
        return check_audio_base64(b64, declared, where=where, alphabet=variant == "head+alphabet")

    def pass_through(b64: Any, *, where: str) -> Any:
        return b64

    # audio_block_to_part calls check_audio_bytes(decode_base64_audio(b64)): hand the
    # string straight through to the lazy check.
    vars(_messages).update(decode_base64_audio=pass_through, check_audio_bytes=check)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-processes", type=int, default=2)
    args = parser.parse_args()
    variants: dict[str, dict[str, Any]] = {"raw": {"client": "raw"}, "ours": {"client": "ours"}}
    variants |= {f"ours, {v}": {"client": "ours", "patch": v} for v in VARIANTS}
    report = bench_big_input.run(args.processes, args.repeats, args.memory_processes, variants)
    print(bench_big_input.render(report))
    print(f"saved {_harness.save('exp_lazy_audio_check', report)}")


if __name__ == "__main__":
    main()
