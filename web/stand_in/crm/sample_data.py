"""The stand-in CRM's SAMPLE council tax accounts, added by ``python -m web seed``.

The accounts are made up (``stand_in/data/council_tax_accounts.yml``): no real person,
address or balance. They are data, not schema, so no schema revision adds them; seeding
adds the accounts the database lacks and leaves every other row as it is, so it is safe to
run at every start.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from lib.yaml_files import load_yaml
from web.core.db import begin_write
from web.stand_in.crm.models import CouncilTaxAccount

logger = logging.getLogger(__name__)

SAMPLE_ACCOUNTS_PATH = Path(__file__).resolve().parents[1] / "data" / "council_tax_accounts.yml"


def load_sample_accounts(path: Path = SAMPLE_ACCOUNTS_PATH) -> list[dict[str, Any]]:
    """Read the sample accounts as rows of ``council_tax_accounts``.

    Args:
        path: the YAML file (``sample_data`` flag and ``accounts`` list).

    Returns:
        One row per account, with no failed verifications and no lock.
    """
    seed = load_yaml(path.read_text(encoding="utf-8"))
    return [
        {
            **account,
            "account_reference": str(account["account_reference"]),
            "sample_data": bool(seed.get("sample_data", True)),
            "failed_verifications": 0,
            "locked_until": None,
        }
        for account in seed["accounts"]
    ]


def seed_sample_accounts(session: Session, path: Path = SAMPLE_ACCOUNTS_PATH) -> int:
    """Add the sample accounts the database lacks, matched by account reference.

    Args:
        session: a session on a database at the newest schema revision.
        path: the YAML file of sample accounts.

    Returns:
        How many accounts were added (0 when all were there already).
    """
    rows = load_sample_accounts(path)
    begin_write(session)
    existing = set(session.execute(sa.select(CouncilTaxAccount.account_reference)).scalars())
    missing = [row for row in rows if row["account_reference"] not in existing]
    if missing:
        session.execute(sa.insert(CouncilTaxAccount), missing)
    session.commit()
    logger.info(
        "Sample council tax accounts: %d added, %d already there",
        len(missing),
        len(rows) - len(missing),
    )
    return len(missing)
