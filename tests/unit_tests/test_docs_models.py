"""docs/models.md's table says what the package's model table says."""

from __future__ import annotations

import re

from langchain_azure_audio._profiles import ALL_VOICES, KNOWN_MODELS
from tests.cassette_tools import REPO

ROW = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<version>[\d-]+) \| (?P<stage>\w+) \| (?P<retires>[^|]+) \| (?P<voices>[^|]+) \| (?P<formats>[^|]+) \|", re.M)  # noqa: E501


def test_models_table_matches_the_package() -> None:
    rows = list(ROW.finditer((REPO / "docs" / "models.md").read_text()))
    assert len(rows) == len(KNOWN_MODELS)
    for row, model in zip(rows, KNOWN_MODELS, strict=True):
        assert (row["name"], row["version"], row["stage"]) == (
            model.name,
            model.version,
            model.stage,
        )
        retires = row["retires"].strip().replace("no earlier than ", ">=")
        assert retires == model.retirement
        voices = row["voices"].strip()
        expected = ALL_VOICES if voices == "all ten" else tuple(voices.split(", "))
        assert expected == model.voices
        assert tuple(row["formats"].strip().split(", ")) == model.output_formats
