"""Tables and wire shapes of the stand-in Open311 CRM (GeoReport v2).

This module owns the service request tables (the revisions in ``web/migrations/`` build
them) and the pydantic shapes. Input, storage and output never share a class: the catalogue
file has its own shapes, posted requests are validated into ``ServiceRequestCreate``, and
what leaves the service is a ``*Public`` or staff shape.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from pydantic import (
    BaseModel,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    root_validator,
    validator,
)
from sqlalchemy.orm import relationship

from lib.redaction import redact
from lib.references import canonical_pattern, prefix_of
from web.clean_input import (
    clean_block,
    clean_number,
    clean_strings,
    cleaned,
)
from web.models import Base, UTCDateTime, utc_isoformat
from web.stand_in.open311.workflow import Open311Status, ReportStatus, open311_status

DESCRIPTION_MAX_LENGTH = 4000
SERVICE_REQUEST_PREFIX = prefix_of("street_report")
SERVICE_REQUEST_ID_PATTERN = canonical_pattern(SERVICE_REQUEST_PREFIX)

# Stored attribute values: a key or free text, a number, or the keys of a multivaluelist.
AttributeValue = StrictStr | StrictFloat | StrictInt | list[StrictStr]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)


# --- Tables ---------------------------------------------------------------------------------


class ServiceRequest(Base):
    """A street report received through Open311 (storage shape)."""

    __tablename__ = "service_requests"

    id = sa.Column(sa.Integer, primary_key=True)
    service_request_id = sa.Column(sa.String(16), nullable=False, unique=True)
    service_code = sa.Column(sa.String(64), nullable=False, index=True)
    service_name = sa.Column(sa.String(200), nullable=False)
    status = sa.Column(sa.String(40), nullable=False, index=True)
    status_notes = sa.Column(sa.Text, nullable=True)
    description = sa.Column(sa.Text, nullable=True)
    agency_responsible = sa.Column(sa.String(200), nullable=True)
    service_notice = sa.Column(sa.Text, nullable=True)
    lat = sa.Column(sa.Float, nullable=True)
    long = sa.Column(sa.Float, nullable=True)
    address_string = sa.Column(sa.String(500), nullable=True)
    address_id = sa.Column(sa.String(100), nullable=True)
    zipcode = sa.Column(sa.String(16), nullable=True)
    media_url = sa.Column(sa.String(2000), nullable=True)
    attributes = sa.Column(sa.JSON, nullable=False, default=dict)
    # Personal data: shown to authenticated staff only, never in an Open311 response.
    email = sa.Column(sa.String(254), nullable=True)
    first_name = sa.Column(sa.String(100), nullable=True)
    last_name = sa.Column(sa.String(100), nullable=True)
    phone = sa.Column(sa.String(40), nullable=True)
    device_id = sa.Column(sa.String(100), nullable=True)
    account_id = sa.Column(sa.String(100), nullable=True)
    requested_at = sa.Column(UTCDateTime, nullable=False, index=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    expected_at = sa.Column(UTCDateTime, nullable=True)

    history = relationship(
        "StatusChange",
        back_populates="service_request",
        order_by="StatusChange.id",
        cascade="all, delete-orphan",
    )


class StatusChange(Base):
    """One row of a report's status history (storage shape)."""

    __tablename__ = "report_status_history"

    id = sa.Column(sa.Integer, primary_key=True)
    service_request_pk = sa.Column(
        sa.Integer, sa.ForeignKey("service_requests.id", ondelete="CASCADE"), nullable=False
    )
    from_status = sa.Column(sa.String(40), nullable=True)  # None for the report's arrival
    to_status = sa.Column(sa.String(40), nullable=False)
    notes = sa.Column(sa.Text, nullable=True)
    changed_by = sa.Column(sa.String(40), nullable=False)
    changed_at = sa.Column(UTCDateTime, nullable=False)

    service_request = relationship("ServiceRequest", back_populates="history")


