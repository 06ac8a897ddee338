"""Typed shapes of what the CRM returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Identity:
    """What a resident gives to prove a council tax account is theirs."""

    account_reference: str
    postcode: str
    surname: str

    def as_json(self) -> dict[str, str]:
        """The JSON body fields."""
        return {
            "account_reference": self.account_reference,
            "postcode": self.postcode,
            "surname": self.surname,
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
    def from_json(cls, body: dict[str, Any]) -> AccountSummary:
        """Read the CRM's JSON."""
        when = body.get("next_instalment_date")
        return cls(
            account_reference=str(body["account_reference"]),
            band=str(body["band"]),
            balance_pence=int(body["balance_pence"]),
            instalments=int(body["instalments"]),
            next_instalment_date=date.fromisoformat(when) if when else None,
            next_instalment_pence=(
                int(body["next_instalment_pence"])
                if body.get("next_instalment_pence") is not None
                else None
            ),
        )


@dataclass(frozen=True)
class Case:
    """A council tax change recorded in the CRM."""

    reference: str
    kind: str
    status: str
    details: dict[str, Any]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Case:
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
    def from_json(cls, body: dict[str, Any]) -> Application:
        """Read the CRM's JSON."""
        return cls(
            reference=str(body["reference"]),
            business_name=str(body["business_name"]),
            voucher_pounds=int(body["voucher_pounds"]),
            status=str(body["status"]),
        )
