"""Each body the assistant's clients send or read is one shape on both sides (issue #17).

The clients describe a body with a TypedDict (``integrations/<client>/models.py``); the
council services validate or answer it with a pydantic model (``web/``, and the stand-ins
of the council's own systems). A field added, renamed or retyped on one side only would
be refused, dropped or misread at the other, so each pair must have the same keys, and
each value's JSON kind must fit (``tests/wire_shapes.py``): what the client sends, the
services accept; what the services answer, the client reads. A field the services
require, the client must always send. A form (the Open311 report) and a query string (a
place search) compare with the model FastAPI builds from the route's parameters, and the
routes' own ``response_model`` is what the triage client reads.
"""

from __future__ import annotations

from typing import Annotated, TypedDict

import pytest
from fastapi import APIRouter, Form, Query
from fastapi.dependencies.utils import get_flat_dependant, request_params_to_args
from pydantic import BaseModel, Field, StrictBool
from starlette.datastructures import QueryParams

from actions.handoff import ADDITION_FIELDS
from integrations.crm import models as crm
from integrations.directory import models as directory
from integrations.insight import models as insight
from integrations.open311 import models as open311
from integrations.sms.models import SmsMessage
from integrations.triage import models as triage
from tests.wire_shapes import (
    fits,
    form_model,
    json_shape,
    query_model,
    required_keys,
    response_model,
    route,
)
from web import booking_models, delivery_models, insight_feedback, triage_models
from web import insight as web_insight
from web.api.routes import places as places_routes
from web.api.routes import triage as triage_routes
from web.stand_in.crm import models as crm_server
from web.stand_in.open311 import models as open311_server
from web.stand_in.open311 import routes as open311_routes
from web.stand_in.sms.routes import SmsCreate

OPEN311_REPORT = route(open311_routes.router, "POST", "/requests.json")
PLACE_SEARCH = route(places_routes.router, "GET", "/places")

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
    "triage record created": (
        triage.TriageRecordJson,
        response_model(route(triage_routes.router, "POST", "/triage")),
    ),
    "triage record": (
        triage.TriageRecordJson,
        response_model(route(triage_routes.router, "GET", "/triage/{reference}")),
    ),
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
    # Reports from other kinds of client carry an address id, a postcode, media and more.
    "Open311 report form": (open311.ServiceRequestForm, form_model(OPEN311_REPORT)),
    # Staff pages ask about another moment (``at``); the assistant asks about now.
    "place search": (directory.PlaceSearchParams, query_model(PLACE_SEARCH)),
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


def test_the_triage_routes_answer_the_record_the_client_reads() -> None:
    assert response_model(route(triage_routes.router, "POST", "/triage")) is (
        triage_models.TriagePublic
    )
    assert (
        json_shape(triage.TriageRecordJson).keys() == triage_models.TriagePublic.__fields__.keys()
    )


# --- the Open311 form ---------------------------------------------------------------------

FULL_REPORT = open311.NewServiceRequest(
    service_code="POTHOLE",
    description="A deep pothole.",
    lat=53.01191,
    long=-2.17825,
    address_string="Leek Road",
    email="sam@example.org",
    phone="01234 567890",
    first_name="Sam",
    last_name="Jones",
    attributes={"depth": "over_10cm", "size": "large"},
)


def test_the_form_is_the_typed_fields_and_one_field_per_attribute() -> None:
    form = FULL_REPORT.to_form("key", "example.gov.uk")
    named = set(json_shape(open311.ServiceRequestForm))
    assert set(form) - named == {"attribute[depth]", "attribute[size]"}
    assert named <= set(form)  # a full report fills every typed field


def test_the_stand_in_reads_each_attribute_field_the_client_names() -> None:
    for code in ("depth", "size", "bin_type"):
        match = open311_routes.ATTRIBUTE_FIELD.match(open311.attribute_field(code))
        assert match is not None and match.group(1) == code


def test_the_report_form_carries_what_the_stand_in_requires() -> None:
    # The route takes every field as optional and refuses a report without these itself.
    assert {"api_key", "service_code"} <= required_keys(open311.ServiceRequestForm)
    validated = set(open311_server.ServiceRequestCreate.__fields__)
    assert set(json_shape(open311.ServiceRequestForm)) - {"api_key", "jurisdiction_id"} <= validated


# --- the place search query -----------------------------------------------------------------


def test_the_directory_reads_the_search_the_client_encodes() -> None:
    query = directory.PlaceQuery(
        near="ST4 2DX",
        types=("library", "community_hub"),
        features=("wifi",),
        services=("pcs", "printing"),
        open_now=False,
        limit=5,
    )
    params = query.search_params()
    assert params.keys() == json_shape(directory.PlaceSearchParams).keys()  # every filter used
    fields = get_flat_dependant(PLACE_SEARCH.dependant).query_params
    read, errors = request_params_to_args(fields, QueryParams(query.params()))
    assert errors == []
    assert {name: value for name, value in read.items() if value is not None} == params


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


def test_a_routes_form_and_query_compare_like_a_body() -> None:
    router = APIRouter()

    @router.post("/toy")
    def toy(
        code: Annotated[str, Form()],
        near: Annotated[str | None, Query()] = None,
        kind: Annotated[list[str] | None, Query()] = None,
        limit: Annotated[int, Query()] = 3,
    ) -> None:
        """A route with a form field and query parameters."""

    class Sent(TypedDict, total=False):
        near: str
        kind: list[str]
        limit: str  # a number sent as text is a difference

    toy_route = route(router, "POST", "/toy")
    assert json_shape(form_model(toy_route)) == {"code": "string"}
    assert required_keys(form_model(toy_route)) == {"code"}
    assert _differences(Sent, query_model(toy_route)) == {"limit": ("string", "integer")}
