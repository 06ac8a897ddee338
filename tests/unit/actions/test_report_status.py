"""Checking a report by reference (``actions/report_status.py``).

The CRM is the in-memory fake and held reports live in a temporary outbox; each test
checks the events returned and the response names the dispatcher collected.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps
from actions.report_status import (
    ActionAskStatusReference,
    ActionCheckReportStatus,
    ValidateStatusForm,
)
from integrations.crm import FakeCrm
from integrations.crm.models import Application, Case, Identity
from integrations.directory.fake import FakeDirectory
from integrations.directory.models import Booking
from integrations.open311 import ServiceRequest
from integrations.open311.fake import FakeOpen311Client
from integrations.outbox import Outbox
from integrations.outbox.kinds import OPEN311_REQUEST
from integrations.triage.errors import TriageRejected, TriageUnavailable
from tests.unit.actions.trackers import entity, load_tracker, response_names, tracker_state

pytestmark = pytest.mark.usefixtures("council", "crm", "outbox")

DONE = [SlotSet("status_reference", None)]
PAYLOAD = {"service_code": "POTHOLE", "description": "Deep pothole", "lat": None, "long": None}


# --- the form's validation -------------------------------------------------------------


def validate(value: Any, attempts: float = 0) -> tuple[dict[str, Any], list]:
    """Call ``validate_status_reference`` directly."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("status_form", slots={"status_attempts": attempts})
    result = asyncio.run(
        ValidateStatusForm().validate_status_reference(value, dispatcher, tracker, {})
    )
    return result, response_names(dispatcher)


@pytest.mark.parametrize(
    "typed,reference",
    [
        ("sr 7k3q9x", "SR-7K3Q9X"),
        ("SR-7K3Q9X", "SR-7K3Q9X"),
        ("sr7k3q9x", "SR-7K3Q9X"),
        ("it's SR 7K3Q9X thanks", "SR-7K3Q9X"),
        ("hr-ab23cd", "HR-AB23CD"),
    ],
)
def test_reference_in_any_form_is_made_canonical(typed, reference):
    result, sent = validate(typed, attempts=2)
    assert result == {"status_reference": reference, "status_attempts": 0}
    assert sent == []


@pytest.mark.parametrize("typed", ["I don't know", "SR-0O1I00", "12345", "", None])
def test_unreadable_reference_asks_again_and_counts(typed):
    result, sent = validate(typed)
    assert result == {"status_reference": None, "status_attempts": 1}
    assert sent == ["utter_reference_not_valid"]


def test_second_unreadable_reference_still_asks_again():
    result, sent = validate("lost it", attempts=1)
    assert result == {"status_reference": None, "status_attempts": 2}
    assert sent == ["utter_reference_not_valid"]


def test_third_unreadable_reference_gives_up_so_the_form_can_end():
    result, sent = validate("lost it", attempts=2)
    assert result == {"status_reference": "none", "status_attempts": 0}
    assert sent == ["utter_reference_give_up"]


def run_form(tracker: Tracker, domain: dict[str, Any]) -> tuple[list, list]:
    """Run ``validate_status_form`` as Rasa calls it."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateStatusForm().run(dispatcher, tracker, domain))
    return events, response_names(dispatcher)


def test_run_accepts_a_typed_reference(domain):
    tracker = load_tracker("status_form", candidates={"status_reference": "sr 7k3q9x"})
    assert tracker.slots_to_validate() == {"status_reference": "sr 7k3q9x"}
    events, sent = run_form(tracker, domain)
    assert events == [SlotSet("status_reference", "SR-7K3Q9X"), SlotSet("status_attempts", 0)]
    assert sent == []


def test_run_gives_up_on_the_third_try_and_fills_the_slot(domain):
    text = "the one from last tuesday"
    tracker = load_tracker(
        "status_form",
        slots={"status_attempts": 2.0},
        text=text,
        entities=[],
        candidates={"status_reference": text},
    )
    events, sent = run_form(tracker, domain)
    assert events == [SlotSet("status_reference", "none"), SlotSet("status_attempts", 0)]
    assert sent == ["utter_reference_give_up"]
    # Every slot the form requires is now filled, so Rasa ends the form.
    assert all(
        tracker.get_slot(slot) is not None
        for slot in domain["forms"]["status_form"]["required_slots"]
    )


def test_run_with_a_reference_entity_uses_the_canonical_value(domain):
    text = "SR-7K3Q9X"
    tracker = load_tracker(
        "status_form",
        text=text,
        entities=[entity("reference", "SR-7K3Q9X", text)],
        candidates={"status_reference": "SR-7K3Q9X"},
    )
    events, sent = run_form(tracker, domain)
    assert events[0] == SlotSet("status_reference", "SR-7K3Q9X")
    assert sent == []


# --- the status check ------------------------------------------------------------------


def check(reference: str | None) -> tuple[list, CollectingDispatcher]:
    """Run ``action_check_report_status`` with the reference in the slot."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("status_check", slots={"status_reference": reference})
    events = asyncio.run(ActionCheckReportStatus().run(dispatcher, tracker, {}))
    return events, dispatcher


