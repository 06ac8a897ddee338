"""The stand-in CRM's sample accounts: added by seeding, never by the schema."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from web.stand_in.crm.models import CouncilTaxAccount
from web.stand_in.crm.sample_data import (
    SAMPLE_ACCOUNTS_PATH,
    load_sample_accounts,
    seed_sample_accounts,
)


def references(session: Session) -> list[str]:
    query = sa.select(CouncilTaxAccount.account_reference).order_by(CouncilTaxAccount.id)
    return list(session.execute(query).scalars())


def test_the_shipped_accounts_are_marked_as_sample_data() -> None:
    rows = load_sample_accounts()
    assert rows and all(row["sample_data"] is True for row in rows)
    assert "40012345" in {row["account_reference"] for row in rows}
    assert all(isinstance(row["account_reference"], str) for row in rows)


def test_seeding_adds_every_account_once(session: Session) -> None:
    assert references(session) == []
    shipped = [row["account_reference"] for row in load_sample_accounts()]
    assert seed_sample_accounts(session) == len(shipped)
    assert seed_sample_accounts(session) == 0
    assert references(session) == shipped


def test_seeding_adds_only_what_is_missing_and_keeps_changed_rows(
    session: Session, tmp_path: Path
) -> None:
    seed_sample_accounts(session)
    account = session.execute(
        sa.select(CouncilTaxAccount).where(CouncilTaxAccount.account_reference == "40012345")
    ).scalar_one()
    account.balance_pence = 1
    session.commit()
    bigger = tmp_path / "accounts.yml"
    bigger.write_text(
        SAMPLE_ACCOUNTS_PATH.read_text(encoding="utf-8")
        + "  - account_reference: 40099999\n    surname: Newcomer\n    postcode: ST4 1AA\n"
        "    address: 9 Sample Street\n    band: D\n    balance_pence: 0\n    instalments: 10\n"
        "    next_instalment_date: null\n    next_instalment_pence: null\n",
        encoding="utf-8",
    )
    assert seed_sample_accounts(session, bigger) == 1
    session.expire_all()
    assert references(session)[-1] == "40099999"
    assert session.get(CouncilTaxAccount, account.id).balance_pence == 1
