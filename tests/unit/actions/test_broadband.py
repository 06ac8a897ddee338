"""Broadband vouchers: the rules from the knowledge base, the form and the application."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions import broadband
from actions.broadband import (
    ActionBroadbandOutcome,
    ValidateBroadbandForm,
    parse_applicant,
    parse_number,
)
from actions.common import deps, responses, slots
from bot.councils.profile import cached_profile
from bot.settings import REPO_ROOT
from integrations.crm import FakeCrm
from tests.unit.actions.trackers import response_names

COUNCIL_DIR = REPO_ROOT / "kb" / "councils" / "stoke-on-trent"


def _tracker(slot_values=None):
    message = {"text": "x", "intent": {"name": "broadband_check", "confidence": 1.0}}
    return Tracker(
        "resident-bb",
        {"channel": "web", **(slot_values or {})},
        message,
        [],
        False,
        None,
        {"name": "broadband_form"},
        "action_listen",
    )


def run(coro):
    return asyncio.run(coro)


def validate(slot, value, slot_values=None):
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateBroadbandForm(), f"validate_{slot}")
    return run(method(value, dispatcher, _tracker(slot_values), {})), response_names(dispatcher)


@pytest.fixture
def crm(monkeypatch) -> FakeCrm:
    fake = FakeCrm()
    monkeypatch.setattr(deps, "crm", lambda: fake)
    monkeypatch.setattr(deps, "profile", lambda: cached_profile(COUNCIL_DIR))
    return fake


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a business", "business"),
        ("it's for my shop", "business"),
        ("my home", "resident"),
        ("just for me at my house", "resident"),
        ("banana", None),
    ],
)
def test_applicant(text, expected):
    assert parse_applicant(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", 12),
        ("about 8 mbps", 8),
        ("1,200 staff", 1200),
        ("three", 3),
        ("just me", 1),
        ("lots", None),
    ],
)
def test_numbers(text, expected):
    assert parse_number(text) == expected


def test_a_resident_is_stopped_at_once_and_told_about_help_for_residents():
    result, _ = validate("bb_applicant", "for my home")
    assert result[slots.BB_OUTCOME] == broadband.RESIDENT
    stopped = run(
        ValidateBroadbandForm().required_slots(
            ["bb_applicant", "bb_staff"],
            CollectingDispatcher(),
            _tracker({slots.BB_OUTCOME: broadband.RESIDENT}),
            {},
        )
    )
    assert stopped == []
    dispatcher = CollectingDispatcher()
    run(ActionBroadbandOutcome().run(dispatcher, _tracker({slots.BB_OUTCOME: "resident"}), {}))
    assert response_names(dispatcher) == [responses.BB_FOR_RESIDENTS]


def test_the_staff_limit_comes_from_the_knowledge_base():
    assert validate("bb_staff", "249")[0] == {slots.BB_STAFF: 249}
    assert validate("bb_staff", "250")[0][slots.BB_OUTCOME] == broadband.TOO_MANY_STAFF
    assert validate("bb_staff", "none")[1] == [responses.BB_STAFF_NOT_VALID]


def test_the_speed_threshold_comes_from_the_knowledge_base():
    assert validate("bb_speed", "29.5")[0] == {slots.BB_SPEED: 29.5}
    assert validate("bb_speed", "30 mbps")[0][slots.BB_OUTCOME] == broadband.FAST_ENOUGH


def test_a_postcode_outside_the_area_ends_the_check(crm):
    result, _ = validate("bb_postcode", "ST5 2SX")
    assert result[slots.BB_OUTCOME] == broadband.OUTSIDE_AREA
    result, _ = validate("bb_postcode", "st4 2dx")
    assert result == {slots.BB_POSTCODE: "ST4 2DX"}


def test_no_build_planned_makes_the_business_eligible_with_the_amount():
    result, said = validate("bb_build_planned", "no")
    assert result[slots.BB_OUTCOME] == broadband.ELIGIBLE
    assert said == [responses.BB_ELIGIBLE]
    assert validate("bb_build_planned", "yes")[0][slots.BB_OUTCOME] == broadband.BUILD_PLANNED
    assert validate("bb_build_planned", "I don't know")[0][slots.BB_OUTCOME] == broadband.ELIGIBLE


ELIGIBLE = {
    slots.BB_OUTCOME: broadband.ELIGIBLE,
    slots.BB_CONFIRM: True,
    slots.BB_BUSINESS_NAME: "Potteries Pots Ltd",
    slots.BB_POSTCODE: "ST4 2DX",
    slots.BB_STAFF: 12,
    slots.BB_SPEED: 8.0,
}


def test_an_eligible_business_application_is_sent_with_the_kb_amount(crm):
    dispatcher = CollectingDispatcher()
    run(ActionBroadbandOutcome().run(dispatcher, _tracker(ELIGIBLE), {}))
    sent = crm.applications[0]
    assert sent["voucher_pounds"] == 3000 and sent["staff_count"] == 12
    assert sent["conversation_id"] == "resident-bb"
    assert response_names(dispatcher) == [
        responses.BB_APPLICATION_SENT,
        responses.CASE_NEXT_STEP,
        responses.CASE_FOLLOW_UP_CALL,
    ]
    assert dispatcher.messages[0]["bb_reference"].startswith("BB-")


def test_no_confirmation_sends_nothing_and_an_outage_says_so(crm):
    dispatcher = CollectingDispatcher()
    run(
        ActionBroadbandOutcome().run(
            dispatcher, _tracker({**ELIGIBLE, slots.BB_CONFIRM: False}), {}
        )
    )
    assert crm.applications == []
    assert response_names(dispatcher) == [responses.BB_APPLICATION_NOT_SENT]
    crm.down = True
    dispatcher = CollectingDispatcher()
    run(ActionBroadbandOutcome().run(dispatcher, _tracker(ELIGIBLE), {}))
    assert response_names(dispatcher) == [responses.BB_UNAVAILABLE]


@pytest.mark.parametrize(
    "text,mbps", [("about 10", 10), ("10 mbps", 10), ("ten", 10), ("twenty five", 25)]
)
def test_a_rough_speed_is_a_speed(text, mbps):
    assert validate("bb_speed", text)[0] == {slots.BB_SPEED: mbps}


def test_an_unknown_speed_says_why_and_where_to_find_it(crm):
    dispatcher = CollectingDispatcher()
    tracker = _tracker({slots.BB_OUTCOME: broadband.SPEED_UNKNOWN, slots.BB_SPEED: "unknown"})
    events = run(ActionBroadbandOutcome().run(dispatcher, tracker, {}))
    [said] = dispatcher.messages
    assert said["response"] == responses.BB_SPEED_UNKNOWN
    assert said["bb_speed_test_url"].startswith("https://")
    assert said["bb_slow_speed"] == "30 Mbps"
    assert crm.applications == []
    assert all(event["value"] is None for event in events)


PENDING = {slots.PENDING_REQUEST: {"intent": "council_tax_account", "label": "your bill"}}


@pytest.mark.parametrize(
    "filled",
    [
        ELIGIBLE,  # sent
        {**ELIGIBLE, slots.BB_CONFIRM: False},  # not sent
        {slots.BB_OUTCOME: "resident"},  # not eligible
    ],
)
def test_a_request_made_alongside_the_check_is_offered_at_every_end(crm, filled):
    events = run(
        ActionBroadbandOutcome().run(CollectingDispatcher(), _tracker({**filled, **PENDING}), {})
    )
    assert FollowupAction("action_offer_pending_request") in events
    events = run(ActionBroadbandOutcome().run(CollectingDispatcher(), _tracker(filled), {}))
    assert FollowupAction("action_offer_pending_request") not in events
