"""The long-recordings session replayed from its synthetic cassette (cassettes/long_audio.json).

The cassette holds the pieces' audio as SHA-256 digests: a replay matches only when
this code cuts the same recording into the very same audio, byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.long_audio import validate_subtitles
from langchain_azure_audio.long_audio.subtitles import read_cues
from tests import long_flows as flows
from tests.cassette_tools import CASSETTES
from tests.conftest import make_llm

CASSETTE = CASSETTES / "long_audio.json"


def test_the_session_replays_with_the_same_pieces(tmp_path: Path) -> None:
    flows.write_meeting(tmp_path)
    with strict_vcr().use_cassette(str(CASSETTE), allow_playback_repeats=False) as cassette:
        transcript, answer = flows.session(make_llm("gpt-audio-1.5"), tmp_path)
        assert cassette.all_played
    statuses = [s.status for s in transcript.segments]
    assert statuses == ["ok", "silent", "ok"]
    assert transcript.text.count(flows.LINES["meeting"]) == 8
    assert "[00:00:29-00:00:52 silence]" in transcript.text
    srt = (tmp_path / "meeting.srt").read_text()
    # one cue per sentence, on screen while it is said (the recording opens with 0.5 s of
    # room tone), broken into two lines before "to"
    assert srt.startswith("1\n00:00:00,500 --> ")
    assert "\nLet's move the design review\nto Thursday at ten.\n\n2\n" in srt
    truth = json.loads((tmp_path / "meeting.json").read_text())["utterances"]
    cues = read_cues(srt, ".srt")
    assert len(cues) == len(truth) == 16
    for cue, said in zip(cues, truth, strict=True):
        assert abs(cue.start - said["start"]) < 0.05, (cue, said)
        assert abs(cue.end - said["end"]) < 0.5, (cue, said)  # the clips end in quiet
    assert validate_subtitles(tmp_path / "meeting.srt") == []
    assert "Thursday at ten" in answer.answer
    assert [s.index for s in answer.drawn_from] == [0, 2]
    assert answer.message.additional_kwargs["audio"]["data"]  # the answer is spoken


def test_the_requests_are_what_azure_documents() -> None:
    """Azure's audio input part: {"type": "input_audio", "input_audio": {"data": <base64>,
    "format": "wav"|"mp3"}}; a transcription asks for text only."""
    cassette = json.loads(CASSETTE.read_text())
    assert cassette["metadata"]["provenance"] == "synthetic"
    bodies = [json.loads(i["request"]["body"]) for i in cassette["interactions"]]
    pieces = [b for b in bodies if b["modalities"] == ["text"]]
    assert len(pieces) == 4  # two spoken pieces, transcribed then asked about; silence never sent
    for body in pieces:
        part = next(p for p in body["messages"][-1]["content"] if p["type"] == "input_audio")
        assert set(part["input_audio"]) == {"data", "format"}
        assert part["input_audio"]["format"] == "wav"
        assert part["input_audio"]["data"].startswith("sha256:")
    final = bodies[-1]
    assert final["modalities"] == ["text", "audio"]
    assert final["audio"]["format"] == "wav"


def test_a_different_cut_does_not_replay(tmp_path: Path) -> None:
    from vcr.errors import CannotOverwriteExistingCassetteException

    from langchain_azure_audio.long_audio import transcribe_long

    flows.write_meeting(tmp_path)
    with (
        strict_vcr().use_cassette(str(CASSETTE)),
        pytest.raises(CannotOverwriteExistingCassetteException),
    ):
        transcribe_long(make_llm("gpt-audio-1.5", max_retries=0), tmp_path / "meeting.wav",
                        workdir=tmp_path / "w", segment_seconds=25, piece_format="wav")  # fmt: skip
