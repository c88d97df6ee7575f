"""Azure OpenAI audio chat models (`gpt-audio-1.5`, `gpt-audio`, `gpt-audio-mini`, and the
retired `gpt-4o-audio-preview` / `gpt-4o-mini-audio-preview`) and realtime models
(`gpt-realtime`, `gpt-realtime-mini`, `gpt-realtime-1.5`, `gpt-realtime-2`) for LangChain.

The public names are imported on first use (PEP 562), so that importing a
submodule (the command line's `--help`, say) does not load LangChain and the
`openai` SDK; `from langchain_azure_audio import AzureChatOpenAIAudio` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from langchain_azure_audio import errors

if TYPE_CHECKING:
    from langchain_azure_audio._translate.streaming import StreamInterruptedError, merge_chunks
    from langchain_azure_audio.audio import audio_block, audio_bytes, save_audio
    from langchain_azure_audio.chat_models import DOCUMENTED_VOICES, AzureChatOpenAIAudio
    from langchain_azure_audio.cost import cost_of, get_audio_cost_callback
    from langchain_azure_audio.errors import (
        ApiVersionTooOldError,
        AudioDecodeError,
        AudioExpiredError,
        AudioTooLongError,
        AzureAudioAuthenticationError,
        AzureAudioConfigError,
        AzureAudioError,
        AzureAudioInputError,
        AzureAudioRateLimitError,
        AzureAudioServiceError,
        ContentFilterError,
        DeploymentNotFoundError,
        InvalidAudioError,
        ModelRetirementWarning,
        VoiceNotAvailableError,
    )
    from langchain_azure_audio.realtime import AzureChatOpenAIRealtime, LiveSession
    from langchain_azure_audio.stream_audio import (
        aiter_pcm,
        asave_stream,
        chunk_pcm,
        iter_pcm,
        save_stream,
    )

__version__ = "0.1.0"

_WHERE = {
    "StreamInterruptedError": "_translate.streaming",
    "merge_chunks": "_translate.streaming",
    "audio_block": "audio",
    "audio_bytes": "audio",
    "save_audio": "audio",
    "DOCUMENTED_VOICES": "chat_models",
    "AzureChatOpenAIAudio": "chat_models",
    "AzureChatOpenAIRealtime": "realtime",
    "LiveSession": "realtime",
    "aiter_pcm": "stream_audio",
    "asave_stream": "stream_audio",
    "chunk_pcm": "stream_audio",
    "iter_pcm": "stream_audio",
    "save_stream": "stream_audio",
    "cost_of": "cost",
    "get_audio_cost_callback": "cost",
    **dict.fromkeys(errors.__all__, "errors"),  # errors.py imports nothing heavy
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once: later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


__all__ = [
    "DOCUMENTED_VOICES",
    "ApiVersionTooOldError",
    "AudioDecodeError",
    "AudioExpiredError",
    "AudioTooLongError",
    "AzureAudioAuthenticationError",
    "AzureAudioConfigError",
    "AzureAudioError",
    "AzureAudioInputError",
    "AzureAudioRateLimitError",
    "AzureAudioServiceError",
    "AzureChatOpenAIAudio",
    "AzureChatOpenAIRealtime",
    "ContentFilterError",
    "DeploymentNotFoundError",
    "InvalidAudioError",
    "LiveSession",
    "ModelRetirementWarning",
    "StreamInterruptedError",
    "VoiceNotAvailableError",
    "__version__",
    "aiter_pcm",
    "asave_stream",
    "audio_block",
    "audio_bytes",
    "chunk_pcm",
    "cost_of",
    "get_audio_cost_callback",
    "iter_pcm",
    "merge_chunks",
    "save_audio",
    "save_stream",
]
