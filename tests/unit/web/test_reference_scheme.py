"""Every reference the web service makes or checks follows ``lib/references.py``.

A change to the scheme there (prefix, alphabet, length) must be followed by each pattern
and each generator here, so each is tested against the scheme itself, not a copy of it.
"""

from __future__ import annotations

import re

import pytest

from lib.references import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    REFERENCE_PREFIXES,
    new_reference,
    prefix_of,
)
from web import crud_bookings, crud_triage
from web.booking_models import BOOKING_REFERENCE_PATTERN
from web.delivery_models import OUTBOX_REFERENCE
from web.stand_in.crm.models import APPLICATION_REFERENCE_PATTERN, CASE_REFERENCE_PATTERN
from web.stand_in.open311 import crud as open311_crud
from web.stand_in.open311.models import SERVICE_REQUEST_ID_PATTERN
from web.triage_models import TRIAGE_REFERENCE_PATTERN

#: Each web pattern and the kind of record it names.
PATTERNS = [
    (TRIAGE_REFERENCE_PATTERN, "triage"),
    (BOOKING_REFERENCE_PATTERN, "pc_booking"),
    (SERVICE_REQUEST_ID_PATTERN, "street_report"),
    (CASE_REFERENCE_PATTERN, "council_tax_case"),
    (APPLICATION_REFERENCE_PATTERN, "broadband_application"),
]
#: Each web generator and the kind of record it makes.
GENERATORS = [
    (crud_triage.new_triage_reference, "triage"),
    (crud_bookings.new_booking_reference, "pc_booking"),
    (open311_crud.new_service_request_id, "street_report"),
]
LOOK_ALIKES = "01IO"


def _malformed(reference: str) -> list[str]:
    prefix, code = reference.split("-")
    return [
        reference.lower(),
        f"{prefix}{code}",
        f"{prefix} {code}",
        f"{prefix}-{code[:-1]}",
        f"{prefix}-{code}{REFERENCE_ALPHABET[0]}",
        f" {reference}",
        *(f"{prefix}-{code[:-1]}{bad}" for bad in LOOK_ALIKES),
    ]


@pytest.mark.parametrize(("pattern", "kind"), PATTERNS, ids=[kind for _, kind in PATTERNS])
def test_each_pattern_takes_its_own_kind_and_refuses_every_other(
    pattern: re.Pattern[str], kind: str
) -> None:
    own = prefix_of(kind)
    for _ in range(50):
        assert pattern.match(new_reference(own))
    for other in REFERENCE_PREFIXES:
        if other != own:
            assert not pattern.match(new_reference(other)), other
    for bad in _malformed(new_reference(own)):
        assert not pattern.match(bad), bad


def test_every_letter_of_the_alphabet_is_accepted() -> None:
    for pattern, kind in PATTERNS:
        for char in REFERENCE_ALPHABET:
            assert pattern.match(f"{prefix_of(kind)}-{char * REFERENCE_LENGTH}")


@pytest.mark.parametrize(("make", "kind"), GENERATORS, ids=[kind for _, kind in GENERATORS])
def test_each_generator_makes_its_own_kind(make, kind: str) -> None:  # noqa: ANN001
    own = prefix_of(kind)
    made = {make() for _ in range(200)}
    assert len(made) > 190, "references should be random"
    for reference in made:
        prefix, code = reference.split("-")
        assert prefix == own
        assert len(code) == REFERENCE_LENGTH and set(code) <= set(REFERENCE_ALPHABET)


def test_an_outbox_notice_takes_any_kind_of_the_scheme_and_nothing_else() -> None:
    outbox = re.compile(OUTBOX_REFERENCE)
    for prefix in REFERENCE_PREFIXES:
        reference = new_reference(prefix)
        assert outbox.match(reference)
        for bad in _malformed(reference):
            assert not outbox.match(bad), bad
    assert not outbox.match("ZZ-" + REFERENCE_ALPHABET[:REFERENCE_LENGTH])
