"""The demo: the seed's three scenarios, live against Azure or replayed offline.

1. text → text + audio: "Is a golden retriever a good family dog?" → `dog.wav`
2. audio → text + audio: `dog.wav` with "Describe in detail the spoken audio
   input." → `analysis.wav`
3. multi-turn: a follow-up question that refers to answer 2 by its audio id.

With `AZURE_OPENAI_ENDPOINT` and `AZURE_OPENAI_DEPLOYMENT_NAME` set it runs
live (API key from `AZURE_OPENAI_API_KEY`, else keyless Entra ID). With
neither (or `live=False`) it replays the package's bundled *synthetic*
session: no network, and it says so. With only one of them it stops and
names the other: a half-configured environment is a mistake, not a wish to
run offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from langchain_core.messages import BaseMessage, HumanMessage

from langchain_azure_audio._offline import QUESTION, offline_replay
from langchain_azure_audio.audio import audio_block, audio_bytes, save_audio
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioConfigError

LIVE_SETTINGS = ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT_NAME")
DESCRIBE = "Describe in detail the spoken audio input."
FOLLOW_UP = "Very concisely summarize the favorability."


def run_demo(
    out_dir: Path,
    *,
    live: bool | None = None,
    say: Callable[[str], None] = print,
    status: Callable[[str], None] | None = None,
) -> None:
    """Run the three scenarios, writing `dog.wav` and `analysis.wav` to `out_dir`.

    `say` gets the questions and answers, `status` (default: `say`) the banner
    that says whether this run is live or a synthetic replay.
    """
    status = status or say
    present = [name for name in LIVE_SETTINGS if os.environ.get(name, "").strip()]
    missing = [name for name in LIVE_SETTINGS if name not in present]
    if live or (live is None and present):
        if missing:
            why = "--live (live=True) needs" if live else f"{present[0]} is set but"
            raise AzureAudioConfigError(
                f"{why} {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not "
                "set: set it to run the demo live against Azure, or pass --offline "
                "(live=False) to replay the bundled synthetic session."
            )
        llm = AzureChatOpenAIAudio(voice="alloy", audio_format="wav")
        status(
            f"Running LIVE against Azure OpenAI ({llm.azure_endpoint}, deployment "
            f"{llm.azure_deployment})."
        )
        _scenarios(llm, out_dir, say)
        return
    reason = (
        "--offline"
        if live is False
        else "no Azure settings found: AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME "
        "are not set"
    )
    status(
        f"OFFLINE ({reason}): this replays the package's bundled SYNTHETIC session: the "
        "answers and speech were generated locally, not by Azure. Set AZURE_OPENAI_ENDPOINT "
        "and AZURE_OPENAI_DEPLOYMENT_NAME (and AZURE_OPENAI_API_KEY, or sign in for keyless "
        "auth) to run live."
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
