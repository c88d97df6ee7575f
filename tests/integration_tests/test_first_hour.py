"""Issue 15: a new user's first hour with the CLI and the API, item by item.

Each test reproduces one stumble from the issue (it failed before the fix).
Requests replay `cassettes/cli.json` (synthetic) or hit a closed port on
127.0.0.1; nothing reaches the network.
"""

from __future__ import annotations

import functools
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from langchain_azure_audio import AzureAudioAuthenticationError, AzureChatOpenAIAudio
from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.cli import main
from tests import cli_flows
from tests.cassette_tools import CASSETTES

QUESTION = str(cli_flows.AUDIO / "question.wav")
NO_SETTINGS = {"AZURE_OPENAI_ENDPOINT": "", "AZURE_OPENAI_DEPLOYMENT_NAME": ""}


def cli(args: list[str], env: dict[str, str] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, args, env=cli_flows.ENV if env is None else env, input=stdin)


def replayed(args: list[str], stdin: str | None = None) -> tuple[Result, int]:
    """Run against the CLI cassette; also return how many requests were answered."""
    recorder = strict_vcr()
    with recorder.use_cassette(str(CASSETTES / "cli.json"), allow_playback_repeats=True) as tape:
        result = cli(args, stdin=stdin)
    return result, tape.play_count


def error_lines(result: Result) -> list[str]:
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if line.startswith("Error:")]


def the_error(result: Result) -> str:
    (line,) = error_lines(result)
    return line


