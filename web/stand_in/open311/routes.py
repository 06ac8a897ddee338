"""Open311 GeoReport v2 endpoints, mounted at ``/open311/v2``.

Field names, status values and the error array follow the GeoReport v2 specification
(https://wiki.open311.org/GeoReport_v2). JSON only, with the ``.json`` format suffix.
``POST requests.json`` answers HTTP 200 with a one-item array, like the specification's
examples, because existing Open311 clients expect that.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Header, Path, Query, Request, status
from pydantic import ValidationError

from lib.idempotency import IDEMPOTENCY_HEADER, is_valid_key
from web.api.deps import SessionDep
from web.api.errors import Open311Error, describe_validation_errors
from web.stand_in.deps import CatalogueDep, jurisdiction, require_api_key
from web.stand_in.open311 import crud
from web.stand_in.open311.catalogue import (
    AttributeValidationError,
    parse_datetime,
    validate_attributes,
)
from web.stand_in.open311.models import (
    Open311ErrorItem,
    ServiceDefinitionPublic,
    ServicePublic,
    ServiceRequestCreate,
    ServiceRequestCreated,
    ServiceRequestPublic,
)
from web.stand_in.open311.workflow import Open311Status, ReportStatus, statuses_for

logger = logging.getLogger(__name__)


#: The form field of one attribute: ``attribute[code]``, or ``attribute[code][]`` repeated.
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]+)\](?:\[\])?$")


def _error_doc(description: str) -> dict[str, Any]:
    return {"model": list[Open311ErrorItem], "description": description}


_BAD_REQUEST = {status.HTTP_400_BAD_REQUEST: _error_doc("The request is not valid.")}
_NOT_FOUND = {status.HTTP_404_NOT_FOUND: _error_doc("No such service or request.")}
_FORBIDDEN = {status.HTTP_403_FORBIDDEN: _error_doc("api_key missing or not valid.")}

# Every operation documents 400: a malformed parameter gets the error array, never 422.
router = APIRouter(
    tags=["Open311 GeoReport v2"], dependencies=[Depends(jurisdiction)], responses=_BAD_REQUEST
)


def _split(value: str | None) -> list[str]:
    """Split a comma-separated parameter, dropping blanks."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _date_parameter(name: str, value: str | None) -> datetime | None:
    """Parse a date filter, or refuse it with a 400 error array."""
    if value is None or not value.strip():
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise Open311Error(
            status.HTTP_400_BAD_REQUEST,
            f"{name}: '{value}' is not a W3C/ISO 8601 date-time, e.g. 2026-11-23T10:15:00Z",
        ) from None


async def attribute_fields(request: Request) -> dict[str, list[str]]:
    """Collect the ``attribute[code]`` (and ``attribute[code][]``) fields of a posted form."""
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        match = ATTRIBUTE_FIELD.match(key)
        if match and isinstance(value, str):
            fields.setdefault(match.group(1).strip(), []).append(value)
    return fields


@router.get("/services.json", response_model=list[ServicePublic])
def list_services(catalogue: CatalogueDep) -> list[ServicePublic]:
    """List the services residents can report (GeoReport v2 ``GET services``)."""
    return [ServicePublic.from_catalogue(service) for service in catalogue]


@router.get(
    "/services/{service_code}.json", response_model=ServiceDefinitionPublic, responses=_NOT_FOUND
)
def get_service_definition(
    catalogue: CatalogueDep,
    service_code: str = Path(..., description="A service_code from services.json."),
) -> ServiceDefinitionPublic:
    """Describe the attributes a service asks for (GeoReport v2 ``GET service definition``)."""
    service = catalogue.get(service_code)
    if service is None:
        raise Open311Error(status.HTTP_404_NOT_FOUND, f"service_code {service_code} not found")
    return ServiceDefinitionPublic.from_catalogue(service)


