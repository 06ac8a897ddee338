"""Public PC bookings and the slots each one holds.

Version 3 of the schema before Alembic, spelt out as shipped. The UNIQUE constraint on
(place, PC, slot start) is what stops two residents booking the same PC at the same time,
even when their requests arrive together.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create pc_bookings and pc_booking_slots."""
    op.create_table(
        "pc_bookings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("place_id", sa.String(100), nullable=False),
        sa.Column("pc_number", sa.Integer, nullable=False),
        sa.Column("starts_at", TIMESTAMP, nullable=False),
        sa.Column("ends_at", TIMESTAMP, nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("cancelled_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "pc_booking_slots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "booking_id",
            sa.Integer,
            sa.ForeignKey("pc_bookings.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("place_id", sa.String(100), nullable=False),
        sa.Column("pc_number", sa.Integer, nullable=False),
        sa.Column("slot_start", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("place_id", "pc_number", "slot_start", name="uq_pc_booking_slot"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("pc_booking_slots")
    op.drop_table("pc_bookings")
