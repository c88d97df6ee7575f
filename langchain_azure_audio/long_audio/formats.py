"""A long transcript as `.txt`, `.json`, `.srt` or `.vtt`.

Subtitle cues are the transcript's segments, timed by where each segment's
audio sits in the recording (the cut points, not guesses inside a segment):
for finer cues, transcribe with a smaller `segment_seconds`. Gaps (silence,
failed segments) are cues of their own, so nothing is hidden.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from langchain_azure_audio.audio import atomic_write_bytes
from langchain_azure_audio.errors import AzureAudioInputError
from langchain_azure_audio.long_audio.pieces import PieceResult
from langchain_azure_audio.long_audio.transcribe import LongTranscript, gap_marker

TRANSCRIPT_SUFFIXES: Final = (".txt", ".json", ".srt", ".vtt")


def _stamp(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _cues(transcript: LongTranscript) -> list[tuple[float, float, str]]:
    cues = []
    for segment in transcript.segments:
        text = segment.text if segment.status == "ok" else gap_marker(segment)
        start = segment.start + segment.overlap  # overlapping audio belongs to the previous cue
        if text:
            cues.append((start, segment.end, text))
    return cues


def to_srt(transcript: LongTranscript) -> str:
    blocks = [
        f"{n}\n{_stamp(start, ',')} --> {_stamp(end, ',')}\n{text}\n"
        for n, (start, end, text) in enumerate(_cues(transcript), start=1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: LongTranscript) -> str:
    blocks = [
        f"{_stamp(start, '.')} --> {_stamp(end, '.')}\n{text.replace('-->', '->')}\n"
        for start, end, text in _cues(transcript)
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_json(transcript: LongTranscript) -> str:
    data = transcript.model_dump(mode="json")
    data["segments"] = [_segment_json(s) for s in transcript.segments]
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _segment_json(segment: PieceResult) -> dict[str, object]:
    return segment.model_dump(mode="json", exclude={"reused", "attempts"})


def render(transcript: LongTranscript, suffix: str) -> str:
    """The transcript in the format `suffix` names (`.txt`, `.json`, `.srt`, `.vtt`)."""
    suffix = suffix.lower()
    if suffix == ".txt":
        return transcript.text + "\n"
    if suffix == ".json":
        return to_json(transcript)
    if suffix == ".srt":
        return to_srt(transcript)
    if suffix == ".vtt":
        return to_vtt(transcript)
    raise AzureAudioInputError(
        f"cannot write a transcript as {suffix or 'a file without a suffix'!r}; "
        f"use one of {', '.join(TRANSCRIPT_SUFFIXES)}."
    )


def write_transcript(transcript: LongTranscript, path: str | Path) -> Path:
    """Write `transcript` to `path` in the format its suffix names, atomically."""
    path = Path(path)
    atomic_write_bytes(path, render(transcript, path.suffix).encode("utf-8"))
    return path
