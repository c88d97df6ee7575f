"""The public API, listed by hand: every name a user can import today still imports.

Private modules (underscored, and the `cli` package's insides) may move freely;
these may not. The lists were taken from the package before it was laid out in
subpackages (issue 25) and are kept by hand: a name removed or renamed fails here.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import subprocess
import sys

import pytest

PUBLIC: dict[str, tuple[str, ...]] = {
    "langchain_azure_audio": (
        "ApiVersionTooOldError", "AudioDecodeError", "AudioExpiredError", "AudioTooLongError",
        "AzureAudioAuthenticationError", "AzureAudioConfigError", "AzureAudioError",
        "AzureAudioInputError", "AzureAudioRateLimitError", "AzureAudioServiceError",
        "AzureChatOpenAIAudio", "AzureChatOpenAIRealtime", "ContentFilterError",
        "DOCUMENTED_VOICES", "DeploymentNotFoundError", "InvalidAudioError", "LiveSession",
        "StreamInterruptedError",
        "VoiceNotAvailableError", "__version__", "aiter_pcm", "asave_stream", "audio_block",
        "audio_bytes", "chunk_pcm", "iter_pcm", "merge_chunks", "save_audio", "save_stream",
        # issue 29
        "ModelRetirementWarning", "cost_of", "get_audio_cost_callback",
    ),
    "langchain_azure_audio.audio": (
        "INPUT_FORMATS", "InputFormat", "MAX_INPUT_AUDIO_BYTES", "OUTPUT_FORMATS",
        "OutputFormat", "PCM16_CHANNELS", "PCM16_SAMPLE_RATE", "PCM16_SAMPLE_WIDTH",
        "atomic_write_bytes", "audio_block", "audio_bytes", "build_audio_block",
        "check_audio_base64", "check_audio_bytes", "decode_base64_audio",
        "input_format_from_mime", "output_mime_type", "output_suffixes", "pcm16_to_wav",
        "save_audio", "sniff_container",
    ),
    "langchain_azure_audio.tools": (
        "SpeakInput", "SpeakTool", "TRANSCRIBE_INSTRUCTION", "TranscribeInput",
        "TranscribeTool", "VERBATIM_INSTRUCTION",
    ),
    "langchain_azure_audio.stream_audio": (
        "aiter_pcm", "asave_stream", "chunk_pcm", "iter_pcm", "save_stream",
    ),
    "langchain_azure_audio.errors": (
        "ApiVersionTooOldError", "AudioDecodeError", "AudioExpiredError", "AudioTooLongError",
        "AudiobookIncompleteError", "AzureAudioAuthenticationError", "AzureAudioConfigError",
        "AzureAudioError", "AzureAudioInputError", "AzureAudioRateLimitError",
        "AzureAudioServiceError", "ContentFilterError", "DeploymentNotFoundError",
        "InvalidAudioError", "VoiceNotAvailableError",
        "ModelRetirementWarning",  # issue 29
    ),
    "langchain_azure_audio.cost": (  # issue 29
        "AUDIO_TOKENS_PER_MINUTE_IN", "AUDIO_TOKENS_PER_MINUTE_OUT",
        "CHARACTERS_PER_MINUTE_SPOKEN", "CHARACTERS_PER_TEXT_TOKEN", "LIST_PRICES",
        "TEXT_TOKENS_PER_MINUTE_OUT",
        "AudioCostCallbackHandler", "Cost", "Estimate", "Price", "PriceRow", "Tokens",
        "cost_of", "estimate", "find_price", "format_usd", "get_audio_cost_callback",
        "split_usage",
    ),
    "langchain_azure_audio.chat_models": (
        "AzureChatOpenAIAudio", "DOCUMENTED_VOICES",
    ),
    "langchain_azure_audio.realtime": (
        "Audio", "AzureChatOpenAIRealtime", "Done", "Error", "Interrupted", "LiveEvent",
        "LiveSession", "Reconnected", "SpeechStarted", "SpeechStopped", "ToolCall", "ToolResult",
        "Transcript", "UserTranscript",
    ),
    "langchain_azure_audio.audiobook": (
        "AudiobookReport", "Chapter", "NARRATOR_INSTRUCTION", "RequestPacer", "SegmentFailure",
        "SegmentJob", "SegmentResult", "anarrate_book", "arender_segment", "narrate_book",
        "narrate_book_with_ray", "plan", "render_segment", "render_with_ray", "similarity",
        "split_book", "stitch",
    ),
    "langchain_azure_audio.long_audio": (
        "DEFAULT_SEGMENT_SECONDS", "LongAnswer", "LongTranscript", "PieceResult",
        "TRANSCRIPT_SUFFIXES", "aask_long", "ask_long", "atranscribe_long", "render", "to_srt",
        "to_vtt", "transcribe_batch_with_ray", "transcribe_long", "write_transcript",
    ),
    "langchain_azure_audio.serve": (
        "Conversation", "ServeOptions", "bind", "create_app", "run", "url_of",
    ),
}  # fmt: skip


@pytest.mark.parametrize("module", PUBLIC)
def test_every_public_name_imports(module: str) -> None:
    if module.endswith(".serve"):
        pytest.importorskip("starlette", reason="`serve` needs the serve extra")
    loaded = importlib.import_module(module)
    missing = [name for name in PUBLIC[module] if not hasattr(loaded, name)]
    assert missing == [], f"{module} lost {missing}"


def test_the_package_lists_what_it_exports() -> None:
    package = importlib.import_module("langchain_azure_audio")
    assert set(PUBLIC["langchain_azure_audio"]) <= set(package.__all__)


def test_the_entry_point_and_python_m_run_the_cli() -> None:
    (script,) = [
        e for e in importlib.metadata.entry_points(group="console_scripts")
        if e.name == "langchain-azure-audio"
    ]  # fmt: skip
    assert script.value == "langchain_azure_audio.cli:main"
    assert callable(script.load())
    done = subprocess.run([sys.executable, "-m", "langchain_azure_audio", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert importlib.metadata.version("langchain-azure-audio") in done.stdout
