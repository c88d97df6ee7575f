"""Harmless example tools for the voice page: the time, and unit conversions.

    langchain-azure-audio serve --tools langchain_azure_audio.serve.example_tools:TOOLS

Neither reads files, the network or the environment: they are there to show a
realtime conversation calling tools (the page shows each call and its result).
Your own module works the same way: any module on the path with a list of
LangChain tools (`@tool` functions or `BaseTool`s).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from langchain_core.tools import BaseTool, tool

LENGTH_M: Final = {"mm": 0.001, "cm": 0.01, "m": 1.0, "km": 1000.0, "in": 0.0254,
                   "ft": 0.3048, "yd": 0.9144, "mi": 1609.344}  # fmt: skip
"""Metres per unit (the inch, foot, yard and mile by their exact international definitions)."""
MASS_KG: Final = {"g": 0.001, "kg": 1.0, "oz": 0.028349523125, "lb": 0.45359237, "st": 6.35029318}
"""Kilograms per unit (the avoirdupois pound exactly; ounce = lb/16, stone = 14 lb)."""
VOLUME_L: Final = {"ml": 0.001, "l": 1.0, "floz": 0.0295735295625, "cup": 0.2365882365,
                   "pt": 0.473176473, "gal": 3.785411784}  # fmt: skip
"""Litres per unit (US customary: the gallon is exactly 3.785411784 l)."""
TEMPERATURES: Final = ("C", "F", "K")


@tool
def current_time(timezone: str = "UTC") -> str:
    """The current date and time in a time zone (an IANA name such as Europe/Paris)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {timezone!r}; use an IANA name like "
                         "Europe/Paris") from exc  # fmt: skip
    now = datetime.now(zone)
    return f"{now:%A %d %B %Y, %H:%M} in {timezone}"


@tool
def convert_units(value: float, from_unit: str, to_unit: str) -> str:
    """Convert a quantity between units of length (mm cm m km in ft yd mi), mass (g kg oz
    lb st), volume (ml l floz cup pt gal, US) or temperature (C F K)."""
    result = _convert(float(value), from_unit.strip(), to_unit.strip())
    return f"{value:g} {from_unit.strip()} is {result:.4g} {to_unit.strip()}"


def _convert(value: float, source: str, target: str) -> float:
    if source.upper() in TEMPERATURES and target.upper() in TEMPERATURES:
        return _from_kelvin(_to_kelvin(value, source.upper()), target.upper())
    for table in (LENGTH_M, MASS_KG, VOLUME_L):
        lower = {k.lower(): v for k, v in table.items()}
        if source.lower() in lower and target.lower() in lower:
            return value * lower[source.lower()] / lower[target.lower()]
    known = ", ".join([*LENGTH_M, *MASS_KG, *VOLUME_L, *TEMPERATURES])
    raise ValueError(f"cannot convert {source!r} to {target!r}: both must be units of the "
                     f"same kind, among {known}")  # fmt: skip


def _to_kelvin(value: float, unit: str) -> float:
    return {"C": value + 273.15, "F": (value - 32) * 5 / 9 + 273.15, "K": value}[unit]


def _from_kelvin(kelvin: float, unit: str) -> float:
    return {"C": kelvin - 273.15, "F": (kelvin - 273.15) * 9 / 5 + 32, "K": kelvin}[unit]


TOOLS: Final[list[BaseTool]] = [current_time, convert_units]
"""The example tools, for `--tools langchain_azure_audio.serve.example_tools:TOOLS`."""
