"""The demo: the seed's three scenarios, live against Azure or replayed offline.

1. text → text + audio: "Is a golden retriever a good family dog?" → `dog.wav`
2. audio → text + audio: `dog.wav` with "Describe in detail the spoken audio
   input." → `analysis.wav`
3. multi-turn: a follow-up question that refers to answer 2 by its audio id.

With `AZURE_OPENAI_ENDPOINT` and `AZURE_OPENAI_DEPLOYMENT_NAME` set it runs
live (API key from `AZURE_OPENAI_API_KEY`, else keyless Entra ID). Without
them it replays the package's bundled *synthetic* session: no network, and it
says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage

from langchain_azure_audio._replay import strict_vcr
from langchain_azure_audio.audio import audio_block, audio_bytes, save_audio
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio

LIVE_SETTINGS = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME")
OFFLINE_ENDPOINT = "https://example-resource.openai.azure.com"
OFFLINE_DEPLOYMENT = "gpt-4o-mini-audio-preview"
QUESTION = "Is a golden retriever a good family dog?"
DESCRIBE = "Describe in detail the spoken audio input."
FOLLOW_UP = "Very concisely summarize the favorability."


def live_settings_present() -> bool:
    """Whether the environment names an Azure endpoint and deployment."""
    return all(os.environ.get(name) for name in LIVE_SETTINGS)


def bundled_session() -> Path:
    """The synthetic demo cassette shipped with the package (or in the source tree)."""
    packaged = resources.files("langchain_azure_audio") / "_bundled" / "demo" / "session.json"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[1] / "cassettes" / "demo" / "session.json"


@contextlib.contextmanager
def offline_replay() -> Iterator[AzureChatOpenAIAudio]:
    """A model whose requests are answered from the bundled synthetic session."""
    with strict_vcr().use_cassette(str(bundled_session())):
        yield AzureChatOpenAIAudio(
            azure_endpoint=OFFLINE_ENDPOINT,
            azure_deployment=OFFLINE_DEPLOYMENT,
            api_key="offline-replay",
            voice="alloy",
            audio_format="wav",
            max_retries=0,
        )


def run_demo(
    out_dir: Path, *, live: bool | None = None, say: Callable[[str], None] = print
) -> None:
    """Run the three scenarios, writing `dog.wav` and `analysis.wav` to `out_dir`."""
    live = live_settings_present() if live is None else live
    if live:
        say(
            "Running LIVE against Azure OpenAI "
            f"({os.environ.get('AZURE_OPENAI_ENDPOINT')}, deployment "
            f"{os.environ.get('AZURE_OPENAI_DEPLOYMENT_NAME')})."
        )
        _scenarios(AzureChatOpenAIAudio(voice="alloy", audio_format="wav"), out_dir, say)
        return
    say(
        "OFFLINE: no Azure settings found (AZURE_OPENAI_ENDPOINT, "
        "AZURE_OPENAI_DEPLOYMENT_NAME), so this replays the package's bundled SYNTHETIC "
        "session: the answers and speech were generated locally, not by Azure. Set those "
        "variables (and AZURE_OPENAI_API_KEY, or sign in for keyless auth) to run live."
    )
    with offline_replay() as llm:
        _scenarios(llm, out_dir, say)


def _scenarios(llm: AzureChatOpenAIAudio, out_dir: Path, say: Callable[[str], None]) -> None:
    say(f"\n1. text -> text + audio\n   Q: {QUESTION}")
    answer = llm.invoke(QUESTION)
    dog = save_audio(answer, out_dir / "dog.wav")
    say(f"   A: {answer.content}\n   speech saved to {dog}")

    say(f"\n2. audio -> text + audio\n   Q: {DESCRIBE} [+ {dog.name}]")
    spoken = HumanMessage(
        content=[
            {"type": "text", "text": DESCRIBE},
            audio_block(audio_bytes(answer), mime_type="audio/wav"),
        ]
    )
    analysis = llm.invoke([spoken])
    analysis_path = save_audio(analysis, out_dir / "analysis.wav")
    say(f"   A: {analysis.content}\n   speech saved to {analysis_path}")

    say(f"\n3. multi-turn (answer 2 sent back by its audio id)\n   Q: {FOLLOW_UP}")
    history: list[BaseMessage] = [spoken, analysis, HumanMessage(FOLLOW_UP)]
    final = llm.invoke(history)
    say(f"   A: {final.content}")