sa.Index(
    "ix_report_status_history_request", StatusChange.service_request_pk, StatusChange.changed_at
)

# --- Service catalogue (read from data/services.yml) ------------------------------------------


class Datatype(str, Enum):
    """Attribute datatypes of the GeoReport v2 specification."""

    STRING = "string"
    NUMBER = "number"
    DATETIME = "datetime"
    TEXT = "text"
    SINGLEVALUELIST = "singlevaluelist"
    MULTIVALUELIST = "multivaluelist"


LIST_DATATYPES = frozenset({Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST})


class AttributeOption(BaseModel):
    """One allowed value of a list attribute: ``key`` is sent, ``name`` is shown."""

    key: str
    name: str

    class Config:
        """Catalogue entries are read-only once loaded."""

        allow_mutation = False
        extra = "forbid"


class CatalogueAttribute(BaseModel):
    """An attribute as written in the catalogue file."""

    code: str = Field(..., regex=r"^[a-z][a-z0-9_]*$")
    datatype: Datatype
    required: bool = False
    variable: bool = True
    description: str
    datatype_description: str | None = None
    order: int | None = None
    values: list[AttributeOption] = Field(default_factory=list)

    class Config:
        """Catalogue entries are read-only once loaded."""

        allow_mutation = False
        extra = "forbid"

    @root_validator(skip_on_failure=True)
    def _values_only_for_lists(cls, values: dict[str, Any]) -> dict[str, Any]:
        """List datatypes need allowed values; other datatypes must not have any."""
        is_list = values["datatype"] in LIST_DATATYPES
        if is_list and not values["values"]:
            raise ValueError(f"attribute {values['code']}: a list datatype needs values")
        if not is_list and values["values"]:
            raise ValueError(f"attribute {values['code']}: only list datatypes take values")
        return values


class CatalogueService(BaseModel):
    """A service as written in the catalogue file."""

    service_code: str = Field(..., regex=r"^[A-Z][A-Z0-9_]*$")
    service_name: str
    description: str
    group: str
    keywords: list[str] = Field(default_factory=list)
    agency_responsible: str
    service_notice: str
    target_days: int = Field(..., ge=0)
    attributes: list[CatalogueAttribute] = Field(..., min_items=1)

    class Config:
        """Catalogue entries are read-only once loaded."""

        allow_mutation = False
        extra = "forbid"

    @validator("attributes")
    def _unique_attribute_codes(cls, attributes: list[CatalogueAttribute]) -> list:
        """Attribute codes are unique within a service."""
        codes = [attribute.code for attribute in attributes]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"duplicate attribute codes: {', '.join(duplicates)}")
        return attributes

    def attribute(self, code: str) -> CatalogueAttribute | None:
        """Return the attribute with this code, if the service has one."""
        return next((a for a in self.attributes if a.code == code), None)


# --- Open311 output shapes --------------------------------------------------------------------


class Open311ErrorItem(BaseModel):
    """One entry of the GeoReport v2 error array."""

    code: int
    description: str


class ServicePublic(BaseModel):
    """An item of ``GET services.json``."""

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str = "realtime"
    keywords: str
    group: str

    @classmethod
    def from_catalogue(cls, service: CatalogueService) -> ServicePublic:
        """Build the public list item of a catalogue service."""
        return cls(
            service_code=service.service_code,
            service_name=service.service_name,
            description=service.description,
            metadata=bool(service.attributes),
            keywords=", ".join(service.keywords),
            group=service.group,
        )


class ServiceAttributePublic(BaseModel):
    """An attribute of a service definition, as the specification names its fields."""

    variable: bool
    code: str
    datatype: Datatype
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[AttributeOption]


