"""Audiobooks: long text to narrated audio, concurrent, faithful and resumable."""

from langchain_azure_audio._batch import RequestPacer
from langchain_azure_audio.audiobook.narrate import (
    AudiobookReport,
    anarrate_book,
    narrate_book,
    plan,
)
from langchain_azure_audio.audiobook.ray_runner import narrate_book_with_ray, render_with_ray
from langchain_azure_audio.audiobook.segments import (
    NARRATOR_INSTRUCTION,
    SegmentFailure,
    SegmentJob,
    SegmentResult,
    arender_segment,
    render_segment,
    similarity,
)
from langchain_azure_audio.audiobook.stitch import stitch
from langchain_azure_audio.audiobook.text import Chapter, split_book

__all__ = [
    "NARRATOR_INSTRUCTION",
    "AudiobookReport",
    "Chapter",
    "RequestPacer",
    "SegmentFailure",
    "SegmentJob",
    "SegmentResult",
    "anarrate_book",
    "arender_segment",
    "narrate_book",
    "narrate_book_with_ray",
    "plan",
    "render_segment",
    "render_with_ray",
    "similarity",
    "split_book",
    "stitch",
]
