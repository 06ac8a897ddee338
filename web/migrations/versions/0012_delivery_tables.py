"""Idempotency keys and undelivered items, for safe delivery.

Version 12 of the schema before Alembic, spelt out as shipped.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create idempotency_keys and undelivered_items."""
    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("result_reference", sa.String(16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),
    )
    op.create_table(
        "undelivered_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("record_reference", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("held_at", TIMESTAMP, nullable=False),
        sa.Column("failed_at", TIMESTAMP, nullable=False),
        sa.Column("reported_at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_undelivered_items_failed_at", "undelivered_items", ["failed_at"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("undelivered_items")
    op.drop_table("idempotency_keys")
