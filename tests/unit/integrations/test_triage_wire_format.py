"""The triage record is one shape on both sides of the wire (issue #17).

The assistant builds ``integrations.triage.models.TriageRecord``; the web service validates
``web.triage_models.TriageCreate``. A field added on one side only would be dropped or
refused at the other, so their fields must be the same.
"""

from __future__ import annotations

import pytest

from integrations.triage.models import Contact, TranscriptEntry, TriageRecord
from web.triage_models import ContactIn, TranscriptEntryIn, TriageCreate


@pytest.mark.parametrize(
    "sent, accepted",
    [(TriageRecord, TriageCreate), (Contact, ContactIn), (TranscriptEntry, TranscriptEntryIn)],
    ids=["record", "contact", "transcript entry"],
)
def test_the_assistant_sends_exactly_the_fields_the_web_service_accepts(sent, accepted) -> None:
    assert set(sent.__annotations__) == set(accepted.__fields__)


def test_the_web_service_requires_what_the_assistant_always_sends() -> None:
    required = {name for name, field in TriageCreate.__fields__.items() if field.required}
    assert required <= TriageRecord.__required_keys__
