"""Text is cleaned where it enters the council services (``clean_input.py``)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from web.booking_models import BookingCreate
from web.chat_relay import ChatInputError, parse_message
from web.clean_input import clean_strings
from web.insight import UnansweredIn
from web.stand_in.crm.models import CaseCreate, Verification
from web.stand_in.open311.models import ServiceRequestCreate
from web.triage_models import TriageCreate, TriageUpdate

#: Legal JSON that no UTF-8 encoder accepts, a right-to-left override, an isolate, a BOM.
HOSTILE = json.loads('"pothole \\ud800\\u202e near\\u2066 the\\ufeff school"')
CLEAN = "pothole near the school"
FULL_WIDTH_PHONE = "\uff10\uff17\uff17\uff10\uff10 \uff19\uff10\uff10\uff11\uff12\uff13"


def _encodes(*texts: str) -> None:
    for text in texts:
        text.encode("utf-8")


def _triage(**changes: object) -> dict:
    at = datetime.now(timezone.utc).isoformat()
    body = {
        "conversation_id": "web-hostile-1", "channel": "web", "language": "en",
        "category": "street", "priority": 3, "summary": HOSTILE,
        "transcript": [{"role": "resident", "text": HOSTILE, "at": at}],
        "contact": {"name": HOSTILE, "phone": FULL_WIDTH_PHONE, "preferred": "phone"},
    }  # fmt: skip
    body.update(changes)
    return body


def test_a_triage_record_is_cleaned_before_anything_else_sees_it() -> None:
    record = TriageCreate(**_triage())
    assert record.summary == CLEAN
    assert record.transcript[0].text == CLEAN
    assert record.contact is not None
    assert record.contact.name == CLEAN
    assert record.contact.phone == "07700 900123"
    _encodes(record.summary, record.transcript[0].text)


def test_a_transcript_line_keeps_its_line_breaks() -> None:
    record = TriageCreate(**_triage(summary="ok", transcript=[
        {"role": "resident", "text": "line one\r\nline\u200b two", "at": "2026-01-01T10:00:00Z"}
    ]))  # fmt: skip
    assert record.transcript[0].text == "line one\nline two"


def test_text_made_only_of_invisible_characters_is_refused_not_stored_empty() -> None:
    with pytest.raises(ValidationError):
        TriageCreate(**_triage(summary="\u200b\ufeff\u2066"))
    with pytest.raises(ValidationError):
        TriageUpdate(assignee="\ud800")


def test_an_open311_request_is_cleaned() -> None:
    request = ServiceRequestCreate(
        service_code="pothole", address_string=HOSTILE, description=HOSTILE,
        phone=FULL_WIDTH_PHONE, zipcode="\uff33\uff34\uff14 \uff12\uff24\uff38",
        attributes={"hazard\u200b": [HOSTILE]},
    )  # fmt: skip
    assert request.description == CLEAN and request.address_string == CLEAN
    assert request.phone == "07700 900123" and request.zipcode == "ST4 2DX"
    assert request.attributes == {"hazard": [CLEAN]}


def test_council_tax_details_have_their_digits_folded_and_strings_cleaned() -> None:
    verification = Verification(
        account_reference="\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18",
        postcode="\uff33\uff34\uff14 \uff12\uff24\uff38",
        surname="Smith\u200b\ud800",
    )
    assert verification.account_reference == "12345678"
    assert verification.postcode == "ST4 2DX" and verification.surname == "Smith"
    case = CaseCreate(
        account_reference="12345678", postcode="ST4 2DX", surname="Smith", kind="moving_home",
        details={"moving_date": datetime.now().date().isoformat(), "new_address": HOSTILE},
    )  # fmt: skip
    assert case.details["new_address"] == CLEAN


def test_a_booking_time_in_full_width_digits_is_read() -> None:
    booking = BookingCreate(date="2026-12-07", time="\uff11\uff10:\uff13\uff10", minutes=30)
    assert booking.time == "10:30"


def test_unanswered_questions_are_cleaned() -> None:
    question = UnansweredIn(text=HOSTILE, asked_at="2026-01-01T10:00:00Z")
    assert question.text == CLEAN


def test_the_web_chat_relay_cleans_the_message() -> None:
    message = parse_message({"conversation_id": "a" * 20, "message": HOSTILE}, 1000)
    assert message.text == CLEAN
    with pytest.raises(ChatInputError):
        parse_message({"conversation_id": "a" * 20, "message": "\ud800\u200b"}, 1000)


def test_clean_strings_walks_json_values() -> None:
    assert clean_strings({"a\ufeff": [HOSTILE, 3, None, {"b": HOSTILE}]}) == {
        "a": [CLEAN, 3, None, {"b": CLEAN}]
    }
