"""The SMS outbox.

Version 5 of the schema before Alembic (there was no version 6). Spelt out as the model
stood when it shipped.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sms_outbox."""
    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("to_number", sa.String(20), nullable=False),
        sa.Column("body", sa.String(700), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    """Drop sms_outbox."""
    op.drop_table("sms_outbox")
