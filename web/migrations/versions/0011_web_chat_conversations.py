"""Each resident web chat conversation and the browser it belongs to.

Version 11 of the schema before Alembic, spelt out as shipped. The browser is known by the
HttpOnly cookie the web service sets; another browser with the conversation id alone is
refused.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create web_chat_conversations."""
    op.create_table(
        "web_chat_conversations",
        sa.Column("conversation_id", sa.String(64), primary_key=True),
        sa.Column("browser_hash", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", TIMESTAMP, nullable=False),
        sa.Column("ended_at", TIMESTAMP, nullable=True),
    )


def downgrade() -> None:
    """Drop web_chat_conversations."""
    op.drop_table("web_chat_conversations")
