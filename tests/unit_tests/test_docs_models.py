"""docs/models.md's table says what the package's model table says."""

from __future__ import annotations

import re

from langchain_azure_audio._model.profiles import ALL_VOICES, KNOWN_MODELS, REALTIME_MODELS
from tests.cassette_tools import REPO

CELL = r" \| ([^|]+)"
ROW = re.compile(r"^\| `([^`]+)`" + CELL * 8 + r" \|", re.M)


def test_models_table_matches_the_package() -> None:
    page = (REPO / "docs" / "models.md").read_text()
    rows = list(ROW.finditer(page.split("## Realtime models")[0]))
    assert len(rows) == len(KNOWN_MODELS)
    for row, model in zip(rows, KNOWN_MODELS, strict=True):
        name, version, stage, retires, published, move_to, voices, formats, source = (
            cell.strip() for cell in row.groups()
        )
        assert (name, version, stage) == (model.name, model.version, model.stage)
        assert retires.replace("no earlier than ", ">=") == model.retirement
        assert published == model.published_on
        assert (move_to.split("`")[1] if "`" in move_to else None) == model.replacement
        assert f"({model.schedule})" in source
        assert (ALL_VOICES if voices == "all ten" else tuple(voices.split(", "))) == model.voices
        assert tuple(formats.split(", ")) == model.output_formats


def test_realtime_models_table_matches_the_package() -> None:
    page = (REPO / "docs" / "models.md").read_text().split("## Realtime models")[1]
    rows = list(ROW.finditer(page))
    assert len(rows) == len(REALTIME_MODELS)
    for row, model in zip(rows, REALTIME_MODELS, strict=True):
        name, version, stage, retires, published, move_to, voices, limits, source = (
            c.strip() for c in row.groups()
        )
        assert (name, version, stage) == (model.name, model.version, model.stage)
        assert retires == (model.retirement or "not published")
        assert published == (model.published_on or "—")
        assert (move_to.split("`")[1] if "`" in move_to else None) == model.replacement
        assert model.schedule is None or f"({model.schedule})" in source
        assert (ALL_VOICES if voices == "all ten" else tuple(voices.split(", "))) == model.voices
        documented = (
            "not published" if model.max_input_tokens is None
            else f"{model.max_input_tokens:,} / {model.max_output_tokens:,}"
        )  # fmt: skip
        assert limits == documented
