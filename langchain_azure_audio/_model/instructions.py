"""The system instructions the package's features send, in one place."""

from __future__ import annotations

from typing import Final

VERBATIM_INSTRUCTION: Final = (
    "You are a text-to-speech engine. Read the user's text aloud exactly as written, word "
    "for word, in a natural voice. Do not add, remove, answer or comment on anything."
)
TRANSCRIBE_INSTRUCTION: Final = (
    "Transcribe the speech in the audio verbatim. Reply with the transcript only."
)
NOTHING_RELEVANT: Final = "NOTHING RELEVANT"
ASK_PART_INSTRUCTION: Final = (
    "You are given one part of a longer recording and a question about the whole "
    "recording. Write short notes of everything in this part that helps answer the "
    "question, with quotes where they matter. If nothing in this part is relevant, reply "
    f"exactly {NOTHING_RELEVANT}."
)
ASK_ANSWER_INSTRUCTION: Final = (
    "You answer a question about a long recording from notes taken on the parts of it "
    "that bear on the question, each labelled with its time range. Answer from the notes "
    "only, directly and briefly; if there are no notes, say that the recording does not "
    "address the question."
)
TRANSCRIBE_LANGUAGE_HINT: Final = " The speech is in {language}."
TRANSLATE_INSTRUCTION: Final = (
    "You are given a recording and the numbered sentences of its transcript. Translate "
    "each sentence into {language}, using the recording to understand it. Reply with the "
    "numbered translations only, one a line, as `N. translation`, one for every number "
    "and in the same order; never join or split sentences."
)