def add_report(
    crm: FakeOpen311Client,
    reference: str = "SR-7K3Q9X",
    status: str = "open",
    notes: str = "",
    service_code: str = "POTHOLE",
    service_name: str = "",
) -> None:
    """Put a report into the fake CRM."""
    crm.requests[reference] = ServiceRequest(
        service_request_id=reference,
        status=status,
        service_code=service_code,
        service_name=service_name,
        status_notes=notes,
    )


@pytest.mark.parametrize(
    "status,notes,response",
    [
        ("open", "An inspector will visit on Tuesday.", "utter_status_open"),
        ("open", "", "utter_status_open_no_notes"),
    ],
)
def test_status_of_a_crm_report(crm, status, notes, response):
    add_report(crm, status=status, notes=notes)
    events, dispatcher = check("SR-7K3Q9X")
    assert events == DONE
    assert response_names(dispatcher) == [response]
    [message] = dispatcher.messages
    assert message["status_reference"] == "SR-7K3Q9X"
    assert message["status_service"] == "pothole"
    assert message["status_notes"] == notes


@pytest.mark.parametrize(
    "service_code,service_name,label",
    [
        ("STREETLIGHT", "Street lighting", "street light fault"),
        ("ABANDONED", "Abandoned vehicle", "Abandoned vehicle"),
        ("ABANDONED", "", "street"),
    ],
)
def test_service_is_named_from_the_profile_then_the_crm(crm, service_code, service_name, label):
    add_report(crm, service_code=service_code, service_name=service_name)
    _, dispatcher = check("SR-7K3Q9X")
    assert dispatcher.messages[0]["status_service"] == label


def test_unknown_reference_is_not_found(crm):
    events, dispatcher = check("SR-22222A")
    assert events == DONE
    assert response_names(dispatcher) == ["utter_status_not_found"]
    assert dispatcher.messages[0]["status_reference"] == "SR-22222A"


def test_crm_down_says_so(crm):
    add_report(crm)
    crm.available = False
    events, dispatcher = check("SR-7K3Q9X")
    assert events == DONE
    assert response_names(dispatcher) == ["utter_status_unavailable"]


def test_held_report_waiting_for_the_crm(crm, outbox: Outbox):
    reference = outbox.hold(OPEN311_REQUEST, PAYLOAD)
    crm.available = False
    events, dispatcher = check(reference)
    assert events == DONE
    assert response_names(dispatcher) == ["utter_status_summary"]
    assert dispatcher.messages[0]["status_reference"] == reference
    assert "waiting to be sent" in dispatcher.messages[0]["status_meaning"]


def test_held_report_since_delivered_gives_both_references_and_the_status(crm, outbox: Outbox):
    reference = outbox.hold(OPEN311_REQUEST, PAYLOAD)
    add_report(crm, "SR-7K3Q9X", status="open", notes="Booked for repair.")
    outbox.mark_delivered(reference, "SR-7K3Q9X")
    events, dispatcher = check(reference)
    assert events == DONE
    assert response_names(dispatcher) == ["utter_status_held_delivered", "utter_status_open"]
    held, crm_status = dispatcher.messages
    assert held["status_reference"] == reference
    assert held["report_reference"] == "SR-7K3Q9X"
    assert crm_status["status_reference"] == "SR-7K3Q9X"
    assert crm_status["status_notes"] == "Booked for repair."


