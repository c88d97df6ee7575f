"""Agent and tool-calling scenarios, shared by their tests and their cassette generator.

`scripts/generate_cassettes.py` runs every flow against the synthetic service
and records `cassettes/agents.json`; the tests run the same flows against
that cassette, so the requests match by construction.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field
from typing_extensions import TypedDict

from langchain_azure_audio import AzureChatOpenAIAudio, audio_block, merge_chunks
from langchain_azure_audio.tools import SpeakTool, TranscribeTool

AUDIO = Path(__file__).resolve().parents[1] / "cassettes" / "audio"
SYSTEM_PROMPT = "You are a helpful voice assistant. Use the tools you have; answer briefly."


@tool
def get_weather(city: str) -> str:
    """Get today's weather for a city."""
    return f"It is sunny and 22 degrees in {city} today."


class Voicemail(BaseModel):
    """The caller's name and what they want."""

    caller_name: str = Field(description="Who is calling")
    request: str = Field(description="What the caller asks for")


class VoicemailDict(TypedDict):
    """The caller's name and what they want."""

    caller_name: str
    request: str


VOICEMAIL_SCHEMA = {
    "title": "voicemail",
    "description": "The caller's name and what they want.",
    "type": "object",
    "properties": {"caller_name": {"type": "string"}, "request": {"type": "string"}},
    "required": ["caller_name", "request"],
}


def spoken_question() -> HumanMessage:
    return HumanMessage(content=[audio_block(AUDIO / "question.wav")])


def voicemail() -> list[BaseMessage]:
    return [
        HumanMessage(
            content=[
                {"type": "text", "text": "Extract the caller's name and request."},
                audio_block(AUDIO / "meeting.wav"),
            ]
        )
    ]


# ------------------------------------------------------------------ flows


def agent_answers_a_spoken_question(llm: AzureChatOpenAIAudio) -> list[BaseMessage]:
    agent = create_agent(llm, tools=[get_weather], system_prompt=SYSTEM_PROMPT)
    return list(agent.invoke({"messages": [spoken_question()]})["messages"])


async def agent_answers_a_spoken_question_async(llm: AzureChatOpenAIAudio) -> list[BaseMessage]:
    agent = create_agent(llm, tools=[get_weather], system_prompt=SYSTEM_PROMPT)
    state = await agent.ainvoke({"messages": [spoken_question()]})
    return list(state["messages"])


def tool_round_trip(llm: AzureChatOpenAIAudio) -> list[BaseMessage]:
    """Call, answer the call, get the spoken answer: by hand, without an agent."""
    with_tools = llm.bind_tools([get_weather])
    history: list[BaseMessage] = [HumanMessage("What's the weather in Paris?")]
    call = with_tools.invoke(history)
    assert isinstance(call, AIMessage)
    history.append(call)
    history += [
        ToolMessage(get_weather.invoke(c["args"]), tool_call_id=c["id"]) for c in call.tool_calls
    ]
    history.append(with_tools.invoke(history))
    return history


def streamed_tool_call(llm: AzureChatOpenAIAudio) -> AIMessage:
    bound = llm.bind_tools([get_weather], tool_choice="get_weather")
    return merge_chunks(list(bound.stream("Weather in Paris, please.")))  # type: ignore[arg-type]


def structured_from_voicemail(llm: AzureChatOpenAIAudio) -> list[Any]:
    return [
        llm.with_structured_output(Voicemail).invoke(voicemail()),
        llm.with_structured_output(VoicemailDict).invoke(voicemail()),
        llm.with_structured_output(VOICEMAIL_SCHEMA, include_raw=True).invoke(voicemail()),
    ]


async def structured_from_voicemail_async(llm: AzureChatOpenAIAudio) -> Any:
    return await llm.with_structured_output(Voicemail).ainvoke(voicemail())


def speak_and_transcribe(llm: AzureChatOpenAIAudio, out_dir: Path) -> tuple[Any, str]:
    speak = SpeakTool(llm=llm, output_dir=out_dir)
    said = speak.invoke(
        {"type": "tool_call", "id": "call_speak", "name": "speak",
         "args": {"text": "Welcome aboard.", "filename": "welcome"}}
    )  # fmt: skip
    heard = TranscribeTool(llm=llm, root_dir=AUDIO).invoke({"path": "question.wav"})
    return said, heard


async def speak_and_transcribe_async(llm: AzureChatOpenAIAudio, out_dir: Path) -> tuple[Any, str]:
    speak = SpeakTool(llm=llm, output_dir=out_dir)
    said = await speak.ainvoke(
        {"type": "tool_call", "id": "call_speak", "name": "speak",
         "args": {"text": "Welcome aboard.", "filename": "welcome"}}
    )  # fmt: skip
    heard = await TranscribeTool(llm=llm, root_dir=AUDIO).ainvoke({"path": "question.wav"})
    return said, heard
