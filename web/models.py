"""Tables and wire shapes of the council services stand-in.

This module owns the SQLAlchemy tables (the latest schema; ``core/db.py`` owns the
migrations that build it) and the pydantic shapes. Input, storage and output never share a
class: the catalogue file has its own shapes, posted requests are validated into
``ServiceRequestCreate``, and what leaves the service is a ``*Public`` or staff shape.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
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
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship

from lib.redaction import redact
from web.clean_input import (
    clean_block,
    clean_number,
    clean_strings,
    cleaned,
)
from web.workflow import Open311Status, ReportStatus, open311_status

Base = declarative_base()

DESCRIPTION_MAX_LENGTH = 4000
SERVICE_REQUEST_ID_PATTERN = re.compile(r"^SR-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}$")

# Stored attribute values: a key or free text, a number, or the keys of a multivaluelist.
AttributeValue = StrictStr | StrictFloat | StrictInt | list[StrictStr]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WEB_ADDRESS = re.compile(r"^https?://\S+$", re.IGNORECASE)


def utc_isoformat(value: datetime) -> str:
    """Format a datetime as W3C/ISO 8601 in UTC to the second, e.g. ``2026-11-23T10:15:00+00:00``.

    Args:
        value: an aware datetime (a naive one is taken to be UTC).

    Returns:
        The formatted timestamp.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    PostgreSQL keeps it as ``timestamptz``; SQLite has no time zones, so the UTC wall time
    is stored and UTC is attached again when reading.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        """Convert an aware datetime to UTC before storing it."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; attach a time zone first")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> Any:
        """Return the stored timestamp as an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


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


