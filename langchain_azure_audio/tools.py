"""Agent tools that speak and listen, built on `AzureChatOpenAIAudio`.

* `SpeakTool`: says a text aloud, word for word, and saves the speech to a
  file. The agent sees where the audio went; the audio itself is the tool's
  artifact (`ToolMessage.artifact`), so no base64 lands in the agent's context.
* `TranscribeTool`: turns an audio file (WAV, MP3, M4A, Ogg, FLAC, WebM) into text.

File paths the model chooses are confined to a folder (`output_dir` /
`root_dir`): a tool never writes or reads outside it.

Example:
    ```python
    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio.tools import SpeakTool, TranscribeTool

    llm = AzureChatOpenAIAudio(voice="shimmer")
    tools = [SpeakTool(llm=llm, output_dir="speech"), TranscribeTool(llm=llm, root_dir="inbox")]
    ```
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Final, Literal

from langchain_core.callbacks import AsyncCallbackManagerForToolRun, CallbackManagerForToolRun
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from langchain_azure_audio._model.instructions import TRANSCRIBE_INSTRUCTION, VERBATIM_INSTRUCTION
from langchain_azure_audio.audio import audio_block, audio_bytes, save_audio
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.errors import AzureAudioInputError

__all__ = [
    "TRANSCRIBE_INSTRUCTION",
    "VERBATIM_INSTRUCTION",
    "SpeakInput",
    "SpeakTool",
    "TranscribeInput",
    "TranscribeTool",
]

_SUFFIX: Final = {"wav": ".wav", "pcm16": ".wav", "mp3": ".mp3", "flac": ".flac", "opus": ".opus"}


def _inside(folder: Path, name: str, *, what: str) -> Path:
    """`folder/name`, refusing any path that would leave `folder`."""
    root = folder.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise AzureAudioInputError(
            f"{what} {name!r} is outside {root}; use a path inside that folder."
        )
    return path


class SpeakInput(BaseModel):
    text: str = Field(description="The exact text to say aloud.", min_length=1)
    filename: str | None = Field(
        default=None,
        description="Optional file name for the speech; one is chosen when omitted.",
    )


class SpeakTool(BaseTool):
    """Say a text aloud and save the speech; the audio is the tool's artifact."""

    name: str = "speak"
    description: str = (
        "Say a text aloud: turns the given text into speech and saves it as an audio file. "
        "Returns where the audio was saved."
    )
    args_schema: type[BaseModel] = SpeakInput
    response_format: Literal["content", "content_and_artifact"] = "content_and_artifact"
    llm: AzureChatOpenAIAudio
    """The configured audio model (voice and audio_format are taken from it)."""
    output_dir: Path = Path(".")
    """Where speech files go; file names the model picks stay inside it."""

    def _messages(self, text: str) -> list[BaseMessage]:
        return [SystemMessage(VERBATIM_INSTRUCTION), HumanMessage(text)]

    def _target(self, filename: str | None) -> Path:
        suffix = _SUFFIX[self.llm.audio_format]
        name = Path(filename).with_suffix(suffix).name if filename else None
        return _inside(self.output_dir, name or f"speech-{uuid.uuid4().hex[:8]}{suffix}",
                       what="filename")  # fmt: skip

    def _result(self, answer: AIMessage, path: Path) -> tuple[str, dict[str, Any]]:
        saved = save_audio(answer, path)
        size = len(audio_bytes(answer))
        seconds = f", {size / 48_000:.1f} s" if self.llm.audio_format in ("wav", "pcm16") else ""
        content = f"Said it aloud; the speech is saved to {saved}{seconds}."
        artifact = {
            "path": str(saved),
            "audio_format": answer.response_metadata.get("audio_format"),
            "audio": answer.additional_kwargs.get("audio"),
            "transcript": answer.text,
        }
        return content, artifact

    def _run(
        self,
        text: str,
        filename: str | None = None,
        run_manager: CallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        path = self._target(filename)
        answer = self.llm.invoke(self._messages(text), modalities=["text", "audio"])
        return self._result(answer, path)

    async def _arun(
        self,
        text: str,
        filename: str | None = None,
        run_manager: AsyncCallbackManagerForToolRun | None = None,
    ) -> tuple[str, dict[str, Any]]:
        path = self._target(filename)
        answer = await self.llm.ainvoke(self._messages(text), modalities=["text", "audio"])
        return self._result(answer, path)


class TranscribeInput(BaseModel):
    path: str = Field(
        description="Path of the audio file to transcribe (WAV, MP3, M4A, Ogg, FLAC or WebM)."
    )


class TranscribeTool(BaseTool):
    """Transcribe an audio file into text (formats other than WAV/MP3 are transcoded)."""

    name: str = "transcribe"
    description: str = "Transcribe the speech in an audio file into text, word for word."
    args_schema: type[BaseModel] = TranscribeInput
    llm: AzureChatOpenAIAudio
    """The configured audio model (asked for text only)."""
    root_dir: Path = Path(".")
    """The folder the tool may read audio from."""

    def _messages(self, path: str) -> list[BaseMessage]:
        source = _inside(self.root_dir, path, what="path")
        return [
            SystemMessage(TRANSCRIBE_INSTRUCTION),
            HumanMessage(content=[audio_block(source)]),
        ]

    def _run(self, path: str, run_manager: CallbackManagerForToolRun | None = None) -> str:
        return self.llm.invoke(self._messages(path), modalities=["text"]).text

    async def _arun(
        self, path: str, run_manager: AsyncCallbackManagerForToolRun | None = None
    ) -> str:
        answer = await self.llm.ainvoke(self._messages(path), modalities=["text"])
        return answer.text
