"""The package's bundled synthetic session: a model answered from it, with no network.

The offline demo (`langchain-azure-audio demo`) replays it, and the voice page
(`serve`) answers the demo's first question from it when no Azure settings are
set. The session was generated locally (`scripts/generate_cassettes.py`), not
recorded from Azure, and everything that plays it says so.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Final

from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import ModelRetirementWarning

OFFLINE_ENDPOINT: Final = "https://example-resource.openai.azure.com"
OFFLINE_DEPLOYMENT: Final = "gpt-4o-mini-audio-preview"
QUESTION: Final = "Is a golden retriever a good family dog?"
"""The demo's first question: the one the voice page can answer offline."""


def bundled_session() -> Path:
    """The synthetic demo cassette shipped with the package (or in the source tree)."""
    packaged = resources.files("langchain_azure_audio") / "_bundled" / "demo" / "session.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "cassettes" / "demo" / "session.json"


@contextlib.contextmanager
def offline_replay() -> Iterator[AzureChatOpenAIAudio]:
    """A model whose requests are answered from the bundled synthetic session."""
    from langchain_azure_audio._azure.replay import strict_vcr

    with warnings.catch_warnings():  # the session's deployment name is a placeholder, not
        warnings.simplefilter("ignore", ModelRetirementWarning)  # a model you deployed
        llm = AzureChatOpenAIAudio(
            azure_endpoint=OFFLINE_ENDPOINT,
            azure_deployment=OFFLINE_DEPLOYMENT,
            api_key="offline-replay",
            voice="alloy",
            audio_format="wav",
            max_retries=0,
        )
    with strict_vcr().use_cassette(str(bundled_session())):
        yield llm
