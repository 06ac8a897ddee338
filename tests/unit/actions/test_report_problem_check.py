"""The report's check screen and what happens next after it is sent (issue #16 item 7).

``action_ask_confirm_report`` shows one line per answer; ``action_submit_report`` then says
what happens next in the Open311 service's own words and how the resident hears about the
report (a text with the reference, only to a mobile given with consent) or checks on it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import deps
from actions.report_problem_send import ActionAskConfirmReport, ActionSubmitReport
from integrations.open311 import ServiceRequest
from integrations.open311.fake import FakeOpen311Client
from integrations.sms import FakeSmsGateway
from tests.unit.actions.trackers import load_tracker, response_names

pytestmark = pytest.mark.usefixtures("council", "crm", "outbox")

POTHOLE_NOTICE = "We make dangerous potholes safe within 24 hours."
NO_CONTACT = {"contact_consent": False, "contact": None, "contact_email": None}
MOBILE = {
    "contact_consent": True,
    "contact": "07700900123",
    "contact_email": None,
    "contact_phone": "07700900123",
}


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> FakeSmsGateway:
    """The in-memory SMS gateway the actions send texts through."""
    gateway = FakeSmsGateway()
    monkeypatch.setattr(deps, "sms", lambda: gateway)
    return gateway


def finished(**changes: Any) -> Tracker:
    """The finished form (pothole at ST6 3JJ, dangerous, e-mail given), with changes."""
    return load_tracker("report_form_complete", slots=changes)


def check_screen(tracker: Tracker) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskConfirmReport().run(dispatcher, tracker, {}))
    return dispatcher


def submit(tracker: Tracker, domain: dict[str, Any]) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionSubmitReport().run(dispatcher, tracker, domain))
    return dispatcher


# --- the check screen ------------------------------------------------------------------


def test_check_screen_has_one_line_per_answer_then_asks_if_it_is_right():
    dispatcher = check_screen(finished())
    assert response_names(dispatcher) == [
        "utter_check_report_heading",
        "utter_check_report_problem",
        "utter_check_report_place",
        "utter_check_report_description",
        "utter_check_report_danger_yes",
        "utter_check_report_contact_email",
        "utter_ask_confirm_report",
    ]
    values = {key: value for message in dispatcher.messages for key, value in message.items()}
    assert values["problem_label"] == "pothole"
    assert values["location"] == "ST6 3JJ"
    assert values["description"].startswith("Deep pothole")
    assert values["contact_email"] == "jo.bloggs@example.com"


def test_check_screen_shows_the_answers_to_the_services_questions():
    tracker = finished(
        problem_type="dead_animal",
        problem_label="dead animal",
        animal_kind="fox",
        animal_size="medium",
    )
    dispatcher = check_screen(tracker)
    [answers] = [m for m in dispatcher.messages if m["response"] == "utter_check_report_answers"]
    assert "fox" in answers["report_answers"]
    assert response_names(dispatcher).index("utter_check_report_answers") == 2


def test_check_screen_shows_a_phone_number_with_its_spoken_form():
    dispatcher = check_screen(finished(**MOBILE))
    [line] = [m for m in dispatcher.messages if m["response"].startswith("utter_check_report_c")]
    assert line["response"] == "utter_check_report_contact_phone"
    assert line["contact_phone"] == "07700900123"
    assert line["contact_phone_spoken"] == "0 7 7 0 0 9 0 0 1 2 3"


def test_check_screen_without_consent_says_no_contact_even_with_old_details():
    dispatcher = check_screen(finished(contact_consent=False))
    assert "utter_check_report_no_contact" in response_names(dispatcher)
    assert "utter_check_report_contact_email" not in response_names(dispatcher)


def test_check_screen_wording_has_a_voice_variant_for_every_line(domain):
    names = [
        "utter_check_report_heading", "utter_check_report_problem",
        "utter_check_report_answers", "utter_check_report_place",
        "utter_check_report_description", "utter_check_report_danger_yes",
        "utter_check_report_danger_no",
        "utter_check_report_contact_phone", "utter_check_report_contact_email",
        "utter_check_report_no_contact", "utter_ask_confirm_report",
        "utter_report_next", "utter_report_text_sent", "utter_report_follow_up_phone",
        "utter_report_follow_up_email", "utter_report_follow_up_none",
    ]  # fmt: skip
    for name in names:
        variants = domain["responses"][name]
        assert any(v.get("channel") == "twilio_voice" for v in variants), name
        assert any(not v.get("channel") for v in variants), name


def test_check_screen_says_no_danger_when_the_resident_said_no():
    dispatcher = check_screen(finished(dangerous=False))
    assert "utter_check_report_danger_no" in response_names(dispatcher)
    assert "utter_check_report_danger_yes" not in response_names(dispatcher)


def test_is_this_right_offers_send_and_change(domain):
    variants = domain["responses"]["utter_ask_confirm_report"]
    web = [v for v in variants if not v.get("channel") and not v.get("condition")]
    assert [b["title"] for b in web[0]["buttons"]] == ["Yes, send it", "Change something"]


# --- what happens next -------------------------------------------------------------------


@pytest.fixture
def crm_with_notice(monkeypatch: pytest.MonkeyPatch) -> FakeOpen311Client:
    """An Open311 server whose pothole requests carry the service's notice."""
    fake = FakeOpen311Client(notices={"POTHOLE": POTHOLE_NOTICE})
    monkeypatch.setattr(deps, "open311", lambda: fake)
    return fake


