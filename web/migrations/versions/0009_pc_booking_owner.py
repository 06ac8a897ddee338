"""The conversation that made each PC booking.

Version 9 of the schema before Alembic. Only that conversation may cancel the booking.
Earlier bookings have none, so the API cannot cancel them: staff can, and they end on
their own.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add pc_bookings.conversation_id."""
    op.add_column("pc_bookings", sa.Column("conversation_id", sa.String(200), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("pc_bookings") as batch:
        batch.drop_column("conversation_id")
