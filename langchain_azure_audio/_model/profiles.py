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

The realtime models (`REALTIME_MODELS`, for `AzureChatOpenAIRealtime`), as stored
on 2026-12-07:

* Versions, stages and retirement dates: the same retirement schedule, newest copy
  (the rendered page of 2026-09-02, as for the audio models): gpt-realtime 2025-08-28
  retires 2027-03-02, gpt-realtime-1.5 2026-02-23 retires 2027-08-24. That copy lists
  each gpt-realtime-mini version twice (2025-10-06: 2027-04-06 and 2026-09-21;
  2025-12-15: 2027-06-15 and 2026-12-15); the later dates are kept, as they agree
  with the same copy's gpt-audio-mini rows (a warning on the earlier date would be
  the false alarm issue 29 is about). It lists gpt-realtime-2 as "Preview,
  2026-08-31", while the copy of 2026-07-07 (ms.date 2026-07-07) gives the GA
  version 2026-05-06 retiring 2027-05-06: that GA row is kept, with its own page
  date. The previews gpt-4o-realtime-preview and gpt-4o-mini-realtime-preview
  (2024-12-17) are listed as supported in Azure's "Use the GPT Realtime API via
  WebSockets" (articles/foundry/openai/how-to/realtime-audio-websockets.md, ms.date
  2026-01-29), but no stored Microsoft page gives their retirement date: none is
  recorded (their profile has no `status`, and no warning is given).
* Token limits: OpenAI's model pages (developers.openai.com/api/docs/models/...):
  gpt-realtime and gpt-realtime-1.5 32,000 context and 4,096 output tokens,
  gpt-realtime-2 128,000 and 32,000, gpt-4o-realtime-preview 32,000 and 4,096,
  gpt-4o-mini-realtime-preview 16,000 and 4,096. No stored OpenAI page gives
  gpt-realtime-mini's: none is recorded.
* Voices: the ten of the GA protocol's `audio.output.voice` (openai SDK 3.x
  `types/realtime/realtime_audio_config_output_param.py`); the preview protocol's
  eight (`types/beta/realtime/...`: alloy, ash, ballad, coral, echo, sage,
  shimmer, verse). Output audio is pcm16 (24 kHz mono) only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, TypeVar

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

REALTIME_PREVIEW_VOICES: Final = ALL_VOICES[:8]
"""The preview realtime protocol's voices (no marin, no cedar)."""


@dataclass(frozen=True)
class RealtimeModel:
    """One Azure realtime model version and what Azure and OpenAI document for it.

    `retirement` (with the date and address of the schedule copy it is from) and the
    token limits are `None` where no stored page gives them.
    """

    name: str
    version: str
    stage: str  # "GA" or "Preview"
    retirement: str | None
    published_on: str | None = None
    schedule: str | None = None
    replacement: str | None = None
    replacement_by: str = "this package"
    voices: tuple[str, ...] = ALL_VOICES
    max_input_tokens: int | None = None
    max_output_tokens: int | None = None

    @property
    def retirement_date(self) -> date | None:
        return date.fromisoformat(self.retirement.lstrip(">=")) if self.retirement else None

    def status(self, today: date | None = None) -> str | None:
        """`"retired"` once the retirement date has passed, `"active"` before, else `None`."""
        retires = self.retirement_date
        if retires is None:
            return None
        return "retired" if retires <= (today or date.today()) else "active"


_RT: Final = ("2026-09-02", SCHEDULE)
"""The GA realtime rows' schedule copy: the same page as the audio models'."""
REALTIME_MODELS: Final = (
    RealtimeModel("gpt-realtime-2", "2026-05-06", "GA", "2027-05-06", "2026-07-07", SCHEDULE,
                  max_input_tokens=128_000, max_output_tokens=32_000),
    RealtimeModel("gpt-realtime-1.5", "2026-02-23", "GA", "2027-08-24", *_RT,
                  max_input_tokens=32_000, max_output_tokens=4_096),
    RealtimeModel("gpt-realtime-mini", "2025-12-15", "GA", "2027-06-15", *_RT,
                  replacement="gpt-realtime-1.5"),
    RealtimeModel("gpt-realtime", "2025-08-28", "GA", "2027-03-02", *_RT,
                  replacement="gpt-realtime-1.5", max_input_tokens=32_000,
                  max_output_tokens=4_096),
    RealtimeModel("gpt-realtime-mini", "2025-10-06", "GA", "2027-04-06", *_RT,
                  replacement="gpt-realtime-mini-2025-12-15"),
    RealtimeModel("gpt-4o-realtime-preview", "2024-12-17", "Preview", None,
                  voices=REALTIME_PREVIEW_VOICES, max_input_tokens=32_000,
                  max_output_tokens=4_096),
    RealtimeModel("gpt-4o-mini-realtime-preview", "2024-12-17", "Preview", None,
                  voices=REALTIME_PREVIEW_VOICES, max_input_tokens=16_000,
                  max_output_tokens=4_096),
)  # fmt: skip
"""The realtime models, newest first; the first entry of a name is its current version."""