@pytest.fixture
def closed_port() -> Iterator[str]:
    """An endpoint on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def no_sign_in(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """DefaultAzureCredential as on a machine with no sign-in at all (no `az login`, no
    managed identity, no service principal): azure-identity's own chain, trimmed to the
    credentials that decide from the environment alone, so nothing is contacted.
    Returns a list that counts the token requests."""
    import azure.identity

    for name in (
        "AZURE_CLIENT_ID",
        "AZURE_TENANT_ID",
        "AZURE_CLIENT_SECRET",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_TOKEN_CREDENTIALS",
        "AZURE_USERNAME",
    ):
        monkeypatch.delenv(name, raising=False)  # fmt: skip
    calls: list[int] = []
    real = functools.partial(
        azure.identity.DefaultAzureCredential,
        exclude_managed_identity_credential=True, exclude_cli_credential=True,
        exclude_powershell_credential=True, exclude_developer_cli_credential=True,
        exclude_shared_token_cache_credential=True,
        exclude_visual_studio_code_credential=True,
        exclude_interactive_browser_credential=True, exclude_broker_credential=True,
    )  # fmt: skip

    class Counting:
        def __init__(self) -> None:
            self._inner = real()

        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            calls.append(1)
            return self._inner.get_token(*scopes, **kwargs)

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", Counting)
    return calls


# ------------------------------------------------------------ 1. tracebacks


def test_1_audiobook_of_a_binary_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    mp3 = tmp_path / "hello_world.mp3"
    mp3.write_bytes(b"\xff\xfb\x90\x00" + bytes(range(256)) * 8)
    result, requests = replayed(["audiobook", str(mp3), "-o", str(tmp_path / "b.wav")])
    assert result.exit_code == 1
    assert "is not UTF-8 text (byte 0xff at offset 0)" in the_error(result)
    assert requests == 0


# ------------------------------------------------------- 2. keyless sign-in


KEYLESS_ENV = {**cli_flows.ENV, "AZURE_OPENAI_API_KEY": ""}


def test_2_keyless_failure_on_the_cli_is_one_line_naming_what_was_tried_and_the_fix(
    no_sign_in: list[int], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    result = cli(["speak", "Hello", "-o", str(tmp_path / "h.wav")], env=KEYLESS_ENV)
    assert result.exit_code == 1
    error = the_error(result)
    assert ".." not in error
    assert "EnvironmentCredential" in error  # what was tried
    for fix in (
        "`az login`",
        "AZURE_OPENAI_API_KEY",
        "https://cognitiveservices.azure.com/.default",
    ):
        assert fix in error
    assert "Attempted credentials" not in result.stderr
    # azure-identity's block is not printed as a warning: it is kept at DEBUG
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not loud, [r.getMessage() for r in loud]
    assert any("Attempted credentials" in r.getMessage() for r in caplog.records)


def test_2_keyless_failure_in_python_keeps_the_detail_on_the_cause(
    no_sign_in: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    llm = AzureChatOpenAIAudio(azure_endpoint="https://example-resource.openai.azure.com",
                               azure_deployment="gpt-4o-mini-audio-preview")  # fmt: skip
    with pytest.raises(AzureAudioAuthenticationError) as caught:
        llm.invoke("Hello")
    assert "\n" not in str(caught.value)
    assert ".." not in str(caught.value)
    assert "Attempted credentials" in str(caught.value.__cause__)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# ---------------------------------------------------------------- 3. offline


@pytest.mark.parametrize(
    "args",
    [
        ["speak", "Hello"],
        ["transcribe", QUESTION],
        ["ask", QUESTION],
        ["chat"],
        ["audiobook", str(cli_flows.AUDIO.parents[0] / "README.md")],
    ],
    ids=["speak", "transcribe", "ask", "chat", "audiobook"],
)
def test_3_without_settings_each_command_stops_at_once_naming_settings_and_the_demo(
    args: list[str], tmp_path: Path
) -> None:
    result = cli([*args, *(["-o", str(tmp_path / "x.wav")] if args[0] in ("speak", "ask") else [])],
                 env=NO_SETTINGS, stdin="Hello\n")  # fmt: skip
    assert result.exit_code == 1
    error = the_error(result)
    assert "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are not set" in error
    assert "`langchain-azure-audio demo` (offline)" in error
    assert "OFFLINE" not in result.output  # no pretend offline run
    assert list(tmp_path.iterdir()) == []


def test_3_offline_on_a_live_only_command_says_only_demo_runs_offline() -> None:
    result = cli(["speak", "Hello", "--offline"])
    assert result.exit_code == 2
    error = the_error(result)
    assert "only `demo` has a bundled offline session" in error
    assert "--live" not in error


def test_3_help_says_what_runs_offline() -> None:
    assert "`demo` runs offline" in cli(["--help"]).stdout
    assert "offline" in cli(["demo", "--help"]).stdout
    assert "only `demo` runs offline" in cli(["speak", "--help"]).stdout


# ---------------------------------------------- 4. checked before paying for it


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["ask", QUESTION, "-o", "reply.m4a"], "'.m4a' is not an audio file"),
        (["speak", ""], "is empty"),
        (["speak", "   "], "is empty"),
        (["speak", "Hi", "-o", "x.wav", "--format", "mp3"], "--format mp3 writes .mp3"),
        (["ask", QUESTION, ""], "is empty"),
    ],
    ids=["ask-m4a", "speak-empty", "speak-blank", "speak-suffix-vs-format", "ask-empty-prompt"],
)
def test_4_bad_outputs_and_texts_are_refused_before_any_request(
    args: list[str], words: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result, requests = replayed(args)
    assert result.exit_code == 2
    assert words in the_error(result)
    assert requests == 0
    assert list(tmp_path.iterdir()) == []


def test_4_an_ogg_output_asks_for_opus() -> None:
    from langchain_azure_audio.cli.checks import output_format

    assert output_format(Path("reply.ogg"), None, param_hint="-o") == "opus"
    assert output_format(Path("reply.opus"), None, param_hint="-o") == "opus"
    assert output_format(Path("reply"), None, param_hint="-o") == "wav"


# ------------------------------------------------------------- 5. chat goes on


def test_5_chat_reports_a_bad_line_and_goes_on(tmp_path: Path) -> None:
    stdin = f"Hello there.\n@/nope.wav\n@\n@{QUESTION}\nAnd tomorrow?\n/quit\n"
    result, _ = replayed(["chat", "--out-dir", str(tmp_path / "chat")], stdin=stdin)
    assert result.stdout.splitlines() == [
        "assistant: You said Hello there..",
        "assistant: You said audio.",
        "assistant: You said And tomorrow?.",
    ]  # the bad lines never entered the history: the recorded turns still match
    errors = error_lines(result)
    assert len(errors) == 2
    assert "/nope.wav: no such file" in errors[0]
    assert result.exit_code == 1  # something was skipped
    assert sorted(p.name for p in (tmp_path / "chat").iterdir()) == [
        "turn-1.wav", "turn-2.wav", "turn-3.wav",
    ]  # fmt: skip


# ---------------------------------------------------------------- 6. banners


def test_6_demo_offline_with_settings_says_it_was_asked_to(tmp_path: Path) -> None:
    result = cli(["demo", "--offline", "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "OFFLINE (--offline)" in result.stderr
    assert "no Azure settings found" not in result.output


def test_6_demo_with_only_the_endpoint_stops_naming_the_deployment(tmp_path: Path) -> None:
    env = {**NO_SETTINGS, "AZURE_OPENAI_ENDPOINT": cli_flows.ENV["AZURE_OPENAI_ENDPOINT"]}
    result = cli(["demo", "--out-dir", str(tmp_path)], env=env)
    assert result.exit_code == 1
    error = the_error(result)
    assert "AZURE_OPENAI_ENDPOINT is set but AZURE_OPENAI_DEPLOYMENT_NAME is not" in error
    assert "--offline" in error
    assert "OFFLINE" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_6_demo_live_without_settings_names_them_and_never_prints_none(tmp_path: Path) -> None:
    result = cli(["demo", "--live", "--out-dir", str(tmp_path)], env=NO_SETTINGS)
    assert result.exit_code == 1
    assert "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are not set" in the_error(result)
    assert "None" not in result.output
    assert "Running LIVE" not in result.output


# ------------------------------------------------------------ 7. fail fast


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_7_audiobook_fails_as_fast_as_speak_when_the_endpoint_is_unreachable(
    closed_port: str, tmp_path: Path
) -> None:
    env = {**cli_flows.ENV, "AZURE_OPENAI_ENDPOINT": closed_port}
    book = tmp_path / "book.md"
    book.write_text("# One\n\n" + "A sentence to read. " * 400)

    def timed(args: list[str]) -> tuple[float, Result]:
        started = time.monotonic()
        result = cli(args, env=env)
        return time.monotonic() - started, result

    speak_s, speak = timed(["speak", "Hello", "-o", str(tmp_path / "s.wav")])
    book_s, narrated = timed(["audiobook", str(book), "-o", str(tmp_path / "b.wav")])
    assert speak.exit_code == narrated.exit_code == 1
    assert "Could not reach" in the_error(narrated)
    assert "[Errno" in the_error(narrated)  # the OS's reason, not the transport's summary
    assert book_s < speak_s + 2.0, (book_s, speak_s)  # it was 25 s against speak's 4 s


def test_7_audiobook_asks_for_a_keyless_token_once_not_per_segment_and_retry(
    no_sign_in: list[int], tmp_path: Path
) -> None:
    book = tmp_path / "book.md"
    book.write_text("# One\n\n" + "A sentence to read. " * 400)  # 6 segments
    started = time.monotonic()
    result = cli(["audiobook", str(book), "-o", str(tmp_path / "b.wav"), "--concurrency", "4"],
                 env=KEYLESS_ENV)  # fmt: skip
    assert result.exit_code == 1
    assert "Keyless sign-in failed" in the_error(result)
    assert len(no_sign_in) <= 4  # at most the segments already in flight; no retries
    assert time.monotonic() - started < 5


# --------------------------------------------------- 8. the CLI's vocabulary


def test_8_an_unknown_voice_is_a_usage_error_in_cli_words() -> None:
    result = cli(["speak", "Hello", "--voice", "nova"])
    assert result.exit_code == 2
    error = the_error(result)
    assert "'--voice'" in error
    assert "--allow-unknown-voice" in error
    assert "allow_unknown_voice=True" not in error


def test_8_allow_unknown_voice_passes_the_voice_to_the_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def generate(self: AzureChatOpenAIAudio, *args: Any, **kwargs: Any) -> Any:
        seen.update(voice=self.voice, allow=self.allow_unknown_voice)
        raise ConnectionRefusedError(111, "stopped here by the test")

    monkeypatch.setattr(AzureChatOpenAIAudio, "_generate", generate)
    result = cli(["speak", "Hello", "--voice", "nova", "--allow-unknown-voice",
                  "-o", str(tmp_path / "n.wav")])  # fmt: skip
    assert seen == {"voice": "nova", "allow": True}
    assert "stopped here by the test" in the_error(result)


@pytest.mark.parametrize(
    "option",
    [
        ["--concurrency", "0"],
        ["--rpm", "0"],
        ["--threshold", "0"],
        ["--max-attempts", "0"],
        ["--max-chars", "10"],
        ["--pause-ms", "-1"],
    ],
)
def test_8_audiobook_numbers_out_of_range_are_usage_errors(
    option: list[str], tmp_path: Path
) -> None:
    book = tmp_path / "b.md"
    book.write_text("Hello.")
    result = cli(["audiobook", str(book), *option])
    assert result.exit_code == 2
    assert option[0] in the_error(result)


# ------------------------------------------- anything unforeseen: still one line


def test_an_unforeseen_error_is_one_line_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def broken(self: AzureChatOpenAIAudio, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(AzureChatOpenAIAudio, "_generate", broken)
    args = ["speak", "Hello", "-o", str(tmp_path / "h.wav")]
    result = cli(args)
    assert result.exit_code == 1
    assert "unexpected RuntimeError: boom" in the_error(result)
    assert "--debug" in the_error(result)
    debugged = cli(["--debug", *args])
    assert isinstance(debugged.exception, RuntimeError)  # the traceback, when asked for
