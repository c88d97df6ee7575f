"""The command line's checks: every argument, file and output path, before any request.

Usage mistakes raise `click.BadParameter` (exit 2, in the CLI's own vocabulary:
`--voice`, `-o`); unusable inputs and missing settings raise
`click.ClickException` (exit 1). Both print one `Error:` line and no traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Final

import click

from langchain_azure_audio import audio
from langchain_azure_audio._model.profiles import ALL_VOICES
from langchain_azure_audio.audio import (
    INPUT_FORMATS,
    OUTPUT_FORMATS,
    build_audio_block,
    check_audio_bytes,
    output_suffixes,
    sniff_container,
)
from langchain_azure_audio.errors import AzureAudioInputError

LIVE_SETTINGS: Final = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME")
MAX_SPEAK_CHARS: Final = 4000
"""`speak` reads one text in one request; longer texts belong to `audiobook`."""
MAX_BOOK_BYTES: Final = 50 * 1024 * 1024
"""A book over 50 MiB is almost certainly not a book (about 30 days of narration)."""


def one_line(text: str) -> str:
    """`text` with its line breaks (service messages, OS errors) folded into spaces."""
    return " ".join(str(text).split())


def missing_settings() -> list[str]:
    return [name for name in LIVE_SETTINGS if not os.environ.get(name, "").strip()]


def require_settings(command: str) -> None:
    """Stop at once, naming the settings, when a live-only command has none."""
    missing = missing_settings()
    if missing:
        verb, them = ("is", "it") if len(missing) == 1 else ("are", "them")
        raise click.ClickException(
            f"`{command}` talks to Azure OpenAI, and {' and '.join(missing)} {verb} not set: "
            f"set {them} (the endpoint is https://<resource>.openai.azure.com), plus "
            "AZURE_OPENAI_API_KEY or `az login` for keyless sign-in. To see the package work "
            "without Azure, run `langchain-azure-audio demo` (offline)."
        )


def refuse_offline(command: str, live: bool | None) -> None:
    if live is False:
        raise click.UsageError(
            f"`{command}` cannot run offline: only `demo` has a bundled offline session. "
            f"Set the Azure settings to run `{command}`, or run `langchain-azure-audio demo`."
        )


def check_voice(voice: str | None, allow_unknown: bool) -> str | None:
    """The voice to use, or a usage error naming `--voice` and `--allow-unknown-voice`."""
    if voice is None:
        return None
    voices = ALL_VOICES  # chat_models.DOCUMENTED_VOICES, without loading the chat model
    name = voice.strip()
    if name.lower() in voices:
        return name.lower()
    if not name:
        raise click.BadParameter("is empty; pick one of " + ", ".join(voices) + ".",
                                 param_hint="'--voice'")  # fmt: skip
    if allow_unknown:
        return name
    raise click.BadParameter(
        f"{voice!r} is not one of the documented voices ({', '.join(voices)}); pick one of "
        "them, or add --allow-unknown-voice to try it anyway.",
        param_hint="'--voice'",
    )


def check_text(text: str, *, param_hint: str, limit: int | None = None) -> str:
    if not text.strip():
        raise click.BadParameter("is empty; give the words.", param_hint=param_hint)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise click.BadParameter(
            "holds bytes that are not text (check the terminal's encoding).",
            param_hint=param_hint,
        ) from exc
    if limit is not None and len(text) > limit:
        raise click.BadParameter(
            f"is {len(text):,} characters; `speak` reads at most {limit:,} in one request. "
            "For longer texts use `langchain-azure-audio audiobook BOOK`.",
            param_hint=param_hint,
        )
    return text


def output_format(path: Path, requested: str | None, *, param_hint: str) -> str:
    """The audio format for an output file: `--format` if given, else the suffix's.

    A suffix that no format is saved as, or one that contradicts `--format`,
    is a usage error (before any request).
    """
    suffix = path.suffix.lower()
    if requested is not None:
        if suffix and suffix not in output_suffixes(requested):
            raise click.BadParameter(
                f"{str(path)!r} ends in {suffix!r} but --format {requested} writes "
                f"{', '.join(output_suffixes(requested))} files; change the suffix or --format.",
                param_hint=param_hint,
            )
        return requested
    if not suffix:
        return "wav"
    for fmt in OUTPUT_FORMATS:
        if suffix in output_suffixes(fmt):
            return fmt
    known = sorted({s for fmt in OUTPUT_FORMATS for s in output_suffixes(fmt)})
    raise click.BadParameter(
        f"{str(path)!r}: {suffix!r} is not an audio file the service can write; use one of "
        f"{', '.join(known)}.",
        param_hint=param_hint,
    )


def check_output_file(path: Path, *, param_hint: str) -> Path:
    if path.is_dir():
        raise click.BadParameter(
            f"{str(path)!r} is a folder; give a file name.", param_hint=param_hint
        )
    check_writable_folder(path.parent, param_hint=param_hint)
    return path


def check_writable_folder(folder: Path, *, param_hint: str) -> Path:
    """`folder` exists as a writable folder, or can be created."""
    probe = folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise click.BadParameter(
            f"{str(folder)!r} cannot be created: {str(probe)!r} is a file.",
            param_hint=param_hint,
        )
    if not os.access(probe, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{str(probe)!r} is not writable.", param_hint=param_hint)
    return folder


def check_audio_file(path: Path, *, one_request: bool = False) -> None:
    """Checks before an audio file is read: a file, not empty, audio PyAV can decode (its
    header is read, nothing is decoded yet), and, with `one_request`, fit for one request.

    For one request, WAV and MP3 (sent as they are) must be at most 20 MiB; any other
    recording must be short enough to fit once transcoded (about 86 minutes as 32 kbit/s
    MP3). `transcribe` and `ask` take any length: they cut long recordings.
    """
    where = str(path)
    if path.is_dir():
        raise AzureAudioInputError(f"{where} is a folder; give an audio file.")
    if not path.is_file():
        raise AzureAudioInputError(f"{where}: no such file; check the path.")
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(4096)
    if one_request and (not size or sniff_container(head) in INPUT_FORMATS):
        check_audio_bytes(head, None, where=where, size=size)  # empty, too big
        return
    if not size:
        raise AzureAudioInputError(f"{where} is empty; give a recording with sound in it.")
    from langchain_azure_audio._media import (
        decode as _decode,  # PyAV: loaded only when a file needs it
    )

    info = _decode.probe(path, where=where)  # AudioDecodeError says what was found instead
    if one_request:
        _decode.check_one_request(info, where=where, max_bytes=audio.MAX_INPUT_AUDIO_BYTES)


def read_audio(path: Path) -> bytes:
    """An audio file's bytes, checked first (a huge or undecodable file is never read).

    WAV and MP3 are checked as the service takes them; other recordings (M4A,
    Ogg, FLAC, WebM, ...) are checked to decode and to fit one request once
    `audio_block` transcodes them. `audio_block_for` avoids reading those whole.
    """
    check_audio_file(path, one_request=True)
    data = path.read_bytes()
    if sniff_container(data[:4096]) in INPUT_FORMATS:
        check_audio_bytes(data, None, where=str(path))  # the WAV's frames, now all is here
    return data


def audio_block_for(path: Path) -> dict[str, Any]:
    """The audio block for a file in any common format, checked before it is read.

    WAV/MP3 go as they are; other recordings are decoded and transcoded as
    they stream (`audio_block`), so a long M4A is never held whole in memory.
    """
    check_audio_file(path, one_request=True)
    return build_audio_block(path, where=str(path))


def read_book(path: Path) -> str:
    """A book's text: UTF-8 (with or without BOM), not binary, not empty."""
    where = str(path)
    size = path.stat().st_size
    if size > MAX_BOOK_BYTES:
        raise click.ClickException(
            f"{where} is {size / 2**20:.0f} MiB; a book is at most "
            f"{MAX_BOOK_BYTES // 2**20} MiB of text. Split it into volumes."
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{where} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "narrate a plain-text or Markdown file saved as UTF-8."
        ) from exc
    if "\x00" in text:
        raise click.ClickException(
            f"{where} looks binary (it holds NUL bytes); narrate a plain-text or Markdown file."
        )
    if not text.strip():
        raise click.ClickException(f"{where} has no text to narrate.")
    return text
