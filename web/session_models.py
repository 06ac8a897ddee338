"""Tables of who is signed in where: staff sessions, sign-in throttles, resident chats.

Storage shapes only; schema revisions 0010 and 0011 build them. Secrets never reach
these tables: a session or browser token is stored as its SHA-256 digest, so a copy of the
database does not give anyone a working cookie.
"""

from __future__ import annotations

import sqlalchemy as sa

from web.models import Base, UTCDateTime


class StaffSessionRow(Base):
    """A staff console session that has not been ended (storage shape)."""

    __tablename__ = "staff_sessions"

    session_hash = sa.Column(sa.String(64), primary_key=True)
    username = sa.Column(sa.String(64), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    expires_at = sa.Column(UTCDateTime, nullable=False)


class LoginThrottleRow(Base):
    """Failed sign-ins of one account, client, or account from one client (storage shape)."""

    __tablename__ = "login_throttle"

    key = sa.Column(sa.String(200), primary_key=True)
    failures = sa.Column(sa.Integer, nullable=False)
    last_failure_at = sa.Column(UTCDateTime, nullable=False)
    blocked_until = sa.Column(UTCDateTime, nullable=True)


class WebChatConversationRow(Base):
    """A resident web chat conversation and the browser it belongs to (storage shape)."""

    __tablename__ = "web_chat_conversations"

    conversation_id = sa.Column(sa.String(64), primary_key=True)
    browser_hash = sa.Column(sa.String(64), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False)
    last_seen_at = sa.Column(UTCDateTime, nullable=False)
    ended_at = sa.Column(UTCDateTime, nullable=True)
