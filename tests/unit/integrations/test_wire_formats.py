"""Each body the assistant's clients send or read is one shape on both sides (issue #17).

The clients describe a body with a TypedDict (``integrations/<client>/models.py``); the
council services validate or answer it with a pydantic model (``web/``, and the stand-ins
of the council's own systems). A field added, renamed or retyped on one side only would
be refused, dropped or misread at the other, so each pair must have the same keys, and
each value's JSON kind must fit (``tests/wire_shapes.py``): what the client sends, the
services accept; what the services answer, the client reads. A field the services
require, the client must always send.
"""

from __future__ import annotations

from typing import TypedDict

import pytest
from pydantic import BaseModel, Field, StrictBool

from actions.handoff import ADDITION_FIELDS
from integrations.crm import models as crm
from integrations.directory import models as directory
from integrations.insight import models as insight
from integrations.open311 import models as open311
from integrations.sms.models import SmsMessage
from integrations.triage import models as triage
from tests.wire_shapes import fits, json_shape, required_keys
from web import booking_models, delivery_models, insight_feedback, triage_models
from web import insight as web_insight
from web.stand_in.crm import models as crm_server
from web.stand_in.open311 import models as open311_server
from web.stand_in.sms.routes import SmsCreate

#: (what the assistant sends, what the council services accept).
REQUESTS = {
    "triage record": (triage.TriageRecord, triage_models.TriageCreate),
    "triage addition": (triage.TriageAddition, triage_models.TriageAddition),
    "undelivered notice": (triage.UndeliveredNotice, delivery_models.UndeliveredNotice),
    "PC booking": (directory.BookingRequest, booking_models.BookingCreate),
    "PC booking cancellation": (directory.CancelRequest, booking_models.BookingCancel),
    "council tax verification": (crm.VerifyRequest, crm_server.Verification),
    "council tax case": (crm.CaseRequest, crm_server.CaseCreate),
    "broadband application": (crm.ApplicationRequest, crm_server.ApplicationCreate),
    "outcome event": (insight.OutcomeEvent, web_insight.OutcomeEventIn),
    "answer feedback": (insight.AnswerFeedback, insight_feedback.AnswerFeedbackIn),
    "text message": (SmsMessage, SmsCreate),
}
#: (what the assistant reads, what the council services answer).
RESPONSES = {
    "place list": (directory.PlaceListJson, booking_models.PlaceList),
    "place": (directory.PlaceJson, booking_models.PlacePublic),
    "PC booking": (directory.BookingJson, booking_models.BookingPublic),
    "council tax account": (crm.AccountSummaryJson, crm_server.AccountSummary),
    "council tax case": (crm.CaseJson, crm_server.CasePublic),
    "broadband application": (crm.ApplicationJson, crm_server.ApplicationPublic),
    "Open311 service": (open311.ServiceJson, open311_server.ServicePublic),
    "Open311 report created": (
        open311.ServiceRequestCreatedJson,
        open311_server.ServiceRequestCreated,
    ),
    "Open311 report status": (open311.ServiceRequestJson, open311_server.ServiceRequestPublic),
}


def _differences(sender: type, receiver: type) -> dict[str, tuple[object, object]]:
    """Each key the receiver would refuse or misread, with both sides' JSON kinds."""
    sent, received = json_shape(sender), json_shape(receiver)
    return {
        key: (sent.get(key, "missing"), received.get(key, "missing"))
        for key in sent.keys() | received.keys()
        if key not in sent or key not in received or not fits(sent[key], received[key])
    }


@pytest.mark.parametrize(("client", "server"), REQUESTS.values(), ids=REQUESTS.keys())
def test_the_council_services_accept_what_the_client_sends(client, server) -> None:
    assert _differences(client, server) == {}


@pytest.mark.parametrize(("client", "server"), RESPONSES.values(), ids=RESPONSES.keys())
def test_the_client_reads_what_the_council_services_answer(client, server) -> None:
    assert _differences(server, client) == {}


#: Bodies of endpoints that take more than the assistant sends (staff use the rest).
PARTIAL_REQUESTS = {
    "triage contact details": (triage.ContactUpdate, triage_models.TriageUpdate),
}


@pytest.mark.parametrize(("client", "server"), PARTIAL_REQUESTS.values(), ids=PARTIAL_REQUESTS)
def test_the_council_services_accept_the_part_the_client_sends(client, server) -> None:
    accepted = json_shape(server)
    assert {
        key: kind
        for key, kind in json_shape(client).items()
        if key not in accepted or not fits(kind, accepted[key])
    } == {}
    assert required_keys(server) <= required_keys(client)


@pytest.mark.parametrize(("client", "server"), REQUESTS.values(), ids=REQUESTS.keys())
def test_the_client_always_sends_what_the_council_services_require(client, server) -> None:
    assert required_keys(server) <= required_keys(client)


def test_an_addition_carries_fields_the_record_has() -> None:
    assert set(ADDITION_FIELDS) == set(triage.TriageAddition.__annotations__)
    assert set(ADDITION_FIELDS) <= set(triage.TriageRecord.__annotations__)


# --- the comparison itself can fail ---------------------------------------------------------


class _Sent(TypedDict):
    reference: str
    pc_number: int
    assisted: bool
    cancelled_at: str | None
    places: list[directory.ClosureJson]


class _Answered(BaseModel):
    reference: str
    pc_number: int
    assisted: StrictBool = False
    cancelled_at: str | None = None
    places: list[booking_models.ClosurePublic] = Field(default_factory=list, max_items=3)


def test_matching_shapes_have_no_differences() -> None:
    assert _differences(_Sent, _Answered) == {}


def test_a_retyped_field_is_a_difference() -> None:
    class Retyped(_Answered):
        pc_number: str  # type: ignore[assignment]

    assert _differences(_Sent, Retyped) == {"pc_number": ("integer", "string")}


def test_a_field_on_one_side_only_is_a_difference() -> None:
    class Extra(_Answered):
        address: str

    assert _differences(_Sent, Extra) == {"address": ("missing", "string")}


def test_null_fits_only_where_it_is_allowed() -> None:
    class NotNull(_Answered):
        cancelled_at: str  # type: ignore[assignment]

    assert _differences(_Sent, NotNull) == {
        "cancelled_at": (frozenset({"null", "string"}), "string")
    }
    assert _differences(NotNull, _Sent) == {}  # a string always fits "string or null"


class _NumberedClosure(BaseModel):
    date: str
    reason: int


class _Nested(_Answered):
    places: list[_NumberedClosure]  # type: ignore[assignment]


def test_a_nested_shape_is_compared_too() -> None:
    assert list(_differences(_Sent, _Nested)) == ["places"]


def test_a_required_field_the_client_may_leave_out_is_found() -> None:
    class Optional_(TypedDict, total=False):
        reference: str

    class Required(BaseModel):
        reference: str

    assert required_keys(Required) - required_keys(Optional_) == {"reference"}