@router.post(
    "/requests.json",
    response_model=list[ServiceRequestCreated],
    responses={**_FORBIDDEN, **_NOT_FOUND},
)
def create_service_request(
    session: SessionDep,
    catalogue: CatalogueDep,
    _api_key: Annotated[None, Depends(require_api_key)],
    raw_attributes: Annotated[dict[str, list[str]], Depends(attribute_fields)],
    service_code: str | None = Form(None, description="Required. From services.json."),
    lat: str | None = Form(None, description="WGS84 latitude; give long with it."),
    long: str | None = Form(None, description="WGS84 longitude; give lat with it."),
    address_string: str | None = Form(None, description="Address, if no lat/long."),
    address_id: str | None = Form(None, description="Address identifier, if no lat/long."),
    zipcode: str | None = Form(None, description="Postcode (an extension to the spec)."),
    email: str | None = Form(None),
    device_id: str | None = Form(None),
    account_id: str | None = Form(None),
    first_name: str | None = Form(None),
    last_name: str | None = Form(None),
    phone: str | None = Form(None),
    description: str | None = Form(None, description="Up to 4,000 characters."),
    media_url: str | None = Form(None),
    jurisdiction_id: str | None = Form(None, description="Accepted and ignored."),
    idempotency_key: str | None = Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        description=(
            "Optional (an extension to the spec). The same key sent again returns the "
            "report the first request created, and creates nothing new."
        ),
    ),
) -> list[ServiceRequestCreated]:
    """Report a problem (GeoReport v2 ``POST requests``).

    Besides the fields below, send each attribute of the service definition as
    ``attribute[<code>]=<value>`` (``attribute[<code>][]=<key>`` repeated for a
    multivaluelist). Answers HTTP 200 with a one-item array, as in the specification.
    A retry with the same ``Idempotency-Key`` header gets the first report's array.
    """
    if idempotency_key is not None and not is_valid_key(idempotency_key):
        raise Open311Error(
            status.HTTP_400_BAD_REQUEST,
            f"{IDEMPOTENCY_HEADER} must be 1 to 100 printable characters without spaces",
        )
    try:
        data = ServiceRequestCreate(
            service_code=service_code,
            lat=lat,
            long=long,
            address_string=address_string,
            address_id=address_id,
            zipcode=zipcode,
            email=email,
            device_id=device_id,
            account_id=account_id,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            description=description,
            media_url=media_url,
            attributes=raw_attributes,
        )
    except ValidationError as exc:
        raise Open311Error(
            status.HTTP_400_BAD_REQUEST, describe_validation_errors(exc.errors())
        ) from None
    service = catalogue.get(data.service_code)
    if service is None:
        raise Open311Error(status.HTTP_404_NOT_FOUND, f"service_code {data.service_code} not found")
    try:
        attributes = validate_attributes(service, data.attributes)
    except AttributeValidationError as exc:
        raise Open311Error(status.HTTP_400_BAD_REQUEST, exc.problems) from None
    row = crud.create_service_request(
        session,
        data=data,
        service=service,
        attributes=attributes,
        idempotency_key=idempotency_key,
    )
    return [
        ServiceRequestCreated(
            service_request_id=row.service_request_id,
            service_notice=row.service_notice,
            account_id=row.account_id,
        )
    ]


@router.get("/requests.json", response_model=list[ServiceRequestPublic])
def list_service_requests(
    session: SessionDep,
    service_request_id: str | None = Query(
        None, description="Comma-separated ids; when given, every other filter is ignored."
    ),
    service_code: str | None = Query(None, description="Comma-separated service codes."),
    status_filter: str | None = Query(
        None, alias="status", description="Comma-separated: open, closed."
    ),
    start_date: str | None = Query(None, description="Earliest requested_datetime (W3C)."),
    end_date: str | None = Query(None, description="Latest requested_datetime (W3C)."),
) -> list[ServiceRequestPublic]:
    """Search requests, newest first (GeoReport v2 ``GET requests``).

    Without dates the last 90 days are searched; at most 1,000 requests are returned.
    """
    statuses: set[ReportStatus] | None = None
    wanted = _split(status_filter)
    if wanted:
        statuses = set()
        for value in wanted:
            try:
                statuses |= statuses_for(Open311Status(value.lower()))
            except ValueError:
                raise Open311Error(
                    status.HTTP_400_BAD_REQUEST, f"status: '{value}' is not open or closed"
                ) from None
    start = _date_parameter("start_date", start_date)
    end = _date_parameter("end_date", end_date)
    if start is not None and end is not None and start > end:
        raise Open311Error(status.HTTP_400_BAD_REQUEST, "start_date is after end_date")
    rows = crud.list_service_requests(
        session,
        service_request_ids=_split(service_request_id),
        service_codes=_split(service_code),
        statuses=statuses,
        start=start,
        end=end,
    )
    return [ServiceRequestPublic.from_row(row) for row in rows]


@router.get(
    "/requests/{service_request_id}.json",
    response_model=list[ServiceRequestPublic],
    responses=_NOT_FOUND,
)
def get_service_request(
    session: SessionDep,
    service_request_id: str = Path(..., description="e.g. SR-7K3Q9X"),
) -> list[ServiceRequestPublic]:
    """Return one request as a one-item array (GeoReport v2 ``GET service request``)."""
    row = crud.get_service_request(session, service_request_id=service_request_id)
    if row is None:
        raise Open311Error(
            status.HTTP_404_NOT_FOUND, f"service_request_id {service_request_id} not found"
        )
    return [ServiceRequestPublic.from_row(row)]
