"""The triage record as ``shared/contracts.md`` section 6 defines it."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from typing import Any

from lib.references import REFERENCE_ALPHABET

TRIAGE_PREFIX = "FD"
CATEGORIES = (
    "street", "council_tax", "universal_credit", "digital_access", "broadband",
    "digital_skills", "housing", "safeguarding", "other",
)  # fmt: skip


def new_reference() -> str:
    """A fresh triage reference shown to the resident (``FD-XXXXXX``)."""
    return f"{TRIAGE_PREFIX}-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


@dataclass(frozen=True)
class TranscriptEntry:
    """One line of the conversation, already redacted."""

    role: str
    text: str
    at: str


@dataclass(frozen=True)
class Contact:
    """Contact details, given only with the resident's consent."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    preferred: str | None = None


@dataclass(frozen=True)
class TriageRecord:
    """What the assistant hands to staff."""

    reference: str
    created_at: str
    conversation_id: str
    channel: str
    language: str
    category: str
    priority: int
    vulnerability: list[str]
    summary: str
    transcript: list[TranscriptEntry]
    contact: Contact | None = None
    journey: str | None = None
    what_was_tried: str | None = None
    last_failure: str | None = None
    interpreter: bool = False
    assisted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The body of ``POST /api/v1/triage``."""
        body = asdict(self)
        extra = body.pop("extra")
        body.update(extra)
        return {key: value for key, value in body.items() if value is not None or key == "contact"}
