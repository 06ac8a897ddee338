"""Mark PC bookings that library staff made in an assisted session.

Version 8 of the schema before Alembic. ``assisted`` defaults to false, so every earlier
booking reads as the resident's own; ``assisted_by`` is the staff member's username.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add pc_bookings.assisted and pc_bookings.assisted_by."""
    op.add_column(
        "pc_bookings",
        sa.Column("assisted", sa.Boolean, nullable=False, server_default=sa.text("FALSE")),
    )
    op.add_column("pc_bookings", sa.Column("assisted_by", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop both columns."""
    with op.batch_alter_table("pc_bookings") as batch:
        batch.drop_column("assisted_by")
        batch.drop_column("assisted")