MODEL_NAMES: Final = tuple(dict.fromkeys(m.name for m in KNOWN_MODELS))
"""Known model names, today's first."""

_M = TypeVar("_M", AudioModel, RealtimeModel)

# A deployment named like a model: exact, or with a version suffix
# ("gpt-audio-2025-08-28", "gpt-4o-audio-preview-2024-12-17").
_VERSIONED: Final = re.compile(r"^(?P<name>.+?)(?:-(?P<version>\d{4}-\d{2}-\d{2}))?$")


def split_model_name(name: str) -> tuple[str, str | None]:
    """`"gpt-audio-1.5-2026-02-23"` -> `("gpt-audio-1.5", "2026-02-23")`; no date: version None."""
    match = _VERSIONED.match(name.strip().lower())
    if match is None:  # pragma: no cover - the pattern matches any non-empty text
        return name, None
    return match["name"], match["version"]


def versions_of(name: str) -> tuple[AudioModel | RealtimeModel, ...]:
    """Every known version of model `name` (no version suffix), newest first: an audio
    chat model's or a realtime model's."""
    return tuple(m for m in (*KNOWN_MODELS, *REALTIME_MODELS) if m.name == name)


def find_model(name: str | None) -> AudioModel | None:
    """The known model (and version, if the name carries one) `name` refers to."""
    return _find(name, KNOWN_MODELS)


def find_realtime_model(name: str | None) -> RealtimeModel | None:
    """The known realtime model (and version, if the name carries one) `name` refers to."""
    return _find(name, REALTIME_MODELS)


def _find(name: str | None, table: tuple[_M, ...]) -> _M | None:
    if not name:
        return None
    base, version = split_model_name(name)
    candidates = [m for m in table if m.name == base]
    if version:
        exact = [m for m in candidates if m.version == version]
        return exact[0] if exact else (candidates[0] if candidates else None)
    return candidates[0] if candidates else None


def resolve_model_name(
    model_name: str | None, deployment: str | None, *, realtime: bool = False
) -> str | None:
    """The underlying model: `model_name` when given, else a deployment named like one
    (a chat-completions audio model, or with `realtime` a realtime model)."""
    if model_name:
        return model_name
    known = find_realtime_model(deployment) if realtime else find_model(deployment)
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
    return _profile(find_model(name), today, tool_call_streaming=True, temperature=True)


def realtime_profile(name: str | None, today: date | None = None) -> ModelProfile:
    """A LangChain `ModelProfile` for realtime model `name`; a conservative one if unknown.

    Realtime models take text and audio in and give text and audio out, call tools
    and have no native structured output (`with_structured_output` uses function
    calling); the Realtime API has no `temperature` in its GA session.
    """
    return _profile(find_realtime_model(name), today, tool_call_streaming=False,
                    temperature=False)  # fmt: skip


def _profile(known: AudioModel | RealtimeModel | None, today: date | None, *,
             tool_call_streaming: bool, temperature: bool) -> ModelProfile:  # fmt: skip
    """Text and audio in and out, tools, no native structured output; what is known of the
    model (name, version, status, token limits) when it is known."""
    from langchain_core.language_models import ModelProfile

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
        tool_call_streaming=tool_call_streaming,
        structured_output=False,
        temperature=temperature,
    )
    if known is None:
        return profile
    profile["name"] = known.name
    profile["release_date"] = known.version
    status = known.status(today)
    if status is not None:
        profile["status"] = status
    if known.max_input_tokens is not None:
        profile["max_input_tokens"] = known.max_input_tokens
    if known.max_output_tokens is not None:
        profile["max_output_tokens"] = known.max_output_tokens
    return profile


def realtime_voices_for(name: str | None) -> tuple[str, ...]:
    """The voices documented for realtime model `name` (all ten when unknown)."""
    known = find_realtime_model(name)
    return known.voices if known is not None else ALL_VOICES


def voices_for(name: str | None) -> tuple[str, ...]:
    """The voices documented for model `name` (all ten when the model is unknown)."""
    known = find_model(name)
    return known.voices if known is not None else ALL_VOICES
