"""Wire shapes of the triage queue: what the assistant posts, what staff read and change.

The record's fields are the contract's (``shared/contracts.md`` section 6) plus a few
extras. Input is validated strictly here, where it enters: enums, lengths, time zones and
no unknown fields. Storage is ``models.TriageRecord``; output is ``TriagePublic``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConstrainedInt,
    ConstrainedStr,
    Field,
    StrictBool,
    root_validator,
    validator,
)

from lib.references import REFERENCE_ALPHABET, REFERENCE_LENGTH, canonical_pattern, prefix_of
from web import triage_due, triage_labels
from web.clean_input import clean_block, clean_line, clean_number
from web.models import TriageAuditEntry, TriageRecord, utc_isoformat
from web.workflow import TriageStatus

TRIAGE_PREFIX = prefix_of("triage")
TRIAGE_REFERENCE_PATTERN = canonical_pattern(TRIAGE_PREFIX)
SUMMARY_MAX_LENGTH = 1000
# The whole session is kept (issue #18); the assistant marks where a longer one was cut.
TRANSCRIPT_MAX_ENTRIES = 1000
TRANSCRIPT_TEXT_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000
# A staff message fits a text message of four parts with the sender's name and reference.
REPLY_MAX_LENGTH = 500
VULNERABILITY_MAX_FLAGS = 20
# A client's clock may run a little fast; a record from further in the future is a mistake.
CLOCK_SKEW = timedelta(minutes=10)
# A conversation id made only of this many digits (and phone punctuation) is a phone number.
PHONE_DIGITS = 10

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
_PHONE_LIKE = re.compile(r"^(?:tel:|sms:|whatsapp:)?\+?[0-9 ().-]+$", re.IGNORECASE)


class Channel(str, Enum):
    """Where the conversation happened (the ``channel`` slot)."""

    WEB = "web"
    IVR = "ivr"
    LIBRARY = "library"
    API = "api"


class Category(str, Enum):
    """What the resident needs help with."""

    STREET = "street"
    COUNCIL_TAX = "council_tax"
    UNIVERSAL_CREDIT = "universal_credit"
    DIGITAL_ACCESS = "digital_access"
    BROADBAND = "broadband"
    DIGITAL_SKILLS = "digital_skills"
    HOUSING = "housing"
    SAFEGUARDING = "safeguarding"
    OTHER = "other"


class Priority(ConstrainedInt):
    """1 = urgent (risk of harm, homeless tonight), 2 = high (hardship), 3 = standard."""

    strict = True
    ge = 1
    le = 3


class _Text(ConstrainedStr):
    """A string (never a number turned into one), cleaned, trimmed, not empty.

    Cleaning (``clean_input``) comes first, so text made only of invisible characters is
    empty and refused, and nothing unencodable is stored.
    """

    strict = True
    strip_whitespace = True
    min_length = 1
    clean: ClassVar[Callable[[Any], Any]] = staticmethod(clean_line)

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        """Clean first, then pydantic's own checks (type, length, pattern)."""
        yield cls.clean
        yield from super().__get_validators__()


class Text64(_Text):
    """Up to 64 characters: a username or assignee."""

    max_length = 64


class Text100(_Text):
    """Up to 100 characters: a name, a journey, a vulnerability flag."""

    max_length = 100


class Text200(_Text):
    """Up to 200 characters: a conversation id."""

    max_length = 200


class Text254(_Text):
    """Up to 254 characters: an email address."""

    max_length = 254


class Text300(_Text):
    """Up to 300 characters: a postal address."""

    max_length = 300


class Phone(_Text):
    """A telephone number, as typed (digits of any script read as ASCII ones)."""

    max_length = 40
    regex = _PHONE
    clean = staticmethod(clean_number)


class Summary(_Text):
    """The one or two sentences staff act on."""

    max_length = SUMMARY_MAX_LENGTH
    clean = staticmethod(clean_block)


class Note(_Text):
    """Free text from staff or the assistant: what was tried, a resolution note."""

    max_length = NOTE_MAX_LENGTH
    clean = staticmethod(clean_block)


class TranscriptText(ConstrainedStr):
    """One line of the conversation, kept as sent once cleaned (line breaks stay)."""

    strict = True
    min_length = 1
    max_length = TRANSCRIPT_TEXT_MAX_LENGTH

    @classmethod
    def __get_validators__(cls) -> Iterator[Callable[..., Any]]:
        """Clean first, then pydantic's own checks."""
        yield clean_block
        yield from super().__get_validators__()


