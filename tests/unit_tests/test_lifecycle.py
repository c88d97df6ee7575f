"""Retirement warnings without false alarms: published dates, once per process, never a refusal.

Every date here is injected (nothing depends on today's date). The expected dates are
Microsoft's, typed by hand from the schedule copies named in
langchain_azure_audio/_model/profiles.py: the page of 2026-09-02 for the GA models,
the retirement table of 2025-12-16 for the previews.
"""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import httpx2
import pytest
from langchain_core.messages import HumanMessage

from langchain_azure_audio import chat_models
from langchain_azure_audio._model.lifecycle import Notices
from langchain_azure_audio.errors import ModelRetirementWarning
from tests.conftest import make_llm

pytestmark = pytest.mark.filterwarnings("ignore::langchain_azure_audio.ModelRetirementWarning")

SEPT_2026_PAGE = "2026-09-02"
# model version: (retirement date, page date, the model to move to)
PUBLISHED = {
    "gpt-audio-1.5-2026-02-23": ("2027-08-24", SEPT_2026_PAGE, None),
    "gpt-audio-mini-2025-12-15": ("2027-06-15", SEPT_2026_PAGE, "gpt-audio-1.5"),
    "gpt-audio-2025-08-28": ("2027-03-02", SEPT_2026_PAGE, "gpt-audio-1.5"),
    "gpt-audio-mini-2025-10-06": ("2027-04-06", SEPT_2026_PAGE, "gpt-audio-mini-2025-12-15"),
    "gpt-4o-audio-preview-2024-12-17": ("2026-02-02", "2025-12-16", "gpt-audio"),
    "gpt-4o-mini-audio-preview-2024-12-17": (">=2026-02-28", "2025-12-16", "gpt-audio-mini"),
}


@pytest.mark.parametrize("model", PUBLISHED)
def test_the_retirement_is_reported_as_published_on_its_pages_date(model: str) -> None:
    retires, page, replacement = PUBLISHED[model]
    retirement = make_llm(model).retirement
    assert retirement is not None
    assert (retirement.date, retirement.published_on, retirement.replacement) == (
        retires, page, replacement)  # fmt: skip
    assert f"as published by Microsoft on {page}" in str(retirement)


def test_status_follows_the_published_date_of_the_day_given() -> None:
    from langchain_azure_audio._model.profiles import model_profile

    assert model_profile("gpt-audio-mini-2025-10-06", date(2027, 4, 5))["status"] == "active"
    assert model_profile("gpt-audio-mini-2025-10-06", date(2027, 4, 6))["status"] == "retired"


@pytest.mark.parametrize(
    ("today", "warned"),
    [(date(2027, 2, 4), False),  # 61 days before 2027-04-06
     (date(2027, 2, 5), True),  # 60 days before
     (date(2027, 4, 6), True),  # the day
     (date(2028, 1, 1), True)],  # long after
)  # fmt: skip
def test_a_warning_within_60_days_of_the_published_date_or_after(today: date, warned: bool) -> None:
    message = Notices().check("gpt-audio-mini-2025-10-06", today)
    assert (message is not None) == warned
    if message:
        assert "2027-04-06" in message
        assert "as published by Microsoft on 2026-09-02" in message
        assert "move to gpt-audio-mini-2025-12-15" in message


def test_once_per_process_and_version() -> None:
    notices = Notices()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            notices.check("gpt-audio-2025-08-28", date(2027, 3, 1))
        notices.check("gpt-audio", date(2027, 3, 1))  # the same version, by its bare name
    assert [w.category for w in caught] == [ModelRetirementWarning]
    assert "in 1 day" in str(caught[0].message)
    assert caught[0].message.replacement == "gpt-audio-1.5"  # type: ignore[union-attr]


def test_a_bare_name_warns_only_when_every_version_is_retiring() -> None:
    # gpt-audio-mini: 2025-10-06 retires 2027-04-06, 2025-12-15 retires 2027-06-15
    assert Notices().check("gpt-audio-mini", date(2027, 3, 1)) is None  # which one? no alarm
    assert Notices().check("gpt-audio-mini-2025-10-06", date(2027, 3, 1)) is not None
    assert "2025-12-15" in (Notices().check("gpt-audio-mini", date(2027, 5, 1)) or "")


