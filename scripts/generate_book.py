"""Write the synthetic 50-page book used by the audiobook tests and benchmark.

    python scripts/generate_book.py [PATH]     # default: cassettes/books/fifty_pages.md

The text is made here from a fixed vocabulary and a seeded generator: nothing
is copied from anywhere. Ten Markdown chapters, about 350 words a page.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "cassettes" / "books" / "fifty_pages.md"
WORDS_PER_PAGE = 350
PAGES = 50
CHAPTERS = 10

NOUNS = (
    "river",
    "lantern",
    "village",
    "harbour",
    "garden",
    "clockmaker",
    "mountain",
    "letter",
    "forest",
    "bridge",
    "keeper",
    "window",
    "traveller",
    "orchard",
    "signal",
    "island",
)
VERBS = (
    "carried",
    "watched",
    "remembered",
    "followed",
    "mended",
    "crossed",
    "answered",
    "painted",
    "gathered",
    "counted",
    "opened",
    "waited for",
)
ADJECTIVES = (
    "quiet",
    "distant",
    "golden",
    "narrow",
    "patient",
    "old",
    "bright",
    "hidden",
    "gentle",
    "restless",
    "silver",
    "early",
)
ADVERBS = ("slowly", "at dawn", "without a word", "again", "before the rain", "once more")


def sentence(rng: random.Random) -> str:
    subject = f"the {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    obj = f"the {rng.choice(NOUNS)}"
    text = f"{subject} {rng.choice(VERBS)} {obj} {rng.choice(ADVERBS)}"
    if rng.random() < 0.3:
        text += f", and the {rng.choice(NOUNS)} was {rng.choice(ADJECTIVES)}"
    return text[0].upper() + text[1:] + rng.choice(".....!?")


def book(seed: int = 2026) -> str:
    rng = random.Random(seed)
    words_per_chapter = WORDS_PER_PAGE * PAGES // CHAPTERS
    parts = ["# The Keeper of Small Things\n"]
    for number in range(1, CHAPTERS + 1):
        parts.append(f"## Chapter {number}: The {rng.choice(ADJECTIVES).title()} "
                     f"{rng.choice(NOUNS).title()}\n")  # fmt: skip
        written = 0
        while written < words_per_chapter:
            paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 7)))
            written += len(paragraph.split())
            parts.append(paragraph + "\n")
    return "\n".join(parts)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else BOOK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(book())
    print(f"wrote {target} ({len(book().split())} words)")
