"""Council tax accounts and cases, and broadband applications, for the assistant.

Mounted under ``/api/v1``. Never public: every endpoint needs the service bearer token
(``STAFF_API_TOKEN``), checked before anything else. A failed verification answers 403
with the same body whatever went wrong, so the API never tells whether an account exists.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, status

from web.api.deps import (
    SessionDep,
    SettingsDep,
    StaffTokenFirstRoute,
    require_staff,
)
from web.stand_in.crm import crud as crud_council_tax
from web.stand_in.crm.crud import NotVerified
from web.stand_in.crm.models import (
    AccountSummary,
    ApplicationCreate,
    ApplicationPublic,
    CaseCreate,
    CasePublic,
    Verification,
)

NOT_VERIFIED = "The details given do not match an account."

router = APIRouter(
    tags=["service: council tax and broadband"],
    dependencies=[Depends(require_staff)],
    route_class=StaffTokenFirstRoute,
    responses={status.HTTP_401_UNAUTHORIZED: {"description": "Missing or wrong token."}},
)
_REFUSED = {status.HTTP_403_FORBIDDEN: {"description": NOT_VERIFIED}}


def _limits(settings: SettingsDep) -> dict[str, int]:
    return {
        "max_failures": settings.council_tax_max_failed_verifications,
        "lock_minutes": settings.council_tax_lock_minutes,
    }


@router.post("/council-tax/verify", response_model=AccountSummary, responses=_REFUSED)
def verify_account(
    session: SessionDep, settings: SettingsDep, data: Verification
) -> AccountSummary:
    """Check reference, postcode and surname together; return the account summary."""
    try:
        account = crud_council_tax.verify(session, data, **_limits(settings))
    except NotVerified:
        raise HTTPException(status.HTTP_403_FORBIDDEN, NOT_VERIFIED) from None
    return AccountSummary.from_row(account)


@router.post(
    "/council-tax/cases",
    response_model=CasePublic,
    status_code=status.HTTP_201_CREATED,
    responses=_REFUSED,
)
def create_case(session: SessionDep, settings: SettingsDep, data: CaseCreate) -> CasePublic:
    """Record a change (12 instalments, single person discount, moving home) as a case."""
    try:
        case, account = crud_council_tax.create_case(session, data, **_limits(settings))
    except NotVerified:
        raise HTTPException(status.HTTP_403_FORBIDDEN, NOT_VERIFIED) from None
    return CasePublic.from_row(case, account.account_reference)


@router.get("/council-tax/cases/{reference}", response_model=CasePublic)
def read_case(session: SessionDep, reference: str) -> CasePublic:
    """Read one case back by its ``CT-`` reference."""
    found = crud_council_tax.get_case(session, reference)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No council tax case {reference}")
    return CasePublic.from_row(*found)


@router.post(
    "/broadband/applications", response_model=ApplicationPublic, status_code=status.HTTP_201_CREATED
)
def create_application(session: SessionDep, data: ApplicationCreate) -> ApplicationPublic:
    """Record an eligible business's broadband voucher application."""
    return ApplicationPublic.from_row(crud_council_tax.create_application(session, data))


@router.get("/broadband/applications/{reference}", response_model=ApplicationPublic)
def read_application(session: SessionDep, reference: str) -> ApplicationPublic:
    """Read one application back by its ``BB-`` reference."""
    found = crud_council_tax.get_application(session, reference)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No broadband application {reference}")
    return ApplicationPublic.from_row(found)
