"""Plain-English statuses from kb/statuses.yml (lib/status_wording.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.open311.models import OPEN311_STATUSES
from integrations.outbox.store import DELIVERED, FAILED, PENDING
from lib.references import REFERENCE_PREFIXES
from lib.status_wording import StatusWordings
from web.crud_bookings import BOOKED, CANCELLED
from web.stand_in.open311.workflow import Open311Status
from web.workflow import TriageStatus

KB = Path(__file__).resolve().parents[3] / "kb" / "statuses.yml"


@pytest.fixture(scope="module")
def wordings() -> StatusWordings:
    return StatusWordings.from_file(KB)


@pytest.mark.parametrize(
    "kind,statuses",
    [
        ("street_report", [*OPEN311_STATUSES, *(s.value for s in Open311Status)]),
        ("triage", [s.value for s in TriageStatus]),
        ("held_report", [PENDING, DELIVERED, FAILED]),
        ("pc_booking", [BOOKED, CANCELLED]),
        ("council_tax_case", ["open", "approved", "refused", "closed"]),
        ("broadband_application", ["open", "approved", "refused", "closed"]),
    ],
)
def test_every_status_each_system_returns_has_wording(wordings, kind, statuses):
    for status in statuses:
        wording = wordings.describe(kind, status)
        assert wording is not None, (kind, status)
        assert wording.meaning and wording.next_step


def test_every_kind_of_reference_has_wording(wordings):
    for kind in REFERENCE_PREFIXES.values():
        assert wordings.describe(kind, "no-such-status") is None


def test_closed_private_land_says_what_the_resident_can_do(wordings):
    wording = wordings.describe("street_report", "CLOSED", "Closed: private land")
    assert wording is not None and wording.finished
    assert "private land" in wording.meaning
    assert "landowner" in wording.next_step


@pytest.mark.parametrize(
    "kind,status",
    [
        ("street_report", "closed"),
        ("council_tax_case", "refused"),
        ("broadband_application", "refused"),
    ],
)
def test_closed_and_refused_are_never_still_waiting(wordings, kind, status):
    wording = wordings.describe(kind, status)
    assert wording is not None and wording.finished
    assert "waiting" not in wording.meaning


def test_open_notes_do_not_pick_a_closing_reason(wordings):
    wording = wordings.describe("street_report", "open", "private land")
    assert wording is not None and not wording.finished
    assert "working on it" in wording.meaning


def test_an_entry_without_a_next_step_is_refused(tmp_path):
    path = tmp_path / "statuses.yml"
    path.write_text("triage:\n  new:\n    meaning: waiting\n", encoding="utf-8")
    with pytest.raises(ValueError, match="triage.new"):
        StatusWordings.from_file(path)
