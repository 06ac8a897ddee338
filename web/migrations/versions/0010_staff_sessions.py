"""Server-side staff sessions and the sign-in throttle.

Version 10 of the schema before Alembic, spelt out as shipped. A session lives until it
expires or is ended, so a copied cookie stops working. The throttle counts failed sign-ins
per account, per client and per account from one client.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create staff_sessions and login_throttle."""
    op.create_table(
        "staff_sessions",
        sa.Column("session_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", TIMESTAMP, nullable=False),
        sa.Column("blocked_until", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("login_throttle")
    op.drop_table("staff_sessions")
