"""The Ray adapter, one for both batch jobs, on a local Ray instance (127.0.0.1 only):
audiobook segments narrated as Ray tasks, each replaying the cassette in its own
worker process; and a batch of recordings transcribed as Ray tasks against the
loopback listening service."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from langchain_azure_audio._azure.replay import replay_cassette, strict_vcr
from langchain_azure_audio.audio import pcm16_to_wav
from langchain_azure_audio.audiobook import narrate_book_with_ray
from langchain_azure_audio.long_audio import transcribe_batch_with_ray, transcribe_long
from tests import audiobook_flows as flows
from tests.cassette_tools import CASSETTES
from tests.conftest import TEST_KEY, make_llm
from tests.long_service import SyntheticListener, read_wav_pcm, serve

ray = pytest.importorskip("ray", reason="Ray is the optional [ray] extra")
pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]
CASSETTE = CASSETTES / "audiobook_small.json"


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # no phoning home
    ray.init(
        num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1",
        log_to_driver=False, configure_logging=False,
    )  # fmt: skip
    yield
    ray.shutdown()


def test_ray_narrates_the_same_book_byte_for_byte(local_ray: Any, tmp_path: Path) -> None:
    with strict_vcr().use_cassette(str(CASSETTE), allow_playback_repeats=False):
        local = flows.small_book(make_llm(), tmp_path / "local.wav", tmp_path / "local-work")
    report = narrate_book_with_ray(
        flows.SMALL_BOOK,
        tmp_path / "ray.wav",
        llm=make_llm(),
        workdir=tmp_path / "ray-work",
        max_chars=flows.SMALL_SETTINGS["max_chars"],
        pause_ms=flows.SMALL_SETTINGS["pause_ms"],
        env={"AZURE_OPENAI_API_KEY": TEST_KEY},
        context=functools.partial(replay_cassette, str(CASSETTE)),
    )
    assert (tmp_path / "ray.wav").read_bytes() == (tmp_path / "local.wav").read_bytes()
    assert report.segments == local.segments
    assert [u.key for u in report.unmatched] == [u.key for u in local.unmatched]

    again = narrate_book_with_ray(
        flows.SMALL_BOOK, tmp_path / "again.wav", llm=make_llm(), workdir=tmp_path / "ray-work",
        max_chars=flows.SMALL_SETTINGS["max_chars"], pause_ms=flows.SMALL_SETTINGS["pause_ms"],
        env={"AZURE_OPENAI_API_KEY": TEST_KEY},
    )  # fmt: skip
    assert again.requested == 0  # every segment came from the shared checkpoints


@pytest.mark.shared
def test_ray_transcribes_a_batch_of_recordings_like_one_process(
    local_ray: Any, long_recording: Any, tmp_path: Path
) -> None:
    import json

    original = read_wav_pcm(long_recording.wav.read_bytes())
    listener = SyntheticListener(
        original, json.loads(long_recording.truth.read_text())["utterances"]
    )
    minute = 60 * 24_000
    paths = []
    for name, start in (("first.wav", 0), ("later.wav", 10 * minute)):
        paths.append(tmp_path / name)
        paths[-1].write_bytes(pcm16_to_wav(original[start : start + 6 * minute].tobytes()))
    with serve(listener) as endpoint:
        llm = make_llm("gpt-audio-1.5", azure_endpoint=endpoint)
        batch = transcribe_batch_with_ray(
            paths, llm=llm, workdir=tmp_path / "shared-work", segment_seconds=200,
            env={"AZURE_OPENAI_API_KEY": TEST_KEY},
        )  # fmt: skip
        requests_by_ray = len(listener.located)
        local = [transcribe_long(make_llm("gpt-audio-1.5", azure_endpoint=endpoint), p,
                                 workdir=tmp_path / "local-work", segment_seconds=200)
                 for p in paths]  # fmt: skip
    assert [t.text for t in batch] == [t.text for t in local]
    assert [len(t.segments) for t in batch] == [len(t.segments) for t in local]
    assert all(len(t.segments) >= 2 for t in batch)
    assert requests_by_ray == sum(len(t.segments) for t in batch)
    assert batch[1].segments[0].text != batch[0].segments[0].text
