"""The Azure audio chat models this package knows: voices, formats, limits, lifecycle.

One table (`KNOWN_MODELS`) feeds the voice check, `llm.profile`, the docs'
"models and retirement" table, the lifecycle warnings (`_model.lifecycle`) and the
model-name inference from a deployment name. Sources (stored copies, read 2026-12-07):

* Lifecycle and retirement dates: Microsoft's model retirement schedule. Copies of
  that page disagree (gpt-audio-mini 2025-10-06 retires 2026-09-21 in the copy of
  2026-07-07, 2027-04-07 in the include of 2025-12-16, 2027-04-06 in the page of
  2026-09-02), so every row carries the date of the copy it was taken from
  (`published_on`) and its address (`schedule`). The GA rows are from the newest
  copy found: the rendered page "Model retirement schedule - Microsoft Foundry"
  (learn.microsoft.com/azure/foundry/openai/concepts/model-retirement-schedule,
  ms.date 2026-09-02, azure-ai-docs-pr commit c0b1c98). The previews are listed
  only by older copies: Azure OpenAI's model retirement table (MicrosoftDocs/
  azure-ai-docs, articles/ai-foundry/openai/includes/retirement/models.md, ms.date
  2025-12-16): gpt-4o-audio-preview retires 2026-02-02 (replacement gpt-audio),
  gpt-4o-mini-audio-preview no earlier than 2026-02-28.
* The previews' three voices: Azure's audio completions quickstart
  (learn.microsoft.com/azure/ai-services/openai/audio-completions-quickstart:
  "Alloy, Echo, and Shimmer", api-version 2025-01-01-preview, the per-file audio
  size limit enforced as 20 MiB).
* Token limits (128,000 context, 16,384 output), text+audio in and out,
  function calling yes, structured outputs no: the model pages at
  developers.openai.com/api/docs/models/{gpt-audio, gpt-audio-1.5,
  gpt-audio-mini, gpt-4o-mini-audio-preview}.
* The ten built-in voices (alloy, ash, ballad, coral, echo, sage, shimmer,
  verse, marin, cedar) and the output formats (wav, aac, mp3, flac, opus,
  pcm16): the `voice`/`format` fields of the chat-completions `audio`
  parameter (openai SDK 3.x `ChatCompletionAudioParam`, the same list in
  Azure's `@azure/ai-voicelive` `KnownOAIVoice`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final

from langchain_azure_audio.audio import OUTPUT_FORMATS

if TYPE_CHECKING:  # imported where used: the command line's --help must not load LangChain
    from langchain_core.language_models import ModelProfile

ALL_VOICES: Final = (
    "alloy",
    "ash",
    "ballad",
    "coral",
    "echo",
    "sage",
    "shimmer",
    "verse",
    "marin",
    "cedar",
)
"""The built-in voices of audio chat completions."""
PREVIEW_VOICES: Final = ("alloy", "echo", "shimmer")
"""What Azure's quickstart documented for the 2024-12-17 previews."""


CONTEXT_WINDOW: Final = 128_000
MAX_OUTPUT_TOKENS: Final = 16_384


SCHEDULE: Final = (
    "https://learn.microsoft.com/azure/foundry/openai/concepts/model-retirement-schedule"
)
"""Microsoft's model retirement schedule (the page the GA rows were taken from)."""
RETIREMENT_TABLE: Final = (
    "https://learn.microsoft.com/azure/ai-foundry/openai/concepts/model-retirements"
)
"""The older retirement table that still listed the previews (include of 2025-12-16)."""


@dataclass(frozen=True)
class AudioModel:
    """One Azure audio chat model version and what Azure documents for it."""

    name: str
    version: str
    stage: str  # Azure's lifecycle stage: "GA" or "Preview"
    retirement: str  # ISO date; a "no earlier than" date is prefixed with ">="
    published_on: str
    """ISO date of the copy of Microsoft's schedule `retirement` was taken from."""
    schedule: str
    """The address of that page."""
    replacement: str | None = None
    """The model to move to: Microsoft's replacement when its schedule names one, else the
    newest GA audio model of the family (see `replacement_by`)."""
    replacement_by: str = "this package"
    """Who names `replacement`: `"Microsoft"` or `"this package"`."""
    voices: tuple[str, ...] = ALL_VOICES
    output_formats: tuple[str, ...] = OUTPUT_FORMATS
    max_input_tokens: int = CONTEXT_WINDOW
    max_output_tokens: int = MAX_OUTPUT_TOKENS

    @property
    def retirement_date(self) -> date:
        """The published retirement date (for a "no earlier than" date, that date)."""
        return date.fromisoformat(self.retirement.lstrip(">="))

    def status(self, today: date | None = None) -> str:
        """`"retired"` once the published retirement date has passed, else `"active"`."""
        return "retired" if self.retirement_date <= (today or date.today()) else "active"


