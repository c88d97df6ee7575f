"""The pure parts of long recordings: one text from segments, subtitles, answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from langchain_azure_audio.errors import AzureAudioInputError
from langchain_azure_audio.long_audio import (
    Cue,
    LongTranscript,
    PieceResult,
    render,
    write_transcript,
)
from langchain_azure_audio.long_audio.ask import notes_prompt, relevant
from langchain_azure_audio.long_audio.pieces import add_usage
from langchain_azure_audio.long_audio.transcribe import join_segments
from langchain_azure_audio.long_audio.translate import source_cues, timed_sentences


def seg(index: int, start: float, end: float, text: str = "", status: str = "ok",
        **extra: object) -> PieceResult:  # fmt: skip
    return PieceResult(index=index, start=start, end=end, text=text, status=status, **extra)  # type: ignore[arg-type]


SEGMENTS = [
    seg(0, 0.0, 298.4, "Good morning, everyone.", islands=[(1.0, 2.6)]),
    seg(1, 298.4, 590.2, status="failed", error="HTTP 503 after 6 attempts"),
    seg(2, 590.2, 680.0, status="silent"),
    seg(3, 680.0, 3599.96, "Thanks, and goodbye.", islands=[(3597.0, 3598.5)]),
]
"""Each piece's speech islands (where there is sound) are where its words were said."""


def transcript(segments: list[PieceResult] = SEGMENTS, cues: list[Cue] | None = None,
               ) -> LongTranscript:  # fmt: skip
    """The transcript `transcribe_long` makes of these segments (or with these `cues`)."""
    if cues is None:
        cues = source_cues(segments, timed_sentences(segments, None))
    return LongTranscript(
        source="meeting.m4a", duration=segments[-1].end, text=join_segments(segments),
        segments=segments, transcoded=True, container="mov,mp4,m4a", codec="aac", requested=3,
        cues=cues,
    )  # fmt: skip


def test_the_text_keeps_order_and_marks_every_gap_with_its_time_range() -> None:
    text = join_segments(SEGMENTS)
    assert text.index("Good morning") < text.index("00:04:58-00:09:50 not transcribed")
    assert "HTTP 503 after 6 attempts" in text
    assert "[00:09:50-00:11:20 silence]" in text
    assert text.endswith("Thanks, and goodbye.")


def test_words_repeated_by_an_overlap_are_dropped_once() -> None:
    a = seg(0, 0, 300, "we will ship the release on Friday")
    b = seg(1, 299, 600, "on Friday, and then we rest", overlap=1.0)
    assert join_segments([a, b]) == "we will ship the release on Friday\n\nand then we rest"
    # without an overlap nothing is dropped, even if words repeat
    c = seg(1, 300, 600, "on Friday, and then we rest")
    assert join_segments([a, c]).endswith("on Friday, and then we rest")


def test_srt_cues_are_the_sentences_where_they_were_said() -> None:
    """A sentence's cue is on screen while it is said (its piece's sound), not for the
    whole piece; a failed piece is a cue saying so; silence has no cue."""
    srt = render(transcript(), ".srt")
    blocks = srt.strip().split("\n\n")
    assert blocks == [
        "1\n00:00:01,000 --> 00:00:02,600\nGood morning, everyone.",
        "2\n00:04:58,400 --> 00:05:05,400\n[00:04:58-00:09:50 not transcribed]",
        "3\n00:59:57,000 --> 00:59:58,500\nThanks, and goodbye.",
    ]
    assert "silence" not in srt


def test_vtt_is_webvtt_with_dotted_milliseconds() -> None:
    vtt = render(transcript(), ".vtt")
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:00:01.000 --> 00:00:02.600\nGood morning, everyone." in vtt
    stamps = re.findall(r"(\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d)", vtt)
    assert stamps == [
        ("00:00:01.000", "00:00:02.600"),
        ("00:04:58.400", "00:05:05.400"),
        ("00:59:57.000", "00:59:58.500"),
    ]


