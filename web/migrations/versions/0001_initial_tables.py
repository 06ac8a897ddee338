"""Service requests and their status history (the stand-in Open311 CRM).

Version 1 of the schema before Alembic. Spelt out as shipped: the models live in
``stand_in/``, and a later change to a model must not change what this revision built.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create service_requests and report_status_history."""
    op.create_table(
        "service_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("service_request_id", sa.String(16), nullable=False, unique=True),
        sa.Column("service_code", sa.String(64), nullable=False, index=True),
        sa.Column("service_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(40), nullable=False, index=True),
        sa.Column("status_notes", sa.Text, nullable=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("agency_responsible", sa.String(200), nullable=True),
        sa.Column("service_notice", sa.Text, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("long", sa.Float, nullable=True),
        sa.Column("address_string", sa.String(500), nullable=True),
        sa.Column("address_id", sa.String(100), nullable=True),
        sa.Column("zipcode", sa.String(16), nullable=True),
        sa.Column("media_url", sa.String(2000), nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("first_name", sa.String(100), nullable=True),
        sa.Column("last_name", sa.String(100), nullable=True),
        sa.Column("phone", sa.String(40), nullable=True),
        sa.Column("device_id", sa.String(100), nullable=True),
        sa.Column("account_id", sa.String(100), nullable=True),
        sa.Column("requested_at", TIMESTAMP, nullable=False, index=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("expected_at", TIMESTAMP, nullable=True),
    )
    op.create_table(
        "report_status_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "service_request_pk",
            sa.Integer,
            sa.ForeignKey("service_requests.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("from_status", sa.String(40), nullable=True),
        sa.Column("to_status", sa.String(40), nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("changed_by", sa.String(40), nullable=False),
        sa.Column("changed_at", TIMESTAMP, nullable=False),
    )
    op.create_index(
        "ix_report_status_history_request",
        "report_status_history",
        ["service_request_pk", "changed_at"],
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("report_status_history")
    op.drop_table("service_requests")
