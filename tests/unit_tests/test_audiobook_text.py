"""Splitting books into segments, faithfulness scoring and the PCM join."""

from __future__ import annotations

import array
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from langchain_azure_audio.audiobook import similarity, split_book, stitch
from langchain_azure_audio.audiobook.stitch import FADE_MS


def test_chapters_come_from_markdown_headings() -> None:
    book = "# Part One\n\nIt *began* in `spring`.\n\n## Two\n\nSee [the map](http://x).\n"
    chapters = split_book(book)
    assert [c.title for c in chapters] == ["Part One", "Two"]
    assert chapters[0].segments == ["Part One. It began in spring."]
    assert chapters[1].segments == ["Two. See the map."]


def test_plain_text_is_one_chapter_split_at_paragraphs() -> None:
    text = "First paragraph here.\n\nSecond paragraph, a little longer than the first."
    [chapter] = split_book(text, max_chars=50)
    assert chapter.title == ""
    assert chapter.segments == [
        "First paragraph here.",
        "Second paragraph, a little longer than the first.",
    ]


def test_long_paragraphs_split_at_sentences() -> None:
    text = "One two three. Four five six! Seven eight nine? Ten eleven twelve."
    [chapter] = split_book(text, max_chars=40)
    assert chapter.segments == [
        "One two three. Four five six!",
        "Seven eight nine? Ten eleven twelve.",
    ]


def test_budget_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="max_chars"):
        split_book("text", max_chars=10)


word = st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=12)
sentence = st.lists(word, min_size=1, max_size=15).map(lambda ws: " ".join(ws) + ".")
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=6), st.integers(40, 400))
def test_segments_keep_every_word_in_order_within_budget(
    paragraphs: list[str], budget: int
) -> None:
    chapters = split_book("\n\n".join(paragraphs), max_chars=budget)
    segments = [s for c in chapters for s in c.segments]
    assert all(len(s) <= budget for s in segments)
    assert " ".join(segments).split() == " ".join(paragraphs).split()  # never mid-word


def test_similarity_ignores_case_and_punctuation_but_not_skipped_words() -> None:
    source = "The keeper climbed the stairs at dusk, and the lamp was cold."
    assert similarity("the keeper climbed the stairs at dusk and the lamp was cold", source) == 1.0
    assert similarity("The keeper climbed the stairs.", source) < 0.7
    assert similarity("", "") == 1.0


def _pcm(value: int, samples: int) -> bytes:
    return array.array("h", [value] * samples).tobytes()


def test_stitch_joins_samples_with_pauses_and_soft_edges(tmp_path: Path) -> None:
    a, b = tmp_path / "a.pcm", tmp_path / "b.pcm"
    a.write_bytes(_pcm(1000, 2400))
    b.write_bytes(_pcm(-1000, 4800))
    out = stitch([a, b], tmp_path / "book.wav", pause_ms=100)
    with wave.open(str(out)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (24000, 1, 2)
        samples = array.array("h", wav.readframes(wav.getnframes()))
    assert len(samples) == 2400 + 2400 + 4800  # segment, 100 ms pause, segment
    ramp = 24_000 * FADE_MS // 1000
    assert samples[0] == 0  # faded in: no click
    assert samples[ramp] == 1000
    assert samples[2399] == 0  # faded out
    assert set(samples[2400:4800]) == {0}  # the pause
    assert samples[4800 + 2400] == -1000
    assert not list(tmp_path.glob("*.part"))
