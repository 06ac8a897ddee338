"""Each staff account's role (least privilege).

Version 14 of the schema before Alembic. Accounts made before roles were working the
triage queue, so they become caseworkers.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add staff_accounts.role, 'caseworker' for every existing account."""
    op.add_column(
        "staff_accounts",
        sa.Column("role", sa.String(16), nullable=False, server_default="caseworker"),
    )


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("staff_accounts") as batch:
        batch.drop_column("role")
