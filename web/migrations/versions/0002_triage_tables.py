"""The triage queue, its audit log and staff accounts.

Version 2 of the schema before Alembic, spelt out as shipped.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create triage_records, triage_audit and staff_accounts."""
    op.create_table(
        "triage_records",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(16), nullable=False, unique=True),
        sa.Column("created_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("conversation_id", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("category", sa.String(32), nullable=False, index=True),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("vulnerability", sa.JSON, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("transcript", sa.JSON, nullable=False),
        sa.Column("contact", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True),
        sa.Column("interpreter", sa.Boolean, nullable=False),
        sa.Column("assisted", sa.Boolean, nullable=False),
        sa.Column("journey", sa.String(100), nullable=True),
        sa.Column("what_was_tried", sa.Text, nullable=True),
        sa.Column("last_failure", sa.Text, nullable=True),
        sa.Column("resolution_note", sa.Text, nullable=True),
        sa.Column("transcript_purged_at", TIMESTAMP, nullable=True),
    )
    op.create_index(
        "ix_triage_records_queue", "triage_records", ["status", "priority", "created_at"]
    )
    op.create_table(
        "triage_audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "triage_record_pk",
            sa.Integer,
            sa.ForeignKey("triage_records.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
    )
    op.create_index("ix_triage_audit_record", "triage_audit", ["triage_record_pk", "at"])
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("staff_accounts")
    op.drop_table("triage_audit")
    op.drop_table("triage_records")
