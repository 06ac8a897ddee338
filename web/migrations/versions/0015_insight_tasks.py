"""Tasks per outcome event, and whether residents found an answer useful.

Version 15 of the schema before Alembic, spelt out as shipped.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create insight_tasks and insight_feedback."""
    op.create_table(
        "insight_tasks",
        sa.Column(
            "event_id",
            sa.Integer,
            sa.ForeignKey("insight_events.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("tasks", sa.Integer, nullable=False),
    )
    op.create_index("ix_insight_tasks_day", "insight_tasks", ["day", "channel"])
    op.create_table(
        "insight_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_insight_feedback_conversation", "insight_feedback", ["conversation_hash", "given_at"]
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("insight_feedback")
    op.drop_table("insight_tasks")
