"""Every exception langchain-azure-audio raises.

Two families:

* Input and settings errors (`AzureAudioInputError`, `AzureAudioConfigError`)
  are raised *before* any network call. They subclass `ValueError` and their
  message names the offending field and how to fix it.
* Service errors (`AzureAudioServiceError` and its subclasses) wrap what the
  Azure OpenAI service answered. They carry `status_code`, `code` and the
  service's own `service_message`; the original `openai` exception is the
  `__cause__`.

Catch `AzureAudioError` to catch all of them.

One warning: `ModelRetirementWarning`, issued once per process when the
deployment's model is past, or within 60 days of, its published retirement
date. It never stops a request.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiVersionTooOldError",
    "AudioDecodeError",
    "AudioExpiredError",
    "AudioTooLongError",
    "AudiobookIncompleteError",
    "AzureAudioAuthenticationError",
    "AzureAudioConfigError",
    "AzureAudioError",
    "AzureAudioInputError",
    "AzureAudioRateLimitError",
    "AzureAudioServiceError",
    "ContentFilterError",
    "DeploymentNotFoundError",
    "InvalidAudioError",
    "ModelRetirementWarning",
    "VoiceNotAvailableError",
]


class AzureAudioError(Exception):
    """Base class of every error raised by langchain-azure-audio."""


class AzureAudioConfigError(AzureAudioError, ValueError):
    """A model setting is missing or invalid (raised before any request)."""


class AzureAudioInputError(AzureAudioError, ValueError):
    """A message or content block cannot be sent (raised before any request)."""


class InvalidAudioError(AzureAudioInputError):
    """Audio bytes are empty, corrupt, too large, or in an unsupported container."""


class AudioDecodeError(InvalidAudioError):
    """An input file cannot be decoded as audio: empty, missing, not audio, no audio stream.

    The message names the file and what was found (e.g. "not an audio file: it
    looks like a PNG image", "no audio stream (video only)", "PyAV could not
    decode it (...)").

    Attributes:
        source: the file (or `"audio bytes"`) as the message names it.
    """

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.source = source


class AudioTooLongError(InvalidAudioError):
    """A recording is too long for one request even after transcoding to MP3.

    Use `langchain_azure_audio.long_audio.transcribe_long` / `ask_long`, which
    split it at pauses.

    Attributes:
        source: the file as the message names it.
        seconds: the recording's length, when known.
    """

    def __init__(
        self, message: str, *, source: str | None = None, seconds: float | None = None
    ) -> None:
        super().__init__(message)
        self.source = source
        self.seconds = seconds


class AudioExpiredError(AzureAudioInputError):
    """An earlier spoken answer's audio id has expired and the policy is 'error'."""


class AzureAudioServiceError(AzureAudioError):
    """The Azure OpenAI service answered with an error.

    Attributes:
        status_code: HTTP status, or `None` when the connection itself failed.
        code: the service's error code (e.g. `"DeploymentNotFound"`), if any.
        service_message: the service's own message, verbatim.
        body: the parsed error body, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        service_message: str | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.service_message = service_message
        self.body = body


class AzureAudioAuthenticationError(AzureAudioServiceError):
    """Credentials were refused (401/403) or a keyless token could not be obtained."""


class DeploymentNotFoundError(AzureAudioServiceError):
    """The deployment does not exist on the endpoint (404)."""


class VoiceNotAvailableError(AzureAudioServiceError):
    """The service refused the voice for the deployment's model (HTTP 400).

    Attributes:
        voice: the voice that was refused.
        voices_to_try: the voices Azure documents for the deployment's model.
    """

    def __init__(
        self,
        message: str,
        *,
        voice: str | None = None,
        voices_to_try: tuple[str, ...] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.voice = voice
        self.voices_to_try = voices_to_try


class ApiVersionTooOldError(AzureAudioServiceError):
    """The api-version predates audio support in chat completions."""


class AzureAudioRateLimitError(AzureAudioServiceError):
    """HTTP 429 persisted after the configured retries.

    Attributes:
        retry_after: seconds the service asked to wait, when it said.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ContentFilterError(AzureAudioServiceError):
    """Azure's content filter refused the prompt or the answer.

    Attributes:
        categories: the filter categories that fired, e.g. `["violence"]`.
        filter_results: the raw per-category results the service sent.
    """

    def __init__(
        self,
        message: str,
        *,
        categories: list[str] | None = None,
        filter_results: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.categories = categories or []
        self.filter_results = filter_results or {}


class AudiobookIncompleteError(AzureAudioError):
    """Some segments of an audiobook were not narrated: the service kept failing after
    the retries. The finished segments are checkpointed in the work folder, and the
    chapters that are whole are written (with `per_chapter`); run the same narration
    again to request only what is missing.

    Attributes:
        report: the `AudiobookReport` of the run (`report.failed` lists the segments
            not narrated and why; `report.outputs` the files that were written).
    """

    def __init__(self, message: str, *, report: Any) -> None:
        super().__init__(message)
        self.report = report


class ModelRetirementWarning(UserWarning):
    """The deployment's model is past, or within 60 days of, the retirement date Microsoft
    published; the message names that date, the date of the page it is from, and the
    model to move to. Issued once per process and model version (Python `warnings`); a
    request is never refused because of a date.

    Attributes:
        model: the model and version, e.g. `"gpt-audio-mini-2025-10-06"`.
        retirement: the published retirement date (ISO).
        replacement: the model to move to, when one is known.
    """

    def __init__(
        self, message: str, *, model: str = "", retirement: str = "",
        replacement: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(message)
        self.model = model
        self.retirement = retirement
        self.replacement = replacement
