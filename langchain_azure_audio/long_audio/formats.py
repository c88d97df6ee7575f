"""A long transcript as `.txt`, `.json`, `.srt` or `.vtt`, in its language or translated.

Subtitles are the transcript's cues (`LongTranscript.cues`: each sentence placed
where it was said and split to be read, see `long_audio.cues`), written with
`pysubs2` (`long_audio.subtitles`). Silence has no cue; a segment that could not be
transcribed is a cue saying so. The JSON holds the text, the segments and the cues
(and the translation's, each cue with the source text it translates); `.txt` is
plain paragraphs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final

from langchain_azure_audio.audio import atomic_write_bytes
from langchain_azure_audio.errors import AzureAudioInputError
from langchain_azure_audio.long_audio.cues import Cue
from langchain_azure_audio.long_audio.pieces import PieceResult
from langchain_azure_audio.long_audio.subtitles import cues_to_file
from langchain_azure_audio.long_audio.transcribe import LongTranscript

TRANSCRIPT_SUFFIXES: Final = (".txt", ".json", ".srt", ".vtt")


def to_srt(transcript: LongTranscript, *, translated: bool = False) -> str:
    return cues_to_file(_cues(transcript, translated), ".srt")


def to_vtt(transcript: LongTranscript, *, translated: bool = False) -> str:
    return cues_to_file(_cues(transcript, translated), ".vtt")


def _cues(transcript: LongTranscript, translated: bool) -> list[Cue]:
    if not translated:
        return transcript.cues
    if transcript.translation is None:
        raise AzureAudioInputError(
            "this transcript has no translation; transcribe with translate_to=... first."
        )
    return transcript.translation.cues


def _cue_json(cue: Cue) -> dict[str, Any]:
    return cue.model_dump(mode="json", exclude_none=True)


def to_json(transcript: LongTranscript) -> str:
    data = transcript.model_dump(mode="json", exclude={"translation"})
    data["segments"] = [_segment_json(s) for s in transcript.segments]
    data["cues"] = [_cue_json(c) for c in transcript.cues]
    if transcript.translation is not None:
        translation = transcript.translation
        data["translation"] = {
            "language": translation.language,
            "text": translation.text,
            "cues": [_cue_json(c) for c in translation.cues],
            "segments": [_segment_json(s) for s in translation.segments],
        }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _segment_json(segment: PieceResult) -> dict[str, object]:
    return segment.model_dump(mode="json", exclude={"reused", "attempts", "islands"})


def render(transcript: LongTranscript, suffix: str, *, translated: bool = False) -> str:
    """The transcript (or, `translated`, its translation) in the format `suffix` names
    (`.txt`, `.json`, `.srt`, `.vtt`); the JSON always holds both."""
    suffix = suffix.lower()
    if suffix == ".txt":
        if translated:
            _cues(transcript, translated)  # says so when there is no translation
            assert transcript.translation is not None
            return transcript.translation.text + "\n"
        return transcript.text + "\n"
    if suffix == ".json":
        return to_json(transcript)
    if suffix == ".srt":
        return to_srt(transcript, translated=translated)
    if suffix == ".vtt":
        return to_vtt(transcript, translated=translated)
    raise AzureAudioInputError(
        f"cannot write a transcript as {suffix or 'a file without a suffix'!r}; "
        f"use one of {', '.join(TRANSCRIPT_SUFFIXES)}."
    )


def write_transcript(
    transcript: LongTranscript, path: str | Path, *, translated: bool = False
) -> Path:
    """Write `transcript` (or its translation) to `path` in the format its suffix names,
    atomically."""
    path = Path(path)
    atomic_write_bytes(path, render(transcript, path.suffix, translated=translated).encode())
    return path
