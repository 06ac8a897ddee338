"""The triage record on the wire: what the assistant sends to ``POST /api/v1/triage``.

``shared/contracts.md`` section 6 defines what staff read back; ``TriageRecord`` is the
body the assistant builds (``actions/handoff.py``, and ``actions/common/failsafe.py`` when
an action fails). The web service validates the same fields with its own model
(``web/triage_models.py``: ``TriageCreate``), and answers a create or a read with
``TriagePublic``, which the assistant reads as ``TriageRecordJson``;
``tests/unit/integrations/test_wire_formats.py`` keeps each pair in step.
"""

from __future__ import annotations

from typing import TypedDict

from lib.references import new_reference as _new_reference

TRIAGE_PREFIX = "FD"
CATEGORIES = (
    "street", "council_tax", "universal_credit", "digital_access", "broadband",
    "digital_skills", "housing", "safeguarding", "other",
)  # fmt: skip


def new_reference() -> str:
    """A fresh triage reference shown to the resident (``FD-XXXXXX``)."""
    return _new_reference(TRIAGE_PREFIX)


class TranscriptEntry(TypedDict):
    """One line of the conversation, already redacted."""

    role: str
    text: str
    at: str


class Contact(TypedDict, total=False):
    """Contact details, given only with the resident's consent."""

    name: str | None
    phone: str | None
    email: str | None
    preferred: str | None
    address: str | None


class _RecordRequired(TypedDict):
    conversation_id: str
    channel: str
    language: str
    category: str
    priority: int
    vulnerability: list[str]
    summary: str
    transcript: list[TranscriptEntry]


class TriageRecord(_RecordRequired, total=False):
    """The body of ``POST /api/v1/triage``: a hand-off from the assistant to staff."""

    reference: str
    created_at: str
    contact: Contact | None
    journey: str | None
    what_was_tried: str | None
    last_failure: str | None
    interpreter: bool
    assisted: bool


class _AdditionRequired(TypedDict):
    conversation_id: str  # must be the record's own conversation
    category: str
    priority: int
    summary: str  # rebuilt from the whole conversation


class TriageAddition(_AdditionRequired, total=False):
    """The body of ``POST /api/v1/triage/{reference}/additions``: later parts of a conversation."""

    vulnerability: list[str]
    transcript: list[TranscriptEntry]  # only the lines since the record was made
    contact: Contact | None  # only when the resident has since given it


class ContactUpdate(TypedDict):
    """The body of ``PATCH /api/v1/triage/{reference}`` that attaches contact details.

    The endpoint takes other fields too (status, assignee: for staff); the assistant sends
    only these.
    """

    contact: Contact | None  # None withdraws them
    conversation_id: str | None  # must be the record's own conversation


class UndeliveredNotice(TypedDict):
    """The body of ``PUT /api/v1/undelivered/{reference}``: an item the outbox gave up on."""

    reference: str  # the outbox item, HR-XXXXXX
    kind: str
    record_reference: str  # what the item was for (the held report or triage record)
    reason: str
    attempts: int
    held_at: str  # ISO 8601
    failed_at: str


# --- What the web service answers ------------------------------------------------------------


class _TranscriptLineRequired(TypedDict):
    role: str
    text: str
    at: str  # ISO 8601 in UTC


class TranscriptLineJson(_TranscriptLineRequired, total=False):
    """One line of a record's transcript as the web service answers it."""

    name: str | None  # only on a line a staff member wrote: their display name


class ContactJson(TypedDict):
    """The consented contact details of a record as the web service answers them.

    An ``address`` follows the four fields only when the resident gave one.
    """

    name: str | None
    phone: str | None
    email: str | None
    preferred: str | None


class RecordLabelsJson(TypedDict):
    """Plain-English words for a record's codes, for staff."""

    category: str
    channel: str
    language: str
    status: str
    priority: str
    vulnerability: list[str]
    journey: str | None


class TriageRecordJson(TypedDict):
    """The answer of ``POST /api/v1/triage`` and ``GET /api/v1/triage/{reference}``."""

    reference: str
    created_at: str
    conversation_id: str
    channel: str
    language: str
    category: str
    priority: int
    vulnerability: list[str]
    summary: str
    transcript: list[TranscriptLineJson]
    contact: ContactJson | None
    status: str  # new, claimed or resolved
    assignee: str | None
    interpreter: bool
    assisted: bool
    journey: str | None
    what_was_tried: str | None
    last_failure: str | None
    resolution_note: str | None
    updated_at: str
    transcript_purged_at: str | None
    due_by: str
    overdue: bool
    linked: list[str]  # other records from the same conversation
    labels: RecordLabelsJson
