"""CLI sessions, shared by the CLI tests and their cassette generator.

`scripts/generate_cassettes.py` runs each command against the synthetic
service and records `cassettes/cli.json`; the tests run the same commands
against that cassette.
"""

from __future__ import annotations

from pathlib import Path

from langchain_azure_audio._offline import OFFLINE_DEPLOYMENT, OFFLINE_ENDPOINT

AUDIO = Path(__file__).resolve().parents[1] / "cassettes" / "audio"
ENV = {
    "AZURE_OPENAI_ENDPOINT": OFFLINE_ENDPOINT,
    "AZURE_OPENAI_DEPLOYMENT_NAME": OFFLINE_DEPLOYMENT,
    "AZURE_OPENAI_API_KEY": "cli-test-key",
}


def commands(out: Path) -> dict[str, tuple[list[str], str | None]]:
    """Name -> (arguments, stdin) of every recorded CLI session; outputs go to `out`."""
    question, meeting = str(AUDIO / "question.wav"), str(AUDIO / "meeting.wav")
    return {
        "speak": (["speak", "Welcome to the show.", "-o", str(out / "welcome.wav")], None),
        "speak-echo": (
            ["speak", "Welcome to the show.", "-o", str(out / "echo.wav"), "--voice", "echo"],
            None,
        ),
        # each long-job command keeps its work folder in `out` (never in the current folder,
        # where a checkpoint left behind would answer the next run instead of the cassette)
        "transcribe": (["transcribe", question, "--workdir", str(out / "t.work")], None),
        "transcribe-json": (
            ["transcribe", "--json", meeting, "--workdir", str(out / "tj.work")],
            None,
        ),
        "ask": (["ask", question, "-o", str(out / "answer.wav")], None),
        "ask-prompt": (["ask", meeting, "When is the review?", "-o", str(out / "r.wav")], None),
        "chat": (
            ["chat", "--out-dir", str(out / "chat")],
            f"Hello there.\n@{question}\nAnd tomorrow?\n/quit\n",
        ),
    }
