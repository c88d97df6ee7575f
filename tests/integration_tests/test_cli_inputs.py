"""Every subcommand against every kind of bad input a user can type or point at.

Binary, empty, missing, huge and wrong-type files, folders where files belong
and files where folders belong: each ends in exactly one `Error:` line, exit 1
or 2, no traceback, and no request (the model is replaced by a trap).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from langchain_azure_audio import AzureChatOpenAIAudio
from langchain_azure_audio.audio import MAX_INPUT_AUDIO_BYTES, pcm16_to_wav
from langchain_azure_audio.cli import main
from tests import cli_flows

HUGE = MAX_INPUT_AUDIO_BYTES + 1


def _files(root: Path) -> dict[str, Path]:
    """One file (or folder) per kind of bad input."""
    made = {
        "binary": os.urandom(4096),
        "empty": b"",
        "huge": os.urandom(HUGE),
        "huge-wav": pcm16_to_wav(bytes(HUGE)),
        "text": b"Not audio at all, just words.\n",
        "wav": pcm16_to_wav(bytes(4800)),
        "nul-text": b"RIFF\x00\x00\x00\x00WAVEfmt plain ascii with NULs\n",
        "latin1": "Caf\xe9 cr\xe8me".encode("latin-1"),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = root / name
        paths[name].write_bytes(data)
    paths["sparse-2gib"] = root / "sparse-2gib"  # huge on paper, no disk: must never be read
    with paths["sparse-2gib"].open("wb") as handle:
        handle.truncate(2 * 2**30)
    paths["missing"] = root / "no-such-file.wav"
    paths["folder"] = root / "a-folder"
    paths["folder"].mkdir()
    return paths


# (name, arguments) for each command and each bad file argument
def _cases(f: dict[str, Path], out: Path) -> list[tuple[str, list[str], str | None]]:
    cases: list[tuple[str, list[str], str | None]] = []
    audio_kinds = ("binary", "empty", "missing", "huge", "huge-wav", "sparse-2gib", "text",
                   "folder", "latin1")  # fmt: skip
    for kind in audio_kinds:
        path = str(f[kind])
        cases.append((f"chat-{kind}", ["chat", "--out-dir", str(out / "chat")], f"@{path}\n"))
        if kind == "huge-wav":  # transcribe and ask take recordings of any length (issue 14)
            continue
        cases += [
            (f"transcribe-{kind}", ["transcribe", path], None),
            (f"ask-{kind}", ["ask", path, "-o", str(out / "a.wav")], None),
        ]
    book_kinds = ("binary", "empty", "missing", "huge", "sparse-2gib", "wav", "folder",
                  "nul-text", "latin1")  # fmt: skip
    for kind in book_kinds:
        cases.append((f"audiobook-{kind}", ["audiobook", str(f[kind]), "-o", str(out / "b.wav")],
                      None))  # fmt: skip
    wav, a_file = str(f["wav"]), str(f["text"])
    cases += [
        # outputs: a folder where a file belongs, a file where a folder belongs
        ("speak-output-folder", ["speak", "Hi", "-o", str(f["folder"])], None),
        ("speak-output-under-a-file", ["speak", "Hi", "-o", f"{a_file}/x.wav"], None),
        ("speak-output-not-audio", ["speak", "Hi", "-o", str(out / "x.txt")], None),
        ("ask-output-folder", ["ask", wav, "-o", str(f["folder"])], None),
        ("ask-output-ogg-format", ["ask", wav, "-o", str(out / "x.docx")], None),
        ("chat-out-dir-file", ["chat", "--out-dir", a_file], "Hello\n"),
        ("chat-out-dir-under-a-file", ["chat", "--out-dir", f"{a_file}/chat"], "Hello\n"),
        ("audiobook-output-folder", ["audiobook", a_file, "-o", str(f["folder"])], None),
        ("audiobook-output-mp3", ["audiobook", a_file, "-o", str(out / "b.mp3")], None),
        (
            "audiobook-per-chapter-file",
            ["audiobook", a_file, "--per-chapter", "-o", a_file],
            None,
        ),
        ("audiobook-workdir-file", ["audiobook", a_file, "--workdir", a_file], None),
        ("demo-out-dir-file", ["demo", "--out-dir", a_file], None),
        ("demo-out-dir-under-a-file", ["demo", "--out-dir", f"{a_file}/demo"], None),
        # texts and options a user can type
        ("speak-empty", ["speak", ""], None),
        ("speak-huge", ["speak", "word " * 2000], None),
        ("speak-undecodable", ["speak", "caf\udce9"], None),
        ("speak-voice", ["speak", "Hi", "--voice", "nova"], None),
        ("speak-voice-empty", ["speak", "Hi", "--voice", ""], None),
        ("speak-format", ["speak", "Hi", "--format", "ogg"], None),
        ("ask-voice", ["ask", wav, "--voice", "x"], None),
        ("chat-voice", ["chat", "--voice", "x"], "Hello\n"),
        ("chat-binary-line", ["chat", "--out-dir", str(out / "chat")], "\xff\xfe\n"),
        ("audiobook-voice", ["audiobook", a_file, "--voice", "x"], None),
        ("audiobook-concurrency-word", ["audiobook", a_file, "--concurrency", "many"], None),
        ("audiobook-concurrency-zero", ["audiobook", a_file, "--concurrency", "0"], None),
        ("audiobook-threshold-2", ["audiobook", a_file, "--threshold", "2"], None),
        ("demo-live-offline", ["demo", "--live", "--out-dir", str(out)], None),
        ("serve-voice", ["serve", "--voice", "x", "--port", "0"], None),
        ("serve-port", ["serve", "--port", "70000"], None),
        ("unknown-command", ["narrate"], None),
        ("unknown-option", ["speak", "Hi", "--loud"], None),
    ]
    return cases


@pytest.fixture
def trapped_model(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Any request fails the test (recorded here, and raised as an unexpected error)."""
    calls: list[str] = []

    def trap(self: AzureChatOpenAIAudio, *args: Any, **kwargs: Any) -> Any:
        calls.append("request")
        raise AssertionError("a request was made")

    monkeypatch.setattr(AzureChatOpenAIAudio, "_generate", trap)
    monkeypatch.setattr(AzureChatOpenAIAudio, "_agenerate", trap)
    return calls


