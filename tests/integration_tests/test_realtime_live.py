"""The live session (`llm.connect()`) against the scripted realtime server.

Every expectation is computed here from what the test did (the audio it
"played", the calls it scripted), never read back from the package. Waits are on
events (the server's log, the session's events), each bounded.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

import pytest
from langchain_core.callbacks import AsyncCallbackHandler, get_usage_metadata_callback
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import LLMResult
from langchain_core.tools import tool

from langchain_azure_audio import (
    AzureAudioAuthenticationError,
    AzureAudioInputError,
    AzureAudioRateLimitError,
    AzureChatOpenAIRealtime,
    DeploymentNotFoundError,
)
from langchain_azure_audio.realtime import LiveEvent, LiveSession
from tests.realtime_server import (
    CallTools,
    Fail,
    RealtimeServer,
    Speak,
    scripted,
    silence,
    tone,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
WAIT = 5.0  # every wait on the session or the server is bounded by this


def make(server: RealtimeServer, **kwargs: Any) -> AzureChatOpenAIRealtime:
    params: dict[str, Any] = {
        "azure_endpoint": server.endpoint,
        "azure_deployment": "gpt-realtime",
        "api_key": "live-test-key",
        "max_retries": 2,
        "timeout": WAIT,
    }
    return AzureChatOpenAIRealtime(**{**params, **kwargs})  # fmt: skip


async def until(live: LiveSession, kind: str, seen: list[LiveEvent] | None = None) -> LiveEvent:
    """The next event of `kind` (the ones before it go to `seen`), within WAIT seconds."""

    async def next_of_kind() -> LiveEvent:
        async for event in live:
            if seen is not None:
                seen.append(event)
            if event.type == kind:
                return event
        raise AssertionError(f"the session ended before a {kind!r} event")

    return await asyncio.wait_for(next_of_kind(), WAIT)


def creates_and_outputs(server: RealtimeServer, connection: int = 0) -> list[str]:
    """What the client asked for, in order: user items, tool outputs, response.create."""
    out = []
    for event in server.connections[connection].received:
        if event["type"] == "response.create":
            out.append("response.create")
        elif event["type"] == "conversation.item.create":
            out.append(event["item"]["type"] if event["item"]["type"] != "message"
                       else event["item"]["role"])  # fmt: skip
    return out


# ------------------------------------------------------------------- tools


async def test_tools_run_concurrently_then_one_response() -> None:
    """A sync and an async tool that each wait for the other to start: they finish only
    if they run at the same time (sequentially, each would time out)."""
    sync_started, async_started = threading.Event(), threading.Event()

    @tool
    def sync_lookup(city: str) -> str:
        """Look a city up."""
        sync_started.set()
        return "sync saw async" if async_started.wait(WAIT) else "alone"

    @tool
    async def async_lookup(city: str) -> str:
        """Look a city up, asynchronously."""
        async_started.set()
        return "async saw sync" if await asyncio.to_thread(sync_started.wait, WAIT) else "alone"

    steps = scripted(
        CallTools([("sync_lookup", {"city": "Rome"}), ("async_lookup", {"city": "Rome"})]),
        Speak("Both answered."),
    )
    with RealtimeServer(steps) as server:
        async with make(server).connect(tools=[sync_lookup, async_lookup]) as live:
            await live.say("Look up Rome twice.")
            seen: list[LiveEvent] = []
            await until(live, "done", seen)  # the calls
            done = await until(live, "done", seen)  # the answer after the results
            await server.await_(lambda: len(server.received("response.create")) == 2)
    results = {e.name: e.output for e in seen if e.type == "tool_result"}  # type: ignore[union-attr]
    assert results == {"sync_lookup": "sync saw async", "async_lookup": "async saw sync"}
    assert creates_and_outputs(server) == [
        "user", "response.create", "function_call_output", "function_call_output",
        "response.create"]  # fmt: skip
    assert done.message.content == "Both answered."  # type: ignore[union-attr]
    assert [type(m).__name__ for m in live.messages] == [
        "HumanMessage", "AIMessage", "ToolMessage", "ToolMessage", "AIMessage"]  # fmt: skip


@pytest.mark.parametrize("status", ["incomplete", "cancelled"])
async def test_no_tool_runs_from_a_response_that_did_not_complete(status: str) -> None:
    ran = []

    @tool
    def delete_everything(target: str) -> str:
        """Delete things."""
        ran.append(target)
        return "deleted"

    steps = scripted(CallTools([("delete_everything", {"target": "all"})], status=status),
                     Speak("Okay."))  # fmt: skip
    with RealtimeServer(steps) as server:
        async with make(server).connect(tools=[delete_everything]) as live:
            await live.say("Delete everything.")
            done = await until(live, "done")
            await live.say("Never mind.")  # the session goes on
            after = await until(live, "done")
    assert done.status == status  # type: ignore[union-attr]
    assert ran == []
    assert creates_and_outputs(server) == ["user", "response.create", "user", "response.create"]
    assert after.message.content == "Okay."  # type: ignore[union-attr]


async def test_a_tool_that_raises_answers_with_its_error_and_the_session_goes_on() -> None:
    @tool
    def flaky(n: int) -> str:
        """Sometimes fails."""
        raise ValueError(f"no luck with {n}")

    steps = scripted(CallTools([("flaky", {"n": 7})]), Speak("The tool failed."))
    with RealtimeServer(steps) as server:
        async with make(server).connect(tools=[flaky]) as live:
            await live.say("Try it.")
            seen: list[LiveEvent] = []
            await until(live, "done", seen)
            result = await until(live, "tool_result", seen)
            done = await until(live, "done", seen)
    assert result.error is True  # type: ignore[union-attr]
    (output,) = [e["item"]["output"] for e in server.received("conversation.item.create")
                 if e["item"]["type"] == "function_call_output"]  # fmt: skip
    assert output == "Error: ValueError: no luck with 7"
    assert done.message.content == "The tool failed."  # type: ignore[union-attr]


# ---------------------------------------------------------------- barge-in


CHUNK_MS = 100  # the server's audio deltas are 4800 bytes: 100 ms each


async def _answer_started(live: LiveSession, chunks: int) -> list[LiveEvent]:
    """Receive `chunks` audio events of the answer (the app "plays" them)."""
    seen: list[LiveEvent] = []
    for _ in range(chunks):
        await until(live, "audio", seen)
    return seen


async def test_speech_during_an_answer_truncates_it_at_what_was_played() -> None:
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet"
    steps = scripted(Speak(words, hold_after=5), Speak("Going on."))
    with RealtimeServer(steps) as server:
        async with make(server).connect() as live:
            await live.say("Spell.")
            seen = await _answer_started(live, 5)  # 5 x 100 ms arrived
            played = 2 * CHUNK_MS + CHUNK_MS // 2  # the app played two and a half chunks
            live.played(played)
            await live.send_audio(tone(200))  # the user speaks: server VAD hears it
            interrupted = await until(live, "interrupted", seen)
            await server.await_(lambda: bool(server.received("conversation.item.truncate")))
            await until(live, "done", seen)
            later = []
            item_id = interrupted.item_id  # type: ignore[union-attr]
            server.inject({"type": "response.output_audio.delta", "item_id": item_id,
                           "response_id": "late", "output_index": 0, "content_index": 0,
                           "delta": "AAAA"})  # fmt: skip
            await live.say("Go on.")
            await until(live, "done", later)
    (truncate,) = server.received("conversation.item.truncate")
    audio_item = next(e.item_id for e in seen if e.type == "audio")  # type: ignore[union-attr]
    assert truncate == {"type": "conversation.item.truncate", "item_id": audio_item,
                        "content_index": 0, "audio_end_ms": 250}  # fmt: skip
    assert len(server.received("response.cancel")) == 1
    assert interrupted.played_ms == 250  # type: ignore[union-attr]
    after_cut = seen[seen.index(interrupted) :]
    assert not [e for e in after_cut + later if e.type == "audio" and e.item_id == audio_item]  # type: ignore[union-attr]
    heard = live.messages[1]
    assert isinstance(heard, AIMessage)
    assert heard.content == "alpha bravo"  # 5 words arrived, 250 of their 500 ms heard: 2.5


async def test_audio_already_received_is_not_delivered_after_a_barge_in() -> None:
    """Six chunks reach the session; the app has played two when the user speaks: the
    other four, waiting in the session, must never reach it."""
    steps = scripted(Speak("one two three four five six", hold_after=6))
    with RealtimeServer(steps) as server:
        async with make(server).connect() as live:
            await live.say("Count.")
            seen = await _answer_started(live, 2)
            generated = server.connections[0].generated_ms
            await server.await_(lambda: sum(generated.values()) == 6 * CHUNK_MS)
            server.inject({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0,
                           "item_id": "item_user"})  # fmt: skip
            # the session cuts the answer before it sends the truncate: wait for that
            await server.await_(lambda: bool(server.received("conversation.item.truncate")))
            after: list[LiveEvent] = []
            interrupted = await until(live, "interrupted", after)
    assert interrupted.generated_ms == 6 * CHUNK_MS  # type: ignore[union-attr]
    assert len([e for e in seen if e.type == "audio"]) == 2
    assert [e.type for e in after if e.type == "audio"] == []


async def test_interrupt_without_playback_reports_cuts_by_wall_clock_and_never_past_generated() -> (
    None
):
    steps = scripted(Speak("one two three", hold_after=1))
    with RealtimeServer(steps) as server:
        async with make(server).connect(turn_detection=None) as live:
            await live.say("Count.")
            await _answer_started(live, 1)  # 100 ms generated and delivered
            received_at = time.monotonic()
            while time.monotonic() - received_at < 0.25:  # more wall-clock than was generated
                await asyncio.sleep(0.01)
            assert await live.interrupt() is True
            await server.await_(lambda: bool(server.received("conversation.item.truncate")))
    (truncate,) = server.received("conversation.item.truncate")
    assert truncate["audio_end_ms"] == CHUNK_MS  # capped at the 100 ms generated


async def test_interrupt_by_wall_clock_is_between_the_times_the_test_measured() -> None:
    steps = scripted(Speak("one two three four", hold_after=3))
    with RealtimeServer(steps) as server:
        async with make(server).connect(turn_detection=None) as live:
            await live.say("Count.")
            before_first = time.monotonic()
            await until(live, "audio")  # the session notes when the app got it: in between
            after_first = time.monotonic()
            await _answer_started(live, 2)  # 300 ms generated in all
            before_cut = time.monotonic()
            await live.interrupt()
            after_cut = time.monotonic()
            await server.await_(lambda: bool(server.received("conversation.item.truncate")))
    (truncate,) = server.received("conversation.item.truncate")
    shortest = int((before_cut - after_first) * 1000)
    longest = min(300, int((after_cut - before_first) * 1000) + 1)
    assert shortest <= truncate["audio_end_ms"] <= longest


async def test_interrupt_with_nothing_playing_does_nothing() -> None:
    with RealtimeServer() as server:
        async with make(server).connect() as live:
            assert await live.interrupt() is False
    assert server.received("response.cancel") == []


# ------------------------------------------------------------ reconnection


async def test_session_limit_reconnects_with_a_fresh_token_and_the_conversation() -> None:
    numbers = itertools.count(1)
    steps = scripted(Speak("First answer."), Speak("Second answer."))
    with RealtimeServer(steps, expire_after=1) as server:
        llm = make(server, api_key=None, azure_ad_token_provider=lambda: f"token-{next(numbers)}")
        async with llm.connect(instructions="Be kind.") as live:
            await live.say("First question.")
            seen: list[LiveEvent] = []
            await until(live, "done", seen)
            reconnected = await until(live, "reconnected", seen)
            await live.say("Second question.")
            done = await until(live, "done", seen)
    assert [c.headers["authorization"] for c in server.connections[:2]] == [
        "Bearer token-1", "Bearer token-2"]  # fmt: skip
    second = server.connections[1]
    assert second.session["instructions"] == "Be kind."
    restored = [e["item"] for e in second.sent("conversation.item.create")]
    assert restored[:2] == [
        {"type": "message", "role": "user",
         "content": [{"type": "input_text", "text": "First question."}]},
        {"type": "message", "role": "assistant",
         "content": [{"type": "output_text", "text": "First answer."}]},
    ]  # fmt: skip
    assert "time limit" in reconnected.reason  # type: ignore[union-attr]
    assert [e.type for e in seen].count("reconnected") == 1
    assert not [e for e in seen if e.type == "error"]
    assert done.message.content == "Second answer."  # type: ignore[union-attr]


async def test_a_dropped_socket_is_reconnected_the_same_way() -> None:
    steps = scripted(Speak("Before."), Speak("After."))
    with RealtimeServer(steps, drop_after=1) as server:
        async with make(server).connect(reconnect_delay=0.01) as live:
            await live.say("One.")
            await until(live, "done")
            reconnected = await until(live, "reconnected")
            await live.say("Two.")
            done = await until(live, "done")
    assert "dropped" in reconnected.reason  # type: ignore[union-attr]
    restored = [e["item"]["content"][0]["text"] for e in server.connections[1].sent(
        "conversation.item.create")]  # fmt: skip
    assert restored == ["One.", "Before.", "Two."]
    assert done.message.content == "After."  # type: ignore[union-attr]
    assert [m.text for m in live.messages] == ["One.", "Before.", "Two.", "After."]


async def test_audio_sent_while_reconnecting_is_held_then_sent() -> None:
    with RealtimeServer(scripted(Speak("Hi.")), expire_after=1) as server:
        async with make(server).connect(turn_detection=None) as live:
            await live.say("Hello.")
            await until(live, "done")
            await server.await_(lambda: server.connections[0].closed_at is not None)
            await live.send_audio(silence(40))  # possibly while the session reconnects
            await until(live, "reconnected")
            await server.await_(
                lambda: bool(server.connections[-1].sent("input_audio_buffer.append"))
            )
    assert len(server.received("input_audio_buffer.append")) == 1


async def test_a_refused_sign_in_at_reconnection_ends_the_session_with_that_error() -> None:
    refused = '{"error": {"code": "401", "message": "Access denied due to invalid key."}}'
    with RealtimeServer(
        scripted(Speak("Hi.")), expire_after=1, refuse={2: (401, refused)}
    ) as server:
        async with make(server, max_retries=3).connect() as live:
            await live.say("Hello.")
            with pytest.raises(AzureAudioAuthenticationError):
                async for _ in live:
                    pass
    assert len(server.handshakes) == 2  # refused once: not retried


async def test_a_missing_deployment_fails_at_connect() -> None:
    missing = '{"error": {"code": "DeploymentNotFound", "message": "not found"}}'
    with (
        RealtimeServer(refuse={1: (404, missing)}) as server,
        pytest.raises(DeploymentNotFoundError),
    ):
        async with make(server).connect():
            pass
    assert len(server.handshakes) == 1


# ---------------------------------------------------- bad input and errors


@pytest.mark.parametrize(
    ("audio", "rate", "says"),
    [(b"\x00\x01\x02", 24_000, "odd"), (bytes(480), 16_000, "16000 Hz"),
     ("not bytes", 24_000, "str")],
)  # fmt: skip
async def test_bad_audio_is_refused_before_sending(audio: Any, rate: int, says: str) -> None:
    with RealtimeServer() as server:
        async with make(server).connect() as live:
            with pytest.raises(AzureAudioInputError, match=says) as raised:
                await live.send_audio(audio, sample_rate=rate)
    assert "\n" not in str(raised.value)
    assert server.received("input_audio_buffer.append") == []


async def test_bad_say_and_played_are_refused() -> None:
    with RealtimeServer() as server:
        async with make(server).connect() as live:
            with pytest.raises(AzureAudioInputError, match="say"):
                await live.say("   ")
            with pytest.raises(AzureAudioInputError, match="milliseconds"):
                live.played("a lot")  # type: ignore[arg-type]
    assert server.received("conversation.item.create") == []


async def test_an_error_event_is_a_typed_event_and_the_session_goes_on() -> None:
    steps = scripted(Fail("rate_limit_exceeded", "Slow down."), Speak("Now fine."))
    with RealtimeServer(steps) as server:
        async with make(server).connect() as live:
            await live.say("One.")
            error = await until(live, "error")
            await live.say("Two.")
            done = await until(live, "done")
    assert isinstance(error.exception, AzureAudioRateLimitError)  # type: ignore[union-attr]
    assert "Slow down." in error.message  # type: ignore[union-attr]
    assert done.message.content == "Now fine."  # type: ignore[union-attr]


# ------------------------------------------------- callbacks, usage, preview


async def test_callbacks_total_a_live_session() -> None:
    steps = scripted(Speak("one two", pcm=tone(200)), Speak("three", pcm=tone(100)))
    with RealtimeServer(steps) as server, get_usage_metadata_callback() as totals:
        async with make(server).connect() as live:
            await live.say("A.")
            first = await until(live, "done")
            await live.say("B.")
            second = await until(live, "done")
    usages = [first.usage, second.usage]  # type: ignore[union-attr]
    (model_total,) = totals.usage_metadata.values()
    assert model_total["output_tokens"] == sum(u["output_tokens"] for u in usages)  # type: ignore[index]
    assert model_total["output_token_details"]["audio"] == 6  # 300 ms at 20 tokens a second
    assert list(totals.usage_metadata) == ["gpt-realtime-2025-08-28"]


async def test_a_response_is_reported_to_callbacks_before_the_app_sees_it_done() -> None:
    """An app that closes the session on `done` must not lose that response's cost: the
    callbacks have it before the app does."""
    seen_by_app: list[str] = []
    seen_first: list[bool] = []

    class Recorder(AsyncCallbackHandler):
        async def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
            message = response.generations[0][0].message  # type: ignore[union-attr]
            seen_first.append(message.id in seen_by_app)

    steps = scripted(Speak("one two", pcm=tone(200)), Speak("three", pcm=tone(100)))
    with RealtimeServer(steps) as server:
        async with make(server, callbacks=[Recorder()]).connect() as live:
            await live.say("A.")
            async for event in live:  # the app's own loop: it acts on `done` at once
                if event.type == "done":
                    seen_by_app.append(event.message.id)  # type: ignore[arg-type]
                    if len(seen_by_app) == 2:
                        break
                    await live.say("B.")
    assert seen_first == [False, False], (
        "the app saw a response done before the callbacks did: closing on `done` loses its cost"
    )


async def test_server_vad_reports_the_start_and_the_end_of_each_spoken_turn() -> None:
    """200 ms of speech then 20 ms chunks of quiet: the scripted service's voice detection
    ends the turn after 300 ms of quiet, at 500 ms of audio (worked by hand)."""
    steps = scripted(Speak("Heard you.", pcm=tone(100)))
    with RealtimeServer(steps, transcripts=["Is it raining?"]) as server:
        async with make(server).connect() as live:
            await live.send_audio(tone(200))
            for _ in range(20):
                await live.send_audio(silence(20))
            seen: list[LiveEvent] = []
            await until(live, "done", seen)
    kinds = [e.type for e in seen if e.type in ("speech_started", "speech_stopped",
                                                "user_transcript", "audio")]  # fmt: skip
    assert kinds == ["speech_started", "speech_stopped", "user_transcript", "audio"]
    stopped = next(e for e in seen if e.type == "speech_stopped")
    assert stopped.audio_end_ms == 500  # type: ignore[union-attr]


async def test_preview_protocol_live_session_with_push_to_talk() -> None:
    steps = scripted(Speak("Heard you.", pcm=tone(100)))
    with RealtimeServer(steps, transcripts=["What time is it?"]) as server:
        llm = make(server, azure_deployment="gpt-4o-realtime-preview",
                   api_version="2025-04-01-preview")  # fmt: skip
        async with llm.connect(turn_detection=None) as live:
            await live.send_audio(tone(300))
            await live.commit()
            seen: list[LiveEvent] = []
            done = await until(live, "done", seen)
    conn = server.connections[0]
    assert conn.session["turn_detection"] is None
    assert conn.session["input_audio_transcription"] == {"model": "whisper-1"}
    assert [e.text for e in seen if e.type == "user_transcript"] == ["What time is it?"]  # type: ignore[union-attr]
    assert [e.type for e in seen if e.type in ("audio", "transcript")][:2] == [
        "transcript",
        "audio",
    ]
    assert done.message.content == "Heard you."  # type: ignore[union-attr]
    assert [(type(m), m.text) for m in live.messages] == [
        (HumanMessage, "What time is it?"), (AIMessage, "Heard you.")]  # fmt: skip


async def test_closing_the_session_closes_the_socket_within_half_a_second() -> None:
    with RealtimeServer(scripted(Speak("long " * 50, hold_after=2))) as server:
        live = await make(server).connect().__aenter__()
        await live.say("Talk.")
        await _answer_started(live, 2)
        closing = time.monotonic()
        await live.aclose()
        await server.await_(lambda: server.connections[0].closed_at is not None)
        closed_at = server.connections[0].closed_at
    assert closed_at is not None
    assert closed_at - closing <= 0.5


async def test_the_cost_callback_prices_a_live_session() -> None:
    """Issue 29's cost callback totals a live session (issue 26 reports each answer to the
    callbacks): the expected cost is worked from the usage the server reported, at
    gpt-realtime-1.5's list prices per 1M tokens (text in $4, text out $16, audio in $32,
    audio out $64; OpenAI's model page); the scripted server reports no cached tokens."""
    from langchain_azure_audio.cost import get_audio_cost_callback

    steps = scripted(Speak("one two", pcm=tone(200)), Speak("three", pcm=tone(100)))
    with RealtimeServer(steps) as server, get_audio_cost_callback() as spent:
        async with make(server, azure_deployment="gpt-realtime-1.5").connect() as live:
            await live.say("A.")
            first = await until(live, "done")
            await live.say("B.")
            second = await until(live, "done")
    expected = 0.0
    for usage in (first.usage, second.usage):  # type: ignore[union-attr]
        audio_in = usage["input_token_details"].get("audio", 0)  # type: ignore[index]
        assert usage["input_token_details"].get("cache_read", 0) == 0  # type: ignore[index]
        audio_out = usage["output_token_details"].get("audio", 0)  # type: ignore[index]
        text_in = usage["input_tokens"] - audio_in  # type: ignore[index]
        text_out = usage["output_tokens"] - audio_out  # type: ignore[index]
        expected += (text_in * 4 + text_out * 16 + audio_in * 32 + audio_out * 64) / 1e6
    assert spent.requests == 2
    assert list(spent.costs) == ["gpt-realtime-1.5-2026-02-23"]
    assert spent.total_cost == pytest.approx(expected, abs=1e-9)
    assert spent.total_cost > 0