class ServiceDefinitionPublic(BaseModel):
    """The body of ``GET services/{service_code}.json``."""

    service_code: str
    attributes: list[ServiceAttributePublic]

    @classmethod
    def from_catalogue(cls, service: CatalogueService) -> ServiceDefinitionPublic:
        """Build the public definition of a catalogue service, numbering attributes in order."""
        return cls(
            service_code=service.service_code,
            attributes=[
                ServiceAttributePublic(
                    variable=attribute.variable,
                    code=attribute.code,
                    datatype=attribute.datatype,
                    required=attribute.required,
                    datatype_description=attribute.datatype_description,
                    order=attribute.order if attribute.order is not None else position,
                    description=attribute.description,
                    values=list(attribute.values),
                )
                for position, attribute in enumerate(service.attributes, start=1)
            ],
        )


# --- Service requests -------------------------------------------------------------------------


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class ServiceRequestCreate(BaseModel):
    """A request posted by an Open311 client, validated (input shape).

    ``attributes`` holds the raw ``attribute[code]`` values; they are checked against the
    service definition by ``catalogue.validate_attributes``.
    """

    service_code: str = Field(..., max_length=64)
    lat: float | None = Field(None, ge=-90, le=90)
    long: float | None = Field(None, ge=-180, le=180)
    address_string: str | None = Field(None, max_length=500)
    address_id: str | None = Field(None, max_length=100)
    zipcode: str | None = Field(None, max_length=16)
    description: str | None = Field(None, max_length=DESCRIPTION_MAX_LENGTH)
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=40)
    media_url: str | None = Field(None, max_length=2000)
    device_id: str | None = Field(None, max_length=100)
    account_id: str | None = Field(None, max_length=100)
    attributes: dict[str, list[str]] = Field(default_factory=dict)

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"
        anystr_strip_whitespace = True

    _clean_lines = cleaned(
        "service_code", "address_string", "address_id", "email", "first_name", "last_name",
        "media_url", "device_id", "account_id",
    )  # fmt: skip
    _clean_description = cleaned("description", how=clean_block)
    _clean_numbers = cleaned("zipcode", "phone", how=clean_number)
    _clean_attributes = cleaned("attributes", how=clean_strings)
    _blanks = validator(
        "lat",
        "long",
        "address_string",
        "address_id",
        "zipcode",
        "description",
        "email",
        "first_name",
        "last_name",
        "phone",
        "media_url",
        "device_id",
        "account_id",
        pre=True,
        allow_reuse=True,
    )(_blank_to_none)

    @validator("service_code", pre=True)
    def _normalise_service_code(cls, value: Any) -> Any:
        """Service codes are matched in upper case."""
        value = _blank_to_none(value)
        if value is None:
            raise ValueError("service_code is required")
        return value.upper() if isinstance(value, str) else value

    @validator("email")
    def _plausible_email(cls, value: str | None) -> str | None:
        """Catch obvious typing mistakes; the address itself is never checked further."""
        if value is not None and not _EMAIL.match(value):
            raise ValueError("email is not a valid email address")
        return value

    @validator("media_url")
    def _web_address(cls, value: str | None) -> str | None:
        """Media must be a web address the council can open."""
        if value is not None and not _WEB_ADDRESS.match(value):
            raise ValueError("media_url must be an http or https address")
        return value

    @validator("zipcode")
    def _normalise_zipcode(cls, value: str | None) -> str | None:
        """Store postcodes in upper case with single spaces."""
        return " ".join(value.upper().split()) if value else value

    @root_validator(skip_on_failure=True)
    def _location_required(cls, values: dict[str, Any]) -> dict[str, Any]:
        """A request needs lat and long together, or an address."""
        has_lat, has_long = values.get("lat") is not None, values.get("long") is not None
        if has_lat != has_long:
            raise ValueError("lat and long must be given together")
        if not (has_lat or values.get("address_string") or values.get("address_id")):
            raise ValueError("a location is required: lat and long, address_string or address_id")
        return values


class ServiceRequestCreated(BaseModel):
    """An item of the ``POST requests.json`` response."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None


def _public(text: str | None) -> str | None:
    """A public field's text, redacted (also rows stored before redaction, and staff notes)."""
    return redact(text) if text else text