PREVIEW_FORMATS: Final = ("wav", "mp3", "flac", "opus", "pcm16")
# fmt: off
KNOWN_MODELS: Final = (
    # name, version, stage, retirement, published on, page, move to (, whose: Microsoft's)
    AudioModel("gpt-audio-1.5", "2026-02-23", "GA", "2027-08-24", "2026-09-02", SCHEDULE),
    AudioModel("gpt-audio-mini", "2025-12-15", "GA", "2027-06-15", "2026-09-02", SCHEDULE,
               "gpt-audio-1.5"),
    AudioModel("gpt-audio", "2025-08-28", "GA", "2027-03-02", "2026-09-02", SCHEDULE,
               "gpt-audio-1.5"),
    AudioModel("gpt-audio-mini", "2025-10-06", "GA", "2027-04-06", "2026-09-02", SCHEDULE,
               "gpt-audio-mini-2025-12-15"),
    AudioModel("gpt-4o-audio-preview", "2024-12-17", "Preview", "2026-02-02", "2025-12-16",
               RETIREMENT_TABLE, "gpt-audio", "Microsoft", PREVIEW_VOICES, PREVIEW_FORMATS),
    AudioModel("gpt-4o-mini-audio-preview", "2024-12-17", "Preview", ">=2026-02-28",
               "2025-12-16", RETIREMENT_TABLE, "gpt-audio-mini", "this package", PREVIEW_VOICES,
               PREVIEW_FORMATS),
)
# fmt: on
"""Newest first; the first entry of a name is its current version."""

MODEL_NAMES: Final = tuple(dict.fromkeys(m.name for m in KNOWN_MODELS))
"""Known model names, today's first."""

# A deployment named like a model: exact, or with a version suffix
# ("gpt-audio-2025-08-28", "gpt-4o-audio-preview-2024-12-17").
_VERSIONED: Final = re.compile(r"^(?P<name>.+?)(?:-(?P<version>\d{4}-\d{2}-\d{2}))?$")


def split_model_name(name: str) -> tuple[str, str | None]:
    """`"gpt-audio-1.5-2026-02-23"` -> `("gpt-audio-1.5", "2026-02-23")`; no date: version None."""
    match = _VERSIONED.match(name.strip().lower())
    if match is None:  # pragma: no cover - the pattern matches any non-empty text
        return name, None
    return match["name"], match["version"]


def versions_of(name: str) -> tuple[AudioModel, ...]:
    """Every known version of model `name` (no version suffix), newest first."""
    return tuple(m for m in KNOWN_MODELS if m.name == name)


def find_model(name: str | None) -> AudioModel | None:
    """The known model (and version, if the name carries one) `name` refers to."""
    if not name:
        return None
    base, version = split_model_name(name)
    candidates = versions_of(base)
    if version:
        exact = [m for m in candidates if m.version == version]
        return exact[0] if exact else (candidates[0] if candidates else None)
    return candidates[0] if candidates else None


def resolve_model_name(model_name: str | None, deployment: str | None) -> str | None:
    """The underlying model: `model_name` when given, else a deployment named like one."""
    if model_name:
        return model_name
    known = find_model(deployment)
    return deployment if known is not None else None


def model_profile(name: str | None, today: date | None = None) -> ModelProfile:
    """A LangChain `ModelProfile` for `name`; a conservative one for unknown models.

    Native structured output is `False` for every audio model (the service
    takes no `response_format` for them), so `create_agent(response_format=...)`
    picks its tool strategy; `with_structured_output` uses function calling.

    `status` is `"retired"` once the retirement date Microsoft published has passed
    (`today`, default: the current date), else `"active"`. The date itself, with
    the date of the page it is from, is `AzureChatOpenAIAudio.retirement`:
    LangChain's `ModelProfile` declares no such keys and warns about unknown ones.
    """
    from langchain_core.language_models import ModelProfile

    known = find_model(name)
    profile = ModelProfile(
        text_inputs=True,
        audio_inputs=True,
        image_inputs=False,
        video_inputs=False,
        pdf_inputs=False,
        text_outputs=True,
        audio_outputs=True,
        image_outputs=False,
        video_outputs=False,
        tool_calling=True,
        tool_choice=True,
        tool_call_streaming=True,
        structured_output=False,
        temperature=True,
    )
    if known is None:
        return profile
    profile["name"] = known.name
    profile["status"] = known.status(today)
    profile["release_date"] = known.version
    profile["max_input_tokens"] = known.max_input_tokens
    profile["max_output_tokens"] = known.max_output_tokens
    return profile


def voices_for(name: str | None) -> tuple[str, ...]:
    """The voices documented for model `name` (all ten when the model is unknown)."""
    known = find_model(name)
    return known.voices if known is not None else ALL_VOICES
