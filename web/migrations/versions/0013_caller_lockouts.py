"""Failed council tax verifications counted per caller; PC bookings by conversation.

Version 13 of the schema before Alembic, spelt out as shipped. A caller (one conversation)
that fails too often is locked out of that account; the account itself is not, so a
stranger's wrong surnames cannot lock out the resident. The index counts one conversation's
PC bookings (the per-conversation cap).

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create verification_lockouts and index pc_bookings.conversation_id."""
    op.create_table(
        "verification_lockouts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("caller_key", sa.String(64), nullable=False),
        sa.Column("account_reference", sa.String(32), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("caller_key", "account_reference", name="uq_verification_lockout"),
    )
    op.create_index("ix_pc_bookings_conversation_id", "pc_bookings", ["conversation_id"])


def downgrade() -> None:
    """Drop the index and the table."""
    op.drop_index("ix_pc_bookings_conversation_id", table_name="pc_bookings")
    op.drop_table("verification_lockouts")
