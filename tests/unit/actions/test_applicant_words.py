"""'I run a café' answers the broadband check's business-or-home question before it is asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.broadband import ValidateBroadbandForm
from actions.common.applicant_words import applicant_phrases, applicant_said


def _tracker(texts: list[str], slots: dict[str, Any] | None = None) -> Tracker:
    events = [{"event": "session_started"}]
    events += [{"event": "user", "text": text} for text in texts]
    return Tracker(
        "c1",
        slots or {},
        {"text": texts[-1], "intent": {"name": "broadband_check"}, "entities": []},
        events,
        False,
        None,
        {"name": "broadband_form"},
        "action_listen",
    )


@pytest.mark.parametrize(
    "text,said",
    [
        ("I run a café and the internet is awful", "business"),
        ("my shop's broadband is slow", "business"),
        ("can our business get a voucher?", "business"),
        ("I'm self-employed", "business"),
        ("it's for my home", "home"),
        ("broadband vouchers", None),
        ("I work in a shop", None),
    ],
)
def test_who_the_request_is_for(text, said):
    assert applicant_said([text], applicant_phrases()) == said


def test_the_latest_message_that_says_so_wins():
    texts = ["it's for my home", "actually I run a cafe"]
    assert applicant_said(texts[::-1], applicant_phrases()) == "business"


def _extract(tracker: Tracker) -> dict[str, Any]:
    form = ValidateBroadbandForm()
    return asyncio.run(form.extract_bb_applicant(CollectingDispatcher(), tracker, {}))


def test_the_form_takes_the_answer_from_the_first_message():
    assert _extract(_tracker(["I run a café, can I get a broadband voucher?"])) == {
        "bb_applicant": "business"
    }


def test_an_answer_to_the_question_itself_is_left_to_the_question():
    tracker = _tracker(["I run a café"], {"requested_slot": "bb_applicant"})
    assert _extract(tracker) == {}
    tracker = _tracker(["I run a café"], {"bb_applicant": "business"})
    assert _extract(tracker) == {}


def test_the_extracted_answer_is_validated_like_a_typed_one():
    form = ValidateBroadbandForm()
    for said, expected in (("business", "business"), ("home", "resident")):
        result = asyncio.run(
            form.validate_bb_applicant(said, CollectingDispatcher(), _tracker(["x"]), {})
        )
        assert result["bb_applicant"] == expected


def test_the_whole_form_run_skips_the_question(domain):
    tracker = _tracker(["I run a café, can I get a broadband voucher?"])
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateBroadbandForm().run(dispatcher, tracker, domain))
    values = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert values["bb_applicant"] == "business"
    assert values.get("requested_slot") != "bb_applicant"
