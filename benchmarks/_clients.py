"""The three clients under test, configured identically for every benchmark.

  raw        the `openai` SDK (`AzureOpenAI` / `AsyncAzureOpenAI`), called directly;
  ours       `AzureChatOpenAIAudio`;
  lc-openai  langchain-openai's `AzureChatOpenAI` with audio turned on through
             `model_kwargs` (skipped when langchain-openai is not installed).

Imports happen inside the builders, so a child process only loads the library
it measures. All clients talk to the local benchmark server, never retry, and
send the same request body fields (deployment, api-version, modalities, voice).
"""

from __future__ import annotations

import importlib.util
from typing import Any, Final

DEPLOYMENT: Final = "gpt-4o-mini-audio-preview"
API_VERSION: Final = "2025-01-01-preview"
API_KEY: Final = "bench"
VOICE: Final = "alloy"
CLIENTS: Final = ("raw", "ours", "lc-openai")


def available() -> list[str]:
    """The clients that can run here (langchain-openai is optional)."""
    has_lc_openai = importlib.util.find_spec("langchain_openai") is not None
    return [name for name in CLIENTS if name != "lc-openai" or has_lc_openai]


def audio_params(audio_format: str) -> dict[str, Any]:
    """The request fields that ask for text and speech back."""
    return {"modalities": ["text", "audio"], "audio": {"voice": VOICE, "format": audio_format}}


def raw_sync(endpoint: str) -> Any:
    import openai

    return openai.AzureOpenAI(
        azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION, max_retries=0
    )


def raw_async(endpoint: str) -> Any:
    import openai

    return openai.AsyncAzureOpenAI(
        azure_endpoint=endpoint, api_key=API_KEY, api_version=API_VERSION, max_retries=0
    )


def ours(endpoint: str, audio_format: str = "wav") -> Any:
    from langchain_azure_audio import AzureChatOpenAIAudio

    return AzureChatOpenAIAudio(
        azure_endpoint=endpoint,
        azure_deployment=DEPLOYMENT,
        api_version=API_VERSION,
        api_key=API_KEY,
        voice=VOICE,
        audio_format=audio_format,
        max_retries=0,
    )


def lc_openai(endpoint: str, audio_format: str = "wav") -> Any:
    from langchain_openai import AzureChatOpenAI

    return AzureChatOpenAI(
        azure_endpoint=endpoint,
        azure_deployment=DEPLOYMENT,
        api_version=API_VERSION,
        api_key=API_KEY,  # type: ignore[arg-type]
        max_retries=0,
        model_kwargs=audio_params(audio_format),
    )


def transcript(message: Any) -> str:
    """The words of a LangChain answer: its text, or (langchain-openai) the audio transcript."""
    return str(message.text or (message.additional_kwargs.get("audio") or {}).get("transcript"))