def test_a_version_the_schedule_does_not_list_gets_no_warning() -> None:
    assert Notices().check("gpt-4o-audio-preview-2025-06-03", date(2030, 1, 1)) is None
    assert Notices().check("voice-bot-prod", date(2030, 1, 1)) is None


def test_an_error_filter_does_not_turn_a_date_into_a_failure() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Notices().check("gpt-audio-1.5", date(2027, 9, 1)) is not None


def _answering(model: str) -> Any:
    calls: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        calls.append(1)
        return httpx2.Response(200, json={
            "model": model, "usage": {"prompt_tokens": 20, "completion_tokens": 3,
                                      "total_tokens": 23},
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "Heard."}}]})  # fmt: skip

    return handler, calls


def test_a_retired_model_still_answers_and_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_models, "NOTICES", Notices(clock=lambda: date(2030, 1, 1)))
    handler, calls = _answering("gpt-4o-audio-preview-2024-12-17")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = httpx2.Client(transport=httpx2.MockTransport(handler))
        llm = make_llm("gpt-4o-audio-preview", modalities=["text"], http_client=client)
        from langchain_azure_audio import audio_block
        from tests.cassette_tools import CASSETTES

        question = HumanMessage(content=[audio_block(CASSETTES / "audio" / "question.wav")])
        answers = [llm.invoke([question]).text for _ in range(2)]
    assert answers == ["Heard.", "Heard."]
    assert len(calls) == 2  # never refused
    retirement = [w for w in caught if issubclass(w.category, ModelRetirementWarning)]
    assert len(retirement) == 1
    assert "gpt-4o-audio-preview 2024-12-17 was due to retire 2026-02-02" in str(
        retirement[0].message)  # fmt: skip
    assert "move to gpt-audio (Microsoft's replacement)" in str(retirement[0].message)


def test_the_answers_model_version_decides_for_a_custom_deployment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(chat_models, "NOTICES", Notices(clock=lambda: date(2027, 3, 1)))
    handler, _ = _answering("gpt-audio-mini-2025-10-06")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client = httpx2.Client(transport=httpx2.MockTransport(handler))
        llm = make_llm("voice-bot-prod", model_name="gpt-audio-mini", modalities=["text"],
                       http_client=client)  # fmt: skip
        assert not caught  # gpt-audio-mini: which version? not known yet, so no alarm
        from langchain_azure_audio import audio_block
        from tests.cassette_tools import CASSETTES

        llm.invoke([HumanMessage(content=[audio_block(CASSETTES / "audio" / "question.wav")])])
    assert len(caught) == 1
    assert "gpt-audio-mini 2025-10-06 retires 2027-04-06, in 36 days" in str(caught[0].message)


def test_realtime_models_warn_from_their_published_dates_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """gpt-realtime 2025-08-28 retires 2027-03-02 (Microsoft's schedule of 2026-09-02): 60 days
    before, a realtime deployment of it warns once; the previews, with no published date,
    never do."""
    from langchain_azure_audio import realtime

    assert Notices().check("gpt-realtime-2025-08-28", date(2026, 12, 31)) is None
    warned = Notices().check("gpt-realtime-2025-08-28", date(2027, 1, 1))  # 60 days before
    assert warned is not None
    assert "2027-03-02" in warned
    assert "as published by Microsoft on 2026-09-02" in warned
    assert Notices().check("gpt-4o-realtime-preview", date(2040, 1, 1)) is None
    monkeypatch.setattr(realtime, "NOTICES", Notices(clock=lambda: date(2027, 3, 1)))
    with pytest.warns(ModelRetirementWarning, match="gpt-realtime 2025-08-28 retires 2027-03-02"):
        llm = realtime.AzureChatOpenAIRealtime(
            azure_endpoint="https://example-resource.openai.azure.com", api_key="k",
            azure_deployment="gpt-realtime",
        )  # fmt: skip
    assert str(llm.retirement).startswith("gpt-realtime 2025-08-28 retires 2027-03-02")
