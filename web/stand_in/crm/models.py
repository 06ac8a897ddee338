"""Council tax accounts and cases, and broadband voucher applications: tables and wire shapes.

The tables are the latest schema (schema revision 0004 built them, ``web/migrations/``).
Accounts are SAMPLE DATA that ``python -m web seed`` adds from
``stand_in/data/council_tax_accounts.yml`` (``sample_data.py``); a council connects its own
revenues system instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field, root_validator, validator

from lib.references import canonical_pattern, prefix_of
from web.clean_input import clean_number, clean_strings, cleaned
from web.models import Base, UTCDateTime

ACCOUNT_REFERENCE_PATTERN = re.compile(r"^\d{8}$")
CASE_PREFIX = prefix_of("council_tax_case")
APPLICATION_PREFIX = prefix_of("broadband_application")
CASE_REFERENCE_PATTERN = canonical_pattern(CASE_PREFIX)
APPLICATION_REFERENCE_PATTERN = canonical_pattern(APPLICATION_PREFIX)
#: Council tax began on 1 April 1993: no discount can start before it.
COUNCIL_TAX_START = date(1993, 4, 1)


def normalise_postcode(value: str) -> str:
    """Upper case without spaces, for comparing postcodes."""
    return re.sub(r"\s+", "", value or "").upper()


def normalise_surname(value: str) -> str:
    """Letters only, case-folded, for comparing surnames (O'Neill = oneill)."""
    return "".join(ch for ch in (value or "").casefold() if ch.isalpha())


# --- Tables ---------------------------------------------------------------------------------


class CouncilTaxAccount(Base):
    """A council tax account (storage shape). Sample data unless a council connects its own."""

    __tablename__ = "council_tax_accounts"

    id = sa.Column(sa.Integer, primary_key=True)
    account_reference = sa.Column(sa.String(16), nullable=False, unique=True)
    surname = sa.Column(sa.String(100), nullable=False)
    postcode = sa.Column(sa.String(10), nullable=False)
    address = sa.Column(sa.String(300), nullable=False)
    band = sa.Column(sa.String(1), nullable=False)
    balance_pence = sa.Column(sa.Integer, nullable=False)
    instalments = sa.Column(sa.Integer, nullable=False)
    next_instalment_date = sa.Column(sa.Date, nullable=True)
    next_instalment_pence = sa.Column(sa.Integer, nullable=True)
    sample_data = sa.Column(sa.Boolean, nullable=False)
    #: Failed verifications of this account by anyone, for staff to see; never locks it.
    failed_verifications = sa.Column(sa.Integer, nullable=False, default=0)
    #: No longer set (revision 0013 locks callers out instead); kept for older rows.
    locked_until = sa.Column(UTCDateTime, nullable=True)


class VerificationLockout(Base):
    """One caller's failed verifications of one account (storage shape, revision 0013).

    ``caller_key`` is a hash of the conversation id, so the table names no conversation.
    """

    __tablename__ = "verification_lockouts"
    __table_args__ = (
        sa.UniqueConstraint("caller_key", "account_reference", name="uq_verification_lockout"),
    )

    id = sa.Column(sa.Integer, primary_key=True)
    caller_key = sa.Column(sa.String(64), nullable=False)
    account_reference = sa.Column(sa.String(32), nullable=False)
    failures = sa.Column(sa.Integer, nullable=False, default=0)
    locked_until = sa.Column(UTCDateTime, nullable=True)
    updated_at = sa.Column(UTCDateTime, nullable=False)


class CouncilTaxCase(Base):
    """A change a resident asked for through the assistant (storage shape)."""

    __tablename__ = "council_tax_cases"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    account_id = sa.Column(
        sa.Integer,
        sa.ForeignKey("council_tax_accounts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    kind = sa.Column(sa.String(40), nullable=False)
    details = sa.Column(sa.JSON, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    conversation_id = sa.Column(sa.String(200), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)


class BroadbandApplication(Base):
    """A business's broadband voucher application (storage shape)."""

    __tablename__ = "broadband_applications"

    id = sa.Column(sa.Integer, primary_key=True)
    reference = sa.Column(sa.String(16), nullable=False, unique=True)
    business_name = sa.Column(sa.String(200), nullable=False)
    postcode = sa.Column(sa.String(10), nullable=False)
    staff_count = sa.Column(sa.Integer, nullable=False)
    current_speed_mbps = sa.Column(sa.Float, nullable=False)
    voucher_pounds = sa.Column(sa.Integer, nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    conversation_id = sa.Column(sa.String(200), nullable=True)
    created_at = sa.Column(UTCDateTime, nullable=False)


# --- Wire shapes ----------------------------------------------------------------------------


class Verification(BaseModel):
    """What a resident gives to prove an account is theirs."""

    account_reference: str = Field(..., min_length=1, max_length=32)
    postcode: str = Field(..., min_length=1, max_length=16)
    surname: str = Field(..., min_length=1, max_length=100)
    conversation_id: str | None = Field(
        None,
        max_length=200,
        description="The caller's conversation: failures lock out this caller, not the account.",
    )

    _clean_numbers = cleaned("account_reference", "postcode", how=clean_number)
    _clean_surname = cleaned("surname", "conversation_id")


class AccountSummary(BaseModel):
    """What a verified resident may see of their account."""

    account_reference: str
    band: str
    balance_pence: int
    instalments: int
    next_instalment_date: date | None
    next_instalment_pence: int | None
    sample_data: bool

    @classmethod
    def from_row(cls, row: CouncilTaxAccount) -> AccountSummary:
        """Build from a stored account."""
        return cls(
            account_reference=row.account_reference,
            band=row.band,
            balance_pence=row.balance_pence,
            instalments=row.instalments,
            next_instalment_date=row.next_instalment_date,
            next_instalment_pence=row.next_instalment_pence,
            sample_data=row.sample_data,
        )


class CaseKind(str, Enum):
    """The changes the assistant can ask for."""

    TWELVE_INSTALMENTS = "twelve_instalments"
    SINGLE_PERSON_DISCOUNT = "single_person_discount"
    MOVING_HOME = "moving_home"


class CaseCreate(Verification):
    """A change, with the verification that allows it."""

    kind: CaseKind
    details: dict[str, Any] = Field(default_factory=dict)
    conversation_id: str | None = Field(None, max_length=200)

    _clean_details = cleaned("details", "conversation_id", how=clean_strings)

    @root_validator(skip_on_failure=True)
    def _details_fit_the_kind(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        kind, details = values["kind"], values.get("details") or {}
        today = date.today()
        if kind is CaseKind.SINGLE_PERSON_DISCOUNT:
            since = _as_date(details.get("living_alone_since"), "living_alone_since")
            if since > today or since < COUNCIL_TAX_START:
                raise ValueError("living_alone_since must be between 1993-04-01 and today")
            values["details"] = {"living_alone_since": since.isoformat()}
        elif kind is CaseKind.MOVING_HOME:
            moving = _as_date(details.get("moving_date"), "moving_date")
            address = str(details.get("new_address") or "").strip()
            if not 5 <= len(address) <= 300:
                raise ValueError("new_address must be 5 to 300 characters")
            if abs((moving - today).days) > 400:
                raise ValueError("moving_date must be within about a year of today")
            values["details"] = {"moving_date": moving.isoformat(), "new_address": address}
        else:
            values["details"] = {}
        return values


def _as_date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD)") from None


class CasePublic(BaseModel):
    """A case as staff tools and the assistant read it back."""

    reference: str
    account_reference: str
    kind: CaseKind
    details: dict[str, Any]
    status: str
    conversation_id: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: CouncilTaxCase, account_reference: str) -> CasePublic:
        """Build from a stored case."""
        return cls(
            reference=row.reference,
            account_reference=account_reference,
            kind=CaseKind(row.kind),
            details=row.details,
            status=row.status,
            conversation_id=row.conversation_id,
            created_at=row.created_at,
        )


class ApplicationCreate(BaseModel):
    """A broadband voucher application from an eligible business."""

    business_name: str = Field(..., min_length=2, max_length=200)
    postcode: str = Field(..., min_length=5, max_length=10)
    staff_count: int = Field(..., ge=1, le=100_000)
    current_speed_mbps: float = Field(..., ge=0, le=10_000)
    voucher_pounds: int = Field(..., ge=0, le=100_000)
    conversation_id: str | None = Field(None, max_length=200)

    _clean_lines = cleaned("business_name", "conversation_id")
    _clean_postcode = cleaned("postcode", how=clean_number)

    @validator("business_name")
    def _strip(cls, value: str) -> str:  # noqa: N805
        return value.strip()


class ApplicationPublic(ApplicationCreate):
    """An application as read back."""

    reference: str
    status: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: BroadbandApplication) -> ApplicationPublic:
        """Build from a stored application."""
        return cls(
            reference=row.reference,
            business_name=row.business_name,
            postcode=row.postcode,
            staff_count=row.staff_count,
            current_speed_mbps=row.current_speed_mbps,
            voucher_pounds=row.voucher_pounds,
            conversation_id=row.conversation_id,
            status=row.status,
            created_at=row.created_at,
        )
