"""Subtitle cues, the validator and the translation's timing, on hand-typed inputs.

Every expectation below is typed from the rules (Netflix's Timed Text Style Guide:
2 lines of 42 characters, 5/6 s to 7 s, 20 characters a second, phrase-boundary
line breaks, no overlap) and the inputs, not computed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from langchain_azure_audio.long_audio import Cue, validate_subtitles
from langchain_azure_audio.long_audio.cues import break_lines, build_cues, time_translation
from langchain_azure_audio.long_audio.subtitles import check_cues, cues_to_file
from langchain_azure_audio.long_audio.timing import TimedWord, place_words
from langchain_azure_audio.long_audio.translate import parse_numbered


def words(*spans: tuple[str, float, float]) -> list[TimedWord]:
    return [TimedWord(text, start, end) for text, start, end in spans]


def test_words_land_on_the_islands_of_their_sentences() -> None:
    # two sentences, two stretches of sound with a 2 s pause between them
    text = ["Good", "morning", "everyone.", "The", "train", "leaves", "at", "noon", "today."]
    islands = [(10.0, 11.2), (13.2, 15.6)]
    placed = place_words(text, islands, span=(9.5, 16.0))
    assert [w.text for w in placed] == text
    assert placed[0].start == 10.0
    assert placed[2].end == 11.2  # "everyone." ends where the first sound ends
    assert placed[3].start == 13.2  # "The" starts where the second one starts
    assert placed[-1].end == 15.6


def test_a_cough_between_sentences_holds_no_word() -> None:
    text = ["Please", "sit", "down.", "We", "start", "now."]
    islands = [(0.0, 1.0), (1.5, 1.7), (2.3, 3.3)]  # 0.2 s of cough in the middle
    placed = place_words(text, islands, span=(0.0, 4.0))
    assert [(w.text, w.start) for w in placed if w.text in ("Please", "We")] == [
        ("Please", 0.0),
        ("We", 2.3),
    ]
    assert not any(1.5 <= w.start < 1.7 for w in placed)


def test_a_long_sentence_is_two_lines_broken_before_a_preposition() -> None:
    assert break_lines("Sentence 28 an old violin remembers an empty wooden boat.") == [
        "Sentence 28 an old violin",
        "remembers an empty wooden boat.",
    ]
    assert break_lines("A short line.") == ["A short line."]
    assert break_lines("x" * 43) is None  # one word longer than a line


def test_a_line_is_never_broken_after_an_article() -> None:
    lines = break_lines("We walked along the river to see the old lighthouse on the hill")
    assert lines is not None
    assert all(len(line) <= 42 for line in lines)
    assert lines[0].split()[-1] not in {"the", "a", "to", "on", "along"}


def test_each_sentence_starts_a_cue_and_long_ones_are_split_to_fit() -> None:
    first = words(("Yes.", 1.0, 1.3))
    second = words(*[(f"word{i}", 2.0 + i * 0.5, 2.4 + i * 0.5) for i in range(20)])
    cues = build_cues([first, second])
    assert cues[0].text == "Yes."
    assert cues[0].start == 1.0
    assert cues[0].end == pytest.approx(1.0 + 5 / 6)  # held to the shortest on screen
    assert cues[1].start == 2.0  # the second sentence starts its own cue
    assert len(cues) == 3  # 20 words of 5-6 letters over 9.9 s: two cues, each <= 7 s
    assert all(c.end - c.start <= 7.0 for c in cues)
    assert check_cues(cues) == []


def test_no_cue_stays_on_screen_through_a_long_pause() -> None:
    sentence = words(
        ("We", 0.0, 0.3), ("stopped", 0.3, 0.9), ("and", 4.0, 4.2), ("went.", 4.2, 4.8)
    )
    cues = build_cues([sentence])
    assert [(c.text, c.start) for c in cues] == [("We stopped", 0.0), ("and went.", 4.0)]
    assert cues[0].end <= 0.9 + 0.5  # held at most half a second past the speech


def test_the_validator_names_every_rule_a_file_breaks(tmp_path: Path) -> None:
    srt = tmp_path / "bad.srt"
    srt.write_text(
        "1\n00:00:01,000 --> 00:00:01,500\nToo short.\n\n"
        "2\n00:00:02,000 --> 00:00:10,000\nOn screen for eight seconds.\n\n"
        "3\n00:00:09,000 --> 00:00:11,000\nIt starts before that one ends.\n\n"
        "4\n00:00:12,000 --> 00:00:14,000\nOne\nTwo\nThree\n\n"
        "5\n00:00:15,000 --> 00:00:17,000\n"
        "This line is far longer than forty-two characters.\n\n"
        "6\n00:00:18,000 --> 00:00:19,000\nFifty characters shown for one second only\nhere.\n\n"
        "7\n00:00:20,000 --> 00:00:23,000\nWe looked at the\nlighthouse on the hill.\n\n"
    )
    found = [(p.cue, p.rule) for p in validate_subtitles(srt)]
    assert found == [
        (1, "too_short"),
        (2, "too_long"),
        (3, "overlap"),
        (4, "lines"),
        (5, "line_length"),
        (5, "reading_speed"),
        (6, "reading_speed"),  # 47 characters in a second (its first line: exactly 42)
        (7, "line_break"),
    ]


def test_a_file_that_follows_the_rules_has_no_problem(tmp_path: Path) -> None:
    vtt = tmp_path / "good.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nGood morning everyone.\n\n"
        "01:02:03.000 --> 01:02:06.500\nThe train leaves at noon,\nand it will not wait.\n"
    )
    assert validate_subtitles(vtt) == []


def test_cues_written_to_srt_and_vtt_read_back_the_same(tmp_path: Path) -> None:
    cues = [Cue(start=3723.5, end=3725.25, text="Past the hour,\nstill {readable}.")]
    srt = cues_to_file(cues, ".srt")
    assert "01:02:03,500 --> 01:02:05,250\nPast the hour,\nstill (readable).\n" in srt
    vtt = cues_to_file(cues, ".vtt")
    assert vtt.startswith("WEBVTT")
    assert "01:02:03.500 --> 01:02:05.250" in vtt


def test_a_translation_takes_the_time_of_its_source_sentence() -> None:
    source = words(("The", 10.0, 10.2), ("train", 10.2, 10.6), ("leaves.", 10.6, 11.4))
    translated = time_translation(source, "O trem parte agora.", "pt_BR")
    assert [w.text for w in translated] == ["O", "trem", "parte", "agora."]
    assert translated[0].start == 10.0
    assert translated[-1].end == 11.4
    # over a pause inside the source, the translation's words skip the pause too
    paused = words(("Wait", 0.0, 1.0), ("here.", 3.0, 4.0))
    moved = time_translation(paused, "Espere aqui.", "pt_BR")
    assert not any(1.0 < w.start < 3.0 for w in moved)
    assert (moved[0].start, moved[-1].end) == (0.0, 4.0)
    # "Espere" is 6 of the 10 letters: 60 % of the 2 s of speech, 1.2 s, ends 0.2 s
    # into the second stretch
    assert moved[1].start == pytest.approx(3.2)


def test_numbered_translations_are_matched_or_refused() -> None:
    assert parse_numbered("1. Olá.\n2. Tudo bem?\n", 2) == ["Olá.", "Tudo bem?"]
    assert parse_numbered("1) Olá\ncontinua.\n2: Tchau.", 2) == ["Olá continua.", "Tchau."]
    with pytest.raises(ValueError, match="had 1 sentences for 2"):
        parse_numbered("1. Olá.", 2)
    with pytest.raises(ValueError, match="numbered 3 where 2 was due"):
        parse_numbered("1. Olá.\n3. Tchau.", 3)
