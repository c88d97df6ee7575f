"""Generate the project's synthetic cassettes (`cassettes/`), marked synthetic.

    python scripts/generate_cassettes.py                    # all of them
    python scripts/generate_cassettes.py --only ga_models   # just cassettes/ga_models.json
    python scripts/generate_cassettes.py --only long_audio  # just cassettes/long_audio.json

Every cassette written here is SYNTHETIC: no byte of it came from Azure or
from `../shared`. Response bodies are shaped like the real service's (the same
fields as the real recordings, plus Azure's `prompt_filter_results` /
`content_filter_results` and Azure error bodies); the audio is speech made on
this machine by espeak-ng (resampled with sox to 24 kHz mono 16-bit), or a
generated tone when espeak-ng/sox are missing. Requests are built with the
package's own pure translation functions, so they are exactly what
`AzureChatOpenAIAudio` sends. Timestamps and ids are fixed so the output is
reproducible; `expires_at` is set far in the future so replays keep the ids
valid.

Each cassette carries `metadata.provenance` saying all this; the hygiene tests
check it.
"""

from __future__ import annotations

import io
import json
import struct
import sys
import wave
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from langchain_azure_audio._translate.messages import build_request, to_azure_messages

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_service import (
    EXPIRES_AT,
    FILTER_OK,
    RATE,
    SyntheticAzure,
    SyntheticNarrator,
    azure_error,
    b64,
    completion,
    speech_pcm16,
    sse_stream,
    wav_bytes,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "cassettes"
ENDPOINT = "https://example-resource.openai.azure.com"
API_VERSION = "2025-01-01-preview"
DEPLOYMENT = "gpt-4o-mini-audio-preview"
PROVENANCE = {
    "provenance": "synthetic",
    "generator": "scripts/generate_cassettes.py",
    "recorded_live": False,
    "audio": "speech synthesised on the generating machine (espeak-ng + sox), or a tone",
    "note": (
        "Response shapes follow the real service (see ../shared/recordings/README.md) and "
        "Azure's documented extras; nothing here was recorded from Azure or copied from "
        "../shared."
    ),
}


def input_wav(name: str, text: str) -> str:
    """Write a synthetic spoken input to cassettes/audio/NAME.wav (16 kHz); return base64."""
    pcm = speech_pcm16(text)
    with wave.open(io.BytesIO(wav_bytes(pcm))) as src:
        frames = src.readframes(src.getnframes())
    # keep the input small: 16 kHz is plenty for speech input
    pcm16k = _downsample(frames, RATE, 16_000)
    data = wav_bytes(pcm16k, 16_000)
    path = OUT / "audio" / f"{name}.wav"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return b64(data)


def _downsample(pcm: bytes, src: int, dst: int) -> bytes:
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    step = src / dst
    return struct.pack(
        f"<{int(len(samples) / step)}h",
        *(samples[int(i * step)] for i in range(int(len(samples) / step))),
    )


# ---------------------------------------------------------------- requests


def request_body(
    messages: Sequence[BaseMessage],
    *,
    modalities: Sequence[str] = ("text", "audio"),
    audio_format: str = "wav",
    stream: bool = False,
) -> dict[str, Any]:
    azure_messages, _ = to_azure_messages(messages, expired_audio="transcript")
    return build_request(
        azure_messages,
        deployment=DEPLOYMENT,
        modalities=list(modalities),
        voice="alloy",
        audio_format="pcm16" if stream else audio_format,
        stream=stream,
    )


def uri(deployment: str = DEPLOYMENT, api_version: str = API_VERSION) -> str:
    return f"{ENDPOINT}/openai/deployments/{deployment}/chat/completions?api-version={api_version}"


def interaction(
    body: dict[str, Any],
    response: dict[str, Any] | str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    request_uri: str | None = None,
) -> dict[str, Any]:
    is_stream = isinstance(response, str)
    content_type = "text/event-stream; charset=utf-8" if is_stream else "application/json"
    return {
        "request": {
            "method": "POST",
            "uri": request_uri or uri(),
            "body": json.dumps(body),
            "headers": {"Content-Type": ["application/json"]},
        },
        "response": {
            "status": {"code": status, "message": _reason(status)},
            "headers": {
                "Content-Type": [content_type],
                "apim-request-id": ["00000000-0000-4000-8000-000000000000"],
                "x-ms-region": ["Sweden Central"],
                **{k: [v] for k, v in (headers or {}).items()},
            },
            "body": {"string": response if is_stream else json.dumps(response)},
        },
    }


def _reason(status: int) -> str:
    return {
        200: "OK",
        400: "Bad Request",
        401: "Unauthorized",
        404: "Not Found",
        429: "Too Many Requests",
    }.get(status, "Error")


# ---------------------------------------------------------------- cassettes


def write(name: str, interactions: list[dict[str, Any]], description: str) -> None:
    path = OUT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    cassette = {
        "version": 1,
        "metadata": {**PROVENANCE, "description": description},
        "interactions": interactions,
    }
    path.write_text(json.dumps(cassette, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")


def audio_msg(b64_wav: str, text: str | None = None) -> HumanMessage:
    parts: list[Any] = [{"type": "text", "text": text}] if text else []
    parts.append({"type": "audio", "base64": b64_wav, "mime_type": "audio/wav"})
    return HumanMessage(content=parts)


def modalities(question: str, meeting: str) -> None:
    """The five uses of the seed's table, one interaction each."""
    items = []
    msgs: list[BaseMessage] = [HumanMessage("Is a golden retriever a good family dog?")]
    items.append(
        interaction(
            request_body(msgs),
            completion(1, "Yes, golden retrievers are gentle, patient and great with children."),
        )
    )
    msgs = [audio_msg(question)]
    items.append(
        interaction(
            request_body(msgs), completion(2, "It is sunny and mild today.", input_audio_tokens=20)
        )
    )
    msgs = [SystemMessage("Transcribe the audio verbatim."), audio_msg(meeting)]
    items.append(
        interaction(
            request_body(msgs, modalities=["text"]),
            completion(
                3,
                "Let's move the design review to Thursday at ten.",
                audio_format=None,
                input_audio_tokens=40,
            ),
        )
    )
    msgs = [audio_msg(question, "Describe in detail the spoken audio input.")]
    items.append(
        interaction(
            request_body(msgs),
            completion(4, "A calm voice asks what the weather is like.", input_audio_tokens=20),
        )
    )
    msgs = [audio_msg(meeting, "What day is the meeting moved to?")]
    items.append(
        interaction(
            request_body(msgs, modalities=["text"]),
            completion(5, "Thursday.", audio_format=None, input_audio_tokens=40),
        )
    )
    write(
        "modalities.json",
        items,
        "The five modality combinations: text->text+audio, audio->text+audio, audio->text, "
        "text+audio->text+audio, text+audio->text.",
    )


def multiturn(question: str) -> None:
    first = [audio_msg(question)]
    answer = completion(11, "It is sunny and mild today.", input_audio_tokens=20)
    audio = answer["choices"][0]["message"]["audio"]
    previous = AIMessage(content=audio["transcript"], additional_kwargs={"audio": audio})
    follow_up = HumanMessage("And tomorrow?")
    expired = AIMessage(
        content=audio["transcript"], additional_kwargs={"audio": {**audio, "expires_at": 1}}
    )
    write(
        "multiturn.json",
        [
            interaction(request_body(first), answer),
            interaction(
                request_body([*first, previous, follow_up]),
                completion(12, "Tomorrow brings light rain.", input_audio_tokens=20),
            ),
            interaction(
                request_body([*first, expired, follow_up]),
                completion(13, "Tomorrow brings light rain, I expect.", input_audio_tokens=20),
            ),
        ],
        "Multi-turn: turn 2 refers to turn 1's audio by id; a variant where the id expired "
        "sends the transcript instead.",
    )


def streams(question: str) -> None:
    hello = HumanMessage("Say hello to the listeners.")
    text_only = [audio_msg(question, "What is asked here? Answer in one sentence.")]
    greeting = "Hello to all our listeners, welcome back."
    streamed = AIMessage(
        content=greeting,
        additional_kwargs={"audio": {"id": "audio_synthetic_0021", "data": "",
                                     "expires_at": EXPIRES_AT, "transcript": greeting}},
    )  # fmt: skip
    story = sse_stream(24, "Once upon a time a small robot learned to sing to the stars.")
    events = story.split("\n\n")
    cut_off = "\n\n".join(events[: len(events) // 2]) + '\n\ndata: {"id": "chatcm'
    server_error = (
        "\n\n".join(events[: len(events) // 3])
        + "\n\ndata: "
        + json.dumps({"error": {"message": "The server had an error while processing your "
                                "request. Sorry about that!", "type": "server_error",
                                "param": None, "code": "server_error"}})
        + "\n\n"
    )  # fmt: skip
    write(
        "streams.json",
        [
            interaction(request_body([hello], stream=True), sse_stream(21, greeting)),
            interaction(
                request_body(text_only, modalities=["text"], stream=True),
                sse_stream(22, "The speaker asks about the weather.", audio=False),
            ),
            interaction(
                request_body([hello, streamed, HumanMessage("Now say goodbye.")], stream=True),
                sse_stream(23, "Goodbye, and thanks for listening."),
            ),
            interaction(request_body([HumanMessage("Read me a story.")], stream=True), cut_off),
            interaction(
                request_body([HumanMessage("Read me another story.")], stream=True), server_error
            ),
        ],
        "Streams with every real quirk (no-choices chunks, repeated id, usage before the last "
        "chunk, no finish_reason) and audio deltas of odd byte lengths carrying padding; a "
        "text-only stream; a follow-up turn referring to a streamed answer by id; a body cut "
        "off half-way; an error event mid-stream.",
    )


def service_errors() -> None:
    def ask(text: str) -> dict[str, Any]:
        return request_body([HumanMessage(text)])

    cf_result = {**FILTER_OK, "violence": {"filtered": True, "severity": "high"}}
    filtered = completion(34, "I can't help with that.")
    filtered["choices"][0]["finish_reason"] = "content_filter"
    filtered["choices"][0]["content_filter_results"] = cf_result
    write(
        "service_errors.json",
        [
            interaction(
                ask("Describe something violent."),
                azure_error(
                    "content_filter",
                    "The response was filtered due to the prompt triggering Azure OpenAI's content "
                    "management policy. Please modify your prompt and retry.",
                    param="prompt",
                    status=400,
                    innererror={
                        "code": "ResponsibleAIPolicyViolation",
                        "content_filter_result": cf_result,
                    },
                ),
                status=400,
            ),
            interaction(
                ask("Hello?"),
                azure_error(
                    "DeploymentNotFound",
                    "The API deployment for this resource does not exist. If you created the "
                    "deployment within the last 5 minutes, please wait a moment and try again.",
                ),
                status=404,
                request_uri=uri("no-such-deployment"),
            ),
            interaction(
                ask("Hello?"),
                azure_error(
                    "401",
                    "Access denied due to invalid subscription key or wrong API endpoint. Make "
                    "sure to provide a valid key for an active subscription and use a correct "
                    "regional API endpoint for your resource.",
                ),
                status=401,
                request_uri=uri("wrong-key"),
            ),
            interaction(
                ask("Hello?"),
                {
                    "error": {
                        "message": "Unrecognized request argument supplied: modalities",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": None,
                    }
                },
                status=400,
                request_uri=uri(api_version="2024-06-01"),
            ),
            interaction(
                ask("Hello?"),
                azure_error(
                    "429",
                    "Requests to the ChatCompletions_Create Operation under Azure OpenAI API "
                    "version 2025-01-01-preview have exceeded token rate limit of your current "
                    "AIServices S0 pricing tier. Please retry after 7 seconds.",
                ),
                status=429,
                headers={"Retry-After": "7"},
                request_uri=uri("busy-deployment"),
            ),
            interaction(ask("Tell me a violent story."), filtered),
        ],
        "Azure error bodies: content filter (400 and finish_reason on a 200), deployment not "
        "found, invalid key, api-version without audio support, rate limit.",
    )


def demo_session() -> None:
    """The offline demo: the seed's three scenarios, chained like the live demo runs them."""
    q1 = HumanMessage("Is a golden retriever a good family dog?")
    a1 = completion(
        41,
        "Yes, golden retrievers make wonderful family dogs. They are friendly, "
        "patient and love children.",
    )
    dog_wav = a1["choices"][0]["message"]["audio"]["data"]
    q2 = audio_msg(dog_wav, "Describe in detail the spoken audio input.")
    a2 = completion(
        42,
        "A friendly voice says golden retrievers are wonderful family dogs, "
        "friendly, patient and good with children.",
        input_audio_tokens=60,
    )
    audio2 = a2["choices"][0]["message"]["audio"]
    q3 = HumanMessage("Very concisely summarize the favorability.")
    a3 = completion(43, "Very favorable.", input_audio_tokens=60)
    turn2 = AIMessage(content=audio2["transcript"], additional_kwargs={"audio": audio2})
    transcribe = [
        SystemMessage("Transcribe the audio verbatim."),
        HumanMessage(content=[{"type": "audio", "base64": dog_wav, "mime_type": "audio/wav"}]),
    ]
    a4 = completion(
        44,
        "Yes, golden retrievers make wonderful family dogs. They are friendly, patient and "
        "love children.",
        audio_format=None,
        input_audio_tokens=60,
    )
    write(
        "demo/session.json",
        [
            interaction(request_body([q1]), a1),
            interaction(request_body([q2]), a2),
            interaction(request_body([q2, turn2, q3]), a3),
            interaction(request_body(transcribe, modalities=["text"]), a4),
        ],
        "The offline demo session: text->audio (dog.wav), audio->text+audio (analysis.wav), "
        "multi-turn by audio id; plus the transcription example of docs/quickstart.md.",
    )


def record_agents() -> None:
    """Run the agent/tool flows (tests/agent_flows.py) against the synthetic service, recording."""
    import asyncio
    import tempfile

    import httpx2

    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio._azure.replay import strict_vcr

    sys.path.insert(0, str(ROOT))
    from tests import agent_flows as flows

    service = SyntheticAzure()
    llm = AzureChatOpenAIAudio(
        azure_endpoint=ENDPOINT,
        azure_deployment=DEPLOYMENT,
        api_key="synthetic",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(service)),
        http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(service)),
    )
    path = OUT / "agents.json"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch, strict_vcr("all").use_cassette(str(path)):
        flows.agent_answers_a_spoken_question(llm)
        asyncio.run(flows.agent_answers_a_spoken_question_async(llm))
        flows.tool_round_trip(llm)
        flows.streamed_tool_call(llm)
        flows.structured_from_voicemail(llm)
        asyncio.run(flows.structured_from_voicemail_async(llm))
        flows.speak_and_transcribe(llm, Path(scratch))
        asyncio.run(flows.speak_and_transcribe_async(llm, Path(scratch)))
    stamp(
        path,
        "Agents and tools: create_agent answering a spoken question with a tool, a "
        "tool-call round trip, a streamed tool call, structured output from a voicemail, the "
        "speak/transcribe tools. Recorded from tests/agent_flows.py run against the "
        "synthetic service (scripts/synthetic_service.py); tool-call responses follow the "
        "service's documented shape.",
    )


def record_cli() -> None:
    """Run the CLI sessions (tests/cli_flows.py) against the synthetic service, recording."""
    import tempfile

    import httpx2
    from click.testing import CliRunner

    from langchain_azure_audio._azure.replay import strict_vcr
    from langchain_azure_audio.cli import commands as cli

    sys.path.insert(0, str(ROOT))
    from tests import cli_flows

    service = SyntheticAzure()
    real_build = cli.build_model

    def synthetic_model(**settings: Any) -> Any:
        transport = httpx2.MockTransport(service)
        return real_build(**settings, http_client=httpx2.Client(transport=transport))

    cli.build_model = synthetic_model  # type: ignore[assignment]
    path = OUT / "cli.json"
    path.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory() as scratch, strict_vcr("all").use_cassette(str(path)):
            for name, (args, stdin) in cli_flows.commands(Path(scratch)).items():
                result = CliRunner().invoke(cli.main, args, input=stdin, env=cli_flows.ENV)
                assert result.exit_code == 0, (name, result.output)
    finally:
        cli.build_model = real_build  # type: ignore[assignment]
    stamp(
        path,
        "The command line: speak, transcribe (text and --json), ask, and a chat "
        "session, recorded from tests/cli_flows.py run against the synthetic service.",
    )


def record_audiobooks() -> None:
    """Narrate the small book and the 50-page book against the synthetic narrator, recording."""
    import tempfile

    import httpx2

    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio._azure.replay import strict_vcr

    sys.path.insert(0, str(ROOT))
    from tests import audiobook_flows as flows

    def narrator_llm(narrator: SyntheticNarrator) -> AzureChatOpenAIAudio:
        transport = httpx2.MockTransport(narrator)
        return AzureChatOpenAIAudio(
            azure_endpoint=ENDPOINT, azure_deployment=DEPLOYMENT, api_key="synthetic",
            max_retries=0, http_async_client=httpx2.AsyncClient(transport=transport),
        )  # fmt: skip

    runs = [
        ("audiobook_small.json", SyntheticNarrator(skips={"lighthouse lamp": 1},
                                                   never=("Zanzibar",)), flows.small_book,
         "A two-chapter story narrated with espeak-ng speech; the segment with 'lighthouse "
         "lamp' is read unfaithfully once (then regenerated), the one with 'Zanzibar' never "
         "faithfully (reported)."),
        ("audiobook_fifty_pages.json", SyntheticNarrator(speech=False), flows.fifty_pages,
         "The 50-page book of scripts/generate_book.py, each segment answered with a 0.1 s "
         "tone instead of speech to keep the cassette small; every reading faithful."),
    ]  # fmt: skip
    for name, narrator, flow, description in runs:
        path = OUT / name
        path.unlink(missing_ok=True)
        with tempfile.TemporaryDirectory() as scratch, strict_vcr("all").use_cassette(str(path)):
            flow(narrator_llm(narrator), Path(scratch) / "book.wav", Path(scratch) / "work")
        stamp(path, description)


def record_ga_models() -> None:
    """Run today's-models flows (tests/ga_flows.py) against the synthetic service, recording."""
    import tempfile

    import httpx2

    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio._azure.replay import strict_vcr

    sys.path.insert(0, str(ROOT))
    from tests import ga_flows as flows

    service = SyntheticAzure()

    def llm(endpoint: str) -> AzureChatOpenAIAudio:
        return AzureChatOpenAIAudio(
            azure_endpoint=endpoint, azure_deployment=flows.GA_DEPLOYMENT, api_key="synthetic",
            max_retries=0, http_client=httpx2.Client(transport=httpx2.MockTransport(service)),
        )  # fmt: skip

    path = OUT / "ga_models.json"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch, strict_vcr("all").use_cassette(str(path)):
        flows.speak_in_each_voice(llm(ENDPOINT))
        flows.speak_aac(llm(ENDPOINT), Path(scratch))
        flows.v1_conversation(llm(flows.V1_ENDPOINT))
        flows.agent_with_response_format(llm(ENDPOINT))
    stamp(
        path,
        "Today's models (deployment gpt-audio-1.5): a short answer in each of the ten "
        "voices, an aac answer (encoded with PyAV's AAC encoder), a conversation on the v1 "
        "API (POST {resource}/openai/v1/chat/completions, no api-version, deployment in the "
        "body's model), and create_agent with response_format (tool strategy). Recorded "
        "from tests/ga_flows.py run against the synthetic service.",
    )


def record_long_audio() -> None:
    """Run the long-recordings session (tests/long_flows.py) against the listening
    service, recording; the pieces' audio is stored as SHA-256 digests."""
    import tempfile

    import httpx2

    from langchain_azure_audio import AzureChatOpenAIAudio
    from langchain_azure_audio._azure.replay import digest_cassette_audio, strict_vcr

    sys.path.insert(0, str(ROOT))
    from tests import long_flows as flows

    path = OUT / "long_audio.json"
    path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as scratch, strict_vcr("all").use_cassette(str(path)):
        listener = flows.listener_for(Path(scratch))
        llm = AzureChatOpenAIAudio(
            azure_endpoint=ENDPOINT, azure_deployment="gpt-audio-1.5", api_version=API_VERSION,
            api_key="synthetic", max_retries=0,
            http_async_client=httpx2.AsyncClient(transport=httpx2.MockTransport(listener)),
        )  # fmt: skip
        flows.session(llm, Path(scratch))
    digest_cassette_audio(str(path))
    stamp(
        path,
        "Long recordings: meeting.wav (about 100 s, built by tests/long_flows.py from the "
        "synthetic spoken inputs in cassettes/audio, with a 25 s silence) transcribed in 30 s "
        "pieces, then asked about (notes per piece, one spoken answer). Answered by the "
        "listening service in tests/long_service.py, which finds each piece in the "
        "recording. Input audio longer than 4 KiB of base64 is stored as its SHA-256 "
        "(`sha256:<hex>`); the replay matcher compares digests.",
    )


def stamp(path: Path, description: str) -> None:
    """Mark a recorded cassette synthetic, with what it holds."""
    cassette = json.loads(path.read_text())
    cassette = {
        "version": cassette["version"],
        "metadata": {**PROVENANCE, "description": description},
        "interactions": cassette["interactions"],
    }
    path.write_text(json.dumps(cassette, indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    question = input_wav("question", "What is the weather like today?")
    meeting = input_wav("meeting", "Let's move the design review to Thursday at ten.")
    modalities(question, meeting)
    multiturn(question)
    streams(question)
    service_errors()
    demo_session()
    record_agents()
    record_cli()
    record_audiobooks()
    record_ga_models()
    record_long_audio()


ONLY = {"ga_models": record_ga_models, "long_audio": record_long_audio}

if __name__ == "__main__":
    if sys.argv[1:2] == ["--only"] and sys.argv[2:3] and sys.argv[2] in ONLY:
        ONLY[sys.argv[2]]()
    else:
        main()