class LanguageCode(ConstrainedStr):
    """An ISO 639-1 code such as ``en`` or ``cy``."""

    strict = True
    regex = re.compile(r"^[a-z]{2}$")


class TranscriptRole(str, Enum):
    """Who said a line of the transcript."""

    RESIDENT = "resident"
    ASSISTANT = "assistant"
    STAFF = "staff"
    SYSTEM = "system"


class ContactPreference(str, Enum):
    """How the resident would like to be contacted."""

    PHONE = "phone"
    TEXT = "text"
    EMAIL = "email"
    POST = "post"


def _aware(value: datetime | None, field: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"{field} needs a time zone, e.g. 2026-11-23T10:15:00+00:00")
    return value


def _normalise_reference(value: Any) -> Any:
    return value.strip().upper() if isinstance(value, str) else value


def is_triage_reference(value: str) -> bool:
    """Tell whether a text is a well-formed triage reference such as ``FD-7K3Q9X``."""
    return bool(TRIAGE_REFERENCE_PATTERN.match(value))


# --- Input shapes ---------------------------------------------------------------------------


class TranscriptEntryIn(BaseModel):
    """One line of the conversation, already redacted by the assistant."""

    role: TranscriptRole
    text: TranscriptText
    at: datetime

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"

    _aware_at = validator("at", allow_reuse=True)(lambda value: _aware(value, "at"))


class ContactIn(BaseModel):
    """Contact details, sent only with the resident's consent."""

    name: Text100 | None = None
    phone: Phone | None = None
    email: Text254 | None = None
    preferred: ContactPreference | None = None
    #: A postal address, for a resident with no phone or e-mail (``preferred: post``).
    address: Text300 | None = None

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"

    @validator("name", "phone", "email", "preferred", "address", pre=True)
    def _blank_is_none(cls, value: Any) -> Any:
        """An empty answer means the resident gave none."""
        return None if isinstance(value, str) and not value.strip() else value

    @validator("email")
    def _plausible_email(cls, value: str | None) -> str | None:
        """Catch obvious typing mistakes only."""
        if value is not None and not _EMAIL.match(value):
            raise ValueError("email is not a valid email address")
        return value


class TriageCreate(BaseModel):
    """Body of ``POST /api/v1/triage``: a hand-off from the assistant.

    ``reference`` and ``created_at`` are optional: the assistant sends them when it has
    already shown the reference to the resident (for example while the service was down);
    otherwise the service makes a reference and uses the time of arrival.
    """

    reference: str | None = Field(None, description="FD- and 6 characters; made if omitted.")
    created_at: datetime | None = Field(None, description="ISO 8601 with a time zone.")
    conversation_id: Text200
    channel: Channel
    language: LanguageCode
    category: Category
    priority: Priority
    vulnerability: list[Text100] = Field(default_factory=list, max_items=VULNERABILITY_MAX_FLAGS)
    summary: Summary
    transcript: list[TranscriptEntryIn] = Field(
        default_factory=list, max_items=TRANSCRIPT_MAX_ENTRIES
    )
    contact: ContactIn | None = None
    interpreter: StrictBool = False
    assisted: StrictBool = False
    journey: Text100 | None = None
    what_was_tried: Note | None = None
    last_failure: Note | None = None

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"

    @validator("reference", pre=True)
    def _reference_format(cls, value: Any) -> Any:
        """Upper-case the reference and check its form (``FD-`` and 6 characters)."""
        value = _normalise_reference(value)
        if value is not None and not (isinstance(value, str) and is_triage_reference(value)):
            raise ValueError(
                f"reference must be {TRIAGE_PREFIX}- followed by {REFERENCE_LENGTH} characters"
                f" from {REFERENCE_ALPHABET}, e.g. {TRIAGE_PREFIX}-7K3Q9X"
            )
        return value

    @validator("created_at")
    def _created_at_in_the_past(cls, value: datetime | None) -> datetime | None:
        """A creation time needs a time zone and cannot be in the future."""
        value = _aware(value, "created_at")
        if value is not None and value > datetime.now(timezone.utc) + CLOCK_SKEW:
            raise ValueError("created_at is in the future")
        return value

    @validator("conversation_id")
    def _not_a_phone_number(cls, value: str) -> str:
        """The contract forbids raw phone numbers as conversation ids."""
        digits = sum(character.isdigit() for character in value)
        if _PHONE_LIKE.match(value) and digits >= PHONE_DIGITS:
            raise ValueError("conversation_id must not be a phone number; send a hashed sender id")
        return value

    @validator("language", pre=True)
    def _lower_language(cls, value: Any) -> Any:
        """ISO 639-1 codes are compared in lower case."""
        return value.strip().lower() if isinstance(value, str) else value


