"""docs/models.md's table says what the package's model table says."""

from __future__ import annotations

import re

from langchain_azure_audio._model.profiles import ALL_VOICES, KNOWN_MODELS
from tests.cassette_tools import REPO

CELL = r" \| ([^|]+)"
ROW = re.compile(r"^\| `([^`]+)`" + CELL * 8 + r" \|", re.M)


def test_models_table_matches_the_package() -> None:
    rows = list(ROW.finditer((REPO / "docs" / "models.md").read_text()))
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
