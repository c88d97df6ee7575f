"""The bundled example tools of the voice page: right answers, clear errors, nothing else."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette", reason="`serve` needs the serve extra")

from langchain_azure_audio.serve.example_tools import TOOLS, convert_units, current_time


@pytest.mark.parametrize(
    ("value", "source", "target", "said"),
    [  # worked by hand from the units' definitions
        (10, "km", "mi", "10 km is 6.214 mi"),  # 10,000 / 1,609.344
        (100, "F", "C", "100 F is 37.78 C"),  # (100 - 32) x 5 / 9
        (0, "c", "K", "0 c is 273.1 K"),
        (1, "lb", "kg", "1 lb is 0.4536 kg"),
        (2, "gal", "l", "2 gal is 7.571 l"),  # 2 x 3.785411784
        (12, "in", "ft", "12 in is 1 ft"),
    ],
)
def test_conversions(value: float, source: str, target: str, said: str) -> None:
    args = {"value": value, "from_unit": source, "to_unit": target}
    assert convert_units.invoke(args) == said


def test_units_of_different_kinds_are_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"cannot convert 'kg' to 'km'.*among mm, cm"):
        convert_units.invoke({"value": 1, "from_unit": "kg", "to_unit": "km"})


def test_the_time_names_its_zone_and_refuses_an_unknown_one() -> None:
    assert current_time.invoke({"timezone": "Europe/Paris"}).endswith(" in Europe/Paris")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        current_time.invoke({"timezone": "Mars/Olympus"})


def test_the_example_list_is_the_two_tools() -> None:
    assert [t.name for t in TOOLS] == ["current_time", "convert_units"]