class TriageUpdate(BaseModel):
    """Body of ``PATCH /api/v1/triage/{reference}``.

    Give at least one field. ``"assignee": null`` unassigns; ``contact`` adds (or, with
    ``null``, withdraws) the resident's consented contact details; ``resolution_note`` is
    accepted only with ``"status": "resolved"``. What the client left out stays as it is
    (``__fields_set__`` tells an explicit null from an absent field).

    ``conversation_id`` says which conversation asks for the change. Contact details are
    the resident's own: only the conversation that created the record may change them
    (403 otherwise), because the bearer token alone is held by every conversation the
    assistant runs, including one with forged state.
    """

    status: TriageStatus | None = None
    assignee: Text64 | None = None
    resolution_note: Note | None = None
    resident_note: Note | None = Field(
        None, description="What to tell the resident in their conversation, when resolving."
    )
    contact: ContactIn | None = None
    conversation_id: Text200 | None = None

    class Config:
        """Unknown fields are refused so typos do not pass silently."""

        extra = "forbid"

    @root_validator(pre=True)
    def _something_to_change(cls, values: dict[str, Any]) -> dict[str, Any]:
        """An update names at least one field, and a status is never null."""
        if not set(values) - {"conversation_id"}:
            raise ValueError("give status, assignee, resolution_note, resident_note or contact")
        if "status" in values and values["status"] is None:
            raise ValueError("status cannot be null")
        return values

    @root_validator(skip_on_failure=True)
    def _note_only_when_resolving(cls, values: dict[str, Any]) -> dict[str, Any]:
        """A resolution note (and a note for the resident) comes with resolving, not alone."""
        for name in ("resolution_note", "resident_note"):
            if values.get(name) is not None and values.get("status") is not TriageStatus.RESOLVED:
                raise ValueError(f'{name} is accepted only with "status": "resolved"')
        return values


class ReplyText(_Text):
    """A message staff write to the resident (line breaks kept)."""

    max_length = REPLY_MAX_LENGTH
    clean = staticmethod(clean_block)


class StaffMessageIn(BaseModel):
    """Body of ``POST /api/v1/triage/{reference}/messages``: staff write to the resident.

    The message goes into the resident's web chat when the record came from it, and as a
    text message when ``sms`` is true, which needs the resident's consent and a UK mobile
    number in the record's contact details (409 otherwise). Either way it joins the
    transcript (role ``staff``, with ``sender_name``) and the audit log.
    """

    text: ReplyText
    sender_name: Text100 = Field("Council staff", description="Shown to the resident.")
    sms: StrictBool = False

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"


class TriageAddition(BaseModel):
    """Body of ``POST /api/v1/triage/{reference}/additions``: more of the same conversation.

    One conversation has one open record. The assistant sends what happened since (new
    transcript lines), any contact details the resident has since given, the priority,
    category and flags of the whole conversation, and the summary rebuilt from all of it.
    Only the conversation that created the record may add to it (403), and only while it is
    open (409 once resolved: the assistant then opens a new record).
    """

    conversation_id: Text200
    category: Category
    priority: Priority
    vulnerability: list[Text100] = Field(default_factory=list, max_items=VULNERABILITY_MAX_FLAGS)
    summary: Summary
    transcript: list[TranscriptEntryIn] = Field(
        default_factory=list, max_items=TRANSCRIPT_MAX_ENTRIES
    )
    contact: ContactIn | None = None

    class Config:
        """Unknown fields are a client mistake worth reporting."""

        extra = "forbid"


# --- Output shapes --------------------------------------------------------------------------


class TranscriptEntryPublic(BaseModel):
    """One line of the transcript as staff read it (``name``: the staff member who wrote it)."""

    role: str
    text: str
    at: datetime
    name: str | None = None

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}

    def dict(self, **kwargs: Any) -> dict[str, Any]:  # type: ignore[override]
        """The line as ``{role, text, at}``, with ``name`` only on a staff member's line."""
        data = super().dict(**kwargs)
        if data.get("name") is None:
            data.pop("name", None)
        return data


