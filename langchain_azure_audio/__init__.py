"""Azure OpenAI audio chat models (`gpt-audio-1.5`, `gpt-audio`, `gpt-audio-mini`, and the
retired `gpt-4o-audio-preview` / `gpt-4o-mini-audio-preview`) for LangChain."""

from langchain_azure_audio._streaming import StreamInterruptedError, merge_chunks
from langchain_azure_audio.audio import audio_block, audio_bytes, save_audio
from langchain_azure_audio.chat_models import DOCUMENTED_VOICES, AzureChatOpenAIAudio
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
    VoiceNotAvailableError,
)
from langchain_azure_audio.stream_audio import (
    aiter_pcm,
    asave_stream,
    chunk_pcm,
    iter_pcm,
    save_stream,
)

__version__ = "0.1.0"

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
    "ContentFilterError",
    "DeploymentNotFoundError",
    "InvalidAudioError",
    "StreamInterruptedError",
    "VoiceNotAvailableError",
    "__version__",
    "aiter_pcm",
    "asave_stream",
    "audio_block",
    "audio_bytes",
    "chunk_pcm",
    "iter_pcm",
    "merge_chunks",
    "save_audio",
    "save_stream",
]
