"""Every action's failure ends in a kind reply and a kept record (``actions/common/failsafe.py``).

The failing actions here fail on purpose; the real ones are made to fail through what
they read, as a bug or a forged tracker would make them.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import pkgutil
from typing import Any

import pytest
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.utils import all_subclasses

import actions
from actions.common import deps, responses
from actions.common.failsafe import FailSafe, track
from actions.handoff import ActionUrgentHelp
from actions.report_problem_send import ActionSubmitReport
from integrations.outbox import Outbox
from integrations.outbox.kinds import OPEN311_REQUEST, TRIAGE_RECORD
from tests.unit.actions.trackers import load_tracker, response_names

NI, SORT_CODE, ACCOUNT = "QQ123456C", "12-34-56", "12345678"
SECRETS = f"my NI is {NI}, sort code {SORT_CODE}, account {ACCOUNT}"

pytestmark = pytest.mark.usefixtures("council")


class ActionExplodes(FailSafe, Action):
    """Fails every time, with personal data in its error."""

    def name(self) -> str:
        return "action_test_explodes"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(response="utter_before_the_fault")
        raise RuntimeError(f"boom: {SECRETS}")


class ActionExplodesMidSubmission(FailSafe, Action):
    """Registers a report, then fails before sending or holding it."""

    keep_as = "street"

    def name(self) -> str:
        return "action_test_explodes_mid_submission"

    async def run(self, dispatcher, tracker, domain):
        track(OPEN311_REQUEST, {"service_code": "POTHOLE", "description": "hole \ud800 deep"})
        raise KeyError("lat")


class ActionExplodesAfterSending(FailSafe, Action):
    """Sends (settles) its record, then fails while answering."""

    keep_as = "other"

    def name(self) -> str:
        return "action_test_explodes_after_sending"

    async def run(self, dispatcher, tracker, domain):
        track(TRIAGE_RECORD, {"reference": "FD-ABC234"}, "FD-ABC234").settle("FD-ABC234")
        raise ValueError("late")


class ValidateExplodingForm(FailSafe, FormValidationAction):
    """A form validation action whose validator fails."""

    def name(self) -> str:
        return "validate_test_exploding_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain):
        raise TypeError("bad slot")


def _tracker(**slots: Any) -> Tracker:
    tracker = load_tracker("report_form_complete", slots=slots)
    tracker.events.append(
        {"event": "user", "text": SECRETS, "timestamp": 1763900040.0, "parse_data": {}}
    )
    return tracker


def _run(action: Action, tracker: Tracker | None = None) -> tuple[list, CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker or _tracker(), {}))
    return events, dispatcher


def _held(outbox: Outbox) -> list:
    return outbox.due(limit=50)


def test_every_action_of_the_product_is_failsafe() -> None:
    for module in pkgutil.walk_packages(actions.__path__, "actions."):
        importlib.import_module(module.name)
    product = [cls for cls in all_subclasses(Action) if cls.__module__.startswith("actions.")]
    assert len(product) >= 30
    for cls in product:
        assert issubclass(cls, FailSafe), cls
        assert getattr(cls.run, "_failsafe_guarded", False), cls


def test_a_failing_action_gives_a_kind_reply_with_the_councils_number(
    outbox: Outbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        events, dispatcher = _run(ActionExplodes())
    assert response_names(dispatcher) == ["utter_before_the_fault", responses.ACTION_FAILED]
    reply = dispatcher.messages[-1]
    assert reply["council_phone"] == "01782 234234"
    assert reply["council_name"] == "Stoke-on-Trent City Council"
    assert {"event": "active_loop", "name": None} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    assert {"event": "followup", "name": "action_listen"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    failures = [r for r in caplog.records if "action_test_explodes" in r.getMessage()]
    assert len(failures) == 1  # logged once, with the action's name
    assert _held(outbox) == []  # nothing was being sent: nothing to keep


def test_a_submission_in_flight_is_kept_in_the_outbox_cleaned(outbox: Outbox) -> None:
    _, dispatcher = _run(ActionExplodesMidSubmission())
    assert response_names(dispatcher) == [responses.ACTION_FAILED_KEPT]
    held = _held(outbox)
    assert [item.kind for item in held] == [OPEN311_REQUEST]
    assert held[0].payload["description"] == "hole deep"  # deliverable: no lone surrogate
    json.dumps(held[0].payload, ensure_ascii=False).encode("utf-8")
    assert dispatcher.messages[0]["triage_reference"] == held[0].reference


def test_a_settled_submission_is_not_kept_twice(outbox: Outbox) -> None:
    _, dispatcher = _run(ActionExplodesAfterSending())
    assert _held(outbox) == []
    assert response_names(dispatcher) == [responses.ACTION_FAILED_KEPT]
    assert dispatcher.messages[0]["triage_reference"] == "FD-ABC234"


def test_a_failing_form_validation_ends_the_form_and_listens(outbox: Outbox) -> None:
    events, dispatcher = _run(ValidateExplodingForm())
    assert response_names(dispatcher) == [responses.ACTION_FAILED]
    assert SlotSet("requested_slot", None) in events


def test_a_report_that_cannot_be_built_is_kept_for_staff_with_the_transcript_redacted(
    outbox: Outbox,
) -> None:
    events, dispatcher = _run(ActionSubmitReport(), _tracker(problem_type="no-such-problem"))
    assert response_names(dispatcher) == [responses.ACTION_FAILED_KEPT]
    (item,) = _held(outbox)
    record = item.payload
    assert item.kind == TRIAGE_RECORD and item.reference == record["reference"]
    assert record["reference"].startswith("FD-")
    assert record["conversation_id"] == "fixture-report-complete"
    assert record["category"] == "street" and record["priority"] == 3
    assert "action_submit_report" in record["summary"]
    said = " ".join(line["text"] for line in record["transcript"])
    assert "[NI number]" in said
    for secret in (NI, SORT_CODE, ACCOUNT):
        assert secret not in json.dumps(record)
    assert dispatcher.messages[0]["triage_reference"] == record["reference"]


def test_failing_urgent_help_still_gives_999_and_keeps_a_priority_one_record(
    outbox: Outbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable() -> dict:
        raise OSError("safety.yml unreadable")

    monkeypatch.setattr(deps, "safety_lines", unreadable)
    _, dispatcher = _run(ActionUrgentHelp())
    assert response_names(dispatcher) == [responses.ACTION_FAILED_URGENT]
    (item,) = _held(outbox)
    assert item.payload["priority"] == 1 and item.payload["category"] == "safeguarding"
    assert dispatcher.messages[0]["emergency_housing_phone"]


def test_when_even_the_outbox_fails_the_resident_still_gets_a_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_outbox() -> Outbox:
        raise OSError("disk full")

    monkeypatch.setattr(deps, "outbox", no_outbox)
    _, dispatcher = _run(ActionExplodesMidSubmission())
    assert response_names(dispatcher) == [responses.ACTION_FAILED]


class ActionNotesItsConversation(FailSafe, Action):
    """Logs a line, and remembers the conversation tag its log lines carry."""

    seen: str = ""

    def name(self) -> str:
        return "action_test_notes_its_conversation"

    async def run(self, dispatcher, tracker, domain):
        from lib.log_format import current_conversation

        ActionNotesItsConversation.seen = current_conversation()
        return []


def test_an_actions_log_lines_carry_its_conversation_hashed_and_only_while_it_runs() -> None:
    from lib.log_format import conversation_tag, current_conversation

    tracker = _tracker()
    _run(ActionNotesItsConversation(), tracker)
    assert ActionNotesItsConversation.seen == conversation_tag(tracker.sender_id)
    assert tracker.sender_id not in ActionNotesItsConversation.seen
    assert current_conversation() == ""