PAST_THE_HOUR = [
    Cue(start=3599.999, end=3600.0, text="The last millisecond of the first hour."),
    Cue(start=3725.5, end=3728.0, text="One hour, two minutes,\nfive and a half seconds in."),
    Cue(start=36000.25, end=36002.0, text="Ten hours in."),
]
PAST_THE_HOUR_SRT = """1
00:59:59,999 --> 01:00:00,000
The last millisecond of the first hour.

2
01:02:05,500 --> 01:02:08,000
One hour, two minutes,
five and a half seconds in.

3
10:00:00,250 --> 10:00:02,000
Ten hours in.

"""
PAST_THE_HOUR_VTT = """WEBVTT

1
00:59:59.999 --> 01:00:00.000
The last millisecond of the first hour.

2
01:02:05.500 --> 01:02:08.000
One hour, two minutes,
five and a half seconds in.

3
10:00:00.250 --> 10:00:02.000
Ten hours in.

"""


def test_subtitle_times_past_the_first_hour_are_hours_minutes_seconds(tmp_path: Path) -> None:
    """Expected files typed by hand: HH:MM:SS,mmm (.srt) and HH:MM:SS.mmm (.vtt)."""
    long = transcript([seg(0, 3599.0, 36002.0, "The text.")], cues=PAST_THE_HOUR)
    srt = write_transcript(long, tmp_path / "t.srt").read_text()
    vtt = write_transcript(long, tmp_path / "t.vtt").read_text()
    assert srt == PAST_THE_HOUR_SRT, f"the .srt a viewer gets past the first hour:\n{srt}"
    assert vtt == PAST_THE_HOUR_VTT, f"the .vtt a viewer gets past the first hour:\n{vtt}"


def test_an_overlapping_segment_cue_starts_after_the_overlap() -> None:
    """Where no pause was found, a piece starts 1 s before the previous one ends; that
    second belongs to the previous piece, so the next cue starts when it ends."""
    a = seg(0, 0, 300, "One.", islands=[(296.0, 297.5)])
    b = seg(1, 299, 600, "Two.", overlap=1.0, islands=[(299.0, 302.0)])
    srt = render(transcript([a, b]), ".srt")
    assert "00:04:56,000 --> 00:04:57,500\nOne." in srt
    assert "00:05:00,000 --> 00:05:02,000\nTwo." in srt


def test_json_has_the_segments_with_their_times_and_statuses(tmp_path: Path) -> None:
    path = write_transcript(transcript(), tmp_path / "t.json")
    data = json.loads(path.read_text())
    assert [s["status"] for s in data["segments"]] == ["ok", "failed", "silent", "ok"]
    assert data["segments"][1]["start"] == 298.4
    assert data["segments"][1]["end"] == 590.2
    assert data["text"] == transcript().text


def test_an_unknown_transcript_suffix_is_refused_naming_the_choices(tmp_path: Path) -> None:
    with pytest.raises(AzureAudioInputError, match=r"\.txt, \.json, \.srt, \.vtt"):
        write_transcript(transcript(), tmp_path / "t.docx")
    assert not (tmp_path / "t.docx").exists()


def test_usage_adds_up_nested_details() -> None:
    usage = {"input_tokens": 10, "input_token_details": {"audio": 8}, "total_tokens": 12}
    total = add_usage([seg(0, 0, 1, "a", usage=usage), seg(1, 1, 2, "b", usage=usage),
                       seg(2, 2, 3, status="silent")])  # fmt: skip
    assert total == {"input_tokens": 20, "input_token_details": {"audio": 16}, "total_tokens": 24}


def test_the_final_answer_is_asked_from_the_relevant_notes_only() -> None:
    notes = [seg(0, 0, 300, "budget approved"), seg(1, 300, 600, "NOTHING RELEVANT"),
             seg(2, 600, 900, "budget is 3 million"),
             seg(3, 900, 1200, status="failed", error="HTTP 503")]  # fmt: skip
    assert [n.index for n in relevant(notes)] == [0, 2]
    prompt = notes_prompt("What about the budget?", notes)
    assert "[00:00:00-00:05:00] budget approved" in prompt
    assert "[00:10:00-00:15:00] budget is 3 million" in prompt
    assert "NOTHING RELEVANT" not in prompt
    assert "Parts not heard: [00:15:00-00:20:00 not transcribed: HTTP 503]" in prompt
    assert prompt.endswith("Question: What about the budget?")


def test_with_no_relevant_notes_the_prompt_says_so() -> None:
    prompt = notes_prompt("Who won?", [seg(0, 0, 300, "NOTHING RELEVANT")])
    assert "no part of the recording bears on the question" in prompt
