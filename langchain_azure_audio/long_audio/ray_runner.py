"""Transcribe a batch of recordings across a Ray cluster.

The same adapter as the audiobook's (`_batch.map_with_ray`): each recording
is one Ray task, which builds its model from plain settings and the worker's
environment (pass credentials with `env`, or give the workers an Entra ID
identity) and runs `transcribe_long` with its own concurrency. `workdir` must
be a folder every worker can reach; finished segments are checkpointed there,
so a rerun after a failure requests only what is missing.

Requires `pip install "langchain-azure-audio[ray]"`.

Example:
    ```python
    import ray
    from langchain_azure_audio.long_audio import transcribe_batch_with_ray

    ray.init(address="auto")   # your cluster
    transcripts = transcribe_batch_with_ray(["a.m4a", "b.mp3"], llm=llm, workdir="/shared/tx")
    ```
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from langchain_azure_audio._batch import WorkerContext, map_with_ray, model_settings
from langchain_azure_audio.chat_models import AzureChatOpenAIAudio
from langchain_azure_audio.long_audio.transcribe import LongTranscript, transcribe_long


def _transcribe_in_worker(payload: dict[str, Any]) -> dict[str, Any]:
    llm = AzureChatOpenAIAudio(**payload["settings"])
    options = payload["options"]
    transcript = transcribe_long(llm, payload["path"], workdir=payload["workdir"], **options)
    return transcript.model_dump(mode="json")


def transcribe_batch_with_ray(
    paths: Sequence[str | Path],
    *,
    llm: AzureChatOpenAIAudio,
    workdir: str | Path,
    env: dict[str, str] | None = None,
    context: WorkerContext | None = None,
    **options: Any,
) -> list[LongTranscript]:
    """`transcribe_long` for each recording in `paths`, one Ray task per recording;
    transcripts in the order of `paths`. `options` go to `transcribe_long`
    (`segment_seconds`, `max_concurrency`, `requests_per_minute`, `instruction`)."""
    settings = model_settings(llm)
    payloads = [
        {"path": str(Path(p).resolve()), "settings": settings, "workdir": str(workdir),
         "options": options}
        for p in paths
    ]  # fmt: skip
    results = map_with_ray(_transcribe_in_worker, payloads, env=env, context=context)
    return [LongTranscript.model_validate(r) for r in results]
