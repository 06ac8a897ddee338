"""Typed shapes of the GeoReport v2 messages the assistant sends and reads.

The ``...Json`` TypedDicts are the JSON the council's Open311 system answers with, as the
stand-in serves it (``web/stand_in/open311/models.py``); a test keeps the two in step.
Any GeoReport v2 server may leave fields out, so only the ids are required. Reports are
sent form-encoded (``ServiceRequestForm`` and one ``attribute[code]`` field per attribute,
``NewServiceRequest.to_form``). The dataclasses are what the actions use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from lib.redaction import redact


class _ServiceId(TypedDict):
    service_code: str


class ServiceJson(_ServiceId, total=False):
    """One entry of ``GET services.json``."""

    service_name: str
    description: str
    metadata: bool  # whether the service has attributes to fill in
    type: str  # realtime, batch or blackbox
    keywords: str  # comma-separated
    group: str


class _FormRequired(TypedDict):
    api_key: str
    service_code: str
    description: str  # redacted: Open311 publishes it


class ServiceRequestForm(_FormRequired, total=False):
    """The named fields of the form-encoded ``POST requests.json`` the assistant sends.

    A form carries only strings: coordinates go as decimal text. Each attribute of the
    service goes in a field of its own, named by :func:`attribute_field`.
    """

    jurisdiction_id: str
    lat: str  # WGS84, given with long
    long: str
    address_string: str  # redacted: Open311 publishes it
    email: str  # contact details: Open311 keeps them private
    phone: str
    first_name: str
    last_name: str


#: How GeoReport v2 names the form field of one attribute of a service.
ATTRIBUTE_FIELD = "attribute[{code}]"


def attribute_field(code: str) -> str:
    """The form field that carries the attribute ``code`` (e.g. ``attribute[size]``)."""
    return ATTRIBUTE_FIELD.format(code=code)


class _RequestId(TypedDict):
    service_request_id: str


class ServiceRequestCreatedJson(_RequestId, total=False):
    """One entry of the ``POST requests.json`` answer."""

    service_notice: str | None
    account_id: str | None


class ServiceRequestJson(_RequestId, total=False):
    """One entry of ``GET requests.json`` or ``GET requests/{id}.json``: public fields only."""

    status: str  # open or closed
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None  # what residents can expect, in the service's words
    requested_datetime: str  # W3C datetime
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


#: GeoReport v2 status values, mapped to what a resident is told (see responses).
OPEN311_STATUSES = ("open", "closed")


@dataclass(frozen=True)
class Service:
    """One entry of ``services.json``."""

    service_code: str
    service_name: str
    description: str = ""
    group: str = ""

    @classmethod
    def from_json(cls, data: ServiceJson) -> Service:
        """Build from a GeoReport v2 service object."""
        return cls(
            service_code=str(data["service_code"]),
            service_name=str(data.get("service_name") or ""),
            description=str(data.get("description") or ""),
            group=str(data.get("group") or ""),
        )


@dataclass(frozen=True)
class ServiceRequest:
    """A report as the CRM publishes it (never with the reporter's personal data)."""

    service_request_id: str
    status: str
    service_code: str
    service_name: str = ""
    status_notes: str = ""
    description: str = ""
    address: str = ""
    lat: float | None = None
    long: float | None = None
    requested_datetime: str = ""
    updated_datetime: str = ""
    #: What residents can expect, in the service's own words (GeoReport v2).
    service_notice: str = ""

    @classmethod
    def from_json(cls, data: ServiceRequestJson) -> ServiceRequest:
        """Build from a GeoReport v2 request object."""

        def _float(value: Any) -> float | None:
            try:
                return float(value) if value not in (None, "") else None
            except (TypeError, ValueError):
                return None

        return cls(
            service_request_id=str(data["service_request_id"]),
            status=str(data.get("status") or "open").lower(),
            service_code=str(data.get("service_code") or ""),
            service_name=str(data.get("service_name") or ""),
            status_notes=str(data.get("status_notes") or ""),
            description=str(data.get("description") or ""),
            address=str(data.get("address") or ""),
            lat=_float(data.get("lat")),
            long=_float(data.get("long")),
            requested_datetime=str(data.get("requested_datetime") or ""),
            updated_datetime=str(data.get("updated_datetime") or ""),
            service_notice=str(data.get("service_notice") or ""),
        )

    @property
    def is_open(self) -> bool:
        """Whether the council is still working on it."""
        return self.status == "open"


@dataclass(frozen=True)
class NewServiceRequest:
    """What the assistant posts to create a report."""

    service_code: str
    description: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    #: Sent as the ``Idempotency-Key`` header, never in the form: every attempt to send
    #: this report carries the same key, so a retry after a timeout creates nothing new.
    #: Not part of what the report says, so not compared.
    idempotency_key: str | None = field(default=None, compare=False)

    def form_fields(self, api_key: str, jurisdiction_id: str = "") -> ServiceRequestForm:
        """The named fields of ``POST requests.json`` (the attributes follow, see :meth:`to_form`).

        Open311 publishes the description and address to anyone, so both leave redacted
        (also a report held in the outbox from before redaction). Contact details go in
        their own fields, which Open311 keeps private.
        """
        form: ServiceRequestForm = {
            "api_key": api_key,
            "service_code": self.service_code,
            "description": redact(self.description),
        }
        if jurisdiction_id:
            form["jurisdiction_id"] = jurisdiction_id
        if self.lat is not None and self.long is not None:
            form["lat"] = f"{self.lat:.6f}"
            form["long"] = f"{self.long:.6f}"
        if self.address_string:
            form["address_string"] = redact(self.address_string)
        if self.email:
            form["email"] = self.email
        if self.phone:
            form["phone"] = self.phone
        if self.first_name:
            form["first_name"] = self.first_name
        if self.last_name:
            form["last_name"] = self.last_name
        return form

    def to_form(self, api_key: str, jurisdiction_id: str = "") -> dict[str, str]:
        """The form-encoded body of ``POST requests.json``: the named fields and each attribute."""
        fields = self.form_fields(api_key, jurisdiction_id)
        form = {name: str(value) for name, value in fields.items()}
        form.update({attribute_field(code): value for code, value in self.attributes.items()})
        return form

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe copy, for the outbox."""
        return {
            "service_code": self.service_code,
            "description": self.description,
            "lat": self.lat,
            "long": self.long,
            "address_string": self.address_string,
            "email": self.email,
            "phone": self.phone,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "attributes": dict(self.attributes),
            "idempotency_key": self.idempotency_key,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NewServiceRequest:
        """Rebuild from :meth:`to_dict` output."""
        return cls(**data)