class ServiceRequestPublic(BaseModel):
    """An item of ``GET requests.json``: what anyone may see, never the reporter's details.

    Open311 needs no login, so every free-text field is redacted on the way out.
    """

    service_request_id: str
    status: Open311Status
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None

    class Config:
        """Timestamps leave as W3C datetimes in UTC."""

        json_encoders = {datetime: utc_isoformat}

    @classmethod
    def from_row(cls, row: ServiceRequest) -> ServiceRequestPublic:
        """Build the public view of a stored request."""
        return cls(
            service_request_id=row.service_request_id,
            status=open311_status(ReportStatus(row.status)),
            status_notes=_public(row.status_notes),
            service_name=row.service_name,
            service_code=row.service_code,
            description=_public(row.description),
            agency_responsible=row.agency_responsible,
            service_notice=row.service_notice,
            requested_datetime=row.requested_at,
            updated_datetime=row.updated_at,
            expected_datetime=row.expected_at,
            address=_public(row.address_string),
            address_id=_public(row.address_id),
            zipcode=_public(row.zipcode),
            lat=row.lat,
            long=row.long,
            media_url=_public(row.media_url),
        )


# --- Staff shapes -----------------------------------------------------------------------------


class ReportUpdate(BaseModel):
    """Body of ``PATCH /api/v1/reports/{id}``: a new status, new notes, or both."""

    status: ReportStatus | None = None
    status_notes: str | None = Field(None, max_length=DESCRIPTION_MAX_LENGTH)

    class Config:
        """Unknown fields are refused so typos do not pass silently."""

        extra = "forbid"

    @root_validator(skip_on_failure=True)
    def _something_to_change(cls, values: dict[str, Any]) -> dict[str, Any]:
        """An update must change the status or the notes."""
        if values.get("status") is None and values.get("status_notes") is None:
            raise ValueError("give a status, status_notes or both")
        return values


class StatusChangePublic(BaseModel):
    """One row of a report's history, as staff see it."""

    from_status: ReportStatus | None
    to_status: ReportStatus
    notes: str | None
    changed_by: str
    at: datetime

    class Config:
        """Timestamps leave as W3C datetimes in UTC."""

        json_encoders = {datetime: utc_isoformat}


class ReporterContact(BaseModel):
    """The reporter's details, for staff only."""

    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


class ReportStaffView(BaseModel):
    """A report as staff see it: internal status, attributes, contact and history."""

    service_request_id: str
    status: ReportStatus
    open311_status: Open311Status
    status_notes: str | None
    service_code: str
    service_name: str
    description: str | None
    attributes: dict[str, AttributeValue]
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None
    contact: ReporterContact
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    history: list[StatusChangePublic]

    class Config:
        """Timestamps leave as W3C datetimes in UTC."""

        json_encoders = {datetime: utc_isoformat}

    @classmethod
    def from_row(cls, row: ServiceRequest) -> ReportStaffView:
        """Build the staff view of a stored request."""
        status = ReportStatus(row.status)
        return cls(
            service_request_id=row.service_request_id,
            status=status,
            open311_status=open311_status(status),
            status_notes=row.status_notes,
            service_code=row.service_code,
            service_name=row.service_name,
            description=row.description,
            attributes=row.attributes or {},
            address=row.address_string,
            address_id=row.address_id,
            zipcode=row.zipcode,
            lat=row.lat,
            long=row.long,
            media_url=row.media_url,
            contact=ReporterContact(
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                phone=row.phone,
            ),
            requested_datetime=row.requested_at,
            updated_datetime=row.updated_at,
            expected_datetime=row.expected_at,
            history=[
                StatusChangePublic(
                    from_status=change.from_status,
                    to_status=change.to_status,
                    notes=change.notes,
                    changed_by=change.changed_by,
                    at=change.changed_at,
                )
                for change in row.history
            ],
        )