def test_after_sending_the_services_notice_says_what_happens_next(crm_with_notice, domain):
    dispatcher = submit(finished(**NO_CONTACT), domain)
    assert response_names(dispatcher) == [
        "utter_report_submitted",
        "utter_report_next",
        "utter_report_follow_up_none",
    ]
    assert dispatcher.messages[1]["service_notice"] == POTHOLE_NOTICE
    reference = dispatcher.messages[0]["report_reference"]
    assert dispatcher.messages[2]["report_reference"] == reference


def test_a_service_without_a_notice_says_nothing_made_up(crm, domain):
    dispatcher = submit(finished(**NO_CONTACT), domain)
    assert response_names(dispatcher) == ["utter_report_submitted", "utter_report_follow_up_none"]


def test_a_mobile_given_with_consent_gets_a_text_with_the_reference(crm, sms, domain):
    dispatcher = submit(finished(**MOBILE), domain)
    assert response_names(dispatcher)[-1] == "utter_report_text_sent"
    [text] = sms.sent
    reference = dispatcher.messages[0]["report_reference"]
    assert text.to == "+447700900123"
    assert reference in text.body
    assert text.body.startswith("Stoke-on-Trent City Council")


def test_a_text_the_gateway_refused_is_never_claimed(crm, sms, domain):
    sms.down = True
    dispatcher = submit(finished(**MOBILE), domain)
    assert response_names(dispatcher)[-1] == "utter_report_follow_up_phone"


def test_a_landline_gets_no_text(crm, sms, domain):
    landline = {**MOBILE, "contact": "01782234234", "contact_phone": "01782234234"}
    dispatcher = submit(finished(**landline), domain)
    assert sms.sent == []
    assert response_names(dispatcher)[-1] == "utter_report_follow_up_phone"


def test_no_consent_means_no_text_even_with_a_number_in_the_slots(crm, sms, domain):
    dispatcher = submit(finished(**{**MOBILE, "contact_consent": False}), domain)
    assert sms.sent == []
    assert response_names(dispatcher)[-1] == "utter_report_follow_up_none"


def test_an_email_given_with_consent_is_named_in_the_follow_up(crm, sms, domain):
    dispatcher = submit(finished(), domain)
    assert sms.sent == []
    assert dispatcher.messages[-1]["response"] == "utter_report_follow_up_email"
    assert dispatcher.messages[-1]["contact_email"] == "jo.bloggs@example.com"


def test_a_held_report_has_no_notice_but_still_says_how_to_check(crm_with_notice, domain):
    crm_with_notice.available = False
    dispatcher = submit(finished(**NO_CONTACT), domain)
    assert response_names(dispatcher) == ["utter_report_held", "utter_report_follow_up_none"]


def test_the_open311_request_carries_the_services_notice():
    """GeoReport v2 publishes ``service_notice`` on each request; the client keeps it."""
    body = {"service_request_id": "SR-1", "status": "open", "service_notice": POTHOLE_NOTICE}
    assert ServiceRequest.from_json(body).service_notice == POTHOLE_NOTICE
    assert ServiceRequest.from_json({"service_request_id": "SR-2"}).service_notice == ""
