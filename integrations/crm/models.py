"""Typed shapes of what the CRM takes and returns.

The ``...Request`` and ``...Json`` TypedDicts are the bodies on the wire, as the council's
CRM defines them (the stand-in's ``web/stand_in/crm/models.py``); a test keeps the two in
step. The dataclasses are what the actions use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict


class VerifyRequest(TypedDict):
    """The body of ``POST /api/v1/council-tax/verify``."""

    account_reference: str
    postcode: str
    surname: str
    conversation_id: str | None  # repeated failures lock out this caller only


class CaseRequest(TypedDict):
    """The body of ``POST /api/v1/council-tax/cases``: the details are verified again."""

    account_reference: str
    postcode: str
    surname: str
    conversation_id: str | None
    kind: str  # instalments_12, single_person_discount or moving_home
    details: dict[str, Any]  # what the kind needs, e.g. living_alone_since


class ApplicationRequest(TypedDict):
    """The body of ``POST /api/v1/broadband/applications``."""

    business_name: str
    postcode: str
    staff_count: int
    current_speed_mbps: float
    voucher_pounds: int
    conversation_id: str | None


class AccountSummaryJson(TypedDict):
    """What ``POST /api/v1/council-tax/verify`` returns for a verified resident."""

    account_reference: str
    band: str
    balance_pence: int
    instalments: int
    next_instalment_date: str | None  # YYYY-MM-DD
    next_instalment_pence: int | None
    sample_data: bool


class CaseJson(TypedDict):
    """A council tax case as the CRM returns it."""

    reference: str  # CT-XXXXXX
    account_reference: str
    kind: str
    details: dict[str, Any]
    status: str
    conversation_id: str | None
    created_at: str  # ISO 8601


class ApplicationJson(TypedDict):
    """A broadband voucher application as the CRM returns it."""

    business_name: str
    postcode: str
    staff_count: int
    current_speed_mbps: float
    voucher_pounds: int
    conversation_id: str | None
    reference: str  # BB-XXXXXX
    status: str
    created_at: str  # ISO 8601


@dataclass(frozen=True)
class Identity:
    """What a resident gives to prove a council tax account is theirs."""

    account_reference: str
    postcode: str
    surname: str

    def verify_request(self, conversation_id: str | None) -> VerifyRequest:
        """The body that asks the CRM to verify these details."""
        return {
            "account_reference": self.account_reference,
            "postcode": self.postcode,
            "surname": self.surname,
            "conversation_id": conversation_id,
        }

    def case_request(
        self, kind: str, details: dict[str, Any], conversation_id: str | None
    ) -> CaseRequest:
        """The body that records a change to the account these details verify."""
        return {
            "account_reference": self.account_reference,
            "postcode": self.postcode,
            "surname": self.surname,
            "conversation_id": conversation_id,
            "kind": kind,
            "details": details,
        }


@dataclass(frozen=True)
class AccountSummary:
    """What a verified resident may see of their account."""

    account_reference: str
    band: str
    balance_pence: int
    instalments: int
    next_instalment_date: date | None
    next_instalment_pence: int | None

    @classmethod
    def from_json(cls, body: AccountSummaryJson) -> AccountSummary:
        """Read the CRM's JSON."""
        when = body.get("next_instalment_date")
        pence = body.get("next_instalment_pence")
        return cls(
            account_reference=str(body["account_reference"]),
            band=str(body["band"]),
            balance_pence=int(body["balance_pence"]),
            instalments=int(body["instalments"]),
            next_instalment_date=date.fromisoformat(when) if when else None,
            next_instalment_pence=int(pence) if pence is not None else None,
        )


@dataclass(frozen=True)
class Case:
    """A council tax change recorded in the CRM."""

    reference: str
    kind: str
    status: str
    details: dict[str, Any]

    @classmethod
    def from_json(cls, body: CaseJson) -> Case:
        """Read the CRM's JSON."""
        return cls(
            reference=str(body["reference"]),
            kind=str(body["kind"]),
            status=str(body["status"]),
            details=dict(body.get("details") or {}),
        )


@dataclass(frozen=True)
class Application:
    """A broadband voucher application recorded in the CRM."""

    reference: str
    business_name: str
    voucher_pounds: int
    status: str

    @classmethod
    def from_json(cls, body: ApplicationJson) -> Application:
        """Read the CRM's JSON."""
        return cls(
            reference=str(body["reference"]),
            business_name=str(body["business_name"]),
            voucher_pounds=int(body["voucher_pounds"]),
            status=str(body["status"]),
        )
