"""Client of the council's triage queue (``/api/v1/triage``): hand-offs to a person."""

from integrations.triage.client import TriageClient, get_triage_client
from integrations.triage.errors import TriageError, TriageRejected, TriageUnavailable
from integrations.triage.models import (
    Contact,
    TranscriptEntry,
    TriageAddition,
    TriageRecord,
    new_reference,
)

__all__ = [
    "Contact",
    "TranscriptEntry",
    "TriageClient",
    "TriageError",
    "TriageAddition",
    "TriageRecord",
    "TriageRejected",
    "TriageUnavailable",
    "get_triage_client",
    "new_reference",
]