class TriageRecord(Base):
    """A hand-off from the assistant to a person (storage shape; contract section 6).

    ``transcript`` and ``contact`` are personal data: only authenticated staff see them, every
    read is written to ``triage_audit``, and ``purge`` empties old transcripts.
    """

    __tablename__ = "triage_records"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    created_at = sa.Column(UTCDateTime, nullable=False, index=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)
    conversation_id = sa.Column(sa.String(200), nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    category = sa.Column(sa.String(32), nullable=False, index=True)
    priority = sa.Column(sa.Integer, nullable=False)
    vulnerability = sa.Column(sa.JSON, nullable=False, default=list)
    summary = sa.Column(sa.Text, nullable=False)
    transcript = sa.Column(sa.JSON, nullable=False, default=list)
    contact = sa.Column(sa.JSON, nullable=True)
    status = sa.Column(sa.String(16), nullable=False)
    assignee = sa.Column(sa.String(64), nullable=True)
    interpreter = sa.Column(sa.Boolean, nullable=False, default=False)
    assisted = sa.Column(sa.Boolean, nullable=False, default=False)
    journey = sa.Column(sa.String(100), nullable=True)
    what_was_tried = sa.Column(sa.Text, nullable=True)
    last_failure = sa.Column(sa.Text, nullable=True)
    resolution_note = sa.Column(sa.Text, nullable=True)
    transcript_purged_at = sa.Column(UTCDateTime, nullable=True)

    audit = relationship(
        "TriageAuditEntry",
        back_populates="record",
        order_by="TriageAuditEntry.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


# The queue's usual questions: what is open, most urgent first, oldest first.
sa.Index(
    "ix_triage_records_queue",
    TriageRecord.status,
    TriageRecord.priority,
    TriageRecord.created_at,
)


class TriageAuditEntry(Base):
    """Who looked at or changed a triage record, and when (storage shape)."""

    __tablename__ = "triage_audit"

    id = sa.Column(sa.Integer, primary_key=True)
    triage_record_pk = sa.Column(
        sa.Integer, sa.ForeignKey("triage_records.id", ondelete="CASCADE"), nullable=False
    )
    actor = sa.Column(sa.String(64), nullable=False)
    action = sa.Column(sa.String(32), nullable=False)
    detail = sa.Column(sa.String(200), nullable=True)
    at = sa.Column(UTCDateTime, nullable=False)

    record = relationship("TriageRecord", back_populates="audit")


sa.Index("ix_triage_audit_record", TriageAuditEntry.triage_record_pk, TriageAuditEntry.at)


class StaffAccount(Base):
    """A person who may sign in to the staff console (storage shape)."""

    __tablename__ = "staff_accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, unique=True)
    password_hash = sa.Column(sa.String(255), nullable=False)
    display_name = sa.Column(sa.String(100), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    role = sa.Column(sa.String(16), nullable=False, default="caseworker")


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


# --- Service insight (issue #10) ---------------------------------------------------------------


class OutcomeEvent(Base):
    """How one conversation session ended (service insight, issue #10).

    No personal data: the conversation id is an HMAC the assistant computed, and nothing
    the resident typed is kept here. ``hour_of_day`` and ``week_start`` are the UK local
    hour and the Monday of the UK local week of ``started_at``, stored at ingestion so the
    dashboard's groupings are plain indexed columns on SQLite and PostgreSQL alike.
    """

    __tablename__ = "insight_events"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    started_at = sa.Column(UTCDateTime, nullable=False)
    ended_at = sa.Column(UTCDateTime, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    journey = sa.Column(sa.String(32), nullable=False)
    outcome = sa.Column(sa.String(24), nullable=False)
    fallbacks = sa.Column(sa.Integer, nullable=False)
    duration_s = sa.Column(sa.Integer, nullable=False)
    assisted = sa.Column(sa.Boolean, nullable=False)
    day = sa.Column(sa.Date, nullable=False)
    hour_of_day = sa.Column(sa.SmallInteger, nullable=False)
    week_start = sa.Column(sa.Date, nullable=False)
    received_at = sa.Column(UTCDateTime, nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("conversation_hash", "started_at", name="uq_insight_events_session"),
    )


# The dashboard filters on a date range and, optionally, a channel.
sa.Index("ix_insight_events_started", OutcomeEvent.started_at)
sa.Index("ix_insight_events_channel_started", OutcomeEvent.channel, OutcomeEvent.started_at)


class InsightTask(Base):
    """Tasks one conversation session completed, by kind (issue #18).

    A session can complete several (five reports, then a hand-off): the dashboard counts
    tasks as well as conversations. Kinds are defined in ``kb/insight/outcomes.yml``;
    ``day`` and ``channel`` are the event's, so the dashboard's filters apply as they are.
    """

    __tablename__ = "insight_tasks"

    event_id = sa.Column(
        sa.Integer, sa.ForeignKey("insight_events.id", ondelete="CASCADE"), primary_key=True
    )
    kind = sa.Column(sa.String(32), primary_key=True)
    day = sa.Column(sa.Date, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    tasks = sa.Column(sa.Integer, nullable=False)


sa.Index("ix_insight_tasks_day", InsightTask.day, InsightTask.channel)


class AnswerFeedback(Base):
    """A resident's "Did that answer your question?" in the web chat (issue #18).

    No personal data: the conversation is the HMAC the assistant's outcome events use. A
    "no" makes the session's answer not count as contained (``insight_feedback.py``).
    """

    __tablename__ = "insight_feedback"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    given_at = sa.Column(UTCDateTime, nullable=False)
    answered = sa.Column(sa.Boolean, nullable=False)


sa.Index(
    "ix_insight_feedback_conversation", AnswerFeedback.conversation_hash, AnswerFeedback.given_at
)


class UnansweredQuestion(Base):
    """A resident's message the assistant did not understand, redacted by the assistant.

    Follows the transcript retention (``TRANSCRIPT_RETENTION_DAYS``): ``purge`` deletes it.
    """

    __tablename__ = "insight_unanswered"

    id = sa.Column(sa.Integer, primary_key=True)
    conversation_hash = sa.Column(sa.String(64), nullable=False)
    asked_at = sa.Column(UTCDateTime, nullable=False)
    channel = sa.Column(sa.String(16), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    text = sa.Column(sa.Text, nullable=False)
    best_guess = sa.Column(sa.String(100), nullable=True)
    confidence = sa.Column(sa.Float, nullable=True)
    reason = sa.Column(sa.String(16), nullable=False)

    __table_args__ = (
        sa.UniqueConstraint("conversation_hash", "asked_at", name="uq_insight_unanswered_message"),
    )


sa.Index("ix_insight_unanswered_asked_at", UnansweredQuestion.asked_at)


class SmsOutboxItem(Base):
    """A text message the assistant asked to send (issue #6): staff see them at /staff/sms.

    In development this outbox is the SMS gateway; a council with a real provider sends
    from here. The number is kept as given, so it is personal data like a triage contact.
    """

    __tablename__ = "sms_outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, index=True)
    to_number = sa.Column(sa.String(20), nullable=False)
    body = sa.Column(sa.String(700), nullable=False)
    conversation_id = sa.Column(sa.String(128), nullable=False, default="")
    status = sa.Column(sa.String(16), nullable=False, default="queued")


class InsightRollup(Base):
    """Outcome events counted per UK day, channel and outcome, by one dimension at a time.

    Kept up to date as each event arrives, so the dashboard reads a few thousand rows a
    year instead of every event. ``dimension`` is ``all`` (``value`` empty), ``language``,
    ``journey`` or ``hour`` (``outcome`` empty: the busiest hours need no outcome).
    """

    __tablename__ = "insight_rollup"

    day = sa.Column(sa.Date, primary_key=True)
    channel = sa.Column(sa.String(16), primary_key=True)
    dimension = sa.Column(sa.String(16), primary_key=True)
    value = sa.Column(sa.String(32), primary_key=True)
    outcome = sa.Column(sa.String(24), primary_key=True)
    conversations = sa.Column(sa.Integer, nullable=False)
    fallbacks = sa.Column(sa.Integer, nullable=False)
    duration_s = sa.Column(sa.BigInteger, nullable=False)
    assisted = sa.Column(sa.Integer, nullable=False)


sa.Index(
    "ix_insight_rollup_dimension_day",
    InsightRollup.dimension,
    InsightRollup.day,
    InsightRollup.channel,
)