class ContactPublic(BaseModel):
    """The consented contact details: the contract's four fields, and maybe an address.

    A postal address appears only when one was given (issue #16 item 5), so a record
    without one keeps exactly the four fields.
    """

    name: str | None
    phone: str | None
    email: str | None
    preferred: str | None

    class Config:
        """The stored ``address`` passes through when present."""

        extra = "allow"


class RecordLabels(BaseModel):
    """Plain-English words for a record's codes (``triage_labels.py``)."""

    category: str
    channel: str
    language: str
    status: str
    priority: str
    vulnerability: list[str]
    journey: str | None


class TriagePublic(BaseModel):
    """A triage record as ``GET /api/v1/triage/{reference}`` returns it."""

    reference: str
    created_at: datetime
    conversation_id: str
    channel: str
    language: str
    category: str
    priority: int
    vulnerability: list[str]
    summary: str
    transcript: list[TranscriptEntryPublic]
    contact: ContactPublic | None
    status: TriageStatus
    assignee: str | None
    interpreter: bool
    assisted: bool
    journey: str | None
    what_was_tried: str | None
    last_failure: str | None
    resolution_note: str | None
    updated_at: datetime
    transcript_purged_at: datetime | None
    due_by: datetime = Field(
        ..., description="When staff must respond: created_at plus its priority's response time."
    )
    overdue: bool = Field(..., description="Still open and past due_by.")
    linked: list[str] = Field(
        default_factory=list, description="Other records from the same conversation."
    )
    labels: RecordLabels

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}

    @classmethod
    def from_row(
        cls, row: TriageRecord, *, linked: list[str] | None = None, now: datetime | None = None
    ) -> TriagePublic:
        """Build the staff view of a stored record.

        Args:
            row: the stored record.
            linked: the references of the other records from its conversation.
            now: the time the overdue flag is worked out at (now by default).
        """
        due = triage_due.due_by(row.created_at, row.priority)
        moment = now or datetime.now(timezone.utc)
        return cls(
            due_by=due,
            overdue=row.status != TriageStatus.RESOLVED.value and due < moment,
            linked=list(linked or []),
            labels=RecordLabels(
                **triage_labels.record_labels(
                    category_code=row.category,
                    channel_code=row.channel,
                    language_code=row.language,
                    status_code=row.status,
                    priority_number=row.priority,
                    flags=list(row.vulnerability or []),
                    journey_code=row.journey,
                )
            ),
            reference=row.reference,
            created_at=row.created_at,
            conversation_id=row.conversation_id,
            channel=row.channel,
            language=row.language,
            category=row.category,
            priority=row.priority,
            vulnerability=list(row.vulnerability or []),
            summary=row.summary,
            transcript=[TranscriptEntryPublic(**entry) for entry in row.transcript or []],
            contact=ContactPublic(**row.contact) if row.contact is not None else None,
            status=TriageStatus(row.status),
            assignee=row.assignee,
            interpreter=row.interpreter,
            assisted=row.assisted,
            journey=row.journey,
            what_was_tried=row.what_was_tried,
            last_failure=row.last_failure,
            resolution_note=row.resolution_note,
            updated_at=row.updated_at,
            transcript_purged_at=row.transcript_purged_at,
        )


class StaffMessageResult(BaseModel):
    """Body of the answer to ``POST /api/v1/triage/{reference}/messages``."""

    reference: str
    web_chat: bool = Field(..., description="The message is in the resident's web chat.")
    sms: bool = Field(..., description="A text message is queued at the SMS gateway.")
    line: TranscriptEntryPublic

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}


class TriageList(BaseModel):
    """Body of ``GET /api/v1/triage``: one page of records, newest first."""

    count: int = Field(..., description="How many records match the filters (every page).")
    limit: int
    offset: int
    data: list[TriagePublic]

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}


class AuditEntryPublic(BaseModel):
    """One row of a record's audit log."""

    at: datetime
    actor: str
    action: str
    detail: str | None

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}

    @classmethod
    def from_row(cls, row: TriageAuditEntry) -> AuditEntryPublic:
        """Build the public view of an audit row."""
        return cls(at=row.at, actor=row.actor, action=row.action, detail=row.detail)


class TriageAuditList(BaseModel):
    """Body of ``GET /api/v1/triage/{reference}/audit``: oldest entry first."""

    reference: str
    count: int
    data: list[AuditEntryPublic]

    class Config:
        """Timestamps leave as ISO 8601 in UTC."""

        json_encoders = {datetime: utc_isoformat}