def test_held_report_delivered_while_the_crm_is_down(crm, outbox: Outbox):
    reference = outbox.hold(OPEN311_REQUEST, PAYLOAD)
    outbox.mark_delivered(reference, "SR-7K3Q9X")
    crm.available = False
    _, dispatcher = check(reference)
    assert response_names(dispatcher) == [
        "utter_status_held_delivered",
        "utter_status_unavailable",
    ]


def test_unknown_held_reference_is_not_found(crm):
    events, dispatcher = check("HR-AB23CD")
    assert events == DONE
    assert response_names(dispatcher) == ["utter_status_not_found"]
    assert dispatcher.messages[0]["status_reference"] == "HR-AB23CD"


@pytest.mark.parametrize("reference", ["none", None, ""])
def test_no_reference_says_nothing_more(crm, reference):
    add_report(crm)
    events, dispatcher = check(reference)
    assert events == DONE
    assert dispatcher.messages == []


# --- closed reports and the other kinds of reference -------------------------------------


@pytest.mark.parametrize(
    "notes,meaning,next_step",
    [
        ("Closed: private land.", "private land", "landowner"),
        ("Repaired on 3 March.", "fixed it", "report it again"),
        ("", "is closed.", "report it again"),
    ],
)
def test_a_closed_report_says_why_and_what_to_do_never_still_waiting(
    crm, notes, meaning, next_step
):
    add_report(crm, status="closed", notes=notes)
    events, dispatcher = check("SR-7K3Q9X")
    assert events == DONE
    summary = "utter_status_summary_notes" if notes else "utter_status_summary"
    assert response_names(dispatcher) == [summary]
    [message] = dispatcher.messages
    assert message["status_reference"] == "SR-7K3Q9X"
    assert message["status_notes"] == notes
    assert meaning in message["status_meaning"]
    assert next_step in message["status_next_step"]
    assert "waiting" not in message["status_meaning"] + message["status_next_step"]


class FakeTriage:
    """Triage records by reference; ``available`` False is an outage."""

    def __init__(self, records: dict[str, str], available: bool = True) -> None:
        self.records, self.available, self.asked = records, available, []

    async def get(self, reference: str) -> dict[str, Any]:
        self.asked.append(reference)
        if not self.available:
            raise TriageUnavailable("down")
        if reference not in self.records:
            raise TriageRejected(404, "not found")
        return {"reference": reference, "status": self.records[reference]}


@pytest.mark.parametrize(
    "status,meaning",
    [
        ("new", "waiting for a member of staff"),
        ("claimed", "being handled"),
        ("resolved", "finished"),
    ],
)
def test_a_triage_reference_is_looked_up_in_the_triage_queue_not_open311(
    crm, monkeypatch, status, meaning
):
    triage = FakeTriage({"FD-7K3Q9X": status})
    monkeypatch.setattr(deps, "triage", lambda: triage)
    events, dispatcher = check("FD-7K3Q9X")
    assert events == DONE
    assert triage.asked == ["FD-7K3Q9X"]
    assert crm.requests == {}
    assert response_names(dispatcher) == ["utter_status_summary"]
    assert meaning in dispatcher.messages[0]["status_meaning"]


def test_an_unknown_triage_reference_is_not_found_after_asking_the_queue(crm, monkeypatch):
    triage = FakeTriage({})
    monkeypatch.setattr(deps, "triage", lambda: triage)
    _, dispatcher = check("FD-7K3Q9X")
    assert triage.asked == ["FD-7K3Q9X"]
    assert response_names(dispatcher) == ["utter_status_not_found"]


def test_triage_queue_down_says_so(crm, monkeypatch):
    monkeypatch.setattr(deps, "triage", lambda: FakeTriage({}, available=False))
    _, dispatcher = check("FD-7K3Q9X")
    assert response_names(dispatcher) == ["utter_status_unavailable"]


