"""Council tax accounts and cases, and broadband voucher applications.

Version 4 of the schema before Alembic, spelt out as shipped. That version also loaded the
stand-in's sample accounts; they are no longer part of the schema's history: ``python -m
web seed`` adds them (``stand_in/crm/sample_data.py``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create council_tax_accounts, council_tax_cases and broadband_applications."""
    op.create_table(
        "council_tax_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_reference", sa.String(16), nullable=False, unique=True),
        sa.Column("surname", sa.String(100), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("band", sa.String(1), nullable=False),
        sa.Column("balance_pence", sa.Integer, nullable=False),
        sa.Column("instalments", sa.Integer, nullable=False),
        sa.Column("next_instalment_date", sa.Date, nullable=True),
        sa.Column("next_instalment_pence", sa.Integer, nullable=True),
        sa.Column("sample_data", sa.Boolean, nullable=False),
        sa.Column("failed_verifications", sa.Integer, nullable=False),
        sa.Column("locked_until", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "council_tax_cases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("council_tax_accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "broadband_applications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("business_name", sa.String(200), nullable=False),
        sa.Column("postcode", sa.String(10), nullable=False),
        sa.Column("staff_count", sa.Integer, nullable=False),
        sa.Column("current_speed_mbps", sa.Float, nullable=False),
        sa.Column("voucher_pounds", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("broadband_applications")
    op.drop_table("council_tax_cases")
    op.drop_table("council_tax_accounts")
