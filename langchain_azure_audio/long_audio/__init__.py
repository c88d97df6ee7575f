"""Long recordings in any common format: transcribe them, or ask about them, in one call.

`transcribe_long` / `ask_long` decode the file as a stream, cut it at pauses
into pieces the service takes, send the pieces concurrently (paced, retried
and checkpointed by the same machinery as the audiobook) and put the results
back in order, with each segment's place in the recording.
"""

from langchain_azure_audio.long_audio.ask import LongAnswer, aask_long, ask_long
from langchain_azure_audio.long_audio.cues import Cue
from langchain_azure_audio.long_audio.formats import (
    TRANSCRIPT_SUFFIXES,
    render,
    to_srt,
    to_vtt,
    write_transcript,
)
from langchain_azure_audio.long_audio.pieces import PieceResult
from langchain_azure_audio.long_audio.ray_runner import transcribe_batch_with_ray
from langchain_azure_audio.long_audio.subtitles import SubtitleProblem, validate_subtitles
from langchain_azure_audio.long_audio.transcribe import (
    DEFAULT_SEGMENT_SECONDS,
    SUBTITLE_SEGMENT_SECONDS,
    LongTranscript,
    atranscribe_long,
    transcribe_long,
)
from langchain_azure_audio.long_audio.translate import LongTranslation

__all__ = [
    "DEFAULT_SEGMENT_SECONDS",
    "SUBTITLE_SEGMENT_SECONDS",
    "TRANSCRIPT_SUFFIXES",
    "Cue",
    "LongAnswer",
    "LongTranscript",
    "LongTranslation",
    "PieceResult",
    "SubtitleProblem",
    "aask_long",
    "ask_long",
    "atranscribe_long",
    "render",
    "to_srt",
    "to_vtt",
    "transcribe_batch_with_ray",
    "transcribe_long",
    "validate_subtitles",
    "write_transcript",
]
