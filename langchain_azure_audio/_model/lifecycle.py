"""Retirement warnings without false alarms: once per process, from published dates.

The dates are `_model.profiles.KNOWN_MODELS`' and `REALTIME_MODELS`', each with the
date of the copy of Microsoft's schedule it was taken from. A model version past, or within
`WARN_DAYS` of, its published retirement gets one `ModelRetirementWarning` per
process (Python `warnings`; the command line prints it as one stderr line),
naming the date, the page's date and the model to move to. Nothing here ever
refuses a request: a date can be wrong, a deployment can outlive it, and a
warnings filter set to "error" must not turn a date into a failed call.

When is the version known? A deployment named with a version
(`gpt-audio-mini-2025-10-06`) or a `model_name` that carries one says it at
once; a bare name (`gpt-audio-mini`) may be either version, so it is judged
at construction only when every known version of it is retiring, and
otherwise from the first answer, whose `model` field names the exact version
the service ran.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from langchain_azure_audio._model.profiles import (
    AudioModel,
    RealtimeModel,
    find_model,
    find_realtime_model,
    split_model_name,
    versions_of,
)
from langchain_azure_audio.errors import ModelRetirementWarning

WARN_DAYS: Final = 60
"""Warn this many days before the published retirement date, and after it."""

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retirement:
    """When a model version retires, as Microsoft published it on `published_on`."""

    model: str
    version: str
    date: str
    """ISO date; `">=2026-02-28"` for a "no earlier than" date."""
    published_on: str
    source: str
    replacement: str | None

    def __str__(self) -> str:
        earliest = "no earlier than " if self.date.startswith(">=") else ""
        text = (f"{self.model} {self.version} retires {earliest}{self.date.lstrip('>=')} (as "
                f"published by Microsoft on {self.published_on}: {self.source})")  # fmt: skip
        return text + (f"; move to {self.replacement}" if self.replacement else "")


def retirement_of(name: str | None) -> Retirement | None:
    """The published retirement of the model (version) `name` refers to (an audio chat
    model or a realtime model); `None` if unknown or no date is published."""
    known: AudioModel | RealtimeModel | None = find_model(name) or find_realtime_model(name)
    if known is None or not (known.retirement and known.published_on and known.schedule):
        return None
    return Retirement(known.name, known.version, known.retirement, known.published_on,
                      known.schedule, known.replacement)  # fmt: skip


def notice(model: AudioModel | RealtimeModel, today: date) -> str | None:
    """The warning for `model` on `today`, or `None` while it is more than `WARN_DAYS`
    from its published retirement (or no date is published)."""
    retires = model.retirement_date
    if retires is None or model.retirement is None:
        return None
    if today < retires - timedelta(days=WARN_DAYS):
        return None
    earliest = "no earlier than " if model.retirement.startswith(">=") else ""
    published = f"as published by Microsoft on {model.published_on}"
    if today >= retires:
        when = f"was due to retire {earliest}{retires.isoformat()} ({published})"
    else:
        days = (retires - today).days
        when = (f"retires {earliest}{retires.isoformat()}, in {days} day"
                f"{'s' if days != 1 else ''} ({published})")  # fmt: skip
    if model.replacement:
        whose = "Microsoft's replacement" if model.replacement_by == "Microsoft" else "newer"
        move = f"move to {model.replacement} ({whose})"
    else:
        move = "no newer audio model is known to this package"
    return (
        f"{model.name} {model.version} {when}; {move}. Requests are still sent: check "
        f"{model.schedule} for the current date."
    )


class Notices:
    """Which model versions were warned about in this process (once each)."""

    def __init__(self, clock: Callable[[], date] = date.today) -> None:
        self.clock = clock
        """Today's date (tests pass a fixed one)."""
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def check(self, name: str | None, today: date | None = None) -> str | None:
        """Warn once for the model `name` refers to when it is retiring; the message, or
        `None` when there is nothing (new) to say. Never raises."""
        if not name:
            return None
        today = today or self.clock()
        model = _retiring(name, today)
        if model is None:
            return None
        with self._lock:
            if (model.name, model.version) in self._seen:
                return None
            self._seen.add((model.name, model.version))
        message = notice(model, today)
        assert message is not None
        _warn(message, model)
        return message


def _retiring(name: str, today: date) -> AudioModel | RealtimeModel | None:
    """The version `name` refers to, when it is certainly retiring: the named version, or
    for a bare name the one of its versions, when all of them are retiring."""
    base, version = split_model_name(name)
    versions = versions_of(base)
    if version is not None:
        versions = tuple(m for m in versions if m.version == version)  # unknown: say nothing
    if not versions or any(notice(m, today) is None for m in versions):
        return None
    return versions[0]


def _warn(message: str, model: AudioModel | RealtimeModel) -> None:
    retires = model.retirement_date
    warning = ModelRetirementWarning(message, model=f"{model.name}-{model.version}",
                                     retirement=retires.isoformat() if retires else "",
                                     replacement=model.replacement)  # fmt: skip
    try:
        warnings.warn(warning, stacklevel=3)
    except Warning:  # a filter set to "error": a date must never fail a request
        logger.warning("%s", message)


NOTICES: Final = Notices()
"""The process's notices: `AzureChatOpenAIAudio` checks its model here at construction and
after each answer."""
