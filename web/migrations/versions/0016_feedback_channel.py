"""Where answer feedback was given (the phone line asks too).

Version 16 of the schema before Alembic. Feedback kept before then came from the web chat,
the only channel that asked.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add insight_feedback.channel, 'web' for every earlier answer."""
    op.add_column(
        "insight_feedback",
        sa.Column("channel", sa.String(16), nullable=False, server_default="web"),
    )


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("insight_feedback") as batch:
        batch.drop_column("channel")
