"""Council tax verification and cases, and broadband applications: the one write path.

Verification answers only "verified" or "not verified": an unknown account, a wrong
postcode or surname and a locked-out caller look the same from outside, so nobody can
learn whether an account exists. Failures are counted per caller (the conversation) and
account: a caller that fails too often is locked out of that account for a while. The
account itself is never locked, so a stranger's wrong surnames cannot keep the resident
out. Guessing from many new conversations is slowed by the rate limits of the channels
in front (REST channel, web chat relay) and stays visible to staff in the account's
failure count.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lib.references import new_reference
from web.core.db import begin_write
from web.stand_in.crm.models import (
    APPLICATION_PREFIX,
    CASE_PREFIX,
    ApplicationCreate,
    BroadbandApplication,
    CaseCreate,
    CouncilTaxAccount,
    CouncilTaxCase,
    Verification,
    VerificationLockout,
    normalise_postcode,
    normalise_surname,
)

logger = logging.getLogger(__name__)

OPEN = "open"
#: The caller of a verification that names no conversation (a direct API client).
NO_CONVERSATION = "no-conversation"


class NotVerified(Exception):
    """The details do not verify an account (or it is locked); says nothing more."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def caller_key(conversation_id: str | None) -> str:
    """The stored key of a caller: a hash of its conversation id."""
    caller = conversation_id or NO_CONVERSATION
    return hashlib.sha256(f"council-tax-caller:{caller}".encode()).hexdigest()


def _lockout(session: Session, caller: str, reference: str) -> VerificationLockout | None:
    return session.execute(
        sa.select(VerificationLockout).where(
            VerificationLockout.caller_key == caller,
            VerificationLockout.account_reference == reference,
        )
    ).scalar_one_or_none()


def _count_failure(
    session: Session,
    found: VerificationLockout | None,
    key: tuple[str, str],
    limits: tuple[int, int],
) -> None:
    """Add one failure for the caller and account; lock the caller out after too many."""
    caller, reference = key
    max_failures, lock_minutes = limits
    now = _now()
    row = found or VerificationLockout(
        caller_key=caller, account_reference=reference, failures=0, updated_at=now
    )
    row.failures = (row.failures or 0) + 1
    row.updated_at = now
    if row.failures >= max_failures:
        row.locked_until = now + timedelta(minutes=lock_minutes)
        row.failures = 0
        logger.warning("caller locked out of an account after repeated failed verifications")
    session.add(row)
    session.commit()


def _details_match(account: CouncilTaxAccount, data: Verification) -> bool:
    """Postcode and surname both match (both compared, in constant time)."""
    postcode = _same(normalise_postcode(data.postcode), normalise_postcode(account.postcode))
    surname = _same(normalise_surname(data.surname), normalise_surname(account.surname))
    return postcode and surname


def verify(
    session: Session, data: Verification, *, max_failures: int, lock_minutes: int
) -> CouncilTaxAccount:
    """Return the account the details prove, counting a failure against the caller otherwise.

    Args:
        session: the database session (committed here).
        data: account reference, postcode and surname as the resident gave them, and the
            conversation asking (the caller).
        max_failures: failures in a row before this caller is locked out of the account.
        lock_minutes: how long the lock-out lasts.

    Raises:
        NotVerified: for an unknown account, wrong details, or a locked-out caller alike.
    """
    reference = "".join(ch for ch in data.account_reference if ch.isdigit())
    caller = caller_key(data.conversation_id)
    begin_write(session)
    lockout = _lockout(session, caller, reference)
    now = _now()
    if lockout is not None and lockout.locked_until is not None and lockout.locked_until > now:
        logger.warning("verification refused: this caller is locked out of the account")
        raise NotVerified
    account = session.execute(
        sa.select(CouncilTaxAccount).where(CouncilTaxAccount.account_reference == reference)
    ).scalar_one_or_none()
    if account is None or not _details_match(account, data):
        if account is not None:
            account.failed_verifications = (account.failed_verifications or 0) + 1
        _count_failure(session, lockout, (caller, reference), (max_failures, lock_minutes))
        raise NotVerified
    if lockout is not None:
        session.delete(lockout)
    session.commit()
    return account


def _new_reference(session: Session, prefix: str, model: type) -> str:
    for _ in range(20):
        reference = new_reference(prefix)
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
        reference=_new_reference(session, CASE_PREFIX, CouncilTaxCase),
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
    begin_write(session)
    application = BroadbandApplication(
        reference=_new_reference(session, APPLICATION_PREFIX, BroadbandApplication),
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