def test_a_pc_booking_is_looked_up_in_the_directory(crm, monkeypatch):
    directory = FakeDirectory([])
    booking = Booking(
        "PC-7K3Q9X",
        "cancelled",
        "lib-1",
        "Central Library",
        3,
        date(2027, 1, 4),
        "10:00",
        "11:00",
        60,
    )
    directory.bookings["PC-7K3Q9X"] = booking
    monkeypatch.setattr(deps, "directory", lambda: directory)
    _, dispatcher = check("PC-7K3Q9X")
    assert response_names(dispatcher) == ["utter_status_summary"]
    assert "cancelled" in dispatcher.messages[0]["status_meaning"]
    _, dispatcher = check("PC-22222A")
    assert response_names(dispatcher) == ["utter_status_not_found"]


def test_council_tax_and_broadband_references_are_looked_up_in_the_crm(crm, monkeypatch):
    fake = FakeCrm()
    fake.cases.append(
        (Identity("40012345", "ST4 2DX", "Bloggs"), Case("CT-7K3Q9X", "discount", "refused", {}))
    )
    fake.decided["BB-7K3Q9X"] = Application("BB-7K3Q9X", "Kiln Cafe", 500, "open")
    monkeypatch.setattr(deps, "crm", lambda: fake)
    _, dispatcher = check("CT-7K3Q9X")
    [case] = dispatcher.messages
    assert "refused" in case["status_meaning"] and "appeal" in case["status_next_step"]
    _, dispatcher = check("BB-7K3Q9X")
    assert "being checked" in dispatcher.messages[0]["status_meaning"]
    _, dispatcher = check("BB-22222A")
    assert response_names(dispatcher) == ["utter_status_not_found"]


# --- asking for the reference ----------------------------------------------------------


def ask(slots: dict[str, Any]) -> CollectingDispatcher:
    """Run ``action_ask_status_reference`` with the given slots."""
    dispatcher = CollectingDispatcher()
    tracker = load_tracker("status_form", slots=slots)
    asyncio.run(ActionAskStatusReference().run(dispatcher, tracker, {}))
    return dispatcher


def test_references_issued_in_this_conversation_are_offered_as_buttons():
    dispatcher = ask(
        {"report_reference": "sr-7k3q9x", "triage_reference": "FD-ABC234", "bb_reference": None}
    )
    assert response_names(dispatcher) == ["utter_ask_status_reference"]
    assert dispatcher.messages[0]["buttons"] == [
        {"title": "SR-7K3Q9X", "payload": '/check_report_status{"reference":"SR-7K3Q9X"}'},
        {"title": "FD-ABC234", "payload": '/check_report_status{"reference":"FD-ABC234"}'},
    ]


def test_with_no_reference_issued_the_question_has_no_buttons():
    dispatcher = ask({"report_reference": None})
    assert response_names(dispatcher) == ["utter_ask_status_reference"]
    assert not dispatcher.messages[0]["buttons"]


def test_every_reference_issued_in_the_session_is_offered_newest_first():
    state = tracker_state("status_form")
    state["events"] += [
        {"event": "slot", "name": "report_reference", "value": "SR-7K3Q9X"},
        {"event": "slot", "name": "booking_reference", "value": "PC-ABC234"},
        # A second report replaces the first one's slot: both are still offered.
        {"event": "slot", "name": "report_reference", "value": "HR-XYZ789"},
    ]
    state["slots"].update({"report_reference": "HR-XYZ789", "booking_reference": "PC-ABC234"})
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskStatusReference().run(dispatcher, Tracker.from_dict(state), {}))
    titles = [button["title"] for button in dispatcher.messages[0]["buttons"]]
    assert titles == ["HR-XYZ789", "PC-ABC234", "SR-7K3Q9X"]


def test_references_from_an_earlier_session_are_not_offered():
    state = tracker_state("status_form")
    state["events"] = [
        {"event": "slot", "name": "report_reference", "value": "SR-7K3Q9X"},
        {"event": "session_started"},
        *state["events"],
    ]
    state["slots"]["report_reference"] = None
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskStatusReference().run(dispatcher, Tracker.from_dict(state), {}))
    assert not dispatcher.messages[0]["buttons"]


def test_a_request_made_alongside_the_status_check_is_offered_after_it():
    pending = {"intent": "council_tax_account", "label": "your council tax bill"}
    tracker = load_tracker(
        "status_check", slots={"status_reference": None, "pending_request": pending}
    )
    events = asyncio.run(ActionCheckReportStatus().run(CollectingDispatcher(), tracker, {}))
    assert FollowupAction("action_offer_pending_request") in events
