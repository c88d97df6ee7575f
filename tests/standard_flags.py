"""The feature flags both LangChain standard suites share, set truthfully in one place
(docs/testing.md lists them)."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from langchain_azure_audio import AzureChatOpenAIAudio


class AzureAudioFlags:
    """Mixed into the unit and integration standard-test classes."""

    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return AzureChatOpenAIAudio

    @property
    def supports_audio_inputs(self) -> bool:
        return True

    @property
    def returns_usage_metadata(self) -> bool:
        return True
