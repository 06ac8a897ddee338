"""An in-memory CRM with the client's interface, for tests and running without the stand-in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from integrations.crm.errors import CrmNotFound, CrmUnavailable, NotVerified
from integrations.crm.models import AccountSummary, Application, ApplicationRequest, Case, Identity


def _key(identity: Identity) -> tuple[str, str, str]:
    return (
        "".join(ch for ch in identity.account_reference if ch.isdigit()),
        identity.postcode.replace(" ", "").upper(),
        "".join(ch for ch in identity.surname.casefold() if ch.isalpha()),
    )


@dataclass
class FakeCrm:
    """Holds one sample account; records every call. Set ``down`` to simulate an outage."""

    down: bool = False
    accounts: dict[tuple[str, str, str], AccountSummary] = field(
        default_factory=lambda: {
            ("40012345", "ST42DX", "bloggs"): AccountSummary(
                "40012345", "B", 84250, 10, date(2027, 1, 1), 16850
            )
        }
    )
    cases: list[tuple[Identity, Case]] = field(default_factory=list)
    applications: list[ApplicationRequest] = field(default_factory=list)
    decided: dict[str, Application] = field(default_factory=dict)
    verifications: int = 0
    _numbers: itertools.count = field(default_factory=lambda: itertools.count(2))

    def _check(self) -> None:
        if self.down:
            raise CrmUnavailable("fake CRM is down")

    async def verify(self, identity: Identity, conversation_id: str = "") -> AccountSummary:
        """As the client."""
        self._check()
        self.verifications += 1
        try:
            return self.accounts[_key(identity)]
        except KeyError:
            raise NotVerified from None

    async def create_case(
        self, identity: Identity, kind: str, details: dict[str, Any], conversation_id: str
    ) -> Case:
        """As the client."""
        await self.verify(identity)
        case = Case(f"CT-{next(self._numbers):06d}", kind, "open", details)
        self.cases.append((identity, case))
        return case

    async def get_case(self, reference: str) -> Case:
        """As the client."""
        self._check()
        for _, case in self.cases:
            if case.reference == reference:
                return case
        raise CrmNotFound(reference)

    async def get_application(self, reference: str) -> Application:
        """As the client: applications given as ``Application`` in ``decided`` are found."""
        self._check()
        if reference in self.decided:
            return self.decided[reference]
        raise CrmNotFound(reference)

    async def create_application(self, application: ApplicationRequest) -> Application:
        """As the client."""
        self._check()
        self.applications.append(application)
        return Application(
            f"BB-{next(self._numbers):06d}",
            application["business_name"],
            application["voucher_pounds"],
            "open",
        )
