"""Service insight: outcome events, unanswered questions and the daily roll-up.

Version 7 of the schema before Alembic, spelt out as shipped.

Revision ID: 0007
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create insight_events, insight_unanswered and insight_rollup."""
    op.create_table(
        "insight_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("journey", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.Integer, nullable=False),
        sa.Column("assisted", sa.Boolean, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("hour_of_day", sa.SmallInteger, nullable=False),
        sa.Column("week_start", sa.Date, nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.UniqueConstraint("conversation_hash", "started_at", name="uq_insight_events_session"),
    )
    op.create_index("ix_insight_events_started", "insight_events", ["started_at"])
    op.create_index(
        "ix_insight_events_channel_started", "insight_events", ["channel", "started_at"]
    )
    op.create_table(
        "insight_unanswered",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("asked_at", TIMESTAMP, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("best_guess", sa.String(100), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.UniqueConstraint("conversation_hash", "asked_at", name="uq_insight_unanswered_message"),
    )
    op.create_index("ix_insight_unanswered_asked_at", "insight_unanswered", ["asked_at"])
    op.create_table(
        "insight_rollup",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(32), primary_key=True),
        sa.Column("outcome", sa.String(24), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.BigInteger, nullable=False),
        sa.Column("assisted", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_insight_rollup_dimension_day", "insight_rollup", ["dimension", "day", "channel"]
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("insight_rollup")
    op.drop_table("insight_unanswered")
    op.drop_table("insight_events")
