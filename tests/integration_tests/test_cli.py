"""The command line end to end: every subcommand against cassettes/cli.json (synthetic)."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from langchain_azure_audio._azure.replay import strict_vcr
from langchain_azure_audio.cli import main
from tests import cli_flows
from tests.cassette_tools import CASSETTES


def run(name: str, out: Path) -> Result:
    args, stdin = cli_flows.commands(out)[name]
    with strict_vcr().use_cassette(str(CASSETTES / "cli.json"), allow_playback_repeats=True):
        return CliRunner().invoke(main, args, input=stdin, env=cli_flows.ENV)


def frames(path: Path) -> int:
    with wave.open(str(path)) as wav:
        return wav.getnframes()


def test_speak_saves_speech_and_prints_the_words(tmp_path: Path) -> None:
    result = run("speak", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "You said Welcome to the."
    assert "Speaking..." in result.stderr  # status goes to stderr, results to stdout
    assert frames(tmp_path / "welcome.wav") > 0
    assert run("speak-echo", tmp_path).exit_code == 0


def test_transcribe_prints_text_or_json(tmp_path: Path) -> None:
    plain = run("transcribe", tmp_path)
    assert plain.exit_code == 0, plain.output
    assert plain.stdout.strip() == "You said audio."
    as_json = run("transcribe-json", tmp_path)
    data = json.loads(as_json.stdout)
    assert data["text"] == "You said audio."
    assert data["file"].endswith("meeting.wav")
    assert data["usage"]["input_token_details"]["audio"] > 0


def test_ask_answers_in_text_and_speech(tmp_path: Path) -> None:
    result = run("ask", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "You said audio."
    assert frames(tmp_path / "answer.wav") > 0
    assert run("ask-prompt", tmp_path).exit_code == 0


def test_chat_keeps_the_conversation_and_saves_each_answer(tmp_path: Path) -> None:
    result = run("chat", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "assistant: You said Hello there..",
        "assistant: You said audio.",
        "assistant: You said And tomorrow?.",
    ]
    assert sorted(p.name for p in (tmp_path / "chat").iterdir()) == [
        "turn-1.wav", "turn-2.wav", "turn-3.wav",
    ]  # fmt: skip


def test_demo_offline_says_it_is_synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_azure_audio import chat_models
    from langchain_azure_audio._model.lifecycle import Notices

    monkeypatch.setattr(chat_models, "NOTICES", Notices())  # as in a fresh process
    result = CliRunner().invoke(main, ["demo", "--offline", "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stderr  # the banner is status: stderr
    assert "warning:" not in result.stderr  # the bundled session's placeholder deployment
    # is named like a retired preview; that is no reason to warn the user
    assert "SYNTHETIC" not in result.stdout
    assert "A: Very favorable." in result.stdout  # the answers are results: stdout
    assert frames(tmp_path / "dog.wav") > 0
    assert frames(tmp_path / "analysis.wav") > 0


# -------------------------------------------------------------- exit codes


@pytest.mark.parametrize(
    "args",
    [["speak"], ["speak", "hi", "--format", "ogg"], ["transcribe", "/no/such.wav"], ["nope"]],
    ids=["missing-argument", "bad-choice", "missing-file", "unknown-command"],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = CliRunner().invoke(main, args, env=cli_flows.ENV)
    assert result.exit_code == 2
    assert "Usage:" in result.output


def test_bad_audio_exits_1_with_one_line_and_no_traceback(tmp_path: Path) -> None:
    ogg = tmp_path / "voice.ogg"
    ogg.write_bytes(b"OggS" + bytes(64))
    result = CliRunner().invoke(main, ["transcribe", str(ogg)], env=cli_flows.ENV)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1
    assert "voice.ogg" in errors[0]
    assert "looks like an Ogg file, but PyAV could not decode it" in errors[0]
    assert "Traceback" not in result.output


def test_missing_settings_exit_1_naming_both_variables_and_the_demo() -> None:
    env = {"AZURE_OPENAI_ENDPOINT": "", "AZURE_OPENAI_DEPLOYMENT_NAME": ""}
    result = CliRunner().invoke(main, ["speak", "hi"], env=env)
    assert result.exit_code == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert "AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT_NAME are not set" in error
    assert "`langchain-azure-audio demo` (offline)" in error


@pytest.mark.parametrize(
    "command", [[], ["speak"], ["transcribe"], ["ask"], ["chat"], ["audiobook"], ["demo"]]
)
def test_help_everywhere(command: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "langchain_azure_audio", *command, "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0
    assert "Usage: langchain-azure-audio" in done.stdout