def _case_ids() -> list[str]:
    return [name for name, _, _ in _cases(_files_stub(), Path("out"))]


def _files_stub() -> dict[str, Path]:
    names = ["binary", "empty", "huge", "huge-wav", "sparse-2gib", "text", "wav", "nul-text",
             "latin1", "missing", "folder"]  # fmt: skip
    return {name: Path(name) for name in names}


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _files(tmp_path_factory.mktemp("bad-inputs"))


@pytest.mark.parametrize("case", _case_ids())
def test_every_bad_input_is_one_line_exit_1_or_2_and_no_request(
    case: str,
    bad_files: dict[str, Path],
    trapped_model: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (args, stdin) = next((a, s) for n, a, s in _cases(bad_files, tmp_path) if n == case)
    env = dict(cli_flows.ENV)
    if case == "demo-live-offline":  # --live without settings
        env = {"AZURE_OPENAI_ENDPOINT": "", "AZURE_OPENAI_DEPLOYMENT_NAME": ""}
    stdin_bytes = stdin.encode("latin-1") if stdin and "\xff" in stdin else stdin
    result = CliRunner().invoke(main, args, env=env, input=stdin_bytes)
    assert not isinstance(result.exception, AssertionError), "a request was made"
    assert "Traceback" not in result.output
    assert result.exit_code in (1, 2), (result.exit_code, result.output)
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    assert "unexpected" not in errors[0], errors[0]  # each is a foreseen, explained error
    assert trapped_model == []


def test_the_matrix_covers_every_subcommand() -> None:
    covered = {args[0] for _, args, _ in _cases(_files_stub(), Path("out"))}
    assert set(main.commands) <= covered
