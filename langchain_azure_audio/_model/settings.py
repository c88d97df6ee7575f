"""Checks of the model's settings and per-call parameters, run before any request.

Pure functions: each raises `AzureAudioConfigError` naming the field and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from langchain_azure_audio._model.profiles import ALL_VOICES
from langchain_azure_audio.audio import OUTPUT_FORMATS
from langchain_azure_audio.errors import AzureAudioConfigError, AzureAudioServiceError

MODALITIES: Final = ("text", "audio")
EXPIRED_AUDIO_POLICIES: Final = ("transcript", "send_id", "error")


def check_call_settings(
    *,
    voice: str,
    audio_format: str,
    modalities: Sequence[str],
    expired_audio: str,
    allow_unknown_voice: bool,
) -> None:
    """The settings a call may override: modalities, voice, format, expired-audio policy."""
    if not isinstance(modalities, (list, tuple)) or not modalities:
        raise AzureAudioConfigError(
            f"modalities={modalities!r}: use ['text', 'audio'] or ['text']."
        )
    unknown = [m for m in modalities if m not in MODALITIES]
    if unknown:
        raise AzureAudioConfigError(
            f"modalities contains {unknown!r}; use ['text', 'audio'] or ['text']."
        )
    if "text" not in modalities:
        raise AzureAudioConfigError(
            "modalities=['audio'] is not accepted by the service; use ['text', 'audio']."
        )
    check_voice(voice, allow_unknown_voice=allow_unknown_voice)
    if audio_format not in OUTPUT_FORMATS:
        raise AzureAudioConfigError(
            f"audio_format {audio_format!r} is not supported; use one of {OUTPUT_FORMATS}."
        )
    if expired_audio not in EXPIRED_AUDIO_POLICIES:
        raise AzureAudioConfigError(
            f"expired_audio {expired_audio!r} is not a policy; use one of {EXPIRED_AUDIO_POLICIES}."
        )


def check_voice(
    voice: str,
    *,
    allow_unknown_voice: bool,
    voices: Sequence[str] = ALL_VOICES,
    api: str = "audio chat completions",
) -> None:
    """`voice` must be one Azure documents for `api` (unless `allow_unknown_voice`)."""
    if not allow_unknown_voice and voice not in voices:
        raise AzureAudioConfigError(
            f"voice {voice!r} is not one of the voices Azure documents for {api}: "
            f"{', '.join(voices)}. Pick one of them, or pass allow_unknown_voice=True to "
            "try another voice."
        )


TURN_DETECTION: Final = ("server_vad", "semantic_vad")
"""The Realtime API's voice activity detection modes (`None`: push-to-talk)."""


def check_realtime_modalities(modalities: Sequence[str]) -> None:
    """The Realtime API answers in speech with its transcript, or in text only."""
    if list(modalities) not in (["text", "audio"], ["audio", "text"], ["text"]):
        raise AzureAudioConfigError(
            f"modalities={modalities!r}: the Realtime API answers with speech and its "
            "transcript (['text', 'audio']) or with text only (['text'])."
        )


def check_turn_detection(value: Any) -> None:
    """`"server_vad"`, `"semantic_vad"`, a dict with one of them as `type`, or `None`."""
    kind = value.get("type") if isinstance(value, Mapping) else value
    if value is not None and kind not in TURN_DETECTION:
        raise AzureAudioConfigError(
            f"turn_detection={value!r}: use 'server_vad', 'semantic_vad' (or a dict with "
            "one of them as 'type' and its options), or None for push-to-talk "
            "(live.commit() ends each turn)."
        )


_MANAGED_PARAMS: Final = {
    "messages": "pass messages to invoke()",
    "stream_options": "usage is always requested when streaming",
    "modalities": "set modalities",
    "response_format": (
        "Azure's audio models take no response_format (JSON mode or JSON schema). Use "
        "llm.with_structured_output(Schema), which works by function calling; with "
        "create_agent, pass response_format=ToolStrategy(Schema)"
    ),
}


def check_passthrough(params: Mapping[str, Any], wants_audio: bool) -> None:
    """Extra request parameters must not fight the settings this class manages."""
    for name, fix in _MANAGED_PARAMS.items():
        if name in params:
            raise AzureAudioConfigError(f"{name!r} cannot be passed as an extra parameter; {fix}.")
    if "audio" in params:
        if not wants_audio:
            raise AzureAudioConfigError(
                "audio output parameters were given but modalities=['text']; set "
                "modalities=['text', 'audio'] to get audio back, or drop 'audio'."
            )
        raise AzureAudioConfigError(
            "'audio' cannot be passed as an extra parameter; set voice= and audio_format=."
        )


def checked_response(response: Any) -> Mapping[str, Any]:
    """A 200 response must carry choices; a 200 with an error body is an error."""
    if isinstance(response, Mapping) and response.get("choices"):
        return response
    error = response.get("error") if isinstance(response, Mapping) else None
    if isinstance(error, Mapping):
        raise AzureAudioServiceError(
            f"Azure OpenAI answered 200 with an error: {error.get('message')}",
            status_code=200,
            code=error.get("code"),
            service_message=error.get("message"),
            body=response,
        )
    raise AzureAudioServiceError(
        "Azure OpenAI answered 200 without any choices; retry the request.",
        status_code=200,
        body=response,
    )
