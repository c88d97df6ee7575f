"""A generated block of a docs page, read the way a reader finds it (its two markers),
independently of the writer in benchmarks/_docs.py."""

from __future__ import annotations


def generated_block(page: str, name: str) -> str:
    """The text from `<!-- generated: NAME -->` up to `<!-- end generated: NAME -->`."""
    start = page.index(f"<!-- generated: {name} -->")
    return page[start : page.index(f"<!-- end generated: {name} -->")]
