"""Today's models (gpt-audio family): every voice, aac output, the v1 API, and an agent
with `response_format`. Shared by their tests and their cassette generator.

`scripts/generate_cassettes.py` runs each flow against the synthetic service and
records `cassettes/ga_models.json` (synthetic); the tests replay the same flows.
"""

from __future__ import annotations

from pathlib import Path

from langchain.agents import create_agent
from langchain_core.messages import AIMessage, HumanMessage
from pydantic import BaseModel, Field

from langchain_azure_audio import AzureChatOpenAIAudio, merge_chunks, save_audio
from tests.agent_flows import SYSTEM_PROMPT, get_weather, spoken_question

GA_DEPLOYMENT = "gpt-audio-1.5"
V1_ENDPOINT = "https://example-resource.openai.azure.com/openai/v1"
VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")
GREETING = "Say hello."


class WeatherReport(BaseModel):
    """Today's weather in a city."""

    city: str = Field(description="The city")
    summary: str = Field(description="The weather, in a few words")


def speak_in_each_voice(llm: AzureChatOpenAIAudio) -> dict[str, AIMessage]:
    """One short spoken answer per documented voice (the voice set per call)."""
    return {voice: llm.invoke(GREETING, voice=voice) for voice in VOICES}


def speak_aac(llm: AzureChatOpenAIAudio, folder: Path) -> tuple[AIMessage, Path]:
    answer = llm.invoke(GREETING, audio_format="aac", voice="marin")
    return answer, save_audio(answer, folder / "hello.aac")


def v1_conversation(llm: AzureChatOpenAIAudio) -> list[AIMessage]:
    """On the v1 API: a spoken answer, a streamed one, and a turn that refers back by id."""
    first = llm.invoke(GREETING)
    streamed = merge_chunks(list(llm.stream("Say goodbye.")))
    question = HumanMessage("What did you just say?")
    follow_up = llm.invoke([HumanMessage(GREETING), first, question])
    return [first, streamed, follow_up]


def agent_with_response_format(llm: AzureChatOpenAIAudio) -> object:
    """create_agent with response_format: the model's profile says no native structured
    output, so the agent uses its tool strategy and returns the parsed answer."""
    agent = create_agent(
        model=llm,
        tools=[get_weather],
        system_prompt=SYSTEM_PROMPT,
        response_format=WeatherReport,
    )
    state = agent.invoke({"messages": [spoken_question()]})
    return state["structured_response"]
