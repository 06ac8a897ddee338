"""Council tax verification and cases, and broadband applications: the one write path.

Verification answers only "verified" or "not verified": an unknown account, a wrong
postcode or surname and a locked account look the same from outside, so nobody can learn
whether an account exists. Failures are counted per account across every conversation,
and an account is locked for a while after too many, so it cannot be guessed by starting
new conversations.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from integrations.council_services.council_tax_models import (
    ApplicationCreate,
    BroadbandApplication,
    CaseCreate,
    CouncilTaxAccount,
    CouncilTaxCase,
    Verification,
    normalise_postcode,
    normalise_surname,
)
from integrations.council_services.triage_models import REFERENCE_ALPHABET

logger = logging.getLogger(__name__)

REFERENCE_LENGTH = 6
OPEN = "open"


class NotVerified(Exception):
    """The details do not verify an account (or it is locked); says nothing more."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def verify(
    session: Session, data: Verification, *, max_failures: int, lock_minutes: int
) -> CouncilTaxAccount:
    """Return the account the details prove, counting a failure against it otherwise.

    Args:
        session: the database session (committed here).
        data: account reference, postcode and surname as the resident gave them.
        max_failures: failures in a row before the account is locked.
        lock_minutes: how long the lock lasts.

    Raises:
        NotVerified: for an unknown account, wrong details, or a locked account alike.
    """
    reference = "".join(ch for ch in data.account_reference if ch.isdigit())
    account = session.execute(
        sa.select(CouncilTaxAccount).where(CouncilTaxAccount.account_reference == reference)
    ).scalar_one_or_none()
    if account is None:
        raise NotVerified
    now = _now()
    if account.locked_until is not None and account.locked_until > now:
        logger.warning("verification refused: account locked")
        raise NotVerified
    matches = _same(normalise_postcode(data.postcode), normalise_postcode(account.postcode))
    matches &= _same(normalise_surname(data.surname), normalise_surname(account.surname))
    if not matches:
        account.failed_verifications = (account.failed_verifications or 0) + 1
        if account.failed_verifications >= max_failures:
            account.locked_until = now + timedelta(minutes=lock_minutes)
            account.failed_verifications = 0
            logger.warning("account locked after repeated failed verifications")
        session.commit()
        raise NotVerified
    account.failed_verifications = 0
    account.locked_until = None
    session.commit()
    return account


def _new_reference(session: Session, prefix: str, model: type) -> str:
    for _ in range(20):
        body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        reference = f"{prefix}-{body}"
        taken = session.execute(
            sa.select(model.id).where(model.reference == reference)
        ).scalar_one_or_none()
        if taken is None:
            return reference
    raise RuntimeError("could not find a free reference")


def create_case(
    session: Session, data: CaseCreate, *, max_failures: int, lock_minutes: int
) -> tuple[CouncilTaxCase, CouncilTaxAccount]:
    """Verify again, then record the change as an open case with a reference.

    Raises:
        NotVerified: as :func:`verify`.
    """
    account = verify(session, data, max_failures=max_failures, lock_minutes=lock_minutes)
    case = CouncilTaxCase(
        reference=_new_reference(session, "CT", CouncilTaxCase),
        account_id=account.id,
        kind=data.kind.value,
        details=data.details,
        status=OPEN,
        conversation_id=data.conversation_id,
        created_at=_now(),
    )
    session.add(case)
    session.commit()
    logger.info("council tax case created", extra={"reference": case.reference})
    return case, account


def get_case(session: Session, reference: str) -> tuple[CouncilTaxCase, str] | None:
    """A case and its account reference, or None."""
    row = session.execute(
        sa.select(CouncilTaxCase, CouncilTaxAccount.account_reference)
        .join(CouncilTaxAccount, CouncilTaxAccount.id == CouncilTaxCase.account_id)
        .where(CouncilTaxCase.reference == reference.upper())
    ).first()
    return (row[0], row[1]) if row else None


def create_application(session: Session, data: ApplicationCreate) -> BroadbandApplication:
    """Record a broadband voucher application with a reference."""
    application = BroadbandApplication(
        reference=_new_reference(session, "BB", BroadbandApplication),
        business_name=data.business_name,
        postcode=data.postcode.upper(),
        staff_count=data.staff_count,
        current_speed_mbps=data.current_speed_mbps,
        voucher_pounds=data.voucher_pounds,
        status=OPEN,
        conversation_id=data.conversation_id,
        created_at=_now(),
    )
    session.add(application)
    session.commit()
    logger.info("broadband application created", extra={"reference": application.reference})
    return application


def get_application(session: Session, reference: str) -> BroadbandApplication | None:
    """An application by reference, or None."""
    return session.execute(
        sa.select(BroadbandApplication).where(BroadbandApplication.reference == reference.upper())
    ).scalar_one_or_none()
